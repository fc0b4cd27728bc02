// Which fields cross into Ruby: only those the code's literal references name, when the text shows that;
// the whole event otherwise. The filter's results must not change either way (the real-config and
// Event API suites run with it); these pin the reading of the code.
import { describe, expect, it } from 'vitest';
import { project, readPaths } from './projection.ts';

describe('readPaths', () => {
  it("ElastiFlow's snippets: literal get/set references, @metadata left to the metadata", () => {
    expect(readPaths("event.set( '[network][bytes]', event.get('[netflow][initiatorOctets]').to_i + event.get('[netflow][responderOctets]').to_i )")).toEqual([
      ['@timestamp'], ['network', 'bytes'], ['netflow', 'initiatorOctets'], ['netflow', 'responderOctets'],
    ]);
    expect(readPaths("event.set('[flow][dst_rep_tags]', event.get('[@metadata][dst_rep_label]').parse_csv)")).toEqual([['@timestamp'], ['flow', 'dst_rep_tags']]);
    expect(readPaths("event.set('[agent][hostname]', @@hostname)", "require 'socket'\n@@hostname = Socket.gethostname")).toEqual([['@timestamp'], ['agent', 'hostname']]);
    expect(readPaths('event.tag("x"); event.cancel if event.get("n") == 1')).toEqual([['@timestamp'], ['n']]);
  });

  it("'event' inside a plain reference is no use of the event; each path is listed once", () => {
    expect(readPaths("event.set( '[event][duration]', event.get('[event][end]').to_i - event.get('[event][start]').to_i )")).toEqual([
      ['@timestamp'], ['event', 'duration'], ['event', 'end'], ['event', 'start'],
    ]);
    expect(readPaths("x = event.get('[f][t]').to_i & 1\ny = event.get('[f][t]').to_i & 2\nevent.set('[f][t]', x + y)")).toEqual([['@timestamp'], ['f', 't']]);
    // a literal that could hide code is still scanned
    expect(readPaths("event.get('x event.to_hash')")).toBeUndefined();
    expect(readPaths("event.get(' ; event.to_hash ; ')")).toBeUndefined();
  });

  it('anything else sends the whole event', () => {
    for (const code of [
      'h = event.to_hash',
      "event.get(name)",
      'event.get("[#{f}]")',
      "e = event; e.set('a', 1)",
      'helper(event)',
      "event.sprintf('%{a}')",
      "new_event_block.call(event.clone)",
    ]) expect(readPaths(code), code).toBeUndefined();
    expect(readPaths("event.set('a', 1)", 'def helper(event) event.to_hash end')).toBeUndefined();
  });

  it('other names containing "event" are not uses of it', () => {
    expect(readPaths("@event = 1; new_event = 2; event.set('a', @event)")).toEqual([['@timestamp'], ['a']]);
  });
});

describe('project', () => {
  const data = { '@timestamp': 't', netflow: { a: 1, b: { c: 2, d: 3 }, e: 4 }, flow: { x: 1 }, message: 'm' } as never;

  it('copies only the named paths; a path names its whole subtree', () => {
    expect(project(data, [['@timestamp'], ['netflow', 'b'], ['missing', 'z']])).toEqual({ '@timestamp': 't', netflow: { b: { c: 2, d: 3 } } });
  });

  it('a shorter path wins over a longer one, in either order', () => {
    const whole = { '@timestamp': 't', netflow: { a: 1, b: { c: 2, d: 3 }, e: 4 } };
    expect(project(data, [['@timestamp'], ['netflow', 'b', 'c'], ['netflow']])).toEqual(whole);
    expect(project(data, [['@timestamp'], ['netflow'], ['netflow', 'b', 'c']])).toEqual(whole);
  });

  it('never changes the event', () => {
    const before = JSON.stringify(data);
    project(data, [['netflow', 'b', 'c'], ['netflow']]);
    expect(JSON.stringify(data)).toBe(before);
  });
});
