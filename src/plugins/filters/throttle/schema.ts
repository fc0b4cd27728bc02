// The throttle filter's options (logstash-filter-throttle 4.0: lib/logstash/filters/throttle.rb).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { bool, num, required, str } from '../../schemas/dsl.ts';

export const throttleSchema = defineFilter('throttle', 'Throttle events by counting them per key and period', {
  key: required(str()),
  before_count: num(-1),
  after_count: num(-1),
  period: str('60'),
  max_age: num(3600),
  max_counters: num(100000),
  periodic_flush: bool(true),
});

export type ThrottleFilterOptions = OptionsFor<typeof throttleSchema>;
