// The dead letter queue's files, checked against Logstash's own definitions: the event bytes
// against logstash-core's fixture src/test/resources/org/logstash/stringref-disabled.annotated-cbor.asc
// (what Event#serialize writes), the record layout against RecordIOWriter (version byte '1',
// 32 KiB blocks, 13-byte headers c/s/m/e with java.util.zip.CRC32 of the data — node's zlib.crc32
// is the independent CRC here), DLQEntry's five length-prefixed parts, and DeadLetterQueueWriter's
// segment life cycle (N.log.tmp sealed to N.log, max_bytes with drop_newer/drop_older, retain.age,
// temp files left by a crash).
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { Event } from '../event/event.ts';
import { Timestamp } from '../event/timestamp.ts';
import { parseIso8601 } from '../event/datetime-pattern.ts';
import { UTC } from '../event/timezone.ts';
import type { Logger } from '../plugins/types.ts';
import { DeadLetterQueueWriter, MAX_SEGMENT_SIZE_BYTES, acquireDeadLetterQueue, type DeadLetterQueueSettings } from './dead-letter-queue.ts';
import { deserializeEntry, deserializeEvent, serializeEntry, serializeEvent } from './dlq/entry.ts';
import { BLOCK_SIZE, RECORD_HEADER_SIZE, RecordIOWriter, crc32, parseSegment, readSegment } from './dlq/record-io.ts';

const tmp = (): string => mkdtempSync(path.join(tmpdir(), 'flowstash-dlq-'));

interface Line { level: string; msg: string }
function recording(lines: Line[] = []): Logger {
  const at = (level: string) => (msg: string) => void lines.push({ level, msg });
  return { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), isEnabled: () => true };
}

const settings = (dir: string, over: Partial<DeadLetterQueueSettings> = {}): DeadLetterQueueSettings => ({
  path: dir,
  maxBytes: 1024 * 2 ** 20,
  storagePolicy: 'drop_newer',
  flushIntervalMs: 5000,
  ...over,
});

/** Hex of the annotated fixture, item by item (the comments there name each item). */
const text = (s: string): string => {
  const b = Buffer.from(s, 'utf8');
  const head = b.length < 24 ? (0x60 + b.length).toString(16) : `78${b.length.toString(16).padStart(2, '0')}`;
  return head + b.toString('hex');
};
const FIXTURE_HEX = [
  '9f', text('java.util.HashMap'), 'bf',
  text('DATA'), '9f', text('org.logstash.ConvertedMap'), 'bf',
  text('host'), '9f', text('org.logstash.ConvertedMap'), 'bf', text('hostname'), '9f', text('org.jruby.RubyString'), text('perhaps'), 'ff', 'ff', 'ff',
  text('event'), '9f', text('org.logstash.ConvertedMap'), 'bf', text('original'), '9f', text('org.jruby.RubyString'),
  text('{"test":"stringref","extension":{"enabled":true}}\n'), 'ff', 'ff', 'ff',
  text('@version'), text('1'),
  text('extension'), '9f', text('org.logstash.ConvertedMap'), 'bf', text('enabled'), 'f5', 'ff', 'ff',
  text('@timestamp'), '9f', text('org.logstash.Timestamp'), text('2025-07-28T16:42:24.421446Z'), 'ff',
  text('test'), '9f', text('org.jruby.RubyString'), text('stringref'), 'ff',
  'ff', 'ff',
  text('META'), '9f', text('org.logstash.ConvertedMap'), 'bf', 'ff', 'ff',
  'ff', 'ff',
].join('');

