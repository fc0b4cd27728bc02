// Reusing Ruby's answer for events whose read fields are the same is only right for code that is a
// pure function of those fields: the reading must vouch for ElastiFlow's snippets and refuse anything
// that keeps state, reaches outside the event or could change what other code does. The filter must
// give the same events either way, and stop reusing once unvouched code is loaded into the VM.
import { beforeAll, describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import { Float } from '../../../event/values.ts';
import { pureCode, simpleInit } from './purity.ts';
import { rubyFilter, runBatch } from './test/kit.ts';
import { recorder } from '../../../../test/plugins/text-filters/kit.ts';
import { sharedRubyVm } from './vm.ts';

describe('pureCode', () => {
  it("vouches for ElastiFlow's snippet shapes", () => {
    for (const code of [
      "event.set('[agent][hostname]', @@hostname)",
      "event.set( '[network][bytes]', event.get('[ipfix][octetDeltaCount]').to_i + event.get('[ipfix][reverseOctetDeltaCount]').to_i )",
      "event.set('[flow][dst_rep_tags]', event.get('[@metadata][dst_rep_label]').parse_csv)",
      "src_tags = event.get('[@metadata][src_rep_label]')\ndst_tags = event.get('[@metadata][dst_rep_label]')\nif (src_tags)\n rep_tags = src_tags\n if (dst_tags)\n  rep_tags = rep_tags << ',' << dst_tags\n end\nelse (dst_tags)\n rep_tags = dst_tags\nend\nif (rep_tags)\n event.set('[flow][rep_tags]', rep_tags.parse_csv )\nend",
      "flags =[]\nif event.get('[flow][tcp_flags]').to_i & 1 > 0\n  flags.push('FIN')\nend\nevent.set('[flow][tcp_flags]', flags)",
      "netif = event.get('[flow][input_snmp]').to_s\ntype = netif[0].to_i.to_s\nslot = netif[1..2].to_i.to_s\ncase type\nwhen '1'\n  event.set('[flow][input_ifname]', 'Eth' + slot)\nend",
      "event.set('[metadata][src_oui_key]', event.get('[source][mac]')[0..7]) # a comment",
      'x = event.get("a"); event.set("b", x != nil ? 1 : 2)',
    ]) expect(pureCode(code), code).toBe(true);
  });

  it('refuses state, the world outside the event, and what could change other code', () => {
    for (const code of [
      "@count += 1; event.set('count', @count)",
      "@@total = @@total + 1",
      "x = @@hostname; x << 'a'; event.set('h', x)",
      "a = []; a.push(@@list); event.set('a', a)",
      "event.set('r', rand)",
      "event.set('t', Time.now.to_i)",
      "event.set('g', $counter)",
      "puts event.get('a')",
      "logger.info('x')",
      "event.set('o', `hostname`)",
      'event.set("s", "#{event.get(\'a\')}")',
      "event.get('a').send(:system, 'ls')",
      "event.get('a').instance_eval('1')",
      "String.class_eval { def to_i; 1; end }",
      "event.set('m', event.get('a') =~ /x/)",
      "event.set('s', event.get('a').split(/,/))",
      "f = ->(x) { x }",
      "event.get('a').each { |x| event.set('b', x) }",
      "event.get('a').each do |x| end",
      "new_event_block.call(event.clone)",
      "eval('1')",
      "e = event; e.set('a', 1)",
      "event.set('a', %x(ls))",
      "event.set('a', <<~EOS)\nx\nEOS",
      "event.set('a', ?a)",
      "event.set('a', :sym)",
      "event.set('a', 1) if defined?(x)",
      "event.sprintf('%{a}')",
      "event.set('a', event.get('b').then { 1 })",
    ]) expect(pureCode(code), code).toBe(false);
  });
});

describe('simpleInit', () => {
  it('requires of standard libraries and plain assignments', () => {
    expect(simpleInit(undefined)).toBe(true);
    expect(simpleInit("require 'csv'")).toBe(true);
    expect(simpleInit("\n      require 'socket'\n      @@hostname = Socket.gethostname\n    ")).toBe(true);
    expect(simpleInit("@limit = 10; @@name = 'x'")).toBe(true);
  });

  it('refuses anything that could change what code does', () => {
    for (const init of ["require './patch'", "require 'csv'\nclass String; def to_i; 1; end; end", '@@t = Time.now', 'def helper(x) x end', "@@x = ENV['X']"]) {
      expect(simpleInit(init), init).toBe(false);
    }
  });
});

describe('ruby filter: answers reused for pure code', () => {
  beforeAll(async () => {
    await sharedRubyVm();
  }, 120_000);

  it('gives every event its own result, as without reuse, and crosses once per distinct input', async () => {
    const f = await rubyFilter({ code: "flags = []\nif event.get('[f]').to_i & 1 > 0\n flags.push('FIN')\nend\nevent.set('[flags]', flags)\nevent.set('[n]', event.get('[f]').to_i * 2)" });
    const input = [1, 2, 1, 1, 2].map((f) => new Event({ f }));
    const out = await runBatch(f, input);
    expect(out.map((e) => [e.get('flags'), e.get('n')])).toEqual([[['FIN'], 2], [[], 4], [['FIN'], 2], [['FIN'], 2], [[], 4]]);
    // Each event holds its own copy: changing one does not change another.
    (out[0]!.get('flags') as string[]).push('X');
    expect(out[2]!.get('flags')).toEqual(['FIN']);
    const again = await runBatch(f, [new Event({ f: 1 }), new Event({ f: 3 })]);
    expect(again.map((e) => e.get('flags'))).toEqual([['FIN'], ['FIN']]);
    expect(f.stats()['batches']).toBe(2);
    // An exception is an answer too: each event is tagged and logged.
    const g = await rubyFilter({ code: "event.set('x', event.get('a').to_i + event.get('b'))" });
    const failed = await runBatch(g, [new Event({ a: 1 }), new Event({ a: 1 })]);
    expect(failed.map((e) => e.get('tags'))).toEqual([['_rubyexception'], ['_rubyexception']]);
    expect(g.stats()['exceptions']).toBe(2);
  });

  it('a kept answer applied without crossing (the next batches) gives each event its own maps, lists and floats', async () => {
    const f = await rubyFilter({ code: "event.set('[out][l]', [event.get('[in][v]').to_i, 1.5])\nevent.set('[out][m]', event.get('[in][m]'))\nevent.tag('t')\nevent.remove('[in][drop]')" });
    const input = () => new Event({ in: { v: '7', m: { k: 'v' }, drop: 1 } });
    const first = await runBatch(f, [input()]);
    const later = [...(await runBatch(f, [input()])), ...(await runBatch(f, [input()]))];
    expect(f.stats()['batches']).toBe(1);
    for (const e of [...first, ...later]) {
      expect(e.get('[out][l]')).toEqual([7, new Float(1.5)]);
      expect(e.get('[out][m]')).toEqual({ k: 'v' });
      expect(e.get('tags')).toEqual(['t']);
      expect(e.get('[in][drop]')).toBeUndefined();
    }
    (later[0]!.get('[out][l]') as unknown[]).push('X');
    (later[0]!.get('[out][m]') as Record<string, unknown>)['k'] = 'changed';
    expect(later[1]!.get('[out][l]')).toEqual([7, new Float(1.5)]);
    expect(later[1]!.get('[out][m]')).toEqual({ k: 'v' });
    expect(first[0]!.get('[out][m]')).toEqual({ k: 'v' });
  });
  it("a snippet that names '[event][...]' fields is read as its references (ElastiFlow's duration): reused per input", async () => {
    const f = await rubyFilter({ code: "event.set( '[event][duration]', event.get('[event][end]').to_i - event.get('[event][start]').to_i )" });
    const out = await runBatch(f, [new Event({ event: { start: 10, end: 25 }, other: 1 }), new Event({ event: { start: 10, end: 25 }, other: 2 }), new Event({ event: { start: 1, end: 2 } })]);
    expect(out.map((e) => e.get('[event][duration]'))).toEqual([15, 15, 1]);
    const [again] = await runBatch(f, [new Event({ event: { start: 10, end: 25 } })]);
    expect(again!.get('[event][duration]')).toBe(15);
    expect(f.stats()['batches']).toBe(1);
  });
  it('literal references are applied from a kept answer; an invalid one (literal or not) fails in Ruby on every event, and the code loads', async () => {
    const log = recorder();
    // Literal references: known to the filter (a kept answer is applied to the later events).
    const kept = await rubyFilter({ code: "event.set('[ok]', 1)\nevent.remove('[gone]')\nevent.set('[b]', event.get('[b]').to_i + 1)" }, log);
    const keptRuns = [await runBatch(kept, [new Event({ gone: 1, b: 1 })]), await runBatch(kept, [new Event({ gone: 1, b: 1 })])];
    expect(kept.stats()['batches']).toBe(1);
    // A kept answer is applied at once, and the event itself is what comes out (no array).
    const alone = new Event({ gone: 1, b: 1 });
    expect(kept.filter(alone)).toBe(alone);
    keptRuns.push([alone]);
    for (const [e] of keptRuns) expect([e!.get('ok'), e!.get('gone'), e!.get('b')]).toEqual([1, undefined, 2]);
    // An invalid literal one: the code still loads (Ruby raises per event), the whole event crosses.
    const literal = await rubyFilter({ code: "event.set('[ok]', 1)\nevent.set('[bad', 2)" }, log);
    // References in variables: Ruby records the set/remove, flowstash's replay of it fails.
    const variable = await rubyFilter({ code: "r = '[bad'\nevent.set('[ok]', 1)\nevent.remove(r)" }, log);
    for (const f of [literal, variable]) {
      const out = [...(await runBatch(f, [new Event(), new Event()])), ...(await runBatch(f, [new Event()]))];
      for (const e of out) {
        expect(e.get('ok')).toBe(1);
        expect(e.get('tags')).toEqual(['_rubyexception']);
      }
      expect(f.stats()['exceptions']).toBe(3);
    }
    const errors = log.lines.filter((l) => l.level === 'error').map((l) => l.msg);
    expect(errors).toEqual(Array(6).fill('Ruby exception occurred: Invalid FieldReference: `[bad`'));
  });
  it('asks again for inputs too large to keep (a whole message)', async () => {
    const f = await rubyFilter({ code: "event.set('n', event.get('message').length)" });
    const big = 'x'.repeat(5000);
    await runBatch(f, [new Event({ message: big })]);
    const [e] = await runBatch(f, [new Event({ message: big })]);
    expect(e!.get('n')).toBe(5000);
    expect(f.stats()['batches']).toBe(2);
  });

  it('stops reusing once code it did not vouch for is loaded into the VM', async () => {
    const f = await rubyFilter({ init: "require 'socket'\n@@hostname = Socket.gethostname", code: "event.set('[agent][hostname]', @@hostname)" });
    await runBatch(f, [new Event(), new Event()]);
    await runBatch(f, [new Event()]);
    expect(f.stats()['batches']).toBe(1);
    const vm = await sharedRubyVm();
    expect(vm.tainted).toBe(false);
    await rubyFilter({ init: '@n = 0', code: "@n += 1; event.set('n', @n)" });
    expect(vm.tainted).toBe(true);
    const [e] = await runBatch(f, [new Event()]);
    expect(typeof e!.get('[agent][hostname]')).toBe('string');
    expect(f.stats()['batches']).toBe(2);
  });
});
