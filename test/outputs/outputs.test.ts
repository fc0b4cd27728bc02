import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Event } from '../../src/event/event.ts';
import { FileOutput } from '../../src/plugins/outputs/file/file.ts';
import { StdoutOutput } from '../../src/plugins/outputs/stdout/stdout.ts';
import { NullOutput } from '../../src/plugins/outputs/null/null.ts';
import { JsonLinesCodec } from '../../src/plugins/codecs/json_lines/json_lines.ts';
import { LineCodec } from '../../src/plugins/codecs/line/line.ts';
import { JsonCodec } from '../../src/plugins/codecs/json/json.ts';

/** A sink that accepts one small write at a time, asking for drain each time (a slow pipe). */
class SlowSink extends Writable {
  data = '';
  constructor() {
    super({ highWaterMark: 16 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error) => void): void {
    this.data += chunk.toString();
    setTimeout(cb, 1);
  }
}

describe('stdout output', () => {
  it('waits for drain: a slow pipe gets every byte, in order', async () => {
    const sink = new SlowSink();
    const out = new StdoutOutput(new LineCodec('\n', '%{message}'), sink);
    for (let b = 0; b < 5; b++) await out.write(Array.from({ length: 20 }, (_, i) => new Event({ message: `${b}-${i}` })));
    await out.close();
    await new Promise<void>((r) => sink.end(r));
    expect(sink.data.split('\n').filter(Boolean)).toHaveLength(100);
    expect(sink.data.startsWith('0-0\n0-1\n')).toBe(true);
  });
  it('json codec on stdout writes events back to back with no newline', async () => {
    const sink = new SlowSink();
    const out = new StdoutOutput(new JsonCodec(), sink);
    await out.write([new Event({ a: 1 }), new Event({ a: 2 })]);
    await new Promise<void>((r) => sink.end(r));
    expect(sink.data).toMatch(/^\{"@timestamp":"[^"]+","@version":"1","a":1\}\{"@timestamp":"[^"]+","@version":"1","a":2\}$/);
  });
});

describe('file output', () => {
  it('sprintf path, creates directories, appends, keeps @metadata out', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-file-'));
    const existing = path.join(dir, 'x', 'a.log');
    const out = new FileOutput(path.join(dir, '%{kind}', '%{+YYYY}.log'), new JsonLinesCodec('\n'), false);
    const e1 = new Event({ kind: 'x', n: 1 });
    e1.set('[@metadata][hidden]', 1);
    const year = e1.timestamp.toDate().getUTCFullYear();
    await out.write([e1, new Event({ kind: 'y', n: 2 }), new Event({ kind: 'x', n: 3 })]);
    await out.close();
    const x = readFileSync(path.join(dir, 'x', `${year}.log`), 'utf8').trim().split('\n');
    expect(x.map((l) => (JSON.parse(l) as { n: number }).n)).toEqual([1, 3]);
    expect(x[0]).not.toContain('hidden');
    expect(readFileSync(path.join(dir, 'y', `${year}.log`), 'utf8').trim().split('\n')).toHaveLength(1);
    writeFileSync(existing, 'old\n');
    const again = new FileOutput(existing, new LineCodec('\n', '%{n}'), false);
    await again.write([new Event({ n: 7 })]);
    await again.close();
    expect(readFileSync(existing, 'utf8')).toBe('old\n7\n');
  });
});

describe('null output', () => {
  it('counts and discards', () => {
    const out = new NullOutput();
    out.write([new Event({}), new Event({})]);
    expect(out.written).toBe(2);
  });
});
