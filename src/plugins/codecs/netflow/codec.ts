// The `netflow` codec plugin: datagrams in, Logstash-shaped events out
// (`{"@timestamp", <target>: {...}, "@version": "1"}`), with the decoder's counters as stats.
import { Event } from '../../../event/event.ts';
import type { Timestamp } from '../../../event/timestamp.ts';
import type { FieldMap } from '../../../event/values.ts';
import type { Codec, PluginContext, ResolvedOptions, SourceInfo } from '../../types.ts';
import { NetflowDecoder, type LogFn } from '../../../flow/netflow/decoder.ts';
import type { NetflowOptions } from '../../../flow/netflow/options.ts';

export class NetflowCodec implements Codec {
  readonly decoder: NetflowDecoder;
  private readonly target: string;

  constructor(options: Partial<NetflowOptions> = {}, log?: LogFn) {
    this.decoder = new NetflowDecoder(options, { log });
    this.target = this.decoder.options.target;
    this.build = eventShape(this.target);
  }

  private readonly build: (ts: Timestamp, fields: FieldMap) => FieldMap;

  decode(data: Buffer, source: SourceInfo, emit: (event: Event) => void): void {
    const build = this.build;
    this.decoder.decodeInto(data, source, (ts: Timestamp, fields: FieldMap) => emit(new Event(build(ts, fields))));
  }

  encode(): string {
    throw new Error('The netflow codec only decodes; it cannot be used to encode events for an output');
  }

  stats(): Record<string, number> {
    return this.decoder.stats();
  }

  close(): Promise<void> {
    return this.decoder.close();
  }
}

/**
 * The event object in the key order the Logstash codec's events serialise (@timestamp, the target,
 * @version), as one object literal so every event shares one hidden class.
 */
function eventShape(target: string): (ts: Timestamp, fields: FieldMap) => FieldMap {
  if (target === '@timestamp' || target === '@version' || target === '__proto__') {
    return (ts, fields) => {
      const obj: FieldMap = { '@timestamp': ts };
      obj[target] = fields;
      if (obj['@version'] === undefined) obj['@version'] = '1';
      return obj;
    };
  }
  return new Function('ts', 'f', `return { "@timestamp": ts, ${JSON.stringify(target)}: f, "@version": "1" };`) as (
    ts: Timestamp,
    fields: FieldMap,
  ) => FieldMap;
}

/** Plugin factory: options as validated by the registry, logging through the plugin's logger. */
export function create(options: ResolvedOptions, ctx: PluginContext): NetflowCodec {
  const log: LogFn = (level, message, data) => ctx.log[level](message, data);
  return new NetflowCodec(options as Partial<NetflowOptions>, log);
}
/** Named alias for in-process users (fuzz, tests). */
export const createNetflowCodec = create;
