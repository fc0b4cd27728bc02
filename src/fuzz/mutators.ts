// Mutations of a datagram sequence, the way real exporters and networks break things: bit and byte
// flips, length fields set to edge values, sets spliced between packets, templates dropped,
// duplicated or reordered, truncation.
import type { Prng } from '../synth/prng.ts';
import { isTemplateSet, viewDatagram } from './structure.ts';
import type { FuzzDatagram } from './types.ts';

export const MAX_DATAGRAM = 65000;

const EDGE_VALUES = [0, 1, 2, 3, 4, 5, 7, 8, 255, 256, 0x7fff, 0x8000, 0xfffe, 0xffff];

export type MutatorName =
  | 'bit-flip'
  | 'byte-set'
  | 'length-edge'
  | 'length-nudge'
  | 'splice-set'
  | 'drop-template'
  | 'duplicate-template'
  | 'reorder'
  | 'truncate'
  | 'insert-bytes'
  | 'delete-bytes'
  | 'duplicate-datagram'
  | 'retype-field';

type Mutator = (seq: FuzzDatagram[], rng: Prng, donors: readonly FuzzDatagram[]) => boolean;

function pickDatagram(seq: FuzzDatagram[], rng: Prng): number {
  return rng.int(0, seq.length - 1);
}

function withPayload(d: FuzzDatagram, payload: Buffer): FuzzDatagram {
  return { ...d, payload: payload.length > MAX_DATAGRAM ? payload.subarray(0, MAX_DATAGRAM) : payload };
}

