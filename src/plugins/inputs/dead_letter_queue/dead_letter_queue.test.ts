// The dead_letter_queue input against logstash-input-dead_letter_queue 2.0: events are the
// original event (fields and @metadata) plus [@metadata][dead_letter_queue] {plugin_type,
// plugin_id, reason, entry_time} (dead_letter_queue.rb#run), decorated; where to start
// (DeadLetterQueueInputPlugin#setInitialReaderState: the sincedb unless start_timestamp is set);
// the sincedb bytes (SinceDB#flush: char '1', int32 path length, path, int64 offset, in a buffer
// of path length + 65 bytes); the default sincedb path (<path.data>/plugins/inputs/
// dead_letter_queue/<pipeline_id>/.sincedb_<md5 of path>); register's errors.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Event } from '../../../event/event.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { DeadLetterQueueWriter } from '../../../pipeline/dead-letter-queue.ts';
import { standaloneContext } from '../../context.ts';
import type { InputContext, Logger } from '../../types.ts';
import { DeadLetterQueueInput, defaultDlqSincedbPath } from './dead_letter_queue.ts';
import type { DeadLetterQueueInputOptions } from './schema.ts';
import { readDlqSincedb } from './sincedb.ts';

const tmp = (): string => mkdtempSync(path.join(tmpdir(), 'flowstash-dlq-input-'));
const silent: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, isEnabled: () => false };

function fill(root: string, pipelineId: string, messages: string[], clock?: () => number): void {
  const writer = new DeadLetterQueueWriter(path.join(root, pipelineId), { path: root, maxBytes: 2 ** 30, storagePolicy: 'drop_newer', flushIntervalMs: 5000 }, silent, clock);
  for (const m of messages) writer.writeEntry(new Event({ '@timestamp': Timestamp.fromMillis(0), '@version': '1', message: m }, { target_index: 'flows' }), 'elasticsearch', 'es_out', `refused ${m}`);
  writer.close();
}

const options = (over: Partial<DeadLetterQueueInputOptions> & { path: string }): DeadLetterQueueInputOptions =>
  ({ pipeline_id: 'main', commit_offsets: true, clean_consumed: false, ...over }) as DeadLetterQueueInputOptions;

/** Runs the input until `count` events arrived (then stops it, as a pipeline shutdown does). */
async function read(opts: DeadLetterQueueInputOptions, count: number, warnings: string[] = [], whileRunning?: () => void): Promise<{ events: Event[]; input: DeadLetterQueueInput }> {
  const log: Logger = { ...silent, warn: (m) => void warnings.push(m) };
  const input = new DeadLetterQueueInput(opts, standaloneContext({ log }));
  input.register();
  const events: Event[] = [];
  const abort = new AbortController();
  const ctx: InputContext = {
    ...standaloneContext({ log }),
    codec: { decode() {}, encode: () => '' },
    decorate: (e) => e.tag('decorated'),
    push: (es) => {
      events.push(...es);
      if (events.length >= count) abort.abort();
    },
    signal: abort.signal,
  };
  const timer = setTimeout(() => abort.abort(), 10_000);
  const running = input.run(ctx);
  whileRunning?.();
  await running;
  clearTimeout(timer);
  return { events, input };
}

