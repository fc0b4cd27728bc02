// Round-trip properties of the netflow encoder: arbitrary templates (every abstract type, reduced
// sizes, variable length incl. the 3-byte form, enterprise elements, options templates, lists) and
// records, encoded and read back. Read back by the TEST ORACLE in encode-oracle.ts (minimal,
// independent of the encoder); see encode-decoder.test.ts for the same data through the decoder.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  encodeIpfixMessage,
  encodeV5Packet,
  encodeV9Packet,
  naturalLength,
  ntpToBigint,
  VARIABLE_LENGTH,
  type AbstractDataType,
  type FieldInput,
  type IpfixSet,
  type ListSemantic,
  type Template,
  type TemplateField,
  type V5Record,
  type V9FlowSet,
} from '../../../src/flow/netflow/encode/index.ts';
import { oracleIpfix, oracleV9, type Canon, type SubTemplateLookup } from './encode-oracle.ts';
import { LIST_SEMANTIC_CODES } from '../../../src/flow/netflow/encode/types.ts';

const SIMPLE_TYPES: AbstractDataType[] = [
  'octetArray', 'unsigned8', 'unsigned16', 'unsigned32', 'unsigned64', 'signed8', 'signed16', 'signed32', 'signed64',
  'float32', 'float64', 'boolean', 'macAddress', 'string', 'dateTimeSeconds', 'dateTimeMilliseconds',
  'dateTimeMicroseconds', 'dateTimeNanoseconds', 'ipv4Address', 'ipv6Address',
];
const LIST_TYPES: AbstractDataType[] = ['basicList', 'subTemplateList', 'subTemplateMultiList'];
const SEMANTICS: ListSemantic[] = ['noneOf', 'exactlyOneOf', 'oneOrMoreOf', 'allOf', 'ordered', 'undefined'];

/** A value to encode and what the oracle must read back. */
interface Sample {
  input: FieldInput;
  canon: Canon;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function lengthArb(type: AbstractDataType, fixedOnly: boolean): fc.Arbitrary<number> {
  if (LIST_TYPES.includes(type)) return fc.constant(VARIABLE_LENGTH);
  const natural = naturalLength(type);
  if (natural === undefined) return fixedOnly ? fc.integer({ min: 1, max: 24 }) : fc.oneof(fc.integer({ min: 1, max: 24 }), fc.constant(VARIABLE_LENGTH));
  if (/^(un)?signed/.test(type) || type === 'dateTimeSeconds' || type === 'dateTimeMilliseconds') return fc.integer({ min: 1, max: natural });
  if (type === 'float64') return fc.constantFrom(4, 8);
  return fc.constant(natural);
}

function formatIpv6(b: Uint8Array, compress: boolean): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  if (!compress) return groups.join(':');
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

function intSample(bits: number, signed: boolean): fc.Arbitrary<Sample> {
  const lo = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const hi = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  return fc.bigInt({ min: lo, max: hi }).chain((v) =>
    fc.boolean().map((asNumber) => ({
      input: asNumber && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v,
      canon: v,
    })),
  );
}

function simpleSample(type: AbstractDataType, length: number): fc.Arbitrary<Sample> {
  switch (type) {
    case 'unsigned8': case 'unsigned16': case 'unsigned32': case 'unsigned64':
    case 'dateTimeSeconds': case 'dateTimeMilliseconds':
      return intSample(8 * length, false);
    case 'signed8': case 'signed16': case 'signed32': case 'signed64':
      return intSample(8 * length, true);
    case 'dateTimeMicroseconds': case 'dateTimeNanoseconds':
      return fc.record({ ntpSeconds: fc.nat({ max: 0xffffffff }), fraction: fc.nat({ max: 0xffffffff }) }).chain((t) =>
        fc.constantFrom<Sample>({ input: t, canon: ntpToBigint(t) }, { input: ntpToBigint(t), canon: ntpToBigint(t) }),
      );
    case 'float32':
    case 'float64':
      return fc.double({ noNaN: true }).map((d) => {
        const v = length === 4 ? Math.fround(d) : d;
        return { input: v, canon: v };
      });
    case 'boolean':
      return fc.boolean().map((b) => ({ input: b, canon: b }));
    case 'macAddress':
      return fc.uint8Array({ minLength: 6, maxLength: 6 }).chain((b) =>
        fc.constantFrom<Sample>({ input: b, canon: hex(b) }, { input: [...b].map((x) => x.toString(16).padStart(2, '0')).join(':'), canon: hex(b) }),
      );
    case 'ipv4Address':
      return fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => ({ input: [...b].join('.'), canon: hex(b) }));
    case 'ipv6Address':
      return fc
        .tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat({ max: 15 }), fc.nat({ max: 15 }), fc.boolean())
        .map(([b, zs, zl, compress]) => {
          for (let i = zs; i < Math.min(16, zs + zl); i++) b[i] = 0; // runs of zero groups exercise '::'
          return { input: formatIpv6(b, compress), canon: hex(b) };
        });
    case 'string':
      if (length === VARIABLE_LENGTH) {
        return fc.oneof(fc.string({ maxLength: 40 }), fc.string({ minLength: 250, maxLength: 400 })).map((s) => ({
          input: s,
          canon: Buffer.from(s, 'utf8').toString('hex'),
        }));
      }
      return fc.string({ maxLength: length }).filter((s) => Buffer.byteLength(s) <= length).map((s) => {
        const b = Buffer.alloc(length);
        b.write(s, 'utf8');
        return { input: s, canon: b.toString('hex') };
      });
    case 'octetArray':
      if (length === VARIABLE_LENGTH) {
        return fc.oneof(fc.uint8Array({ maxLength: 30 }), fc.uint8Array({ minLength: 254, maxLength: 300 })).map((b) => ({ input: b, canon: hex(b) }));
      }
      return fc.uint8Array({ minLength: length, maxLength: length }).map((b) => ({ input: b, canon: hex(b) }));
    default:
      throw new Error(`not simple: ${type}`);
  }
}