describe('Event#serialize (Logstash CBOR with type wrappers)', () => {
  it('the fixture event serializes to the fixture bytes', () => {
    // The annotated text spells the lengths: text(17) java.util.HashMap = 71, text(25) = 78 19, text(50) = 78 32, text(27) = 78 1b.
    expect(FIXTURE_HEX.slice(0, 4)).toBe('9f71');
    expect(FIXTURE_HEX).toContain('78196f72672e6c6f6773746173682e436f6e7665727465644d6170');
    const ts = parseIso8601('2025-07-28T16:42:24.421446Z', UTC, true)!;
    const event = new Event(
      {
        host: { hostname: 'perhaps' },
        event: { original: '{"test":"stringref","extension":{"enabled":true}}\n' },
        '@version': '1',
        extension: { enabled: true },
        '@timestamp': ts,
        test: 'stringref',
      },
      {},
    );
    expect(serializeEvent(event).toString('hex')).toBe(FIXTURE_HEX);
  });

  it('reads the fixture back; integers are 8-byte (WRITE_MINIMAL_INTS off), floats doubles, nil and lists typed', () => {
    const back = deserializeEvent(Buffer.from(FIXTURE_HEX, 'hex'));
    expect(back.get('[host][hostname]')).toBe('perhaps');
    expect(back.get('@timestamp')!.toString()).toBe('2025-07-28T16:42:24.421446Z');
    const e = new Event({ '@timestamp': Timestamp.fromMillis(0), '@version': '1', n: 1, neg: -2, big: 2n ** 70n, f: 0.5, nil: null, list: ['a', 3] }, { m: 'x' });
    const hex = serializeEvent(e).toString('hex');
    expect(hex).toContain(text('n') + '1b0000000000000001');
    expect(hex).toContain(text('neg') + '3b0000000000000001');
    expect(hex).toContain(text('f') + 'fb3fe0000000000000');
    expect(hex).toContain(text('nil') + '9f' + text('org.jruby.RubyNil') + 'f6ff');
    expect(hex).toContain(text('list') + '9f' + text('org.logstash.ConvertedList') + '9f9f' + text('org.jruby.RubyString') + text('a') + 'ff1b0000000000000003ffff');
    // RubyBignum: CBOR tag 2 and the magnitude.
    expect(hex).toContain(text('big') + 'c249' + '400000000000000000');
    const again = deserializeEvent(serializeEvent(e));
    expect(again.data).toMatchObject({ n: 1, neg: -2, big: 2n ** 70n, nil: null, list: ['a', 3] });
    expect(again.metadata).toEqual({ m: 'x' });
  });
});

describe('DLQEntry#serialize', () => {
  it('entry time, event, plugin type, plugin id, reason: each an int32 length and its bytes', () => {
    const event = new Event({ '@timestamp': Timestamp.fromMillis(0), '@version': '1', message: 'x' });
    const entryTime = Timestamp.fromMillis(Date.parse('2026-12-06T10:00:00.123Z'));
    const bytes = serializeEntry({ entryTime, event, pluginType: 'elasticsearch', pluginId: 'es1', reason: 'why' });
    const eventBytes = serializeEvent(event);
    expect(bytes.readInt32BE(0)).toBe(24);
    expect(bytes.subarray(4, 28).toString()).toBe('2026-12-06T10:00:00.123Z');
    expect(bytes.readInt32BE(28)).toBe(eventBytes.length);
    let at = 32 + eventBytes.length;
    for (const part of ['elasticsearch', 'es1', 'why']) {
      expect(bytes.readInt32BE(at)).toBe(part.length);
      expect(bytes.subarray(at + 4, at + 4 + part.length).toString()).toBe(part);
      at += 4 + part.length;
    }
    expect(at).toBe(bytes.length);
    const back = deserializeEntry(bytes);
    expect(back).toMatchObject({ pluginType: 'elasticsearch', pluginId: 'es1', reason: 'why' });
    expect(back.entryTime.toString()).toBe('2026-12-06T10:00:00.123Z');
    expect(back.event.get('message')).toBe('x');
  });

  it('a truncated entry is a precise error, not a crash', () => {
    expect(() => deserializeEntry(Buffer.from([0, 0, 0, 40, 0x31]))).toThrow(/entry time length 40 runs past the entry/);
  });
});

