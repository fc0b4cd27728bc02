// The `sflow` codec plugin: datagrams in, the Logstash sflow codec's events out (one per flow
// sample, one per counter record, values as strings), with the decoder's counters as stats.
import { Event } from '../../../event/event.ts';
import type { Timestamp } from '../../../event/timestamp.ts';
import { SflowDecoder, type SflowDecoderOptions, type SflowLogFn } from '../../../flow/sflow/index.ts';
import type { Codec, PluginContext, ResolvedOptions, SourceInfo } from '../../types.ts';
import type { SflowCodecOptions } from './schema.ts';

export class SflowCodec implements Codec {
  readonly decoder: SflowDecoder;

  constructor(options: Partial<SflowDecoderOptions> = {}, log?: SflowLogFn, now?: () => Timestamp) {
    this.decoder = new SflowDecoder(options, { log, now });
  }

  decode(data: Buffer, source: SourceInfo, emit: (event: Event) => void): void {
    this.decoder.decodeInto(data, source, (fields) => emit(new Event(fields)));
  }

  encode(): string {
    throw new Error('The sflow codec only decodes; it cannot be used to encode events for an output');
  }

  stats(): Record<string, number> {
    return this.decoder.stats();
  }
}

/** Plugin factory: options as validated by the registry, logging through the plugin's logger. */
export function create(options: SflowCodecOptions | ResolvedOptions, ctx: PluginContext): SflowCodec {
  const log: SflowLogFn = (level, message, data) => ctx.log[level](message, data);
  const o = options as Partial<SflowCodecOptions>;
  if (o.snmp_interface === true) {
    ctx.log.warn('sflow codec: snmp_interface => true is not emulated by flowstash; events get no *_descr fields');
  }
  return new SflowCodec(
    {
      versions: Array.isArray(o.versions) ? o.versions.map(Number) : undefined,
      optional_removed_field: Array.isArray(o.optional_removed_field) ? o.optional_removed_field.map(String) : undefined,
      malformed_datagrams: o.malformed_datagrams === 'drop' ? 'drop' : 'decode',
    },
    log,
  );
}