interface GenField {
  field: TemplateField;
}

const penArb = fc.oneof(fc.constant(0), fc.constant(0), fc.constantFrom(5951, 29305, 9, 6871), fc.integer({ min: 1, max: 0xffffffff }));

function simpleFieldArb(fixedOnly = false): fc.Arbitrary<TemplateField> {
  return fc.constantFrom(...SIMPLE_TYPES).chain((type) =>
    fc.record({ pen: penArb, id: fc.integer({ min: 1, max: 0x7fff }), length: lengthArb(type, fixedOnly), type: fc.constant(type) }),
  );
}

function templateArb(fieldArb: fc.Arbitrary<TemplateField>, maxFields: number): fc.Arbitrary<Template> {
  return fc.record({ id: fc.integer({ min: 256, max: 65535 }), fields: fc.array(fieldArb, { minLength: 1, maxLength: maxFields }) });
}

function recordSamplesArb(t: Template, depth: number): fc.Arbitrary<Sample[]> {
  return fc.tuple(...t.fields.map((f) => sampleArb(f, depth)));
}

function listSampleArb(field: TemplateField, depth: number): fc.Arbitrary<Sample> {
  const semantic = fc.constantFrom(...SEMANTICS);
  const code = (s: ListSemantic): bigint => BigInt(LIST_SEMANTIC_CODES[s]);
  if (field.type === 'basicList') {
    return fc.tuple(semantic, simpleFieldArb()).chain(([sem, item]) =>
      fc.array(simpleSample(item.type!, item.length), { maxLength: 4 }).map((items) => ({
        input: { kind: 'basicList', semantic: sem, field: item, values: items.map((i) => i.input) },
        canon: { semantic: code(sem), pen: BigInt(item.pen ?? 0), id: BigInt(item.id), length: BigInt(item.length), items: items.map((i) => i.canon) },
      })),
    );
  }
  const sub = templateArb(depth > 0 ? simpleFieldArb() : simpleFieldArb(), 4);
  const recordsOf = (t: Template): fc.Arbitrary<Sample[][]> => fc.array(recordSamplesArb(t, depth + 1), { maxLength: 3 });
  if (field.type === 'subTemplateList') {
    return fc.tuple(semantic, sub).chain(([sem, t]) =>
      recordsOf(t).map((recs) => ({
        input: { kind: 'subTemplateList', semantic: sem, template: t, records: recs.map((r) => r.map((s) => s.input)) },
        canon: { semantic: code(sem), template: BigInt(t.id), records: recs.map((r) => r.map((s) => s.canon)) },
      })),
    );
  }
  return fc.tuple(semantic, fc.array(sub, { maxLength: 3 })).chain(([sem, ts]) =>
    fc.tuple(...ts.map((t) => recordsOf(t))).map((recsPerEntry) => ({
      input: { kind: 'subTemplateMultiList', semantic: sem, entries: ts.map((t, i) => ({ template: t, records: recsPerEntry[i]!.map((r) => r.map((s) => s.input)) })) },
      canon: { semantic: code(sem), entries: ts.map((t, i) => ({ template: BigInt(t.id), records: recsPerEntry[i]!.map((r) => r.map((s) => s.canon)) })) },
    })),
  );
}

