// The captures the Logstash codec cannot decode (pmacct IPv6/SRv6/MPLS, repeated elements) decode
// fully, with as many flows as Wireshark's IPFIX/NetFlow dissector finds.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { HAVE_SHARED, SHARED } from './corpus-helpers.ts';
import { readUdpDatagrams } from '../../../src/replay/datagram-source.ts';
import { createNetflowDecoder } from '../../../src/flow/netflow/decoder.ts';

function haveTshark(): boolean {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const TSHARK = haveTshark();
if (!HAVE_SHARED) console.warn(`skipping tshark differential tests: ${SHARED} is absent`);
else if (!TSHARK) console.warn('skipping tshark differential tests: tshark is not installed (apt-get install tshark)');

const PORTS = [9991, 9992, 2055, 4739];
const dir = path.join(SHARED, 'corpus', 'captures');
const captures = HAVE_SHARED ? readdirSync(dir).filter((f) => f.endsWith('.pcap') && !existsSync(path.join(dir, f.replace('.pcap', '.expected.json')))) : [];

/** Data records Wireshark decodes ("Flow N" items of the cflow dissector). */
function tsharkFlows(file: string): number {
  const args = ['-r', file, '-Y', 'cflow', '-V'];
  for (const p of PORTS) args.push('-d', `udp.port==${p},cflow`);
  const out = execFileSync('tshark', args, { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' });
  return out.split('\n').filter((l) => /^\s+Flow \d+$/.test(l)).length;
}

describe.skipIf(!HAVE_SHARED)('captures the Logstash codec cannot decode', () => {
  for (const f of captures) {
    it(`${f}: decodes every set without a malformed-set warning`, async () => {
      const warns: string[] = [];
      const dec = createNetflowDecoder({}, { log: (level, m) => level === 'warn' && warns.push(m) });
      let flows = 0;
      let arrays = 0;
      for await (const d of readUdpDatagrams(path.join(dir, f))) {
        if (!PORTS.includes(d.dstPort)) continue;
        for (const fl of dec.decode(d.payload, { host: d.src, port: d.srcPort })) {
          flows++;
          if (Object.values(fl.fields).some(Array.isArray)) arrays++;
        }
      }
      expect(dec.stats()['sets_malformed']).toBe(0);
      expect(warns.filter((w) => !w.startsWith("Can't (yet)"))).toEqual([]);
      expect(flows).toBeGreaterThan(0);
      if (TSHARK) expect(flows).toBe(tsharkFlows(path.join(dir, f)));
      // Cisco repeats elements in one template (the Logstash codec raises there): arrays under one name.
      if (f.startsWith('pmacctta_400-') || f.startsWith('pmacctta_500-')) expect(arrays).toBeGreaterThan(0);
    });
  }
});
