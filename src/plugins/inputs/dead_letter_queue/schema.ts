// The dead_letter_queue input's options (logstash-input-dead_letter_queue 2.0).
import { defineInput, type OptionsFor } from '../../define.ts';
import { bool, path, required, str } from '../../schemas/dsl.ts';

export const deadLetterQueueInputSchema = defineInput('dead_letter_queue', "Read events from Logstash's dead letter queue", {
  path: required(path()),
  pipeline_id: str('main'),
  sincedb_path: str(),
  commit_offsets: bool(true),
  start_timestamp: str(),
  clean_consumed: bool(false),
});

export type DeadLetterQueueInputOptions = OptionsFor<typeof deadLetterQueueInputSchema>;