function sampleArb(field: TemplateField, depth: number): fc.Arbitrary<Sample> {
  return LIST_TYPES.includes(field.type!) ? listSampleArb(field, depth) : simpleSample(field.type!, field.length);
}

const topFieldArb: fc.Arbitrary<TemplateField> = fc.oneof(
  { weight: 6, arbitrary: simpleFieldArb() },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...LIST_TYPES).chain((type) =>
      fc.record({ pen: fc.constant(0), id: fc.constant(type === 'basicList' ? 291 : type === 'subTemplateList' ? 292 : 293), length: fc.constant(VARIABLE_LENGTH), type: fc.constant(type) }),
    ),
  },
);

interface Case {
  templates: { template: Template; options: boolean; records: Sample[][]; padding: number }[];
  withdrawals: number[];
  varlenForm: 'shortest' | 'long';
  header: { exportTime: number; sequenceNumber: number; observationDomainId: number };
}

const caseArb: fc.Arbitrary<Case> = fc
  .tuple(
    fc.array(templateArb(topFieldArb, 8), { minLength: 1, maxLength: 3 }),
    fc.constantFrom<'shortest' | 'long'>('shortest', 'long'),
    fc.record({ exportTime: fc.nat({ max: 0xffffffff }), sequenceNumber: fc.nat({ max: 0xffffffff }), observationDomainId: fc.nat({ max: 0xffffffff }) }),
    fc.array(fc.integer({ min: 256, max: 65535 }), { maxLength: 3 }),
  )
  .chain(([templates, varlenForm, header, withdrawals]) =>
    fc
      .tuple(
        ...templates.map((t) =>
          fc.record({
            template: fc.integer({ min: 0, max: t.fields.length }).map((scopes) => ({ ...t, scopeFieldCount: scopes > 0 ? scopes : undefined })),
            records: fc.array(recordSamplesArb(t, 0), { maxLength: 4 }),
            paddingSeed: fc.nat(),
          }),
        ),
      )
      .map((ts) => ({
        templates: ts.map(({ template, records, paddingSeed }) => {
          const minLen = template.fields.reduce((n, f) => n + (f.length === VARIABLE_LENGTH ? 1 : f.length), 0);
          return { template, options: (template.scopeFieldCount ?? 0) > 0, records, padding: paddingSeed % minLen };
        }),
        withdrawals,
        varlenForm,
        header,
      })),
  );

