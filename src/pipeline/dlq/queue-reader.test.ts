// Reading a dead letter queue back. The hand-built segment follows the format as logstash-core
// defines it, written here without flowstash's writer: RecordIOWriter (version byte '1', 32 KiB
// blocks, 13-byte headers: type c/s/m/e, int32 size, int32 total size on a start record else -1,
// int32 java.util.zip.CRC32 of the data — node's zlib.crc32 here), DLQEntry#serialize (five int32
// length-prefixed parts: entry time, event, plugin type, plugin id, reason) and Event#serialize
// (the CBOR of logstash-core's stringref-disabled.annotated-cbor.asc fixture). Positions are
// RecordIOReader's streamPosition: after the last record read, or the next block's start when the
// block has no room for another header and one byte.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { copyFileSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { Event } from '../../event/event.ts';
import { Timestamp } from '../../event/timestamp.ts';
import { Float } from '../../event/values.ts';
import type { Logger } from '../../plugins/types.ts';
import { DeadLetterQueueWriter } from '../dead-letter-queue.ts';
import { DeadLetterQueueReader, type QueueProblem } from './queue-reader.ts';
import { SegmentReader } from './record-io-reader.ts';
import { RecordIOWriter } from './record-io.ts';
import { serializeEntry } from './entry.ts';
import type { DlqEntry } from './entry.ts';

const BLOCK = 32 * 1024;
const tmp = (): string => mkdtempSync(path.join(tmpdir(), 'flowstash-dlq-read-'));
const silent: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, isEnabled: () => false };

// ---- the format, by hand ------------------------------------------------------------------------

const text = (s: string): Buffer => {
  const b = Buffer.from(s, 'utf8');
  const head = b.length < 24 ? Buffer.of(0x60 + b.length) : b.length < 256 ? Buffer.of(0x78, b.length) : Buffer.of(0x79, b.length >> 8, b.length & 0xff);
  return Buffer.concat([head, b]);
};
const typed = (cls: string, ...body: Buffer[]): Buffer => Buffer.concat([Buffer.of(0x9f), text(cls), ...body, Buffer.of(0xff)]);
const map = (...pairs: Buffer[]): Buffer => typed('org.logstash.ConvertedMap', Buffer.of(0xbf), ...pairs, Buffer.of(0xff));
const rstr = (s: string): Buffer => typed('org.jruby.RubyString', text(s));

/** The fixture event, with `test` set to tell entries apart. */
function fixtureEvent(test: string): Buffer {
  return typed(
    'java.util.HashMap',
    Buffer.of(0xbf),
    text('DATA'),
    map(
      text('host'), map(text('hostname'), rstr('perhaps')),
      text('@version'), text('1'),
      text('extension'), map(text('enabled'), Buffer.of(0xf5)),
      text('@timestamp'), typed('org.logstash.Timestamp', text('2025-07-28T16:42:24.421446Z')),
      text('test'), rstr(test),
      text('count'), Buffer.of(0x1b, 0, 0, 0, 0, 0, 0, 0, 42),
    ),
    text('META'),
    map(text('source'), rstr('fixture')),
    Buffer.of(0xff),
  );
}

function dlqEntry(entryTime: string, event: Buffer, pluginType: string, pluginId: string, reason: string): Buffer {
  const parts = [Buffer.from(entryTime), event, Buffer.from(pluginType), Buffer.from(pluginId), Buffer.from(reason)];
  return Buffer.concat(parts.flatMap((p) => {
    const len = Buffer.alloc(4);
    len.writeInt32BE(p.length);
    return [len, p];
  }));
}

function record(type: 'c' | 's' | 'm' | 'e', data: Buffer, total = -1): Buffer {
  const h = Buffer.alloc(13);
  h[0] = type.charCodeAt(0);
  h.writeInt32BE(data.length, 1);
  h.writeInt32BE(type === 's' ? total : -1, 5);
  h.writeInt32BE(zlibCrc32(data) | 0, 9);
  return Buffer.concat([h, data]);
}

/**
 * Block 0: entry A (complete), then entry B's start record filling the block; block 1: B's end
 * record, then entry C (complete).
 */