describe('dead_letter_queue input', () => {
  it('events are the original ones with [@metadata][dead_letter_queue] as the plugin sets it, decorated', async () => {
    const root = tmp();
    fill(root, 'main', ['bad one', 'bad two']);
    const { events } = await read(options({ path: root, commit_offsets: false, sincedb_path: path.join(root, 'since') }), 2);
    expect(events.map((e) => e.get('message'))).toEqual(['bad one', 'bad two']);
    const e = events[0]!;
    expect(e.get('@timestamp')!.toString()).toBe('1970-01-01T00:00:00.000Z');
    expect(e.get('tags')).toEqual(['decorated']);
    expect(e.get('[@metadata][target_index]')).toBe('flows');
    const meta = e.get('[@metadata][dead_letter_queue]') as Record<string, unknown>;
    expect(Object.keys(meta)).toEqual(['plugin_type', 'plugin_id', 'reason', 'entry_time']);
    expect(meta).toMatchObject({ plugin_type: 'elasticsearch', plugin_id: 'es_out', reason: 'refused bad one' });
    expect(meta['entry_time']).toBeInstanceOf(Timestamp);
    expect(existsSync(path.join(root, 'since'))).toBe(false); // commit_offsets => false
    rmSync(root, { recursive: true });
  });

  it('commit_offsets: the position is saved at shutdown in the plugin\'s byte format, and the next run starts after it', async () => {
    const root = tmp();
    const sincedb = path.join(root, 'state', 'dlq.sincedb');
    fill(root, 'flows', ['a', 'b']);
    const first = await read(options({ path: root, pipeline_id: 'flows', sincedb_path: sincedb }), 2);
    expect(first.events.map((e) => e.get('message'))).toEqual(['a', 'b']);
    const bytes = readFileSync(sincedb);
    const segment = path.join(root, 'flows', '1.log');
    expect(bytes.length).toBe(segment.length + 65);
    expect(bytes.readUInt16BE(0)).toBe(0x31);
    expect(bytes.readInt32BE(2)).toBe(segment.length);
    expect(bytes.toString('utf8', 6, 6 + segment.length)).toBe(segment);
    expect(Number(bytes.readBigInt64BE(6 + segment.length))).toBe(readFileSync(segment).length);
    expect(bytes.subarray(6 + segment.length + 8).every((b) => b === 0)).toBe(true);

    fill(root, 'flows', ['c']);
    const second = await read(options({ path: root, pipeline_id: 'flows', sincedb_path: sincedb }), 1);
    expect(second.events.map((e) => e.get('message'))).toEqual(['c']);
    expect(readDlqSincedb(sincedb)!.segment).toBe(path.join(root, 'flows', '2.log'));
    rmSync(root, { recursive: true });
  });

  it('a sincedb written by Logstash (built from SinceDB#flush by hand) is where reading resumes', async () => {
    const root = tmp();
    fill(root, 'main', ['a', 'b', 'c']);
    // Offset of the second entry: after the version byte and the first record.
    const segment = path.join(root, 'main', '1.log');
    const firstRecordLength = 13 + readFileSync(segment).readInt32BE(1 + 1);
    const buf = Buffer.alloc(segment.length + 65);
    buf.writeUInt16BE('1'.charCodeAt(0), 0);
    buf.writeInt32BE(segment.length, 2);
    buf.write(segment, 6);
    buf.writeBigInt64BE(BigInt(1 + firstRecordLength), 6 + segment.length);
    const sincedb = path.join(root, 'since');
    writeFileSync(sincedb, buf);
    const { events } = await read(options({ path: root, sincedb_path: sincedb }), 2);
    expect(events.map((e) => e.get('message'))).toEqual(['b', 'c']);
    rmSync(root, { recursive: true });
  });

  it('start_timestamp: from the first entry written at or after it, the sincedb ignored', async () => {
    const root = tmp();
    let now = Date.parse('2026-05-01T10:00:00Z');
    fill(root, 'main', ['old', 'new', 'newer'], () => (now += 3_600_000));
    const sincedb = path.join(root, 'since');
    writeFileSync(sincedb, Buffer.alloc(0));
    const { events } = await read(options({ path: root, sincedb_path: sincedb, start_timestamp: '2026-05-01T12:00:00Z' }), 2);
    expect(events.map((e) => e.get('message'))).toEqual(['new', 'newer']);
    rmSync(root, { recursive: true });
  });

  it('tails the queue: a segment the writer seals while the input runs is read after the current one', async () => {
    const root = tmp();
    fill(root, 'main', ['before']);
    const { events } = await read(options({ path: root, commit_offsets: false, sincedb_path: path.join(root, 's') }), 3, [], () => {
      setTimeout(() => fill(root, 'main', ['later', 'and later']), 300);
    });
    expect(events.map((e) => e.get('message'))).toEqual(['before', 'later', 'and later']);
    rmSync(root, { recursive: true });
  });

  it('waits for <path>/<pipeline_id> to exist (warned once), then reads it', async () => {
    const root = tmp();
    const warnings: string[] = [];
    const { events } = await read(options({ path: root, commit_offsets: false, sincedb_path: path.join(root, 's') }), 1, warnings, () => {
      setTimeout(() => fill(root, 'main', ['late']), 200);
    });
    expect(events.map((e) => e.get('message'))).toEqual(['late']);
    expect(warnings).toEqual([`DLQ sub-path ${path.join(root, 'main')} does not exist (waiting for it)`]);
    rmSync(root, { recursive: true });
  });

  it('clean_consumed: segments read to their end are deleted after 100 reads, and the position saved', async () => {
    const root = tmp();
    const sincedb = path.join(root, 'since');
    fill(root, 'main', Array.from({ length: 60 }, (_, i) => `first ${i}`));
    fill(root, 'main', Array.from({ length: 60 }, (_, i) => `second ${i}`));
    const { events, input } = await read(options({ path: root, sincedb_path: sincedb, clean_consumed: true }), 120);
    expect(events).toHaveLength(120);
    expect(readdirSync(path.join(root, 'main')).filter((n) => n.endsWith('.log'))).toEqual(['2.log']);
    expect(input.stats()).toMatchObject({ events: 120, deleted_segments: 1, deleted_entries: 60 });
    expect(readDlqSincedb(sincedb)!.segment).toBe(path.join(root, 'main', '2.log'));
    rmSync(root, { recursive: true });
  });

  it('register: the plugin\'s errors for clean_consumed without commit_offsets, a directory as sincedb_path, a bad start_timestamp', () => {
    const root = tmp();
    const make = (over: Partial<DeadLetterQueueInputOptions>) => new DeadLetterQueueInput(options({ path: root, ...over }), standaloneContext());
    expect(() => make({ clean_consumed: true, commit_offsets: false }).register()).toThrow('clean_consumed requires that also commit_offsets is enabled to work properly');
    expect(() => make({ sincedb_path: root }).register()).toThrow(`The "sincedb_path" argument must point to a file, received a directory: "${root}"`);
    expect(() => make({ start_timestamp: 'yesterday' }).register()).toThrow('start_timestamp: Invalid ISO8601 input `yesterday`');
    rmSync(root, { recursive: true });
  });

  it('a sincedb of another version is a precise error', async () => {
    const root = tmp();
    mkdirSync(path.join(root, 'main'));
    const sincedb = path.join(root, 'since');
    writeFileSync(sincedb, Buffer.from('0032000000', 'hex'));
    const input = new DeadLetterQueueInput(options({ path: root, sincedb_path: sincedb }), standaloneContext());
    input.register();
    const abort = new AbortController();
    const ctx: InputContext = { ...standaloneContext(), codec: { decode() {}, encode: () => '' }, decorate: () => undefined, push: () => undefined, signal: abort.signal };
    await expect(input.run(ctx)).rejects.toThrow('Sincedb version:2 does not match: 1');
    rmSync(root, { recursive: true });
  });

  it('the default sincedb path is <path.data>/plugins/inputs/dead_letter_queue/<pipeline_id>/.sincedb_<md5 of path>', () => {
    const md5 = createHash('md5').update('/var/logstash/data/dead_letter_queue').digest('hex');
    expect(defaultDlqSincedbPath('/var/logstash/data/dead_letter_queue', 'main', '/opt/ls/data')).toBe(`/opt/ls/data/plugins/inputs/dead_letter_queue/main/.sincedb_${md5}`);
  });
});
