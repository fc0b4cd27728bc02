// Turning one datagram into events the way logstash-input-udp does: codec.decode then codec.flush,
// decorate each event, then set the sender's address in the source field only when it is unset.
import type { Event } from '../pipeline/event.ts';
import type { InputContext } from '../plugins/types.ts';

export type EcsCompatibility = 'disabled' | 'v1' | 'v8';

/** Where the sender's address goes: source_ip_fieldname, else `host` (ECS off) or `[host][ip]`. */
export function sourceIpField(ecs: EcsCompatibility, sourceIpFieldname: string | undefined): string {
  if (sourceIpFieldname !== undefined && sourceIpFieldname !== '') return sourceIpFieldname;
  return ecs === 'disabled' ? 'host' : '[host][ip]';
}

export function parseEcs(value: unknown): EcsCompatibility {
  if (value === 'disabled' || value === 'v1' || value === 'v8') return value;
  // Logstash 8's pipeline default.
  return 'v8';
}

export interface DecodeCounters {
  /** Datagrams the codec threw on (their events, if any, are lost). */
  decodeFailures: number;
  /** Events produced. */
  events: number;
  /** Events whose source field could not be set (e.g. a string `host` under ECS). */
  sourceFieldConflicts: number;
}

/** Decodes datagrams for one input; reuses one event array between calls. */
export class DatagramDecoder {
  readonly counters: DecodeCounters = { decodeFailures: 0, events: 0, sourceFieldConflicts: 0 };
  private out: Event[] = [];
  private readonly emit = (e: Event): void => {
    this.out.push(e);
  };
  private lastFailureLog = 0;

  constructor(
    private readonly ctx: InputContext,
    private readonly field: string,
    private readonly pluginName: string,
  ) {}

  /** The events of one datagram (decorated, source set); a fresh array the caller may keep. */
  decode(payload: Buffer, host: string, port: number): Event[] {
    const source = { host, port };
    const codec = this.ctx.codec;
    try {
      codec.decode(payload, source, this.emit);
      codec.flush?.(source, this.emit);
    } catch (e) {
      this.counters.decodeFailures++;
      const now = Date.now();
      // One line per second at most: a garbage flood must not become a log flood.
      if (now - this.lastFailureLog >= 1000) {
        this.lastFailureLog = now;
        this.ctx.log.warn(`${this.pluginName} input: codec failed on a datagram from ${host}:${port}`, {
          error: (e as Error).message,
          bytes: payload.length,
          decode_failures: this.counters.decodeFailures,
        });
      }
    }
    const events = this.out;
    if (events.length === 0) return events;
    this.out = [];
    for (const ev of events) {
      this.ctx.decorate(ev);
      if (ev.get(this.field) === undefined) {
        try {
          ev.set(this.field, host);
        } catch {
          this.counters.sourceFieldConflicts++;
        }
      }
    }
    this.counters.events += events.length;
    return events;
  }
}