describe('RecordIOWriter segment layout', () => {
  it('CRC32 is java.util.zip.CRC32 (as a signed int)', () => {
    const data = Buffer.from('The quick brown fox jumps over the lazy dog');
    expect(crc32(data)).toBe(zlibCrc32(data) | 0);
  });

  it("a small entry: version '1', then one complete record (c, size, -1, crc, data)", () => {
    const file = path.join(tmp(), '1.log.tmp');
    const w = new RecordIOWriter(file);
    const entry = Buffer.from('hello dlq');
    expect(w.writeEvent(entry)).toBe(RECORD_HEADER_SIZE + entry.length);
    w.close();
    const b = readFileSync(file);
    expect(b[0]).toBe(0x31);
    expect(String.fromCharCode(b[1]!)).toBe('c');
    expect(b.readInt32BE(2)).toBe(entry.length);
    expect(b.readInt32BE(6)).toBe(-1);
    expect(b.readInt32BE(10)).toBe(zlibCrc32(entry) | 0);
    expect(b.subarray(14).toString()).toBe('hello dlq');
  });

  it('an entry larger than a block: start (with the total), middle, end — each at a block start', () => {
    const file = path.join(tmp(), '1.log.tmp');
    const w = new RecordIOWriter(file);
    const entry = Buffer.alloc(70_000, 7);
    w.writeEvent(entry);
    w.close();
    const b = readFileSync(file);
    const first = BLOCK_SIZE - RECORD_HEADER_SIZE;
    expect([String.fromCharCode(b[1]!), b.readInt32BE(2), b.readInt32BE(6)]).toEqual(['s', first, 70_000]);
    expect([String.fromCharCode(b[1 + BLOCK_SIZE]!), b.readInt32BE(2 + BLOCK_SIZE), b.readInt32BE(6 + BLOCK_SIZE)]).toEqual(['m', first, -1]);
    const last = 70_000 - 2 * first;
    expect([String.fromCharCode(b[1 + 2 * BLOCK_SIZE]!), b.readInt32BE(2 + 2 * BLOCK_SIZE), b.readInt32BE(6 + 2 * BLOCK_SIZE)]).toEqual(['e', last, -1]);
    expect(b.length).toBe(1 + 2 * BLOCK_SIZE + RECORD_HEADER_SIZE + last);
    expect(readSegment(file)).toEqual([entry]);
  });

  it('a block without room for a header and one byte is skipped; an entry that exactly fills a block is a lone start record', () => {
    const file = path.join(tmp(), '1.log.tmp');
    const w = new RecordIOWriter(file);
    // Leaves 13 bytes in block 0: not enough for a header and a byte.
    const a = Buffer.alloc(BLOCK_SIZE - 2 * RECORD_HEADER_SIZE, 1);
    w.writeEvent(a);
    const b = Buffer.from('next block');
    w.writeEvent(b);
    // Fills block 1 to its end: remaining + 13 == room, so RecordIOWriter#getNextType says START.
    const room = BLOCK_SIZE - (RECORD_HEADER_SIZE + b.length);
    const c = Buffer.alloc(room - RECORD_HEADER_SIZE, 3);
    w.writeEvent(c);
    const d = Buffer.from('block two');
    w.writeEvent(d);
    w.close();
    const bytes = readFileSync(file);
    expect(String.fromCharCode(bytes[1 + BLOCK_SIZE]!)).toBe('c');
    const cAt = 1 + BLOCK_SIZE + RECORD_HEADER_SIZE + b.length;
    expect([String.fromCharCode(bytes[cAt]!), bytes.readInt32BE(cAt + 1), bytes.readInt32BE(cAt + 5)]).toEqual(['s', c.length, c.length]);
    expect(String.fromCharCode(bytes[1 + 2 * BLOCK_SIZE]!)).toBe('c');
    expect(readSegment(file)).toEqual([a, b, c, d]);
  });

  it('a bad checksum or version is reported with the file', () => {
    const file = path.join(tmp(), '1.log');
    const w = new RecordIOWriter(file);
    w.writeEvent(Buffer.from('abc'));
    w.close();
    const b = readFileSync(file);
    b[b.length - 1] = 0x7a;
    expect(() => parseSegment(b, file)).toThrow(/invalid checksum of record at byte 1/);
    b[0] = 0x32;
    expect(() => parseSegment(b, file)).toThrow(/Invalid version on DLQ data file .*Expected version: 1. Version found on file: 2/);
  });
});

