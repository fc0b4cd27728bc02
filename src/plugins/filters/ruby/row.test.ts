// A prepared row applies its operations as event.set/remove/tag would, to every event it is applied
// to: references parsed once when valid, and an invalid one failing on each event with set's error.
import { describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import { FieldReferenceError } from '../../../event/fieldref.ts';
import { Float } from '../../../event/values.ts';
import { prepareRow, replayPrepared, type Row } from './row.ts';

describe('prepared rows', () => {
  it('sets (values out of wire form, copied unless owned), removes and tags, in order', () => {
    const row: Row = [[['s', '[a][b]', { '\u0000f': 'NaN' }], ['s', 'list', [1, { x: 1.5 }]], ['r', '[gone]'], ['t', 'seen']], false, null, null, true];
    const prepared = prepareRow(row);
    const events = [new Event({ gone: 1 }), new Event({ gone: 2, a: { c: 1 } })];
    for (const e of events) replayPrepared(e, prepared[0], false);
    for (const e of events) {
      expect(e.get('[a][b]')).toEqual(new Float(NaN));
      expect(e.get('list')).toEqual([1, { x: 1.5 }]);
      expect(e.includes('gone')).toBe(false);
      expect(e.get('tags')).toEqual(['seen']);
    }
    expect(events[1]!.get('[a][c]')).toBe(1);
    expect(events[0]!.get('list')).not.toBe(events[1]!.get('list'));
    const owner = new Event();
    replayPrepared(owner, prepared[0], true);
    expect(owner.get('list')).toBe(prepared[0][1]!.value);
  });

  it('an invalid reference fails on every event it is applied to, after the operations before it', () => {
    for (const op of [['s', '[bad', 1], ['r', 'a[b]']]) {
      const prepared = prepareRow([[['s', 'ok', 1], op], false, null, null, true]);
      for (let i = 0; i < 2; i++) {
        const e = new Event();
        expect(() => replayPrepared(e, prepared[0], false)).toThrow(FieldReferenceError);
        expect(() => replayPrepared(e, prepared[0], false)).toThrow(`Invalid FieldReference: \`${op[1]}\``);
        expect(e.get('ok')).toBe(1);
      }
    }
  });
});
