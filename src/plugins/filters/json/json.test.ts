// Expected values from logstash-filter-json's spec/filters/json_spec.rb and lib/logstash/filters/json.rb.
import { describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import { Float } from '../../../event/values.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { context, recorder, withDefaults } from '../../../../test/plugins/text-filters/kit.ts';
import { create } from './json.ts';
import { jsonSchema, type JsonFilterOptions } from './schema.ts';

function make(options: Record<string, unknown>, log = recorder(), ecs: 'disabled' | 'v8' = 'disabled') {
  return { filter: create(withDefaults<JsonFilterOptions>(jsonSchema, options), context(ecs, log)), log };
}

describe('json filter', () => {
  it('parses the message into the event (hash, list, nested)', () => {
    const { filter } = make({ source: 'message' });
    const [e] = filter.filter(new Event({ message: '{ "hello": "world", "list": [ 1, 2, 3 ], "hash": { "k": "v" } }' })) as Event[];
    expect(e!.get('hello')).toBe('world');
    expect(e!.get('list')).toEqual([1, 2, 3]);
    expect(e!.get('hash')).toEqual({ k: 'v' });
  });
  it('parses into a target field, and source == target replaces the string', () => {
    const { filter } = make({ source: 'example', target: 'example' });
    const [e] = filter.filter(new Event({ example: '{ "hello": "world", "f": 1.0 }' })) as Event[];
    expect(e!.get('example')).toEqual({ hello: 'world', f: new Float(1) });
  });
  it('a JSON array goes to the target', () => {
    const { filter } = make({ source: 'message', target: 'data' });
    const [e] = filter.filter(new Event({ message: '[ { "k": "v" }, { "l": [1, 2, 3] } ]' })) as Event[];
    expect(e!.get('[data][0][k]')).toBe('v');
    expect(e!.get('[data][1][l]')).toEqual([1, 2, 3]);
  });
  it('invalid JSON: every tag_on_failure tag, a WARN, the source kept, add_tag not applied', () => {
    const { filter, log } = make({ source: 'message', target: 'data', tag_on_failure: ['_jsonparsefailure', '_custom_failure_tag'], add_tag: ['ok'] });
    const [e] = filter.filter(new Event({ message: 'invalid json', tags: ['_anotherkinfoffailure'] })) as Event[];
    expect(e!.get('tags')).toEqual(['_anotherkinfoffailure', '_jsonparsefailure', '_custom_failure_tag']);
    expect(e!.get('message')).toBe('invalid json');
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual(['Error parsing json']);
    expect(log.lines[0]!.data).toMatchObject({ source: 'message', raw: 'invalid json' });
  });
  it('skip_on_invalid_json: no warning, no tag, remove_field not applied', () => {
    const { filter, log } = make({ source: 'message', remove_field: ['message'], skip_on_invalid_json: true });
    const [e] = filter.filter(new Event({ message: 'this is not a json message' })) as Event[];
    expect(e!.get('tags')).toBeUndefined();
    expect(e!.get('message')).toBe('this is not a json message');
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });
  it('with skip_on_invalid_json false the same message is tagged exactly once', () => {
    const { filter } = make({ source: 'message', remove_field: ['message'] });
    const [e] = filter.filter(new Event({ message: 'this is not a json message' })) as Event[];
    expect(e!.get('tags')).toEqual(['_jsonparsefailure']);
  });
  it('an array without target is a failure with its own WARN', () => {
    const { filter, log } = make({ source: 'message' });
    const [e] = filter.filter(new Event({ message: '[1, 2, 3]' })) as Event[];
    expect(e!.get('tags')).toEqual(['_jsonparsefailure']);
    expect(log.lines.map((l) => l.msg)).toContain('Parsed JSON object/hash requires a target configuration option');
  });
  it('a valid @timestamp becomes the event timestamp', () => {
    const { filter } = make({ source: 'message' });
    const [e] = filter.filter(new Event({ message: '{"foo":"bar", "@timestamp":"2015-12-02T17:40:00.666Z"}' })) as Event[];
    expect(e!.timestamp).toBeInstanceOf(Timestamp);
    expect(e!.timestamp.toString()).toBe('2015-12-02T17:40:00.666Z');
    expect(e!.get('foo')).toBe('bar');
  });
  it('an invalid @timestamp: now, _timestampparsefailure, original text in _@timestamp', () => {
    const { filter } = make({ source: 'message' });
    const before = Date.now();
    const [e] = filter.filter(new Event({ message: '{"foo":"bar", "@timestamp":"foobar"}' })) as Event[];
    expect(e!.get('tags')).toEqual(['_timestampparsefailure']);
    expect(e!.get('_@timestamp')).toBe('foobar');
    expect(e!.timestamp.toMillis()).toBeGreaterThanOrEqual(before - 1);
  });
  it('a missing or nil source does nothing (no tag, no add_tag)', () => {
    const { filter } = make({ source: 'nope', add_tag: ['x'] });
    const [e] = filter.filter(new Event({ message: '{}' })) as Event[];
    expect(e!.get('tags')).toBeUndefined();
  });
  it('success applies add_tag and remove_field', () => {
    const { filter } = make({ source: 'message', add_tag: ['parsed'], remove_field: ['message'] });
    const [e] = filter.filter(new Event({ message: '{"a":1}' })) as Event[];
    expect(e!.get('a')).toBe(1);
    expect(e!.get('tags')).toEqual(['parsed']);
    expect(e!.includes('message')).toBe(false);
  });
  it('keys are field references at the top level', () => {
    const { filter } = make({ source: 'message' });
    const [e] = filter.filter(new Event({ message: '{"[a][b]":1,"@metadata":{"m":2}}' })) as Event[];
    expect(e!.get('[a][b]')).toBe(1);
    expect(e!.get('[@metadata][m]')).toBe(2);
  });
  it('a key that cannot be set: WARN "Exception caught in json filter" and the failure tag', () => {
    const { filter, log } = make({ source: 'message' });
    const [e] = filter.filter(new Event({ message: '{"tags":{"not":"allowed"}}' })) as Event[];
    expect(e!.get('tags')).toEqual(['_jsonparsefailure']);
    expect(log.lines.map((l) => l.msg)).toContain('Exception caught in json filter');
  });
  it('ECS mode without target logs the TargetCheck INFO once; with a target it does not', () => {
    const log = recorder();
    const { filter } = make({ source: 'message' }, log, 'v8');
    expect(log.lines.filter((l) => l.level === 'info').length).toBe(1);
    const [e] = filter.filter(new Event({ message: ' { "foo": "bar" } ' })) as Event[];
    expect(e!.get('foo')).toBe('bar');
    const quiet = recorder();
    make({ source: 'message', target: '[baz]' }, quiet, 'v8');
    make({ source: 'message' }, quiet, 'disabled');
    expect(quiet.lines).toEqual([]);
  });
});