/** Every template object reachable from a case (top-level and inside list values), by id. */
function collectTemplates(c: Case): { byId: Map<number, Template>; elementTypes: Map<string, AbstractDataType>; consistent: boolean } {
  const byId = new Map<number, Template>();
  const elementTypes = new Map<string, AbstractDataType>();
  let consistent = true;
  const addTemplate = (t: Template): void => {
    const prev = byId.get(t.id);
    if (prev && prev !== t) consistent = false;
    byId.set(t.id, t);
  };
  const visit = (v: FieldInput): void => {
    if (typeof v !== 'object' || v === null || !('kind' in v)) return;
    if (v.kind === 'basicList') {
      const key = `${v.field.pen ?? 0}/${v.field.id}`;
      if (elementTypes.has(key) && elementTypes.get(key) !== v.field.type) consistent = false;
      elementTypes.set(key, v.field.type!);
    } else if (v.kind === 'subTemplateList') {
      addTemplate(v.template);
      v.records.forEach((r) => (r as FieldInput[]).forEach(visit));
    } else {
      for (const e of v.entries) {
        addTemplate(e.template);
        e.records.forEach((r) => (r as FieldInput[]).forEach(visit));
      }
    }
  };
  for (const t of c.templates) {
    addTemplate(t.template);
    t.records.forEach((r) => r.forEach((s) => visit(s.input)));
  }
  return { byId, elementTypes, consistent };
}

