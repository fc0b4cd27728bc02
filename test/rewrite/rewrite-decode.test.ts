// Issue 7: for any capture from synth or the corpus and any address map (--srcipmap / --dstipmap),
// decoding the rewritten capture gives the same flows, with only the exporter address changed, and
// changed exactly as the map says (also when TTL, TOS, VLAN tags and MACs are edited alongside).
// Rewriting happens in memory (Rewriter), decoding through the same path as the pcap input
// (DatagramExtractor → netflow decoder, templates keyed per exporter).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesize, profileNames } from '../../src/synth/synth.ts';
import { Rewriter } from '../../src/rewrite/rewriter.ts';
import { defaultRewriteOptions, type Cidr, type CidrPair, type RewriteOptions } from '../../src/rewrite/options.ts';
import { DatagramExtractor } from '../../src/packet/datagrams.ts';
import { openCapture, readAllPackets } from '../../src/capture/open.ts';
import { formatIP, parseIPv4, parseIPv6 } from '../../src/packet/address.ts';
import { createNetflowDecoder, type DecodedFlow } from '../../src/flow/netflow/decoder.ts';
import type { CapturedPacket } from '../../src/capture/types.ts';
import type { UdpDatagram } from '../../src/packet/types.ts';

const SHARED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared');
const CORPUS_DIRS = ['captures', 'edge', 'logstash-netflow'].map((d) => path.join(SHARED, 'corpus', d));
if (!existsSync(SHARED)) console.warn(`rewrite-decode property: ${SHARED} is absent: only synth captures are used`);

interface Capture {
  name: string;
  packets: CapturedPacket[];
}

/** Counterexamples print the capture's name and a summary, not every byte. */
function labelled<T extends object>(value: T, label: string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => label, enumerable: false });
  return value;
}

const corpus: Capture[] = [];
for (const dir of CORPUS_DIRS.filter((d) => existsSync(d))) {
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.pcap')).sort()) {
    const { packets, error } = await readAllPackets(await openCapture(path.join(dir, f)));
    if (error) throw error;
    corpus.push(labelled({ name: f, packets }, f));
  }
}

function synthCapture(profile: string, flows: number, exporters: number, ipv6: boolean, seed: number): Capture {
  const r = synthesize({ profile, flows, exporters, ipv6, seed });
  const name = `synth ${profile} flows=${flows} exporters=${exporters} ipv6=${ipv6} seed=${seed}`;
  return labelled({
    name,
    packets: r.packets.map((p, i) => ({
      number: i + 1, tsSec: p.tsSec, tsNsec: p.tsNsec, caplen: p.frame.length, len: p.frame.length,
      linkType: 1, interfaceId: 0, data: p.frame, fileOffset: 0,
    })),
  }, name);
}

const captureArb: fc.Arbitrary<Capture> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...profileNames()), fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.nat())
    .map(([profile, flows, exporters, ipv6, seed]) => synthCapture(profile, flows, exporters, ipv6, seed)),
  ...(corpus.length > 0 ? [fc.constantFrom(...corpus)] : []),
);

// ---- the address map, computed independently of the rewriter: bit arithmetic on bigints ----

function addressBytes(text: string): Buffer {
  const b = text.includes(':') ? parseIPv6(text) : parseIPv4(text);
  if (!b) throw new Error(`not an address: ${text}`);
  return b;
}

function toBig(b: Buffer): bigint {
  return BigInt(`0x${b.toString('hex') || '0'}`);
}

function mask(bits: number, width: number): bigint {
  return ((1n << BigInt(bits)) - 1n) << BigInt(width - bits);
}

/** Where tcprewrite's first matching pair sends `addr` (unchanged when none matches). */
function mapped(addr: string, pairs: CidrPair[]): string {
  const bytes = addressBytes(addr);
  const width = bytes.length * 8;
  const a = toBig(bytes);
  for (const { from, to } of pairs) {
    if (from.bytes.length !== bytes.length) continue;
    const m = mask(from.bits, width);
    if ((a & m) !== (toBig(from.bytes) & m)) continue;
    const keep = mask(to.bits, width);
    const v = (toBig(to.bytes) & keep) | (a & ~keep & mask(width, width));
    return text(Buffer.from(v.toString(16).padStart(width / 4, '0'), 'hex'));
  }
  return text(bytes);
}

/** The datagram reader's text for an address. */
function text(b: Buffer): string {
  return formatIP(b, 0, b.length === 16 ? 6 : 4);
}

/** A prefix, mostly one of the capture's own addresses (so the map applies), else anywhere. */
function cidrArb(addresses: Buffer[], family: 4 | 6): fc.Arbitrary<Cidr> {
  const len = family === 4 ? 4 : 16;
  const anywhere = fc.uint8Array({ minLength: len, maxLength: len }).map((b) => Buffer.from(b));
  const near = addresses.filter((a) => a.length === len);
  const base = near.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...near) }, { weight: 1, arbitrary: anywhere }) : anywhere;
  return fc.tuple(base, fc.integer({ min: 0, max: len * 8 })).map(([b, bits]) => ({ family, bytes: Buffer.from(b), bits }));
}

