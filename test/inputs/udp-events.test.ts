// DatagramDecoder sets the sender address without Event.get/set when it can: the result must be
// exactly what the generic path (get, then set when unset) gives, for any event and field name.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DatagramDecoder } from '../../src/plugins/inputs/udp/udp-events.ts';
import { deepClone, Event } from '../../src/event/event.ts';
import { jsonMap } from '../../src/event/json.ts';
import { Timestamp } from '../../src/event/timestamp.ts';
import type { FieldMap } from '../../src/event/values.ts';
import type { Codec } from '../../src/plugins/types.ts';
import { arbitraryFieldMap } from '../pipeline/arbitraries.ts';
import { fakeRuntime } from './helpers.ts';

const FIELDS = ['host', '[host][ip]', 'exporter', '[a][b][c]', '[host][0]', 'tags', '[tags][0]', '[@metadata][src]', '@timestamp', '__proto__', '[host][__proto__]', 'constructor', '[constructor][x]', '[hasOwnProperty][y]'];

/** An event of the map, with a fixed @timestamp so two copies compare equal. */
function eventOf(map: FieldMap): Event {
  const data = deepClone(map) as FieldMap;
  data['@timestamp'] = new Timestamp(1735689600);
  return new Event(data);
}

function replayingCodec(maps: FieldMap[]): Codec {
  return {
    decode(_data, _source, emit) {
      for (const m of maps) emit(eventOf(m));
    },
    encode: () => '',
  };
}

/** The generic path, as the udp input did it before the quick path existed. */
function expected(map: FieldMap, field: string, host: string): { data: string; metadata: string } {
  const ev = eventOf(map);
  if (ev.get(field) === undefined) {
    try {
      ev.set(field, host);
    } catch {
      // a conflict leaves the event as it was
    }
  }
  return { data: jsonMap(ev.data), metadata: jsonMap(ev.metadata) };
}

describe('DatagramDecoder source field', () => {
  it('sets the sender address exactly as Event.get/set would, for any event and field name', () => {
    const hosts = fc.constantFrom('192.0.2.1', '2001:db8::1');
    const maps = fc.array(
      fc.oneof(
        arbitraryFieldMap,
        fc.constantFrom<FieldMap>({}, { host: 'exporter-a' }, { host: { name: 'x' } }, { host: ['a'] }),
      ),
      { minLength: 1, maxLength: 3 },
    );
    fc.assert(
      fc.property(maps, fc.constantFrom(...FIELDS), hosts, (input, field, host) => {
        const rt = fakeRuntime(replayingCodec(input));
        rt.ctx.decorate = () => undefined;
        const decoder = new DatagramDecoder(rt.ctx, field, 'udp');
        const events = decoder.decode(Buffer.alloc(0), host, 2055);
        expect(events.map((e) => ({ data: jsonMap(e.data), metadata: jsonMap(e.metadata) }))).toEqual(input.map((m) => expected(m, field, host)));
      }),
      { numRuns: 150 },
    );
  });

  it('nests the address under a fresh map for [host][ip] and leaves an existing host alone', () => {
    const rt = fakeRuntime(replayingCodec([{ a: 1 }, { host: 'kept' }]));
    rt.ctx.decorate = () => undefined;
    const events = new DatagramDecoder(rt.ctx, '[host][ip]', 'udp').decode(Buffer.alloc(0), '192.0.2.9', 4739);
    expect(events[0]!.data['host']).toEqual({ ip: '192.0.2.9' });
    // A string host cannot take [host][ip]: the event keeps it, and the conflict is counted.
    expect(events[1]!.data['host']).toBe('kept');
  });
});