function handBuiltSegment(): { bytes: Buffer; offsets: { b: number; c: number; end: number } } {
  const b = dlqEntry('2026-01-01T00:00:02.000Z', fixtureEvent('second'), 'elasticsearch', 'es_out', 'status: 400');
  const bHead = 150; // bytes of B in block 0
  const aSize = BLOCK - 13 - (13 + bHead);
  const aEvent = fixtureEvent('first');
  const aFixed = dlqEntry('2026-01-01T00:00:01.000Z', aEvent, 'elasticsearch', 'es_out', '');
  const a = dlqEntry('2026-01-01T00:00:01.000Z', aEvent, 'elasticsearch', 'es_out', 'r'.repeat(aSize - aFixed.length));
  expect(a.length).toBe(aSize);
  const c = dlqEntry('2026-01-01T00:00:03.000Z', fixtureEvent('third'), 'elasticsearch', 'es_out', 'status: 404');
  const block0 = Buffer.concat([record('c', a), record('s', b.subarray(0, bHead), b.length)]);
  expect(block0.length).toBe(BLOCK);
  const bytes = Buffer.concat([Buffer.from('1'), block0, record('e', b.subarray(bHead)), record('c', c)]);
  const bEnd = 1 + BLOCK + 13 + (b.length - bHead);
  return { bytes, offsets: { b: 1 + 13 + aSize, c: bEnd, end: bytes.length } };
}

function readAll(reader: DeadLetterQueueReader): DlqEntry[] {
  const out: DlqEntry[] = [];
  for (let e = reader.next(); e; e = reader.next()) out.push(e);
  return out;
}

// ---- tests ---------------------------------------------------------------------------------------

describe('reading a hand-built segment (format from logstash-core, not from the writer)', () => {
  it('decodes the three entries, the second split across blocks, into the fixture events', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, '1.log'), handBuiltSegment().bytes);
    const reader = new DeadLetterQueueReader(dir);
    const entries = readAll(reader);
    expect(entries.map((e) => e.event.get('test'))).toEqual(['first', 'second', 'third']);
    const second = entries[1]!;
    expect(second.pluginType).toBe('elasticsearch');
    expect(second.pluginId).toBe('es_out');
    expect(second.reason).toBe('status: 400');
    expect(second.entryTime.toString()).toBe('2026-01-01T00:00:02.000Z');
    expect(second.event.get('[host][hostname]')).toBe('perhaps');
    expect(second.event.get('@version')).toBe('1');
    expect(second.event.get('[extension][enabled]')).toBe(true);
    expect(second.event.get('count')).toBe(42);
    expect(second.event.get('@timestamp')).toBeInstanceOf(Timestamp);
    expect(second.event.get('@timestamp')!.toString()).toBe('2025-07-28T16:42:24.421446Z');
    expect(second.event.metadata).toEqual({ source: 'fixture' });
    expect(reader.counters).toMatchObject({ entries: 3, damaged_entries: 0, undecodable_entries: 0 });
    rmSync(dir, { recursive: true });
  });

  it('positions are RecordIOReader streamPositions, and a seek to one resumes with the next entry', () => {
    const { bytes, offsets } = handBuiltSegment();
    const seg = new SegmentReader('1.log', bytes);
    seg.readEntry();
    expect(seg.position).toBe(offsets.b);
    seg.readEntry();
    expect(seg.position).toBe(offsets.c);
    seg.readEntry();
    expect(seg.position).toBe(offsets.end);
    expect(seg.readEntry()).toBeUndefined();
    // Resuming inside block 1 at B's end record: the end record is passed over, C is next.
    const resumed = new SegmentReader('1.log', bytes);
    resumed.seek(1 + BLOCK);
    expect(resumed.readEntry()!.toString('latin1')).toContain('third');
  });

  it('a record whose CRC does not match: that entry is skipped and counted, the others read; logged by the caller once per kind', () => {
    const { bytes, offsets } = handBuiltSegment();
    const damaged = Buffer.from(bytes);
    damaged[offsets.b + 13 + 20]! ^= 0xff; // inside B's start record data
    const dir = tmp();
    writeFileSync(path.join(dir, '1.log'), damaged);
    const problems: [QueueProblem, string][] = [];
    const reader = new DeadLetterQueueReader(dir, { onProblem: (k, d) => problems.push([k, d]) });
    expect(readAll(reader).map((e) => e.event.get('test'))).toEqual(['first', 'third']);
    expect(reader.counters).toMatchObject({ entries: 2, damaged_entries: 1 });
    expect(problems).toEqual([['damaged_entries', expect.stringMatching(/1\.log at byte \d+: invalid checksum of record at byte \d+/)]]);
    rmSync(dir, { recursive: true });
  });

  it('a segment with another version byte is skipped and counted; the next segment is read', () => {
    const dir = tmp();
    const { bytes } = handBuiltSegment();
    writeFileSync(path.join(dir, '1.log'), Buffer.concat([Buffer.from('2'), bytes.subarray(1)]));
    writeFileSync(path.join(dir, '2.log'), bytes);
    const problems: string[] = [];
    const reader = new DeadLetterQueueReader(dir, { onProblem: (_k, d) => problems.push(d) });
    expect(readAll(reader)).toHaveLength(3);
    expect(reader.counters.unreadable_segments).toBe(1);
    expect(problems[0]).toMatch(/Invalid version on DLQ data file .*1\.log\. Expected version: 1\. Version found on file: 2/);
    rmSync(dir, { recursive: true });
  });

  it('arbitrary bytes after the version never throw: every entry is read, skipped or counted', () => {
    for (let seed = 1; seed <= 50; seed++) {
      let x = seed * 2654435761;
      const junk = Buffer.alloc(BLOCK + 500, 0);
      for (let i = 0; i < junk.length; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        junk[i] = i % 97 === 0 ? 0x63 : x >>> 24;
      }
      const seg = new SegmentReader('j.log', Buffer.concat([Buffer.from('1'), junk]));
      let n = 0;
      while (seg.readEntry() !== undefined && n < 10_000) n++;
      expect(seg.position).toBe(junk.length + 1);
    }
  });
});

