// Properties of the sflow codec: encode → decode gives the events the codec's rules predict from
// what was encoded (names, order, collisions, string rendering), and no byte string makes the
// decoder throw (arbitrary bytes, and valid datagrams with bytes flipped or cut).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SflowDecoder } from '../../../src/flow/sflow/index.ts';
import {
  encodeSflowDatagram, ip6Bytes, type CounterSampleSpec, type DatagramSpec, type FlowRecordSpec, type FlowSampleSpec,
  type LayoutRecordSpec, type RecordValues, type SampleSpec,
} from '../../../src/flow/sflow/encode.ts';
import { COUNTER_RECORD_BY_FORMAT, FLOW_RECORD_BY_FORMAT, type FieldOp, type RecordLayout } from '../../../src/flow/sflow/layouts.ts';
import { DEFAULT_OPTIONAL_REMOVED, ALWAYS_REMOVED } from '../../../src/flow/sflow/removed-fields.ts';
import { buildSampledFrame, type SampledFrameSpec } from '../../../src/flow/sflow/sampled-frame.ts';
import { ip6Text } from '../../../src/flow/sflow/text.ts';
import { Timestamp } from '../../../src/event/timestamp.ts';
import { rubyFloatToString, type FieldMap, type FieldValue } from '../../../src/event/values.ts';

const TS = new Timestamp(1_700_000_000, 0);
const REMOVED = new Set([...ALWAYS_REMOVED, ...DEFAULT_OPTIONAL_REMOVED]);
const u32 = fc.nat({ max: 0xffffffff });
const ip4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
const ip6 = fc.array(fc.oneof(fc.constant(0), fc.nat(0xffff)), { minLength: 8, maxLength: 8 }).map((g) => g.map((v) => v.toString(16)).join(':'));
const mac = fc.array(fc.nat(255), { minLength: 6, maxLength: 6 }).map((b) => b.map((v) => v.toString(16).padStart(2, '0')).join(':'));
/** Lengths 4n and 4n+2: the ones the codec's string padding reads right. */
const str = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-./'.split('')), maxLength: 22 })
  .filter((s) => s.length % 4 === 0 || s.length % 4 === 2);

function ip6Canonical(text: string): string {
  return ip6Text(ip6Bytes(text), 0);
}

/** Values for a layout's fields (the simple kinds the generator covers). */
function layoutValues(layout: RecordLayout): fc.Arbitrary<RecordValues> {
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  for (const op of layout.fields) {
    switch (op.t) {
      case 'u32': parts[op.name] = u32; break;
      case 'u8': parts[op.name] = fc.nat(255); break;
      case 'u64': parts[op.name] = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }); break;
      case 'f32': parts[op.name] = fc.float({ noNaN: true, noDefaultInfinity: true }); break;
      case 'mac': parts[op.name] = mac; break;
      case 'ip4': parts[op.name] = ip4; break;
      case 'ip6': parts[op.name] = ip6; break;
      case 'str': parts[op.name] = str; break;
      case 'addr':
        parts[op.name] = fc.constant(0);
        parts[`${op.name}.address`] = fc.oneof(ip4, ip6);
        break;
      case 'u32list': parts[op.name] = fc.array(u32, { maxLength: 4 }); break;
      case 'aspaths': parts[op.name] = fc.array(fc.record({ type: fc.nat(2), asns: fc.array(u32, { maxLength: 3 }) }), { maxLength: 3 }); break;
      default: break;
    }
  }
  return fc.record(parts) as fc.Arbitrary<RecordValues>;
}

const SIMPLE = (l: RecordLayout): boolean => l.fields.every((op) => !['nested', 'adapters', 'uuid'].includes(op.t));
const flowLayouts = [...FLOW_RECORD_BY_FORMAT.values()].filter(SIMPLE);
const counterLayouts = [...COUNTER_RECORD_BY_FORMAT.values()].filter(SIMPLE);

const layoutRecord = (layouts: RecordLayout[]): fc.Arbitrary<LayoutRecordSpec> =>
  fc.constantFrom(...layouts).chain((l) => layoutValues(l).map((values) => ({ format: l.format, values })));

const frameSpec: fc.Arbitrary<SampledFrameSpec> = fc.record({
  srcMac: mac, dstMac: mac,
  vlan: fc.option(fc.record({ id: fc.nat(4095), priority: fc.nat(7) }), { nil: undefined }),
  ipVersion: fc.constantFrom(4 as const, 6 as const),
  src: fc.constant(''), dst: fc.constant(''),
  protocol: fc.constantFrom(6, 17, 1),
  srcPort: fc.nat(65535), dstPort: fc.nat(65535), tcpFlags: fc.nat(255), tos: fc.nat(255), ttl: fc.nat(255), payloadLength: fc.nat(1400),
}).chain((s) => (s.ipVersion === 4 ? fc.tuple(ip4, ip4) : fc.tuple(ip6, ip6)).map(([src, dst]) => ({
  ...s, src, dst, protocol: s.ipVersion === 6 && s.protocol === 1 ? 58 : s.protocol,
})));

