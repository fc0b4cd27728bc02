// What Ruby answers for one event (a row of the reply), made ready once to be applied to one event
// or, when the answer is kept, to every later event with the same input: set values out of their
// wire form, field references parsed.
import { deepClone, type Event } from '../../../event/event.ts';
import { fieldPath, type PathOf } from '../../../event/compiled-ref.ts';
import type { FieldValue } from '../../../event/values.ts';
import { fromWire } from './wire.ts';

/** A Ruby exception as the bridge reports it. */
export type RubyError = [className: string, message: string, backtrace: string[]];
/** What Ruby did to one event: its operations, cancelled?, events it made, exception, original returned? */
export type Row = [ops: FieldValue[][], cancelled: boolean, added: FieldValue[][] | null, error: RubyError | null, returned: boolean];
/** A row made ready to be applied (to many events, when its answer is kept). */
export type PreparedRow = [ops: PreparedOp[], cancelled: boolean, added: FieldValue[][] | null, error: RubyError | null, returned: boolean];

/** One operation of a row: 's' set, 'r' remove, anything else a tag. */
export interface PreparedOp {
  kind: FieldValue;
  /** The field reference (the tag, for a tag). */
  ref: string;
  /** The parsed reference of a set or remove (parsed once; an invalid one fails on each event, as event.set does). */
  pathOf: PathOf | undefined;
  /** A set's value, out of its wire form. */
  value: FieldValue;
}

/** A row as Ruby answered it, its set values turned from wire form and its references parsed, once. */
export function prepareRow(row: Row): PreparedRow {
  const ops = row[0].map(prepareOp);
  return [ops, row[1], row[2], row[3], row[4]];
}

function prepareOp(op: FieldValue[]): PreparedOp {
  const kind = op[0]!;
  const ref = op[1] as string;
  const isField = kind === 's' || kind === 'r';
  return { kind, ref, pathOf: isField ? fieldPath(ref) : undefined, value: kind === 's' ? fromWire(op[2]!) : null };
}

/** replay() for a prepared row; values copied unless the event may own them. */
export function replayPrepared(event: Event, ops: PreparedOp[], owned: boolean): void {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.kind === 's') {
      const value = op.value;
      const own = owned || typeof value !== 'object' || value === null ? value : deepClone(value);
      event.setPath(op.pathOf!(event), own);
    } else if (op.kind === 'r') event.removePath(op.pathOf!(event));
    else event.tag(op.ref);
  }
}
