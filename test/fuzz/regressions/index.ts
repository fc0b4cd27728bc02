// Every reproducer the project keeps for the netflow codec: found by `flowstash fuzz`, or the known
// failure modes of the reference implementation (Logstash codec hangs and crashes), as bytes built
// here with the project's encoder. regressions.test.ts writes each as a pcap and replays it.
import type { FuzzDatagram } from '../../../src/fuzz/types.ts';
import { REFERENCE_BUG_CASES } from './reference-bugs.ts';

export interface Regression {
  name: string;
  /** Where it came from: `flowstash fuzz …` finding or reference-implementation bug. */
  origin: string;
  /** 'fixed': must decode cleanly; 'open': a known decoder bug that must still reproduce (flip when fixed). */
  status: 'fixed' | 'open';
  /** The fuzzer's signature of the finding (open ones: so the CI fuzz run does not report it again). */
  signature?: string;
  datagrams: FuzzDatagram[];
}

export const REGRESSIONS: Regression[] = [...REFERENCE_BUG_CASES];