const rawHeader = fc.tuple(frameSpec, fc.nat(1000)).map(([spec, stripped]): FlowRecordSpec & { spec: SampledFrameSpec } => {
  const f = buildSampledFrame(spec, 128);
  return { format: 1, protocol: 1, frameLength: f.frameLength, stripped, header: f.header, spec };
});

const flowSample: fc.Arbitrary<FlowSampleSpec> = fc.record({
  kind: fc.constant('flow' as const), expanded: fc.boolean(), sequence: u32, sourceIdType: fc.nat(255), sourceIdIndex: fc.nat(0xffffff),
  samplingRate: u32, samplePool: u32, drops: u32, input: u32, output: u32, inputFormat: fc.nat(3), outputFormat: fc.nat(3),
  records: fc.array(fc.oneof(rawHeader, layoutRecord(flowLayouts)), { maxLength: 4 }),
});
const counterSample: fc.Arbitrary<CounterSampleSpec> = fc.record({
  kind: fc.constant('counter' as const), expanded: fc.boolean(), sequence: u32, sourceIdType: fc.nat(255), sourceIdIndex: fc.nat(0xffffff),
  records: fc.array(layoutRecord(counterLayouts), { maxLength: 4 }),
});
const datagramSpec: fc.Arbitrary<DatagramSpec> = fc.record({
  agent: fc.oneof(ip4, ip6), subAgentId: u32, sequence: u32, uptimeMs: u32,
  samples: fc.array(fc.oneof(flowSample, counterSample), { maxLength: 5 }),
});

// ---- what the codec's rules say the events are ----
function set(ev: FieldMap, k: string, v: FieldValue): void {
  if (!REMOVED.has(k)) ev[k] = v;
}

function layoutFields(ev: FieldMap, l: RecordLayout, values: RecordValues): void {
  for (const op of l.fields as FieldOp[]) {
    if (!('name' in op)) continue;
    const v = values[op.name];
    switch (op.t) {
      case 'u32': case 'u8': set(ev, op.name, String(v)); break;
      case 'u64': set(ev, op.name, String(v)); break;
      case 'f32': set(ev, op.name, rubyFloatToString(Math.fround(v as number))); break;
      case 'mac': case 'ip4': case 'str': set(ev, op.name, String(v)); break;
      case 'ip6': set(ev, op.name, ip6Canonical(String(v))); break;
      case 'addr': set(ev, op.name, String(values[`${op.name}.address`]).includes(':') ? '2' : '1'); break;
      case 'u32list': case 'aspaths': set(ev, op.name, String((v as unknown[]).length)); break;
      default: break;
    }
  }
}

function headerFields(ev: FieldMap, s: SampledFrameSpec, headerLength: number): void {
  set(ev, 'eth_dst', s.dstMac);
  set(ev, 'eth_src', s.srcMac);
  set(ev, 'eth_type', String(s.vlan ? 0x8100 : s.ipVersion === 4 ? 0x0800 : 0x86dd));
  if (s.vlan) {
    set(ev, 'vlan_priority', String(s.vlan.priority));
    set(ev, 'vlan_id', String(s.vlan.id));
  }
  set(ev, 'ip_version', String(s.ipVersion));
  const l4 = s.protocol === 6 ? 20 : 8;
  const ipLen = s.ipVersion === 4 ? 20 : 40;
  if (s.ipVersion === 6) {
    set(ev, 'ipv6_flow_label', '0');
    set(ev, 'ip_payload_length', String(l4 + s.payloadLength));
  }
  set(ev, 'ip_protocol', String(s.protocol));
  if (s.ipVersion === 6) set(ev, 'ipv6_hop_limit', String(s.ttl));
  set(ev, 'src_ip', s.ipVersion === 4 ? s.src : ip6Canonical(s.src));
  set(ev, 'dst_ip', s.ipVersion === 4 ? s.dst : ip6Canonical(s.dst));
  void headerLength;
  void ipLen;
  if (s.protocol === 6 || s.protocol === 17) {
    set(ev, 'src_port', String(s.srcPort));
    set(ev, 'dst_port', String(s.dstPort));
  }
}

