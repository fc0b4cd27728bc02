// decode(encode(x)) = x through the project's decoder (createNetflowDecoder): arbitrary IPFIX
// templates drawn from the information model (every abstract type the decoder renders, reduced
// sizes, fixed and variable length incl. the 3-byte form, enterprise and unknown elements, options
// templates, basicList / subTemplateList / subTemplateMultiList) and records, compared with the
// values the decoder must render for them. Also: arbitrary bytes never throw and always terminate.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  encodeIpfixMessage,
  encodeV9Packet,
  parseIpv6,
  VARIABLE_LENGTH,
  type FieldInput,
  type IpfixSet,
  type Template,
  type TemplateField,
} from '../../../src/flow/netflow/encode/index.ts';
import { allIpfixElements, allV9Elements, lookupIpfixElementByName, lookupV9Element, type InfoElement } from '../../../src/flow/netflow/infomodel.ts';
import { createNetflowDecoder } from '../../../src/flow/netflow/decoder.ts';
import { Timestamp } from '../../../src/event/timestamp.ts';
import { Float, type FieldValue } from '../../../src/event/values.ts';

/** How the decoder must render an element, and how to generate its values. */
type Kind = 'uint' | 'int' | 'float32' | 'float64' | 'ipv4' | 'ipv6' | 'mac' | 'ascii' | 'utf8' | 'hex' | 'seconds' | 'millis' | 'ntp';

interface PoolElement {
  pen: number;
  id: number;
  name: string;
  kind: Kind;
}

const TIME_NAME = /^flow(Start|End)(Seconds|Milliseconds|Microseconds|Nanoseconds)$/;

function kindOf(e: InfoElement): Kind | undefined {
  if (TIME_NAME.test(e.name)) return e.name.endsWith('Milliseconds') ? 'millis' : e.name.endsWith('Seconds') && !/(Micro|Nano)seconds$/.test(e.name) ? 'seconds' : 'ntp';
  const ls = e.logstashType;
  if (ls === 'uint8' || ls === 'uint16' || ls === 'uint32' || ls === 'uint64') return /^unsigned|^dateTime|^boolean/.test(e.type) ? 'uint' : undefined;
  if (ls === 'int8' || ls === 'int32') return 'int';
  if (ls === 'float') return 'float32';
  if (ls === 'double') return 'float64';
  if (ls === 'ip4_addr') return 'ipv4';
  if (ls === 'ip6_addr') return 'ipv6';
  if (ls === 'mac_addr') return 'mac';
  if (ls === 'string') return e.type === 'string' ? 'ascii' : undefined;
  if (ls === 'octetarray') return 'hex';
  if (ls === '') {
    if (/^unsigned/.test(e.type)) return 'uint';
    if (/^signed/.test(e.type)) return 'int';
    if (e.type === 'string') return 'utf8';
    if (e.type === 'octetArray') return 'hex';
    if (e.type === 'float32') return 'float32';
    if (e.type === 'float64') return 'float64';
  }
  return undefined;
}

const POOL: PoolElement[] = allIpfixElements()
  .filter((e) => e.name && !(e.pen === 0 && e.id === 210) && lookupIpfixElementByName(e.name) === e)
  .flatMap((e) => {
    const kind = kindOf(e);
    return kind ? [{ pen: e.pen, id: e.id, name: e.name, kind }] : [];
  });
const BY_KIND = new Map<Kind, PoolElement[]>();
for (const p of POOL) BY_KIND.set(p.kind, [...(BY_KIND.get(p.kind) ?? []), p]);

const NTP_OFFSET = 2208988800;

/** A field to put in a template: its TemplateField and how to draw a value with the expected rendering. */
interface FieldPlan {
  field: TemplateField;
  value: fc.Arbitrary<{ input: FieldInput; expected: FieldValue }>;
}

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 30 });
const longPrintable = fc.string({ unit: fc.constantFrom('a', 'b', '/', '=', ';', ' '), minLength: 250, maxLength: 320 });

