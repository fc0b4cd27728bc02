// RFC 5655 IPFIX files from ../shared: every record of ipfixcol2's example file, and the edge cases.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HAVE_SHARED, SHARED } from './corpus-helpers.ts';
import { splitIpfixFile } from '../../../src/capture/ipfix-file.ts';
import { createNetflowDecoder, type DecodedFlow } from '../../../src/flow/netflow/decoder.ts';

if (!HAVE_SHARED) console.warn(`skipping IPFIX file tests: ${SHARED} is absent`);

function decodeFile(rel: string) {
  const warns: string[] = [];
  const dec = createNetflowDecoder({}, { log: (l, m) => l === 'warn' && warns.push(m) });
  const { messages, trailing } = splitIpfixFile(readFileSync(path.join(SHARED, 'corpus', rel)));
  const flows: DecodedFlow[] = [];
  for (const m of messages) flows.push(...dec.decode(m, { host: '192.0.2.1' }));
  return { flows, warns, trailing, stats: dec.stats() };
}

describe.skipIf(!HAVE_SHARED)('IPFIX files', () => {
  it('example_flows.ipfix: 3,979 records from 8 templates, nothing malformed', () => {
    const r = decodeFile('ipfix-files/example_flows.ipfix');
    expect(r.trailing).toBeUndefined();
    expect(r.flows).toHaveLength(3979);
    expect(r.stats['templates_new']).toBe(8);
    expect(r.stats['sets_malformed']).toBe(0);
    expect(r.warns).toEqual([]);
  });

  it('synthetic.ipfix: reverse IE, basicList, varlen string, sequence gap, withdrawal, then data without looping', () => {
    const r = decodeFile('edge/synthetic.ipfix');
    expect(r.flows.map((f) => f.fields)).toEqual([
      { version: 10, sourceIPv4Address: '10.0.0.1', reverseOctetDeltaCount: 1234, basicList: [60, 52], applicationName: 'http' },
      { version: 10, sourceIPv4Address: '10.0.0.1', reverseOctetDeltaCount: 1234, basicList: [60, 52], applicationName: 'http' },
    ]);
    expect(r.stats['sequence_gaps']).toBe(1);
    expect(r.stats['lost_records']).toBe(4);
    expect(r.stats['templates_withdrawn']).toBe(1);
    expect(r.warns).toEqual([
      "Can't (yet) decode flowset id 256 from observation domain id 7, because no template to decode it with has been received. This message will usually go away after 1 minute.",
    ]);
  });

  it('synthetic_reduced_dup.ipfix: reduced-size counter, repeated IE, NetScaler enterprise IE', () => {
    const r = decodeFile('edge/synthetic_reduced_dup.ipfix');
    expect(r.flows.map((f) => f.fields)).toEqual([
      { version: 10, octetDeltaCount: 123456, sourceTransportPort: [1111, 2222], netscalerRoundTripTime: 77 },
    ]);
  });
});

describe('splitIpfixFile', () => {
  it('reports a cut last message', () => {
    const msg = Buffer.alloc(20);
    msg.writeUInt16BE(10, 0);
    msg.writeUInt16BE(20, 2);
    const r = splitIpfixFile(Buffer.concat([msg, msg.subarray(0, 18)]));
    expect(r.messages).toHaveLength(1);
    expect(r.trailing).toEqual({ offset: 20, bytes: 18, reason: 'message of 20 bytes is cut after 18' });
  });
});