const MUTATORS: Record<MutatorName, Mutator> = {
  'bit-flip': (seq, rng) => {
    const i = pickDatagram(seq, rng);
    const b = Buffer.from(seq[i]!.payload);
    if (b.length === 0) return false;
    const n = rng.int(1, 4);
    for (let k = 0; k < n; k++) {
      const at = rng.int(0, b.length - 1);
      b[at] = b[at]! ^ (1 << rng.int(0, 7));
    }
    seq[i] = withPayload(seq[i]!, b);
    return true;
  },
  'byte-set': (seq, rng) => {
    const i = pickDatagram(seq, rng);
    const b = Buffer.from(seq[i]!.payload);
    if (b.length === 0) return false;
    const n = rng.int(1, 4);
    for (let k = 0; k < n; k++) b[rng.int(0, b.length - 1)] = rng.pick([0, 0xff, 0x7f, 0x80, 1, rng.int(0, 255)]);
    seq[i] = withPayload(seq[i]!, b);
    return true;
  },
  'length-edge': (seq, rng) => {
    const i = pickDatagram(seq, rng);
    const b = Buffer.from(seq[i]!.payload);
    const fields = viewDatagram(b).lengthFields.filter((o) => o + 2 <= b.length);
    if (fields.length === 0) return false;
    b.writeUInt16BE(rng.pick(EDGE_VALUES), rng.pick(fields));
    seq[i] = withPayload(seq[i]!, b);
    return true;
  },
  'length-nudge': (seq, rng) => {
    const i = pickDatagram(seq, rng);
    const b = Buffer.from(seq[i]!.payload);
    const fields = viewDatagram(b).lengthFields.filter((o) => o + 2 <= b.length);
    if (fields.length === 0) return false;
    const at = rng.pick(fields);
    b.writeUInt16BE((b.readUInt16BE(at) + rng.pick([-4, -2, -1, 1, 2, 4])) & 0xffff, at);
    seq[i] = withPayload(seq[i]!, b);
    return true;
  },
  'splice-set': (seq, rng, donors) => {
    // A set taken from another datagram (any capture) inserted at a set boundary here.
    const donor = donors.length ? rng.pick(donors) : seq[pickDatagram(seq, rng)]!;
    const dv = viewDatagram(donor.payload);
    const sets = dv.sets.filter((s) => s.length >= 4 && s.offset + s.length <= donor.payload.length);
    if (sets.length === 0) return false;
    const s = rng.pick(sets);
    const i = pickDatagram(seq, rng);
    const b = seq[i]!.payload;
    const v = viewDatagram(b);
    if (v.headerLength === 0 || b.length < v.headerLength) return false;
    const boundaries = [v.headerLength, ...v.sets.map((x) => x.offset + x.length).filter((o) => o <= b.length)];
    const at = rng.pick(boundaries);
    const out = Buffer.concat([b.subarray(0, at), donor.payload.subarray(s.offset, s.offset + s.length), b.subarray(at)]);
    if (v.version === 10 && out.length <= 0xffff) out.writeUInt16BE(out.length, 2);
    seq[i] = withPayload(seq[i]!, out);
    return true;
  },
  'drop-template': (seq, rng) => {
    const candidates = seq.map((d, i) => ({ i, v: viewDatagram(d.payload) })).filter(({ v }) => v.sets.some((s) => isTemplateSet(v.version, s.id)));
    if (candidates.length === 0) return false;
    const { i, v } = rng.pick(candidates);
    if (seq.length > 1 && rng.bool(0.5)) {
      seq.splice(i, 1);
      return true;
    }
    const t = rng.pick(v.sets.filter((s) => isTemplateSet(v.version, s.id)));
    const b = seq[i]!.payload;
    const out = Buffer.concat([b.subarray(0, t.offset), b.subarray(Math.min(b.length, t.offset + Math.max(4, t.length)))]);
    if (v.version === 10 && out.length >= 4) out.writeUInt16BE(out.length, 2);
    seq[i] = withPayload(seq[i]!, out);
    return true;
  },
  'duplicate-template': (seq, rng) => {
    const candidates = seq.map((d, i) => ({ i, d })).filter(({ d }) => {
      const v = viewDatagram(d.payload);
      return v.sets.some((s) => isTemplateSet(v.version, s.id));
    });
    if (candidates.length === 0) return false;
    const { d } = rng.pick(candidates);
    seq.splice(rng.int(0, seq.length), 0, d);
    return true;
  },
  reorder: (seq, rng) => {
    if (seq.length < 2) return false;
    const a = pickDatagram(seq, rng);
    const b = pickDatagram(seq, rng);
    [seq[a], seq[b]] = [seq[b]!, seq[a]!];
    return a !== b;
  },
  truncate: (seq, rng) => {
    const i = pickDatagram(seq, rng);
    const b = seq[i]!.payload;
    if (b.length === 0) return false;
    seq[i] = withPayload(seq[i]!, b.subarray(0, rng.int(0, b.length - 1)));
    return true;
  },
  'insert-bytes': (seq, rng) => {
    const i = pickDatagram(seq, rng);
    const b = seq[i]!.payload;
    const at = rng.int(0, b.length);
    const fill = rng.bool(0.5) ? rng.bytes(rng.int(1, 16)) : Buffer.alloc(rng.int(1, 300), rng.pick([0, 0xff]));
    seq[i] = withPayload(seq[i]!, Buffer.concat([b.subarray(0, at), fill, b.subarray(at)]));
    return true;
  },
  'delete-bytes': (seq, rng) => {
    const i = pickDatagram(seq, rng);
    const b = seq[i]!.payload;
    if (b.length < 2) return false;
    const at = rng.int(0, b.length - 1);
    const n = rng.int(1, Math.min(32, b.length - at));
    seq[i] = withPayload(seq[i]!, Buffer.concat([b.subarray(0, at), b.subarray(at + n)]));
    return true;
  },
  'retype-field': (seq, rng) => {
    // A template field becomes a list, padding, a variable-length or an unknown element.
    const i = pickDatagram(seq, rng);
    const b = Buffer.from(seq[i]!.payload);
    const v = viewDatagram(b);
    const specs = v.fieldSpecifiers.filter((o) => o + 4 <= b.length);
    if (specs.length === 0) return false;
    const at = rng.pick(specs);
    const enterprise = v.version === 10 ? b.readUInt16BE(at) & 0x8000 : 0;
    const id = rng.pick([291, 292, 293, 210, 82, 1, 8, 27, 56, 154, rng.int(0, 0x7fff)]);
    b.writeUInt16BE(enterprise | id, at);
    if (rng.bool(0.5)) b.writeUInt16BE(rng.pick([65535, 0, 1, 3, 8, 16]), at + 2);
    seq[i] = withPayload(seq[i]!, b);
    return true;
  },
  'duplicate-datagram': (seq, rng) => {
    const i = pickDatagram(seq, rng);
    seq.splice(rng.int(0, seq.length), 0, seq[i]!);
    return true;
  },
};

export const MUTATOR_NAMES = Object.keys(MUTATORS) as MutatorName[];

const WEIGHTS: readonly (readonly [MutatorName, number])[] = [
  ['bit-flip', 14], ['byte-set', 10], ['length-edge', 16], ['length-nudge', 8], ['splice-set', 8], ['drop-template', 5],
  ['duplicate-template', 4], ['reorder', 5], ['truncate', 8], ['insert-bytes', 6], ['delete-bytes', 6], ['duplicate-datagram', 3], ['retype-field', 8],
];

/** Applies 1–4 mutations in place; returns the names of those applied. */
export function mutateSequence(seq: FuzzDatagram[], rng: Prng, donors: readonly FuzzDatagram[]): MutatorName[] {
  const applied: MutatorName[] = [];
  const n = rng.int(1, 4);
  for (let k = 0; k < n && seq.length > 0; k++) {
    const name = rng.weighted(WEIGHTS);
    if (MUTATORS[name](seq, rng, donors)) applied.push(name);
  }
  return applied;
}

export function applyMutator(name: MutatorName, seq: FuzzDatagram[], rng: Prng, donors: readonly FuzzDatagram[]): boolean {
  return MUTATORS[name](seq, rng, donors);
}
