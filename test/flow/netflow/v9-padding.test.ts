// NetFlow v9 data flowsets of records shorter than 4 bytes, padded to a 4-byte boundary (RFC 3954
// §5.3): the packet header's count tells records from padding, wherever the flowset sits in the
// packet and whatever the record values (zeros included).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createNetflowDecoder } from '../../../src/flow/netflow/decoder.ts';
import { set, u16, v9, v9Template } from './build.ts';

const A = { host: '192.0.2.1', port: 2055 };

/** 1, 2 or 3 one-byte fields (src_tos, dst_tos, protocol): a record of that many bytes. */
const SHORT_FIELDS = [{ id: 5, length: 1 }, { id: 55, length: 1 }, { id: 4, length: 1 }];
const SHORT_NAMES = ['src_tos', 'dst_tos', 'protocol'];

describe('v9 padding after short records', () => {
  it('decodes exactly the records the exporter sent (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 12 }).chain((n) => fc.array(fc.uint8Array({ minLength: 3, maxLength: 3 }), { minLength: n, maxLength: n })),
        fc.array(fc.tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.nat({ max: 0xffff })), { maxLength: 3 }),
        fc.array(fc.tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.nat({ max: 0xffff })), { maxLength: 3 }),
        fc.boolean(),
        (width, records, before, after, templatesFirst) => {
          const shortTpl = v9Template(300, SHORT_FIELDS.slice(0, width));
          const longTpl = v9Template(301, [{ id: 8, length: 4 }, { id: 7, length: 2 }]); // 6 bytes: never ambiguous
          const shortSet = set(300, Buffer.concat(records.map((r) => Buffer.from(r.subarray(0, width)))), 4);
          const longSet = (recs: [Uint8Array, number][]) => set(301, Buffer.concat(recs.map(([a, p]) => Buffer.concat([Buffer.from(a), u16(p)]))), 4);
          const flowsets = [
            ...(before.length ? [longSet(before)] : []),
            shortSet,
            ...(after.length ? [longSet(after)] : []),
          ];
          const templates = set(0, Buffer.concat([shortTpl, longTpl]), 4);
          const count = 2 + before.length + records.length + after.length;
          const dec = createNetflowDecoder();
          // Templates in the same packet, first, or in an earlier packet.
          const packet = templatesFirst ? v9([templates, ...flowsets], { count }) : (dec.decode(v9([templates], { count: 2 }), A), v9(flowsets, { count: count - 2 }));
          const flows = dec.decode(packet, A);
          const expected = [
            ...before.map(([a, p]) => ({ ipv4_src_addr: [...a].join('.'), l4_src_port: p })),
            ...records.map((r) => Object.fromEntries(SHORT_NAMES.slice(0, width).map((n, i) => [n, r[i]]))),
            ...after.map(([a, p]) => ({ ipv4_src_addr: [...a].join('.'), l4_src_port: p })),
          ];
          expect(flows.map(({ fields: { version, flow_seq_num, flowset_id, ...rest } }) => rest)).toEqual(expected);
          expect(dec.stats()['sets_malformed']).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a flowset the count leaves no records for is padding: nothing decoded, nothing warned', () => {
    const warnings: string[] = [];
    const dec = createNetflowDecoder({}, { log: (level, m) => level === 'warn' && warnings.push(m) });
    const tpl = set(0, v9Template(300, [SHORT_FIELDS[0]!]));
    const flows = dec.decode(v9([tpl, set(300, Buffer.from([9, 0, 0, 0])), set(300, Buffer.from([0, 0, 0]))], { count: 2 }), A);
    expect(flows.map((f) => f.fields['src_tos'])).toEqual([9]);
    expect(warnings).toEqual([]);
  });
});