function uintValue(len: number): fc.Arbitrary<{ input: FieldInput; expected: FieldValue }> {
  return fc.bigInt({ min: 0n, max: (1n << BigInt(8 * len)) - 1n }).map((v) => ({ input: v, expected: v <= 9007199254740991n ? Number(v) : v }));
}

function plan(e: PoolElement): fc.Arbitrary<FieldPlan> {
  const base = (length: number, type: TemplateField['type']): TemplateField => ({ pen: e.pen, id: e.id, length, type, name: e.name });
  switch (e.kind) {
    case 'uint':
      return fc.integer({ min: 1, max: 8 }).map((len) => ({ field: base(len, 'unsigned64'), value: uintValue(len) }));
    case 'int':
      return fc.integer({ min: 1, max: 8 }).map((len) => ({
        field: base(len, 'signed64'),
        value: fc.bigInt({ min: -(1n << BigInt(8 * len - 1)), max: (1n << BigInt(8 * len - 1)) - 1n }).map((v) => ({
          input: v,
          expected: v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v,
        })),
      }));
    case 'float32':
    case 'float64': {
      const len = e.kind === 'float32' ? 4 : 8;
      return fc.constant({
        field: base(len, e.kind),
        value: fc.double({ noNaN: true }).map((d) => {
          const v = len === 4 ? Math.fround(d) : d;
          return { input: v, expected: new Float(v) };
        }),
      });
    }
    case 'ipv4':
      return fc.constant({ field: base(4, 'ipv4Address'), value: fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => ({ input: [...b].join('.'), expected: [...b].join('.') })) });
    case 'ipv6':
      return fc.constant({
        field: base(16, 'ipv6Address'),
        value: fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat({ max: 16 })).map(([b, zeros]) => {
          b.fill(0, 0, zeros); // leading zero groups exercise '::' and the IPv4-compatible forms
          return { input: Buffer.from(b), expected: `ipv6:${Buffer.from(b).toString('hex')}` };
        }),
      });
    case 'mac':
      return fc.constant({
        field: base(6, 'macAddress'),
        value: fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => ({ input: Buffer.from(b), expected: [...b].map((x) => x.toString(16).padStart(2, '0')).join(':') })),
      });
    case 'ascii':
    case 'utf8':
      return fc.oneof(fc.constant(VARIABLE_LENGTH), fc.integer({ min: 1, max: 24 })).map((len) => ({
        field: base(len, 'string'),
        value: (len === VARIABLE_LENGTH ? fc.oneof(printable, longPrintable) : printable.map((s) => s.slice(0, len)))
          .map((s) => s.replace(/\0+$/, ''))
          .map((s) => ({ input: s, expected: s })),
      }));
    case 'hex':
      return fc.oneof(fc.constant(VARIABLE_LENGTH), fc.integer({ min: 1, max: 24 })).map((len) => ({
        field: base(len, 'octetArray'),
        value: (len === VARIABLE_LENGTH ? fc.oneof(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ minLength: 255, maxLength: 300 })) : fc.uint8Array({ minLength: len, maxLength: len })).map(
          (b) => ({ input: Buffer.from(b), expected: Buffer.from(b).toString('hex') }),
        ),
      }));
    case 'seconds':
      return fc.constant({ field: base(4, 'dateTimeSeconds'), value: fc.nat({ max: 0xffffffff }).map((v) => ({ input: v, expected: new Timestamp(v, 0).toString() })) });
    case 'millis':
      return fc.constant({
        field: base(8, 'dateTimeMilliseconds'),
        value: fc.bigInt({ min: 0n, max: 253402300799999n }).map((v) => ({ input: v, expected: new Timestamp(Number(v / 1000n), Number(v % 1000n) * 1e6).toString() })),
      });
    case 'ntp':
      return fc.constant({
        field: base(8, 'dateTimeMicroseconds'),
        value: fc.record({ ntpSeconds: fc.integer({ min: NTP_OFFSET, max: 0xffffffff }), fraction: fc.nat({ max: 0xffffffff }) }).map((t) => ({
          input: t,
          // Logstash: microseconds as a float, nanoseconds truncated.
          expected: new Timestamp(t.ntpSeconds - NTP_OFFSET, Math.trunc((t.fraction / 2 ** 32) * 1e6 * 1000)).toString(),
        })),
      });
  }
}