function mapArb(addresses: Buffer[]): fc.Arbitrary<CidrPair[]> {
  const families = [...new Set(addresses.map((a) => (a.length === 4 ? 4 : 6) as 4 | 6))];
  const family = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...(families.length > 0 ? families : [4 as const])) }, { weight: 1, arbitrary: fc.constantFrom<4 | 6>(4, 6) });
  const pair = family.chain((f) => fc.record({ from: cidrArb(addresses, f), to: cidrArb([], f) }));
  return fc.array(pair, { maxLength: 3 });
}

// ---- decoding ----

interface Decoded {
  datagrams: UdpDatagram[];
  flows: DecodedFlow[][];
  stats: Record<string, number>;
  problems: string[];
}

function decodeCapture(packets: CapturedPacket[]): Decoded {
  const ex = new DatagramExtractor();
  const decoder = createNetflowDecoder();
  const datagrams: UdpDatagram[] = [];
  const flows: DecodedFlow[][] = [];
  for (const p of packets) {
    const d = ex.push(p);
    if (!d) continue;
    datagrams.push(d);
    flows.push(decoder.decode(d.payload, { host: d.src, port: d.srcPort }));
  }
  ex.finish();
  const decoded = { datagrams, flows, stats: decoder.stats(), problems: ex.problems.map((p) => p.message) };
  return labelled(decoded, `${datagrams.length} datagrams, ${decoded.stats['flows']} flows`);
}

/** Edits besides the address maps that must not change what is decoded (L2 and IP header fields). */
type OtherEdits = Pick<RewriteOptions, 'ttl' | 'tos' | 'vlan' | 'enetDmac' | 'enetSmac'>;

const mac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => Buffer.from(b));
const otherEditsArb: fc.Arbitrary<Partial<OtherEdits>> = fc.record(
  {
    ttl: fc.record({ mode: fc.constantFrom<'set' | 'add' | 'sub'>('set', 'add', 'sub'), value: fc.integer({ min: 1, max: 255 }) }),
    tos: fc.integer({ min: 0, max: 255 }),
    vlan: fc.oneof(
      fc.record({ mode: fc.constant<'add'>('add'), tag: fc.integer({ min: 1, max: 4094 }), pri: fc.integer({ min: 0, max: 7 }), cfi: fc.constant(null), tpid: fc.constantFrom(0x8100, 0x88a8) }),
      fc.constant({ mode: 'del' as const, tag: null, pri: null, cfi: null, tpid: 0x8100 }),
    ),
    enetDmac: mac,
    enetSmac: mac,
  },
  { requiredKeys: [] },
);

function rewriteCapture(packets: CapturedPacket[], srcIpMap: CidrPair[], dstIpMap: CidrPair[], other: Partial<OtherEdits>): CapturedPacket[] {
  const rw = new Rewriter({ ...defaultRewriteOptions(), ...other, srcIpMap, dstIpMap });
  return packets.map((p) => {
    const out = rw.rewrite(p.linkType, p.data, p.len, p.number);
    if (!out) throw new Error(`packet ${p.number} was dropped by a rewrite without filter or --fixlen`);
    return { ...p, data: out.data, caplen: out.data.length, len: out.len };
  });
}

describe('rewrite then decode = decode with the exporter address mapped', () => {
  it('holds for synth and corpus captures under arbitrary --srcipmap / --dstipmap (with TTL, TOS, VLAN, MAC edits)', () => {
    const caseArb = captureArb.chain((capture) => {
      const original = decodeCapture(capture.packets);
      const seen = [...new Set(original.datagrams.flatMap((d) => [d.src, d.dst]))].map(addressBytes);
      return fc.record({ capture: fc.constant(capture), original: fc.constant(original), src: mapArb(seen), dst: mapArb(seen), other: otherEditsArb });
    });
    let exercised = 0;
    fc.assert(
      fc.property(caseArb, ({ capture, original, src, dst, other }) => {
        // Templates are kept per exporter address: the map must not merge two exporters into one.
        const exporters = new Map<string, string>();
        for (const d of original.datagrams) exporters.set(d.src, mapped(d.src, src));
        fc.pre(new Set(exporters.values()).size === exporters.size);

        const after = decodeCapture(rewriteCapture(capture.packets, src, dst, other));
        expect(after.problems).toEqual(original.problems);
        expect(after.datagrams.length).toBe(original.datagrams.length);
        after.datagrams.forEach((d, i) => {
          const o = original.datagrams[i]!;
          expect([d.src, d.dst], `${capture.name}: datagram ${i}`).toEqual([exporters.get(o.src), mapped(o.dst, dst)]);
          expect([d.srcPort, d.dstPort, d.tsSec, d.tsNsec]).toEqual([o.srcPort, o.dstPort, o.tsSec, o.tsNsec]);
          expect(d.payload.equals(o.payload), `${capture.name}: payload of datagram ${i}`).toBe(true);
        });
        expect(after.flows).toEqual(original.flows);
        expect(after.stats).toEqual(original.stats);
        if (original.stats['flows']! > 0 && [...exporters].some(([a, b]) => a !== b)) exercised++;
      }),
      { numRuns: 60 },
    );
    // The property is about flows under a real change of address: most runs must have both.
    expect(exercised).toBeGreaterThan(10);
  });
});
