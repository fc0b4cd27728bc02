// The Event API Logstash gives Ruby code, each method checked against the same operation done by
// flowstash's own filters, codecs or Event (one behaviour, two entry points): what a ruby block does
// to an event must be what mutate/date/drop/json/sprintf do to it.
import { beforeAll, describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import { sprintf } from '../../../event/sprintf.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { parseJsonValue } from '../../../event/json-parse.ts';
import type { FieldMap } from '../../../event/values.ts';
import { context, recorder, withDefaults } from '../../../../test/plugins/text-filters/kit.ts';
import { MutateFilter } from '../mutate/mutate.ts';
import { mutateSchema, type MutateFilterOptions } from '../mutate/schema.ts';
import { create as createDate } from '../date/date.ts';
import { dateSchema, type DateFilterOptions } from '../date/schema.ts';
import { DropFilter } from '../drop/drop.ts';
import { create as createJson } from '../../codecs/json/json.ts';
import type { Filter } from '../../types.ts';
import { rubyFilter, runBatch } from './test/kit.ts';
import { sharedRubyVm } from './vm.ts';

const sample = (): FieldMap => ({
  '@timestamp': new Timestamp(1700000000, 123_000_000),
  host: 'h1',
  a: { b: 'x', n: 3, list: ['p', 'q'] },
  src: { x: { deep: [1, 2] } },
  tags: ['t0'],
});

async function viaRuby(code: string, data: FieldMap = sample(), metadata: FieldMap = {}): Promise<Event[]> {
  const f = await rubyFilter({ code });
  return runBatch(f, [new Event(data, metadata)]);
}

async function viaFilter(filter: Filter, data: FieldMap = sample(), metadata: FieldMap = {}): Promise<Event[]> {
  await filter.register?.();
  return [await filter.filter(new Event(data, metadata))].flat();
}

const mutate = (options: Record<string, unknown>) => new MutateFilter(withDefaults<MutateFilterOptions>(mutateSchema, options), context());
const date = (options: Record<string, unknown>) => createDate(withDefaults<DateFilterOptions>(dateSchema, options), context());

/** The parts of two events that must agree: fields (with @timestamp) and metadata. */
function same(ruby: Event[], js: Event[]): void {
  expect(ruby.map((e) => [e.data, e.metadata])).toEqual(js.map((e) => [e.data, e.metadata]));
}

beforeAll(async () => {
  await sharedRubyVm();
}, 120_000);

describe('Event API from Ruby = the same operation in flowstash', () => {
  it('set with a field reference = mutate replace', async () => {
    same(await viaRuby("event.set('[a][c][d]', 'v')"), await viaFilter(mutate({ replace: { '[a][c][d]': 'v' } })));
  });

  it('get = mutate copy (a deep copy: changing it does not change the event)', async () => {
    same(
      await viaRuby("v = event.get('[src][x]'); event.set('copy', v); v['deep'] << 3"),
      await viaFilter(mutate({ copy: { '[src][x]': 'copy' } })),
    );
  });

  it('remove = remove_field', async () => {
    same(await viaRuby("event.remove('[a][b]'); event.remove('[a][list][0]')"), await viaFilter(mutate({ remove_field: ['[a][b]', '[a][list][0]'] })));
  });

  it('tag = flowstash Event#tag (a tag already there is not added twice) = add_tag of a new tag', async () => {
    const js = new Event(sample());
    js.tag('new');
    js.tag('t0');
    same(await viaRuby("event.tag('new'); event.tag('t0')"), [js]);
    same(await viaRuby("event.tag('new')"), await viaFilter(mutate({ add_tag: ['new'] })));
  });

  it('@metadata set/get = mutate add_field on [@metadata]', async () => {
    same(
      await viaRuby("event.set('[@metadata][k]', 'v-' + event.get('host'))", sample(), { old: 1 }),
      await viaFilter(mutate({ add_field: { '[@metadata][k]': 'v-%{host}' } }), sample(), { old: 1 }),
    );
  });

  it('cancel = drop (no event continues); uncancel undoes it', async () => {
    const r = await viaRuby('event.cancel');
    const js = new DropFilter(100).filter(new Event(sample()));
    expect(r).toEqual(js);
    expect(await viaRuby('event.cancel; event.uncancel; event.set("c", event.cancelled?)')).toHaveLength(1);
  });

  it('timestamp= = date filter on the same instant; timestamp reads it back', async () => {
    const r = await viaRuby("event.timestamp = LogStash::Timestamp.at(1700000456); event.set('back', event.timestamp.to_i)", { when: '1700000456' });
    const js = await viaFilter(date({ match: ['when', 'UNIX'] }), { when: '1700000456' });
    expect(r[0]!.timestamp).toEqual(js[0]!.timestamp);
    expect(r[0]!.get('back')).toBe(1700000456);
  });

  it('include? = flowstash Event#includes (present nil counts, @metadata always)', async () => {
    const refs = ['[a][b]', '[a][zz]', 'nil_field', '[a][list][1]', '[a][list][5]', '@metadata', '[src][x][deep]'];
    const data = { ...sample(), nil_field: null };
    const [r] = await viaRuby(`event.set('has', ${JSON.stringify(refs)}.map { |ref| event.include?(ref) })`, data);
    const js = new Event({ ...sample(), nil_field: null });
    expect(r!.get('has')).toEqual(refs.map((ref) => js.includes(ref)));
  });

  it('sprintf = flowstash sprintf (fields, lists, hashes, missing fields, %{+FORMAT} dates, %{+%s})', async () => {
    const template = '%{host} %{[a][b]} %{[a][list]} %{[src][x]} %{missing} %{+YYYY.MM.dd} %{+HH:mm:ss} %{+%s} %{[a][n]}';
    const [r] = await viaRuby(`event.set('s', event.sprintf(${JSON.stringify(template)}))`);
    expect(r!.get('s')).toBe(sprintf(new Event(sample()), template));
  });

  it('to_hash / to_hash_with_metadata = the event fields (with @metadata when there is some)', async () => {
    const [r] = await viaRuby("event.set('[@metadata][h]', event.to_hash); event.set('[@metadata][hm]', event.to_hash_with_metadata.keys)", sample(), { m: 1 });
    expect(r!.get('[@metadata][h]')).toEqual(new Event(sample()).data);
    expect(r!.get('[@metadata][hm]')).toEqual([...Object.keys(new Event(sample()).data), '@metadata']);
  });

  it('to_json = the json codec encoding (same document)', async () => {
    const [r] = await viaRuby("event.set('[@metadata][json]', event.to_json)");
    const codec = createJson(withDefaults({ options: { charset: { default: 'UTF-8' } } }, {}), context());
    const jsText = String(codec.encode(new Event(sample())));
    expect(parseJsonValue(r!.get('[@metadata][json]') as string)).toEqual(parseJsonValue(jsText));
  });

  it('clone (new_event_block) = flowstash Event#clone', async () => {
    const r = await viaRuby("c = event.clone; new_event_block.call(c)", sample(), { m: [1] });
    const original = new Event(sample(), { m: [1] });
    same(r, [original, original.clone()]);
  });

  it('LogStash::Event.new(hash) = an event decoded by the json codec (@timestamp parsed, @metadata split, bad tags moved)', async () => {
    const doc = { '@timestamp': '2024-01-02T03:04:05.678Z', a: 1, tags: { bad: true }, '@metadata': { m: 'x' } };
    const [, made] = await viaRuby(`new_event_block.call(LogStash::Event.new(${rubyLiteral(doc)}))`, {});
    const decoded: Event[] = [];
    const codec = createJson(withDefaults({ options: { charset: { default: 'UTF-8' } } }, {}), context());
    codec.decode(Buffer.from(JSON.stringify(doc)), {}, (e) => decoded.push(e));
    expect([made!.data, made!.metadata]).toEqual([decoded[0]!.data, decoded[0]!.metadata]);
  });

  it('LogStash::Timestamp: at/new/coerce/time/to_i/to_f/to_iso8601 = flowstash Timestamp and the date filter', async () => {
    const [r] = await viaRuby(
      `t = LogStash::Timestamp.at(1700000000, 5000, :usec)
       event.set('iso', [t.to_iso8601, LogStash::Timestamp.at(1700000000, 5, :nsec).to_s, LogStash::Timestamp.new(Time.at(1)).to_s])
       event.set('nums', [t.to_i, t.to_f, t.time.usec, t.time.utc?])
       event.set('coerced', LogStash::Timestamp.coerce('2024-05-06T07:08:09.5+02:00'))
       event.set('now_class', LogStash::Timestamp.now.class.name)`,
      {},
    );
    expect(r!.get('iso')).toEqual([new Timestamp(1700000000, 5_000_000).toString(), new Timestamp(1700000000, 5).toString(), new Timestamp(1).toString()]);
    expect(r!.get('nums')).toEqual([1700000000, expect.objectContaining({ value: 1700000000.005 }), 5000, true]);
    const [js] = await viaFilter(date({ match: ['w', 'ISO8601'] }), { w: '2024-05-06T07:08:09.5+02:00' });
    expect(r!.get('coerced')).toEqual(js!.timestamp);
    expect(r!.get('now_class')).toBe('LogStash::Timestamp');
  });

  it('logger info/warn/debug/error land in flowstash log with their data', async () => {
    const log = recorder();
    const f = await rubyFilter({ code: "logger.info('seen', 'n' => event.get('n')); @logger.warn('w'); logger.debug('d'); logger.error('e')" }, log);
    await runBatch(f, [new Event({ n: 7 })]);
    expect(log.lines.filter((l) => l.msg !== 'Ruby interpreter ready')).toEqual([
      { level: 'info', msg: 'seen', data: { n: 7 } },
      { level: 'warn', msg: 'w' },
      { level: 'debug', msg: 'd' },
      { level: 'error', msg: 'e' },
    ]);
  });

  it('a type conflict on set raises in Ruby with flowstash Event#set message (rescuable in the code)', async () => {
    const js = new Event(sample());
    let message = '';
    try {
      js.set('[host][x]', 1);
    } catch (e) {
      message = (e as Error).message;
    }
    const [r] = await viaRuby("event.get('a'); begin; event.set('[host][x]', 1); rescue => e; event.set('err', e.message); end");
    expect(r!.get('err')).toBe(message);
  });
});

function rubyLiteral(v: unknown): string {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    return '{' + Object.entries(v).map(([k, x]) => `${JSON.stringify(k)} => ${rubyLiteral(x)}`).join(', ') + '}';
  }
  return JSON.stringify(v);
}