describe('writer → reader round trip', () => {
  it('entries written by DeadLetterQueueWriter (one longer than a block) come back with fields, metadata, type, id, reason, time', () => {
    const root = tmp();
    let now = Date.parse('2026-03-01T12:00:00Z');
    const writer = new DeadLetterQueueWriter(path.join(root, 'main'), { path: root, maxBytes: 2 ** 30, storagePolicy: 'drop_newer', flushIntervalMs: 5000 }, silent, () => now);
    const big = 'x'.repeat(3 * BLOCK);
    const events = [
      new Event({ '@timestamp': Timestamp.fromMillis(0), '@version': '1', message: 'small', n: 7, f: new Float(0.25), list: ['a', 1], nested: { k: null } }, { index: 'flows' }),
      new Event({ '@timestamp': Timestamp.fromMillis(1000), message: big }),
      new Event({ message: 'after the big one' }),
    ];
    for (const [i, e] of events.entries()) {
      now += 1000;
      writer.writeEntry(e, 'elasticsearch', `es_${i}`, `reason ${i}`);
    }
    writer.close();
    const reader = new DeadLetterQueueReader(path.join(root, 'main'));
    const back = readAll(reader);
    expect(back.map((e) => [e.pluginType, e.pluginId, e.reason])).toEqual([
      ['elasticsearch', 'es_0', 'reason 0'],
      ['elasticsearch', 'es_1', 'reason 1'],
      ['elasticsearch', 'es_2', 'reason 2'],
    ]);
    expect(back[0]!.entryTime.toString()).toBe('2026-03-01T12:00:01.000Z');
    expect(back[0]!.event.data).toEqual(events[0]!.data);
    expect(back[0]!.event.metadata).toEqual({ index: 'flows' });
    expect(back[1]!.event.get('message')).toBe(big);
    expect(back[2]!.event.get('message')).toBe('after the big one');
    rmSync(root, { recursive: true });
  });

  it('tails: segments sealed later are read after the current one ends; a timestamp seek starts at the first entry at or after it', () => {
    const root = tmp();
    const dir = path.join(root, 'main');
    let now = Date.parse('2026-03-01T12:00:00Z');
    const cfg = { path: root, maxBytes: 2 ** 30, storagePolicy: 'drop_newer' as const, flushIntervalMs: 5000 };
    let writer = new DeadLetterQueueWriter(dir, cfg, silent, () => now);
    for (const m of ['a', 'b']) {
      now += 60_000;
      writer.writeEntry(new Event({ message: m }), 'elasticsearch', 'es', 'r');
    }
    writer.close();
    const reader = new DeadLetterQueueReader(dir);
    expect(readAll(reader).map((e) => e.event.get('message'))).toEqual(['a', 'b']);
    writer = new DeadLetterQueueWriter(dir, cfg, silent, () => now);
    now += 60_000;
    writer.writeEntry(new Event({ message: 'c' }), 'elasticsearch', 'es', 'r');
    writer.close();
    expect(reader.next()).toBeUndefined(); // not listed yet
    reader.refresh();
    expect(readAll(reader).map((e) => e.event.get('message'))).toEqual(['c']);
    expect(reader.state!.segment).toBe(path.join(dir, '2.log'));

    const seeking = new DeadLetterQueueReader(dir);
    seeking.seekToTimestamp(Timestamp.fromMillis(Date.parse('2026-03-01T12:02:00Z')));
    expect(readAll(seeking).map((e) => e.event.get('message'))).toEqual(['b', 'c']);
    const late = new DeadLetterQueueReader(dir);
    late.seekToTimestamp(Timestamp.fromMillis(Date.parse('2027-01-01T00:00:00Z')));
    expect(late.next()).toBeUndefined();
    rmSync(root, { recursive: true });
  });

  it('resumes at a saved position; a saved segment that is gone resumes at the next one', () => {
    const root = tmp();
    const dir = path.join(root, 'main');
    const cfg = { path: root, maxBytes: 2 ** 30, storagePolicy: 'drop_newer' as const, flushIntervalMs: 5000 };
    for (const batch of [['a', 'b'], ['c']]) {
      const writer = new DeadLetterQueueWriter(dir, cfg, silent);
      for (const m of batch) writer.writeEntry(new Event({ message: m }), 'elasticsearch', 'es', 'r');
      writer.close();
    }
    const first = new DeadLetterQueueReader(dir);
    first.next();
    const saved = first.state!;
    const resumed = new DeadLetterQueueReader(dir);
    resumed.setPosition(saved.segment, saved.position);
    expect(readAll(resumed).map((e) => e.event.get('message'))).toEqual(['b', 'c']);
    rmSync(path.join(dir, '1.log'));
    const afterDelete = new DeadLetterQueueReader(dir);
    afterDelete.setPosition(saved.segment, saved.position);
    expect(readAll(afterDelete).map((e) => e.event.get('message'))).toEqual(['c']);
    // Saved in a segment that is gone with nothing after it yet: an older segment left behind is not re-read.
    const older = new DeadLetterQueueReader(dir);
    older.setPosition(path.join(dir, '7.log'), 1234);
    expect(older.next()).toBeUndefined();
    copyFileSync(path.join(dir, '2.log'), path.join(dir, '8.log'));
    older.refresh();
    expect(readAll(older).map((e) => e.event.get('message'))).toEqual(['c']);
    expect(older.state!.segment).toBe(path.join(dir, '8.log'));
    rmSync(root, { recursive: true });
  });

  it('cleanConsumed: markForDelete removes the segments read to their end (counted), holds dlq_reader.lock', () => {
    const root = tmp();
    const dir = path.join(root, 'main');
    mkdirSync(dir, { recursive: true });
    const cfg = { path: root, maxBytes: 2 ** 30, storagePolicy: 'drop_newer' as const, flushIntervalMs: 5000 };
    for (const batch of [['a', 'b'], ['c'], ['d']]) {
      const writer = new DeadLetterQueueWriter(dir, cfg, silent);
      for (const m of batch) writer.writeEntry(new Event({ message: m }), 'elasticsearch', 'es', 'r');
      writer.close();
    }
    const reader = new DeadLetterQueueReader(dir, { cleanConsumed: true });
    expect(() => new DeadLetterQueueReader(dir, { cleanConsumed: true })).toThrow(/Only one DeadLetterQueueReader with `cleanConsumed` set is allowed per Dead Letter Queue/);
    expect(readAll(reader)).toHaveLength(4);
    expect(reader.markForDelete()).toBe(true);
    expect(readdirSync(dir).filter((n) => n.endsWith('.log')).sort()).toEqual(['3.log']);
    expect(reader.counters).toMatchObject({ deleted_segments: 2, deleted_entries: 3 });
    reader.close();
    expect(readdirSync(dir)).not.toContain('dlq_reader.lock');
    rmSync(root, { recursive: true });
  });
});

