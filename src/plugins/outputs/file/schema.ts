// The file output's options (Logstash's `config :name, :validate => …` list).
import { defineOutput, type OptionsFor } from '../../define.ts';
import { bool, num, oneOf, required, str } from '../../schemas/dsl.ts';

export const fileSchema = defineOutput('file', 'Write events to files', {
  path: required(str()),
  gzip: bool(false),
  flush_interval: num(2),
  create_if_deleted: bool(true),
  dir_mode: num(-1),
  file_mode: num(-1),
  filename_failure: str('_filepath_failures'),
  write_behavior: oneOf(['overwrite', 'append'], 'append'),
  stale_cleanup_interval: num(10),
}, 'json_lines');

export type FileOutputOptions = OptionsFor<typeof fileSchema>;