function expectedEvents(d: DatagramSpec): FieldMap[] {
  const v6 = d.agent.includes(':');
  const base = (): FieldMap => {
    const ev: FieldMap = { '@timestamp': TS, '@version': '1', agent_ip: v6 ? ip6Canonical(d.agent) : d.agent };
    set(ev, 'ip_version', v6 ? '2' : '1');
    set(ev, 'sub_agent_id', String(d.subAgentId));
    set(ev, 'uptime_in_ms', String(d.uptimeMs));
    return ev;
  };
  const out: FieldMap[] = [];
  for (const s of d.samples as SampleSpec[]) {
    if (s.kind === 'opaque') continue;
    const idType = s.expanded ? s.sourceIdType : s.sourceIdType & 0xff;
    const idIndex = s.expanded ? s.sourceIdIndex : s.sourceIdIndex & 0xffffff;
    if (s.kind === 'flow') {
      const ev = base();
      set(ev, 'source_id_type', String(idType));
      set(ev, 'source_id_index', String(idIndex));
      set(ev, 'sampling_rate', String(s.samplingRate));
      set(ev, 'sample_pool', String(s.samplePool));
      set(ev, 'drops', String(s.drops));
      if (s.expanded) {
        set(ev, 'input_interface_format', String(s.inputFormat ?? 0));
        set(ev, 'input_interface_value', String(s.input));
        set(ev, 'output_interface_format', String(s.outputFormat ?? 0));
        set(ev, 'output_interface_value', String(s.output));
      } else {
        set(ev, 'input_interface', String(s.input));
        set(ev, 'output_interface', String(s.output));
      }
      for (const r of s.records) {
        if ('header' in r) {
          set(ev, 'protocol', String(r.protocol));
          set(ev, 'frame_length', String(r.frameLength));
          set(ev, 'stripped', String(r.stripped));
          headerFields(ev, (r as unknown as { spec: SampledFrameSpec }).spec, r.header.length);
        } else if ('values' in r) layoutFields(ev, FLOW_RECORD_BY_FORMAT.get(r.format)!, r.values);
      }
      if (ev['frame_length'] !== undefined) {
        const p = BigInt(ev['frame_length'] as string) * BigInt(s.samplingRate);
        ev['frame_length_times_sampling_rate'] = p <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(p) : p;
      }
      ev['sflow_type'] = s.expanded ? 'expanded_flow_sample' : 'flow_sample';
      out.push(ev);
    } else {
      for (const r of s.records) {
        if (!('values' in r)) continue;
        const ev = base();
        set(ev, 'sample_seq_number', String(s.sequence));
        set(ev, 'source_id_type', String(idType));
        set(ev, 'source_id_index', String(idIndex));
        layoutFields(ev, COUNTER_RECORD_BY_FORMAT.get(r.format)!, r.values);
        ev['sflow_type'] = s.expanded ? 'expanded_counter_sample' : 'counter_sample';
        out.push(ev);
      }
    }
  }
  return out;
}

function plain(events: FieldMap[]): unknown[] {
  return events.map((e) => Object.entries(e).map(([k, v]) => [k, typeof v === 'bigint' ? `${v}n` : v]));
}

describe('sflow properties', () => {
  it('encode → decode gives the codec’s events for what was encoded', () => {
    fc.assert(
      fc.property(datagramSpec, (spec) => {
        const logs: string[] = [];
        const d = new SflowDecoder({}, { now: () => TS, log: (_l, m) => logs.push(m) });
        const got = d.decode(encodeSflowDatagram(spec));
        expect(logs).toEqual([]);
        expect(plain(got)).toEqual(plain(expectedEvents(spec)));
      }),
      { numRuns: 400 },
    );
  });

  it('arbitrary bytes never throw, and every datagram is counted', () => {
    const d = new SflowDecoder({}, { now: () => TS });
    let n = 0;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, v5) => {
        const buf = Buffer.from(bytes);
        if (v5 && buf.length >= 4) buf.writeUInt32BE(5, 0);
        if (v5 && buf.length >= 8) buf.writeUInt32BE(1 + (buf[7]! % 2), 4);
        d.decode(buf);
        n++;
      }),
      { numRuns: 3000 },
    );
    expect(d.stats()['datagrams']).toBe(n);
  });

  it('valid datagrams with bytes changed or cut never throw', () => {
    const d = new SflowDecoder({}, { now: () => TS });
    fc.assert(
      fc.property(datagramSpec, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 6 }), fc.nat(), (spec, flips, cut) => {
        const buf = encodeSflowDatagram(spec);
        for (const [at, v] of flips) buf[at % buf.length] = v;
        expect(() => d.decode(buf.subarray(0, Math.max(0, buf.length - (cut % 16))))).not.toThrow();
      }),
      { numRuns: 1500 },
    );
  });
});
