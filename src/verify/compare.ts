// Comparing an actual event with an expected one the way logstash-filter-verifier does: key order
// ignored, `@timestamp` compared as its string form, ignored fields removed from both sides,
// `@metadata` only when the expected event has it (or export_metadata is on). Numbers compare by
// value (1 equals 1.0, an exact bigint equals the same integer). Differences are listed per field.
import { deepClone, type Event } from '../event/event.ts';
import { parseFieldReference, toReference } from '../event/fieldref.ts';
import { Timestamp } from '../event/timestamp.ts';
import { Float, type FieldMap, type FieldValue, isFieldMap } from '../event/values.ts';

export type DifferenceKind = 'changed' | 'missing' | 'unexpected';

export interface FieldDifference {
  /** Field reference of the differing field (`[a][b]`). */
  field: string;
  kind: DifferenceKind;
  expected?: FieldValue;
  actual?: FieldValue;
}

export interface CompareOptions {
  ignore: string[];
  /** Compare @metadata even when the expected event does not mention it. */
  exportMetadata?: boolean;
}

/** The actual event as a map to compare: its fields, plus `@metadata` when wanted. */
export function actualMap(event: Event, withMetadata: boolean, extra?: FieldMap): FieldMap {
  const map = deepClone(event.data) as FieldMap;
  if (withMetadata) map['@metadata'] = deepClone(event.metadata) as FieldMap;
  if (extra) Object.assign(map, extra);
  return map;
}

/** Removes a field; maps left empty by the removal go too (ignoring [event][original] must not leave `event: {}`). */
function removeRef(map: FieldMap, ref: string): void {
  const path = parseFieldReference(ref);
  const parents: FieldMap[] = [map];
  for (let i = 0; i < path.length - 1; i++) {
    const next: FieldValue | undefined = parents[i]![path[i]!];
    if (!isFieldMap(next)) return;
    parents.push(next);
  }
  const last = path[path.length - 1]!;
  if (!Object.prototype.hasOwnProperty.call(parents[path.length - 1]!, last)) return;
  delete parents[path.length - 1]![last];
  for (let i = path.length - 1; i > 0 && Object.keys(parents[i]!).length === 0; i--) delete parents[i - 1]![path[i - 1]!];
}

/** A copy of the map without the ignored fields (for showing an unmatched event). */
export function withoutIgnored(map: FieldMap, ignore: string[]): FieldMap {
  const copy = deepClone(map) as FieldMap;
  for (const ref of ignore) removeRef(copy, ref);
  return copy;
}

/** Values in a comparable form: Timestamp → its string, Float → number, safe bigint → number. */
export function canonical(v: FieldValue): FieldValue {
  if (v instanceof Timestamp) return v.toString();
  if (v instanceof Float) return v.value;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (Array.isArray(v)) return v.map(canonical);
  if (isFieldMap(v)) {
    const out: FieldMap = {};
    for (const k of Object.keys(v)) out[k] = canonical(v[k]!);
    return out;
  }
  return v;
}

function sameValue(a: FieldValue, b: FieldValue): boolean {
  if (a === b) return true;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
    const n = typeof a === 'number' ? a : (b as number);
    const big = typeof a === 'bigint' ? a : (b as bigint);
    return Number.isInteger(n) && BigInt(n) === big;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameValue(x, b[i]!));
  }
  if (isFieldMap(a) && isFieldMap(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameValue(a[k]!, b[k]!));
  }
  return false;
}

function diffMaps(expected: FieldMap, actual: FieldMap, path: string[], out: FieldDifference[]): void {
  for (const k of Object.keys(expected)) {
    const e = expected[k]!;
    const field = toReference([...path, k]);
    if (!Object.prototype.hasOwnProperty.call(actual, k)) {
      out.push({ field, kind: 'missing', expected: e });
      continue;
    }
    const a = actual[k]!;
    if (isFieldMap(e) && isFieldMap(a)) diffMaps(e, a, [...path, k], out);
    else if (!sameValue(e, a)) out.push({ field, kind: 'changed', expected: e, actual: a });
  }
  for (const k of Object.keys(actual)) {
    if (!Object.prototype.hasOwnProperty.call(expected, k)) out.push({ field: toReference([...path, k]), kind: 'unexpected', actual: actual[k]! });
  }
}

/** The differences between an expected event and an actual one (empty when they match). */
export function compareEvent(expected: FieldMap, actual: FieldMap, opts: CompareOptions): FieldDifference[] {
  const e = canonical(deepClone(expected)) as FieldMap;
  const a = canonical(deepClone(actual)) as FieldMap;
  if (!opts.exportMetadata && !Object.prototype.hasOwnProperty.call(e, '@metadata')) delete a['@metadata'];
  for (const ref of opts.ignore) {
    removeRef(e, ref);
    removeRef(a, ref);
  }
  const out: FieldDifference[] = [];
  diffMaps(e, a, [], out);
  return out;
}
