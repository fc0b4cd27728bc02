// The pipeline input's options (Logstash core's pipeline-to-pipeline input).
import { defineInput, type OptionsFor } from '../../define.ts';
import { required, str } from '../../schemas/dsl.ts';

export const pipelineInputSchema = defineInput('pipeline', 'Receive events from other pipelines (pipeline-to-pipeline)', {
  address: required(str()),
});

export type PipelineInputOptions = OptionsFor<typeof pipelineInputSchema>;
