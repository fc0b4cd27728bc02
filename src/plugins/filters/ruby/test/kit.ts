// What the ruby filter tests share: a registered filter with schema defaults, and a worker-style batch run.
import { Event } from '../../../../event/event.ts';
import { context, recorder, withDefaults } from '../../../../../test/plugins/text-filters/kit.ts';
import { RubyFilter } from '../ruby.ts';
import { rubySchema, type RubyFilterOptions } from '../schema.ts';

export async function rubyFilter(options: Record<string, unknown>, log = recorder(), where = 'test.conf:1:1'): Promise<RubyFilter> {
  const f = new RubyFilter(withDefaults<RubyFilterOptions>(rubySchema, options), { ...context('v8', log), where, id: 'ruby_test' });
  await f.register();
  return f;
}

/** Runs events through a filter the way a worker does: the whole batch in one tick. */
export async function runBatch(f: RubyFilter, events: Event[]): Promise<Event[]> {
  return (await Promise.all(events.map((e) => f.filter(e)))).flat();
}