const unknownPlan: fc.Arbitrary<FieldPlan> = fc
  .tuple(fc.integer({ min: 4200000000, max: 0xffffffff }), fc.integer({ min: 1, max: 0x7fff }), fc.oneof(fc.constant(VARIABLE_LENGTH), fc.integer({ min: 1, max: 12 })))
  .map(([pen, id, len]) => ({
    field: { pen, id, length: len, type: 'octetArray' as const, name: `pen${pen}_ie${id}` },
    value: (len === VARIABLE_LENGTH ? fc.uint8Array({ maxLength: 20 }) : fc.uint8Array({ minLength: len, maxLength: len })).map((b) => ({
      input: Buffer.from(b),
      expected: Buffer.from(b).toString('hex'),
    })),
  }));

const simplePlan: fc.Arbitrary<FieldPlan> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...POOL).chain(plan) },
  { weight: 1, arbitrary: unknownPlan },
);

interface SubTemplate {
  template: Template;
  plans: FieldPlan[];
}

function uniqueByName(plans: FieldPlan[]): FieldPlan[] {
  const seen = new Set<string>();
  return plans.filter((p) => (seen.has(p.field.name!) ? false : (seen.add(p.field.name!), true)));
}

const subTemplateArb: fc.Arbitrary<SubTemplate> = fc
  .tuple(fc.integer({ min: 256, max: 65535 }), fc.array(simplePlan, { minLength: 1, maxLength: 4 }))
  .map(([id, plans]) => {
    const u = uniqueByName(plans);
    return { template: { id, fields: u.map((p) => p.field) }, plans: u };
  });

function recordArb(plans: FieldPlan[]): fc.Arbitrary<{ input: FieldInput[]; expected: Record<string, FieldValue> }> {
  return fc.tuple(...plans.map((p) => p.value)).map((vals) => ({
    input: vals.map((v) => v.input),
    expected: Object.fromEntries(vals.map((v, i) => [plans[i]!.field.name!, v.expected])),
  }));
}

interface ListPlan extends FieldPlan {
  subTemplates: Template[];
}

const listPlan: fc.Arbitrary<ListPlan> = fc.oneof(
  simplePlan.filter((p) => p.field.length !== VARIABLE_LENGTH).map((item) => ({
    field: { id: 291, length: VARIABLE_LENGTH, type: 'basicList' as const, name: 'basicList' },
    subTemplates: [],
    value: fc.array(item.value, { maxLength: 4 }).map((items) => ({
      input: { kind: 'basicList' as const, semantic: 'allOf' as const, field: item.field, values: items.map((i) => i.input) },
      expected: items.map((i) => i.expected),
    })),
  })),
  subTemplateArb.map((st) => ({
    field: { id: 292, length: VARIABLE_LENGTH, type: 'subTemplateList' as const, name: 'subTemplateList' },
    subTemplates: [st.template],
    value: fc.array(recordArb(st.plans), { maxLength: 3 }).map((recs) => ({
      input: { kind: 'subTemplateList' as const, semantic: 'allOf' as const, template: st.template, records: recs.map((r) => r.input) },
      expected: recs.map((r) => r.expected),
    })),
  })),
  fc.array(subTemplateArb, { minLength: 1, maxLength: 2 }).map((sts) => ({
    field: { id: 293, length: VARIABLE_LENGTH, type: 'subTemplateMultiList' as const, name: 'subTemplateMultiList' },
    subTemplates: sts.map((s) => s.template),
    value: fc.tuple(...sts.map((s) => fc.array(recordArb(s.plans), { maxLength: 2 }))).map((perEntry) => ({
      input: { kind: 'subTemplateMultiList' as const, semantic: 'ordered' as const, entries: sts.map((s, i) => ({ template: s.template, records: perEntry[i]!.map((r) => r.input) })) },
      expected: perEntry.flatMap((recs) => recs.map((r) => r.expected)),
    })),
  })),
);