describe('damage is never silent (properties)', () => {
  /** A segment of entries with these message sizes, written by RecordIOWriter (sizes up to 2 blocks, so entries split). */
  function segmentOf(sizes: number[]): { bytes: Buffer; messages: string[] } {
    const dir = tmp();
    const file = path.join(dir, '1.log');
    const writer = new RecordIOWriter(file);
    const messages = sizes.map((n, i) => `${i}:${'m'.repeat(n)}`);
    for (const m of messages) writer.writeEvent(serializeEntry({ entryTime: Timestamp.fromMillis(0), event: new Event({ message: m }), pluginType: 't', pluginId: 'i', reason: 'r' }));
    writer.close();
    const bytes = readFileSync(file);
    rmSync(dir, { recursive: true });
    return { bytes, messages };
  }

  function readBytes(bytes: Buffer): { read: string[]; damaged: number; undecodable: number } {
    const dir = tmp();
    writeFileSync(path.join(dir, '1.log'), bytes);
    const reader = new DeadLetterQueueReader(dir);
    const read = readAll(reader).map((e) => String(e.event.get('message')));
    rmSync(dir, { recursive: true });
    return { read, damaged: reader.counters.damaged_entries, undecodable: reader.counters.undecodable_entries };
  }

  const sizes = fc.array(fc.integer({ min: 0, max: 2 * BLOCK }), { minLength: 1, maxLength: 6 });

  it('one byte changed anywhere after the version: what is read is a subsequence of what was written, and anything lost is counted', () => {
    fc.assert(
      fc.property(sizes, fc.nat(), fc.integer({ min: 1, max: 255 }), (lengths, where, xor) => {
        const { bytes, messages } = segmentOf(lengths);
        const damaged = Buffer.from(bytes);
        const at = 1 + (where % (bytes.length - 1));
        damaged[at] = damaged[at]! ^ xor;
        const r = readBytes(damaged);
        let i = 0;
        for (const m of r.read) {
          while (i < messages.length && messages[i] !== m) i++;
          expect(i).toBeLessThan(messages.length);
          i++;
        }
        if (r.read.length < messages.length) expect(r.damaged + r.undecodable).toBeGreaterThan(0);
      }),
      { numRuns: 60 },
    );
  });

  it('a segment cut short: the entries before the cut are read in order, the one cut is counted', () => {
    fc.assert(
      fc.property(sizes, fc.nat(), (lengths, where) => {
        const { bytes, messages } = segmentOf(lengths);
        // Where each entry's first record starts: the whole segment's read positions.
        const whole = new SegmentReader('1.log', bytes);
        const starts = messages.map(() => {
          const p = whole.position;
          whole.readEntry();
          return p;
        });
        const cut = 1 + (where % bytes.length);
        const r = readBytes(bytes.subarray(0, cut));
        expect(r.read).toEqual(messages.slice(0, r.read.length));
        // Every entry begun before the cut is either read or counted as damaged (the one cut).
        expect(r.read.length + r.damaged).toBe(starts.filter((p) => p < cut).length);
        expect(r.damaged).toBeLessThanOrEqual(1);
      }),
      { numRuns: 60 },
    );
  });
});