describe('IPFIX encoder round trip (test oracle)', () => {
  it('reads back header, templates, withdrawals and every record value', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { byId, elementTypes, consistent } = collectTemplates(c);
        fc.pre(consistent);
        const sets: IpfixSet[] = [];
        for (const t of c.templates) {
          sets.push({ type: t.options ? 'optionsTemplate' : 'template', templates: [t.template] });
        }
        for (const t of c.templates) {
          sets.push({ type: 'data', template: t.template, records: t.records.map((r) => r.map((s) => s.input)), padding: t.padding });
        }
        if (c.withdrawals.length) sets.push({ type: 'withdrawal', templateIds: c.withdrawals });
        let bytes: Buffer;
        try {
          bytes = encodeIpfixMessage({ ...c.header, sets }, { varlenForm: c.varlenForm });
        } catch (e) {
          // Only a message over 65535 bytes may be refused.
          expect((e as Error).message).toMatch(/exceeds 65535/);
          return;
        }
        const lookup: SubTemplateLookup = {
          template: (id) => byId.get(id)!,
          basicListType: (pen, id) => elementTypes.get(`${pen}/${id}`)!,
        };
        const got = oracleIpfix(bytes, (tid, i) => byId.get(tid)!.fields[i]!.type!, lookup);
        expect(got.version).toBe(10);
        expect(got.length).toBe(bytes.length);
        expect([got.exportTime, got.sequence, got.domain]).toEqual([c.header.exportTime, c.header.sequenceNumber, c.header.observationDomainId]);
        expect(got.templates).toEqual(
          c.templates.map((t) => ({
            id: t.template.id,
            scopeFieldCount: t.template.scopeFieldCount ?? 0,
            fields: t.template.fields.map((f) => ({ pen: f.pen ?? 0, id: f.id, length: f.length })),
          })),
        );
        expect(got.withdrawals).toEqual(c.withdrawals);
        const expected = c.templates.flatMap((t) => t.records.map((r) => ({ setId: t.template.id, values: r.map((s) => s.canon) })));
        expect(got.records).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('NetFlow v9 encoder round trip (test oracle)', () => {
  const v9FieldArb = fc.constantFrom(...SIMPLE_TYPES).chain((type) =>
    fc.record({ id: fc.integer({ min: 1, max: 65535 }), length: lengthArb(type, true), type: fc.constant(type) }),
  );
  it('reads back header, (options) templates, records and 4-byte padding', () => {
    fc.assert(
      fc.property(
        fc.array(templateArb(v9FieldArb, 10), { minLength: 1, maxLength: 3 }).chain((ts) =>
          fc.tuple(
            ...ts.map((t) =>
              fc.record({
                template: fc.integer({ min: 0, max: t.fields.length }).map((s) => ({ ...t, scopeFieldCount: s || undefined })),
                records: fc.array(recordSamplesArb(t, 0), { maxLength: 5 }),
              }),
            ),
          ),
        ),
        fc.record({ sysUptime: fc.nat({ max: 0xffffffff }), unixSeconds: fc.nat({ max: 0xffffffff }), sequenceNumber: fc.nat({ max: 0xffffffff }), sourceId: fc.nat({ max: 0xffffffff }) }),
        (items, header) => {
          const ids = new Set(items.map((i) => i.template.id));
          fc.pre(ids.size === items.length);
          const byId = new Map(items.map((i) => [i.template.id, i.template]));
          const flowSets: V9FlowSet[] = [
            ...items.map((i): V9FlowSet => ({ type: i.template.scopeFieldCount ? 'optionsTemplate' : 'template', templates: [i.template] })),
            ...items.map((i): V9FlowSet => ({ type: 'data', template: i.template, records: i.records.map((r) => r.map((s) => s.input)) })),
          ];
          const bytes = encodeV9Packet({ ...header, flowSets });
          const got = oracleV9(bytes, (tid, f) => byId.get(tid)!.fields[f]!.type!, items.map((i) => i.records.length));
          expect([got.version, got.sysUptime, got.unixSeconds, got.sequence, got.sourceId]).toEqual([9, header.sysUptime, header.unixSeconds, header.sequenceNumber, header.sourceId]);
          expect(got.count).toBe(items.length + items.reduce((n, i) => n + i.records.length, 0));
          expect(got.flowSetLengths.every((l) => l % 4 === 0)).toBe(true);
          expect(got.templates).toEqual(items.map((i) => ({ id: i.template.id, scopeFieldCount: i.template.scopeFieldCount ?? 0, fields: i.template.fields.map((f) => ({ pen: 0, id: f.id, length: f.length })) })));
          expect(got.records).toEqual(items.flatMap((i) => i.records.map((r) => ({ setId: i.template.id, values: r.map((s) => s.canon) }))));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('NetFlow v5 encoder round trip (test oracle)', () => {
  const ip = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => [...b].join('.'));
  const u = (bits: number) => fc.nat({ max: 2 ** bits - 1 });
  const recordArb: fc.Arbitrary<V5Record> = fc.record({
    srcAddr: ip, dstAddr: ip, nextHop: ip, inputIf: u(16), outputIf: u(16), packets: u(32), octets: u(32), first: u(32), last: u(32),
    srcPort: u(16), dstPort: u(16), tcpFlags: u(8), protocol: u(8), tos: u(8), srcAs: u(16), dstAs: u(16), srcMask: u(8), dstMask: u(8),
  });
  it('lays out the 24-byte header and 48-byte records', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 30 }), u(32), u(32), u(32), u(32), u(8), u(8), u(2), u(14), (records, up, s, ns, seq, et, ei, sm, si) => {
        const b = encodeV5Packet({ sysUptime: up, unixSeconds: s, unixNanos: ns, flowSequence: seq, engineType: et, engineId: ei, samplingMode: sm, samplingInterval: si, records });
        expect(b.length).toBe(24 + 48 * records.length);
        expect([b.readUInt16BE(0), b.readUInt16BE(2), b.readUInt32BE(4), b.readUInt32BE(8), b.readUInt32BE(12), b.readUInt32BE(16), b[20], b[21], b.readUInt16BE(22)]).toEqual([5, records.length, up, s, ns, seq, et, ei, (sm << 14) | si]);
        records.forEach((r, i) => {
          const o = 24 + 48 * i;
          const addr = (at: number): string => [...b.subarray(at, at + 4)].join('.');
          expect({
            srcAddr: addr(o), dstAddr: addr(o + 4), nextHop: addr(o + 8), inputIf: b.readUInt16BE(o + 12), outputIf: b.readUInt16BE(o + 14),
            packets: b.readUInt32BE(o + 16), octets: b.readUInt32BE(o + 20), first: b.readUInt32BE(o + 24), last: b.readUInt32BE(o + 28),
            srcPort: b.readUInt16BE(o + 32), dstPort: b.readUInt16BE(o + 34), tcpFlags: b[o + 37], protocol: b[o + 38], tos: b[o + 39],
            srcAs: b.readUInt16BE(o + 40), dstAs: b.readUInt16BE(o + 42), srcMask: b[o + 44], dstMask: b[o + 45],
          }).toEqual(r);
          expect([b[o + 36], b[o + 46], b[o + 47]]).toEqual([0, 0, 0]);
        });
      }),
      { numRuns: 100 },
    );
  });
});