const ev = (n: number, pad = 0): Event => new Event({ '@timestamp': Timestamp.fromMillis(0), '@version': '1', n, pad: 'x'.repeat(pad) }, { source: 'test' });
const entriesIn = (dir: string): { n: unknown; reason: string }[] =>
  readdirSync(dir)
    .filter((f) => /^\d+\.log$/.test(f))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
    .flatMap((f) => readSegment(path.join(dir, f)).map(deserializeEntry))
    .map((e) => ({ n: e.event.get('n'), reason: e.reason }));

describe('DeadLetterQueueWriter', () => {
  it('writes to N.log.tmp, seals it to N.log at close, holds a .lock meanwhile; a second writer on the same directory is refused', () => {
    const root = tmp();
    const dir = path.join(root, 'main');
    const w = new DeadLetterQueueWriter(dir, settings(root), recording());
    const plugin = w.forPlugin('elasticsearch', 'es1');
    plugin.write(ev(1), 'refused');
    expect(readdirSync(dir).sort()).toEqual(['.lock', '1.log.tmp']);
    expect(() => new DeadLetterQueueWriter(dir, settings(root), recording())).toThrow(/failed to obtain exclusive access/);
    w.close();
    expect(readdirSync(dir)).toEqual(['1.log']);
    expect(plugin.written).toBe(1);
    const [entry] = readSegment(path.join(dir, '1.log')).map(deserializeEntry);
    expect(entry).toMatchObject({ pluginType: 'elasticsearch', pluginId: 'es1', reason: 'refused' });
    expect(entry!.event.metadata).toEqual({ source: 'test' });
    // A new writer continues after the highest segment.
    const again = new DeadLetterQueueWriter(dir, settings(root), recording());
    again.writeEntry(ev(2), 'p', 'id', 'r');
    again.close();
    expect(readdirSync(dir).sort()).toEqual(['1.log', '2.log']);
  });

  it('an event that already went through a DLQ ([@metadata][dead_letter_queue]) is skipped with a warning', () => {
    const root = tmp();
    const lines: Line[] = [];
    const w = new DeadLetterQueueWriter(path.join(root, 'main'), settings(root), recording(lines));
    const e = ev(1);
    e.metadata['dead_letter_queue'] = { plugin_id: 'x' };
    expect(w.writeEntry(e, 'p', 'id', 'r')).toBe(false);
    w.close();
    expect(lines.some((l) => l.level === 'warn' && l.msg === 'Event previously submitted to dead letter queue. Skipping...')).toBe(true);
    expect(w.stats()).toMatchObject({ written: 0, already_processed: 1 });
  });

  it('max_bytes with drop_newer: once the sealed segments fill it, new entries are dropped, counted and logged', () => {
    const root = tmp();
    const dir = path.join(root, 'main');
    const first = new DeadLetterQueueWriter(dir, settings(root), recording());
    for (let i = 0; i < 5; i++) first.writeEntry(ev(i, 200), 'p', 'id', 'r');
    first.close();
    const sealed = readFileSync(path.join(dir, '1.log')).length;
    const lines: Line[] = [];
    const second = new DeadLetterQueueWriter(dir, settings(root, { maxBytes: sealed + 50 }), recording(lines));
    expect(second.writeEntry(ev(9, 200), 'p', 'id', 'r')).toBe(false);
    second.close();
    expect(second.stats()).toMatchObject({ written: 0, dropped_events: 1 });
    expect(lines.find((l) => l.level === 'error')?.msg).toBe(`Cannot write event to DLQ(path: ${dir}): reached maxQueueSize of ${sealed + 50}`);
    expect(entriesIn(dir).map((e) => e.n)).toEqual([0, 1, 2, 3, 4]);
  });

  it('max_bytes with drop_older: the oldest segments are deleted to make room', () => {
    const root = tmp();
    const dir = path.join(root, 'main');
    const first = new DeadLetterQueueWriter(dir, settings(root), recording());
    for (let i = 0; i < 5; i++) first.writeEntry(ev(i, 200), 'p', 'id', 'r');
    first.close();
    const sealed = readFileSync(path.join(dir, '1.log')).length;
    const second = new DeadLetterQueueWriter(dir, settings(root, { maxBytes: sealed + 50, storagePolicy: 'drop_older' }), recording());
    expect(second.writeEntry(ev(9, 200), 'p', 'id', 'r')).toBe(true);
    second.close();
    expect(readdirSync(dir)).toEqual(['2.log']);
    expect(entriesIn(dir).map((e) => e.n)).toEqual([9]);
  });

  it('a segment that would pass 10 MiB is sealed and the next one started', () => {
    const root = tmp();
    const dir = path.join(root, 'main');
    const w = new DeadLetterQueueWriter(dir, settings(root), recording());
    const big = Math.floor(MAX_SEGMENT_SIZE_BYTES / 4);
    for (let i = 0; i < 5; i++) w.writeEntry(ev(i, big), 'p', 'id', 'r');
    expect(readdirSync(dir).sort()).toEqual(['.lock', '1.log', '2.log.tmp']);
    w.close();
    expect(entriesIn(dir).map((e) => e.n)).toEqual([0, 1, 2, 3, 4]);
    expect(readSegment(path.join(dir, '1.log'))).toHaveLength(3);
  });

  it('flush_interval: a head segment not written to for that long is sealed by the periodic check', async () => {
    const root = tmp();
    const dir = path.join(root, 'main');
    const w = new DeadLetterQueueWriter(dir, settings(root, { flushIntervalMs: 10 }), recording());
    w.writeEntry(ev(1), 'p', 'id', 'r');
    const deadline = Date.now() + 10_000;
    while (!existsSync(path.join(dir, '1.log')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(readdirSync(dir).sort()).toEqual(['.lock', '1.log', '2.log.tmp']);
    w.close();
    expect(readdirSync(dir)).toEqual(['1.log']);
  });

  it('retain.age: sealed segments whose newest entry is older than the age are deleted (counted as expired)', () => {
    const root = tmp();
    const dir = path.join(root, 'main');
    let now = Date.parse('2026-12-01T00:00:00Z');
    const old = new DeadLetterQueueWriter(dir, settings(root), recording(), () => now);
    old.writeEntry(ev(1), 'p', 'id', 'r');
    old.writeEntry(ev(2), 'p', 'id', 'r');
    old.close();
    now += 2 * 86_400_000;
    const w = new DeadLetterQueueWriter(dir, settings(root, { retainAgeMs: 86_400_000 }), recording(), () => now);
    w.writeEntry(ev(3), 'p', 'id', 'r');
    w.close();
    expect(w.stats()).toMatchObject({ expired_events: 2, written: 1 });
    expect(entriesIn(dir).map((e) => e.n)).toEqual([3]);
  });

  it('temp files left by a crash: a readable one becomes a segment, an unreadable one is set aside as .err, an empty one is removed', () => {
    const root = tmp();
    const dir = path.join(root, 'main');
    mkdirSync(dir, { recursive: true });
    const good = new RecordIOWriter(path.join(dir, '1.log.tmp'));
    good.writeEvent(serializeEntry({ entryTime: Timestamp.fromMillis(0), event: ev(1), pluginType: 'p', pluginId: 'id', reason: 'r' }));
    good.close();
    writeFileSync(path.join(dir, '2.log.tmp'), Buffer.from('1c\u0000\u0000'));
    writeFileSync(path.join(dir, '3.log.tmp'), Buffer.from('1'));
    writeFileSync(path.join(dir, '.lock'), '999999999');
    const lines: Line[] = [];
    const w = new DeadLetterQueueWriter(dir, settings(root), recording(lines));
    w.close();
    expect(readdirSync(dir).sort()).toEqual(['1.log', '2.err']);
    expect(lines.some((l) => l.level === 'warn' && l.msg.startsWith(`Segment file ${path.join(dir, '2.log')} is in an error state, saving as`))).toBe(true);
  });

  it('acquire: one writer per directory in the process, closed when its last user releases it', () => {
    const root = tmp();
    const a = acquireDeadLetterQueue('main', settings(root), recording());
    const b = acquireDeadLetterQueue('main', settings(root), recording());
    expect(b.writer).toBe(a.writer);
    a.release();
    expect(a.writer.isOpen).toBe(true);
    b.release();
    expect(a.writer.isOpen).toBe(false);
  });
});
