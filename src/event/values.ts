// The values an event field can hold. JavaScript numbers cannot tell 1.0 from 1, but Logstash
// prints them differently (rubydebug `1.0`, JSON `1.0`), so floats are wrapped; integers beyond
// 2^53 are bigint so they stay exact.
import { Timestamp } from './timestamp.ts';

export class Float {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
}

export type FieldValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Float
  | Timestamp
  | FieldValue[]
  | FieldMap;

export interface FieldMap {
  [key: string]: FieldValue;
}

export function isFieldMap(v: unknown): v is FieldMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Float) && !(v instanceof Timestamp);
}

/** Ruby's Float#to_s: `0.5`, `100.0`, `1.0e+20`, `1.0e-05`, `Infinity`, `NaN`. */
export function rubyFloatToString(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  if (abs >= 1e-4 && abs < 1e16) {
    const s = String(x);
    return s.indexOf('.') === -1 ? s + '.0' : s;
  }
  const { sign, digits, decpt } = shortestDigits(x);
  if (decpt > 16 || decpt < -3) {
    const exp = decpt - 1;
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : `${digits}.0`;
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return sign + fixedNotation(digits, decpt);
}

/** Java's Double.toString (what Jackson writes): `1.0`, `0.5`, `1.0E20`, `1.0E-4`. */
export function javaDoubleToString(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    // JS prints this range in plain notation with the same shortest digits.
    const s = String(x);
    return s.indexOf('.') === -1 ? s + '.0' : s;
  }
  const { sign, digits, decpt } = shortestDigits(x);
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : `${digits}.0`;
  return `${sign}${mant}E${decpt - 1}`;
}

/** Shortest round-trip digits of x and the decimal point position (x = 0.DIGITS × 10^decpt). */
function shortestDigits(x: number): { sign: string; digits: string; decpt: number } {
  const e = Math.abs(x).toExponential();
  const ePos = e.indexOf('e');
  const digits = e.slice(0, ePos).replace('.', '');
  return { sign: x < 0 ? '-' : '', digits, decpt: Number(e.slice(ePos + 1)) + 1 };
}

function fixedNotation(digits: string, decpt: number): string {
  if (decpt <= 0) return `0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/** Ruby's class name of a value, as Logstash's type errors print it. */
export function rubyClassName(v: FieldValue | undefined): string {
  if (v === undefined || v === null) return 'NilClass';
  if (typeof v === 'string') return 'String';
  if (typeof v === 'boolean') return v ? 'TrueClass' : 'FalseClass';
  if (typeof v === 'bigint') return 'Integer';
  if (typeof v === 'number') return Number.isInteger(v) ? 'Integer' : 'Float';
  if (v instanceof Float) return 'Float';
  if (v instanceof Timestamp) return 'LogStash::Timestamp';
  if (Array.isArray(v)) return 'Array';
  return 'Hash';
}

/** The number a numeric value holds (Float unwrapped); undefined for non-numbers. */
export function numericValue(v: FieldValue | undefined): number | bigint | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (v instanceof Float) return v.value;
  return undefined;
}

/** Ruby-style deep equality (`==`): 1 == 1.0, arrays and hashes element-wise (hash order ignored). */
export function deepEqual(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
  const na = numericValue(a);
  const nb = numericValue(b);
  if (na !== undefined || nb !== undefined) {
    if (na === undefined || nb === undefined) return false;
    // eslint-disable-next-line eqeqeq -- bigint vs number comparison by value is the point
    return na == nb;
  }
  if (a instanceof Timestamp || b instanceof Timestamp) {
    return a instanceof Timestamp && b instanceof Timestamp && a.equals(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isFieldMap(a) && isFieldMap(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) {
      if (!Object.prototype.hasOwnProperty.call(b, k) || !deepEqual(a[k], b[k])) return false;
    }
    return true;
  }
  return false;
}

/** map[key] = value, also for the key `__proto__` (which plain assignment would turn into a prototype change). */
export function setOwn(map: FieldMap, key: string, value: FieldValue): void {
  if (key === '__proto__') Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
  else map[key] = value;
}
