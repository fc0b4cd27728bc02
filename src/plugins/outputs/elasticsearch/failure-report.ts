// How logstash-output-elasticsearch shows a failed bulk item (common.rb: submit, handle_dlq_response):
// the action as Ruby prints its EventActionTuple — `["index", {:_id=>nil, :_index=>"logs",
// :routing=>nil}, #<LogStash::Event:0x2717df61>]` — and the item Elasticsearch answered as a Ruby
// Hash — `{"index"=>{"_index"=>"logs", "status"=>400, "error"=>{…}}}`. The DLQ reason embeds both
// with Ruby's to_s, the log lines with inspect; the two are the same text for these values.
import type { Event } from '../../../event/event.ts';
import { RubyInspected, rubyInspect, rubyInspectString } from '../../../event/ruby-inspect.ts';
import type { FieldMap, FieldValue } from '../../../event/values.ts';
import type { BulkAction } from './actions.ts';

const eventIds = new WeakMap<Event, number>();
let nextEventId = 0x2717df61;

/** Object#inspect of a LogStash::Event (it defines none): the class and an identity, stable per event. */
export function eventInspect(event: Event): string {
  let id = eventIds.get(event);
  if (id === undefined) {
    id = nextEventId;
    nextEventId = (nextEventId + 0x1f3) >>> 0;
    eventIds.set(event, id);
  }
  return `#<LogStash::Event:0x${id.toString(16)}>`;
}

/** The action line of a bulk item, as text. */
export function actionLine(action: BulkAction): string {
  const lines = action.ndjson;
  if (typeof lines === 'string') return lines.slice(0, lines.indexOf('\n'));
  return lines.toString('utf8', 0, lines.indexOf(10));
}

/** The item's action tuple as Ruby prints it: its name, its parameters (symbol keys, in order), the event. */
export function actionInspect(action: BulkAction): RubyInspected {
  const line = JSON.parse(actionLine(action)) as FieldMap;
  const [name, params] = Object.entries(line)[0]! as [string, FieldMap];
  // Its parameters are a Hash with Symbol keys (`:_id=>nil`), the rest Ruby's plain inspect.
  const pairs = Object.entries(params).map(([k, v]) => `:${k}=>${rubyInspect(v)}`);
  return new RubyInspected(`[${rubyInspectString(name)}, {${pairs.join(', ')}}, ${eventInspect(action.event)}]`);
}

/** What Elasticsearch answered for one item (`{"index"=>{…}}`), as Ruby prints the Hash. */
export function responseInspect(item: unknown): RubyInspected {
  return new RubyInspected(rubyInspect(item as FieldValue));
}
