// The dead letter queue the elasticsearch output writes refused events to. Logstash's DLQ is a
// segmented binary store read by the dead_letter_queue input; flowstash writes one JSON line per
// entry with the same fields (the event with its @metadata, when, which plugin, why), appended to
// `<dir>/<pipeline id>/dlq.ndjson`.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Event } from '../../../event/event.ts';
import { jsonMap } from '../../../event/json.ts';
import { Timestamp } from '../../../event/timestamp.ts';

export interface DeadLetterQueue {
  write(event: Event, reason: string): void;
  readonly written: number;
}

export class FileDeadLetterQueue implements DeadLetterQueue {
  written = 0;
  readonly file: string;

  constructor(
    dir: string,
    private readonly pipelineId: string,
    private readonly pluginType: string,
    private readonly pluginId: string,
  ) {
    this.file = path.join(dir, pipelineId, 'dlq.ndjson');
    mkdirSync(path.dirname(this.file), { recursive: true });
  }

  write(event: Event, reason: string): void {
    const data = { ...event.data, '@metadata': event.metadata };
    const line =
      `{"@timestamp":"${Timestamp.now().toString()}","pipeline_id":${JSON.stringify(this.pipelineId)},` +
      `"plugin_type":${JSON.stringify(this.pluginType)},"plugin_id":${JSON.stringify(this.pluginId)},` +
      `"reason":${JSON.stringify(reason)},"event":${jsonMap(data)}}\n`;
    // Synchronous: an entry is on disk before the batch that produced it is acknowledged.
    appendFileSync(this.file, line);
    this.written++;
  }
}