interface Case {
  templates: { template: Template; records: { input: FieldInput[]; expected: Record<string, FieldValue> }[]; padding: number }[];
  subTemplates: Template[];
  varlenForm: 'shortest' | 'long';
}

const caseArb: fc.Arbitrary<Case> = fc
  .tuple(
    fc.array(
      fc.tuple(fc.integer({ min: 256, max: 65535 }), fc.array(fc.oneof({ weight: 8, arbitrary: simplePlan.map((p) => ({ ...p, subTemplates: [] as Template[] })) }, { weight: 1, arbitrary: listPlan }), { minLength: 1, maxLength: 8 }), fc.nat()),
      { minLength: 1, maxLength: 3 },
    ),
    fc.constantFrom<'shortest' | 'long'>('shortest', 'long'),
  )
  .chain(([tpls, varlenForm]) => {
    const shaped = tpls.map(([id, plans, scopeSeed]) => {
      const u = uniqueByName(plans) as ListPlan[];
      const scopes = scopeSeed % 3 === 0 ? 1 + (scopeSeed % u.length) : 0;
      return { template: { id, fields: u.map((p) => p.field), scopeFieldCount: scopes || undefined } as Template, plans: u };
    });
    return fc
      .tuple(...shaped.map((s) => fc.tuple(fc.array(recordArb(s.plans), { minLength: 1, maxLength: 3 }), fc.nat())))
      .map((recs) => ({
        templates: shaped.map((s, i) => {
          const minLen = s.template.fields.reduce((n, f) => n + (f.length === VARIABLE_LENGTH ? 1 : f.length), 0);
          return { template: s.template, records: recs[i]![0], padding: recs[i]![1] % minLen };
        }),
        subTemplates: shaped.flatMap((s) => s.plans.flatMap((p) => p.subTemplates)),
        varlenForm,
      }));
  });

/** Comparable form: IPv6 text → its bytes (rendering of IPv6 is checked by the decoder's own tests). */
function comparable(v: FieldValue): unknown {
  if (typeof v === 'string' && v.includes(':') && parseIpv6(v)) return `ipv6:${Buffer.from(parseIpv6(v)!).toString('hex')}`;
  if (v instanceof Float) return { float: Object.is(v.value, -0) ? '-0' : v.value };
  if (v instanceof Timestamp) return { ts: v.seconds, ns: v.nanos };
  if (Array.isArray(v)) return v.map(comparable);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, comparable(x)]));
  return v;
}

function expectedComparable(v: FieldValue): unknown {
  return comparable(v);
}

