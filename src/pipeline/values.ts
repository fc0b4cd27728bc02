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
