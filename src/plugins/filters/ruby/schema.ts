// The ruby filter's options (logstash-filter-ruby 3.1: `code` with optional `init`, or a script file
// `path` with `script_params`; exceptions tag the event).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { bool, hash, path, str } from '../../schemas/dsl.ts';

export const rubySchema = defineFilter('ruby', 'Run Ruby code on events', {
  code: str(),
  init: str(),
  path: path(),
  script_params: hash({}),
  tag_on_exception: str('_rubyexception'),
  tag_with_exception_message: bool(false),
});

export type RubyFilterOptions = OptionsFor<typeof rubySchema>;