describe('decode(encode(x)) = x through createNetflowDecoder', () => {
  it('has elements of every kind in its pool', () => {
    for (const k of ['uint', 'int', 'float32', 'float64', 'ipv4', 'ipv6', 'mac', 'ascii', 'utf8', 'hex', 'seconds', 'millis', 'ntp'] as Kind[]) {
      expect(BY_KIND.get(k)?.length ?? 0, k).toBeGreaterThan(0);
    }
  });

  it('IPFIX: every template, options template and record comes back', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const ids = [...c.templates.map((t) => t.template.id), ...c.subTemplates.map((t) => t.id)];
        fc.pre(new Set(ids).size === ids.length);
        const sets: IpfixSet[] = [];
        if (c.subTemplates.length) sets.push({ type: 'template', templates: c.subTemplates });
        for (const t of c.templates) sets.push({ type: t.template.scopeFieldCount ? 'optionsTemplate' : 'template', templates: [t.template] });
        for (const t of c.templates) sets.push({ type: 'data', template: t.template, records: t.records.map((r) => r.input), padding: t.padding });
        let bytes: Buffer;
        try {
          bytes = encodeIpfixMessage({ exportTime: 1700000000, sequenceNumber: 0, observationDomainId: 1, sets }, { varlenForm: c.varlenForm });
        } catch (e) {
          expect((e as Error).message).toMatch(/exceeds 65535/);
          return;
        }
        const problems: string[] = [];
        const decoder = createNetflowDecoder({}, { log: (level, msg) => (level === 'warn' || level === 'error') && problems.push(msg) });
        const flows = decoder.decode(bytes, { host: '192.0.2.1' });
        expect(problems).toEqual([]);
        const expected = c.templates.flatMap((t) => t.records.map((r) => r.expected));
        expect(flows.length).toBe(expected.length);
        flows.forEach((f, i) => {
          expect(f.timestamp.equals(new Timestamp(1700000000, 0))).toBe(true);
          const { version, ...fields } = f.fields;
          expect(version).toBe(10);
          const exp = expected[i]!;
          expect(Object.keys(fields)).toEqual(Object.keys(exp));
          const got = comparable(fields) as Record<string, unknown>;
          const want = expectedComparable(exp) as Record<string, unknown>;
          for (const k of Object.keys(want)) {
            const g = got[k] as { ts?: number; ns?: number };
            const w = want[k] as { ts?: number; ns?: number };
            // NTP fractions go through a float: allow the truncation to land one nanosecond lower.
            if (w && typeof w === 'object' && 'ts' in w && g && typeof g === 'object' && 'ts' in g && g.ts === w.ts && Math.abs(g.ns! - w.ns!) <= 1) continue;
            expect(g, k).toEqual(w);
          }
        });
      }),
      { numRuns: 250 },
    );
  });

  it('NetFlow v9: templates, options templates (scope fields) and records come back', () => {
    const v9Pool = allV9Elements().filter((e) => e.name && !/_switched$/.test(e.name) && lookupV9Element(e.id) === e);
    const kindV9 = (e: InfoElement): 'uint' | 'ipv4' | 'ipv6' | 'mac' | undefined =>
      /^uint(8|16|32|64)?$/.test(e.logstashType) ? 'uint' : e.logstashType === 'ip4_addr' ? 'ipv4' : e.logstashType === 'ip6_addr' ? 'ipv6' : e.logstashType === 'mac_addr' ? 'mac' : undefined;
    const usable = v9Pool.filter((e) => kindV9(e) !== undefined);
    const names = new Map<string, number>();
    for (const e of usable) names.set(e.name, (names.get(e.name) ?? 0) + 1);
    const pool = usable.filter((e) => names.get(e.name) === 1);
    const natural = (e: InfoElement): number => (e.logstashType === 'uint' ? e.logstashLength : Number(e.logstashType.slice(4)) / 8);
    const fieldPlan = fc.constantFrom(...pool).chain((e): fc.Arbitrary<FieldPlan> => {
      const k = kindV9(e)!;
      if (k === 'uint') {
        return fc.integer({ min: 1, max: Math.min(8, natural(e)) }).map((len) => ({ field: { id: e.id, length: len, type: 'unsigned64' as const, name: e.name }, value: uintValue(len) }));
      }
      const len = k === 'ipv4' ? 4 : k === 'ipv6' ? 16 : 6;
      const bytes = fc.uint8Array({ minLength: len, maxLength: len }).map((b) => Buffer.from(b));
      return fc.constant({
        field: { id: e.id, length: len, type: (k === 'ipv4' ? 'ipv4Address' : k === 'ipv6' ? 'ipv6Address' : 'macAddress') as TemplateField['type'], name: e.name },
        value: bytes.map((b) => ({
          input: b,
          expected: k === 'ipv4' ? [...b].join('.') : k === 'ipv6' ? `ipv6:${b.toString('hex')}` : [...b].map((x) => x.toString(16).padStart(2, '0')).join(':'),
        })),
      });
    });
    const templateArb = fc.tuple(fc.integer({ min: 256, max: 65535 }), fc.array(fieldPlan, { minLength: 1, maxLength: 8 }), fc.boolean()).map(([id, plans, options]) => {
      const u = uniqueByName(plans);
      const scope: FieldPlan = { field: { id: 1, length: 4, type: 'unsigned32', name: 'scope_system' }, value: uintValue(4) };
      const all = options ? [scope, ...u] : u;
      return { template: { id, fields: all.map((p) => p.field), scopeFieldCount: options ? 1 : undefined } as Template, plans: all };
    });
    fc.assert(
      fc.property(
        fc.array(templateArb, { minLength: 1, maxLength: 3 }).chain((ts) => fc.tuple(fc.constant(ts), fc.tuple(...ts.map((t) => fc.array(recordArb(t.plans), { minLength: 1, maxLength: 4 }))))),
        fc.nat({ max: 0xffffffff }),
        ([ts, recs], seq) => {
          fc.pre(new Set(ts.map((t) => t.template.id)).size === ts.length);
          // Records under 4 bytes are told from padding by the header count (RFC 3954 §5.3); with two
          // such flowsets in one packet the count cannot say which one holds the extra records.
          fc.pre(ts.filter((t) => t.template.fields.reduce((n, f) => n + f.length, 0) < 4).length <= 1);
          const bytes = encodeV9Packet({
            sysUptime: 1000, unixSeconds: 1700000000, sequenceNumber: seq, sourceId: 7,
            flowSets: [
              ...ts.map((t) => ({ type: t.template.scopeFieldCount ? ('optionsTemplate' as const) : ('template' as const), templates: [t.template] })),
              ...ts.map((t, i) => ({ type: 'data' as const, template: t.template, records: recs[i]!.map((r) => r.input) })),
            ],
          });
          const problems: string[] = [];
          const flows = createNetflowDecoder({}, { log: (level, msg) => (level === 'warn' || level === 'error') && problems.push(msg) }).decode(bytes, { host: '192.0.2.1' });
          expect(problems).toEqual([]);
          const expected = ts.flatMap((t, i) => recs[i]!.map((r) => ({ id: t.template.id, fields: r.expected })));
          expect(flows.length).toBe(expected.length);
          flows.forEach((f, i) => {
            const { version, flow_seq_num, flowset_id, ...fields } = f.fields;
            expect([version, flow_seq_num, flowset_id]).toEqual([9, seq, expected[i]!.id]);
            expect(Object.keys(fields)).toEqual(Object.keys(expected[i]!.fields));
            expect(comparable(fields)).toEqual(comparable(expected[i]!.fields));
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never throws and always returns on arbitrary bytes, bare or behind a valid header', () => {
    const header = (version: number, len: number): Buffer => {
      const b = Buffer.alloc(version === 10 ? 16 : version === 9 ? 20 : 24);
      b.writeUInt16BE(version, 0);
      b.writeUInt16BE(version === 10 ? len : 1, 2);
      return b;
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(0, 5, 9, 10), (body, version) => {
        const errors: string[] = [];
        const decoder = createNetflowDecoder({}, { log: (level, msg) => level === 'error' && errors.push(msg) });
        const bytes = version === 0 ? Buffer.from(body) : Buffer.concat([header(version, (version === 10 ? 16 : 0) + body.length), body]);
        expect(() => decoder.decode(bytes, { host: '192.0.2.1' })).not.toThrow();
        expect(() => decoder.decode(bytes, { host: '192.0.2.1' })).not.toThrow(); // with whatever templates it learnt
        expect(errors).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });
});
