// How a failed bulk item reads in Logstash's log lines and DLQ reasons (logstash-output-elasticsearch
// common.rb): the EventActionTuple and the item's response as Ruby prints an Array and a Hash, e.g.
// `["index", {:_id=>nil, :_index=>"snort-1.0.0-2019.04.29", :_type=>"doc", :routing=>nil},
// #<LogStash::Event:0x2717df61>]` and `{"index"=>{"_index"=>…, "status"=>400, "error"=>{…}}}` in
// users' published logs (LogStash::Event defines no inspect: Object#inspect, class and identity).
import { describe, expect, it } from 'vitest';
import { Event } from '../../../src/event/event.ts';
import { rubyInspect } from '../../../src/event/ruby-inspect.ts';
import { actionInspect, eventInspect, responseInspect } from '../../../src/plugins/outputs/elasticsearch/failure-report.ts';

describe('failed bulk items as Logstash prints them', () => {
  it('the action: name, parameters with symbol keys in the action line\'s order, the event', () => {
    const event = new Event({ message: 'x' });
    const action = { action: 'index' as const, ndjson: '{"index":{"_id":"a\\"b","_index":"logs-2026.12.07","routing":null,"pipeline":"p"}}\n{"message":"x"}\n', event };
    expect(actionInspect(action).text).toBe(`["index", {:_id=>"a\\"b", :_index=>"logs-2026.12.07", :routing=>nil, :pipeline=>"p"}, ${eventInspect(event)}]`);
    const bytes = { ...action, ndjson: Buffer.from(action.ndjson) };
    expect(actionInspect(bytes).text).toBe(actionInspect(action).text);
  });

  it('an event reads as #<LogStash::Event:0x…>, the same identity each time, another for another event', () => {
    const a = new Event({});
    const b = new Event({});
    expect(eventInspect(a)).toMatch(/^#<LogStash::Event:0x[0-9a-f]+>$/);
    expect(eventInspect(a)).toBe(eventInspect(a));
    expect(eventInspect(b)).not.toBe(eventInspect(a));
  });

  it('the response: string keys, Ruby\'s string escapes, nil, numbers, booleans, arrays', () => {
    const item = { index: { status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse [n] "é"\n#{x}', caused_by: null, ok: false, list: [1, 'a'] } } };
    expect(responseInspect(item).text).toBe(
      '{"index"=>{"status"=>400, "error"=>{"type"=>"mapper_parsing_exception", "reason"=>"failed to parse [n] \\"é\\"\\n\\#{x}", "caused_by"=>nil, "ok"=>false, "list"=>[1, "a"]}}}',
    );
    expect(rubyInspect({})).toBe('{}');
    expect(rubyInspect([])).toBe('[]');
  });
});
