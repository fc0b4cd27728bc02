// The graphite codec, from logstash-codec-graphite's spec (spec/codecs/graphite_spec.rb) and source.
import { describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import { Float } from '../../../event/values.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { standaloneContext } from '../../context.ts';
import { GraphiteCodec } from './graphite.ts';

const DEFAULTS = { exclude_metrics: ['%{[^}]+}'], fields_are_metrics: false, include_metrics: ['.*'], metrics: {}, metrics_format: '*' };
const src = { host: '127.0.0.1', port: 2003 };

async function codec(options: Partial<typeof DEFAULTS> = {}): Promise<GraphiteCodec> {
  const c = new GraphiteCodec({ ...DEFAULTS, ...options } as never, standaloneContext());
  await c.register();
  return c;
}

describe('graphite codec', () => {
  it('decode: one event per full line, value as a Float, @timestamp from the epoch seconds', async () => {
    const c = await codec();
    const out: Event[] = [];
    c.decode(Buffer.from('foo.bar 12.5 1400000000\nbaz 3 1400000001\n'), src, (e) => out.push(e));
    expect(out).toHaveLength(2);
    expect(out[0]!.get('foo.bar')).toEqual(new Float(12.5));
    expect(out[0]!.timestamp.toString()).toBe('2014-05-13T16:53:20.000Z');
    expect(out[1]!.get('baz')).toEqual(new Float(3));
  });

  it('decode: no event until the newline arrives', async () => {
    const c = await codec();
    const out: Event[] = [];
    c.decode(Buffer.from('name 1.5 1400000000'), src, (e) => out.push(e));
    expect(out).toHaveLength(0);
    c.decode(Buffer.from('\n'), src, (e) => out.push(e));
    expect(out[0]!.get('name')).toEqual(new Float(1.5));
  });

  it('encode: metrics hash → "name value epoch\\n", value printed as a Ruby Float', async () => {
    const c = await codec({ metrics: { 'cpu.%{host}': '%{load}', skipped: '%{missing}' } });
    const e = new Event({ '@timestamp': Timestamp.fromMillis(1_400_000_000_000), host: 'web1', load: 0.75 });
    // `skipped` is kept (its name has no unresolved reference); its value sprintf's to "%{missing}", to_f 0.0.
    expect(c.encode(e)).toBe('cpu.web1 0.75 1400000000\nskipped 0.0 1400000000\n');
  });

  it('encode: an unresolved %{field} in the metric name is excluded by default', async () => {
    const c = await codec({ metrics: { 'cpu.%{nohost}': '1' } });
    expect(c.encode(new Event({ '@timestamp': Timestamp.fromMillis(0) }))).toBe('');
  });

  it('encode: fields_are_metrics sends the fields (not @timestamp/@version), metrics ignored', async () => {
    const c = await codec({ fields_are_metrics: true, metrics: { foo: '4' } });
    const e = new Event({ '@timestamp': Timestamp.fromMillis(1_000), requests: 7, name: 'x' });
    expect(c.encode(e)).toBe('requests 7.0 1\nname 0.0 1\n');
  });

  it('encode: metrics_format places the name at the *', async () => {
    const c = await codec({ metrics: { hits: '2' }, metrics_format: 'foo.bar.*.baz' });
    expect(c.encode(new Event({ '@timestamp': Timestamp.fromMillis(5_000) }))).toBe('foo.bar.hits.baz 2.0 5\n');
  });
});
