// Where the elasticsearch output sends what Elasticsearch refuses (400/404 and dlq_custom_codes)
// and events whose action cannot be built: the pipeline's dead letter queue, handed over as
// ctx.deadLetterQueue when `dead_letter_queue.enable` is set (src/pipeline/dead-letter-queue.ts
// writes Logstash's segment format). Without it those events are dropped with a warning, counted.
export type { PluginDeadLetterQueue as DeadLetterQueue } from '../../types.ts';
