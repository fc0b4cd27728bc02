// The pipeline output's options (Logstash core's pipeline-to-pipeline output).
import { defineOutput, type OptionsFor } from '../../define.ts';
import { bool, list, required, str } from '../../schemas/dsl.ts';

export const pipelineOutputSchema = defineOutput('pipeline', 'Send events to another pipeline (pipeline-to-pipeline)', {
  send_to: required(list(str())),
  ensure_delivery: bool(true),
});

export type PipelineOutputOptions = OptionsFor<typeof pipelineOutputSchema>;
