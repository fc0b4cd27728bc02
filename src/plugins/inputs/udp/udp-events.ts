// Turning one datagram into events the way logstash-input-udp does: codec.decode then codec.flush,
// decorate each event, then set the sender's address in the source field only when it is unset.
import type { Event } from '../../../event/event.ts';
import { parseFieldReference } from '../../../event/fieldref.ts';
import type { FieldMap } from '../../../event/values.ts';
import type { InputContext } from '../../types.ts';

const hasOwn = Object.prototype.hasOwnProperty;
/** Names Event.set treats specially (or that plain assignment would mishandle). */
const SPECIAL = new Set(['@metadata', '@timestamp', 'tags', '__proto__']);

/** The source field's path when plain assignment sets it exactly like Event.set would; else undefined. */
function quickPath(field: string): readonly string[] | undefined {
  let path: readonly string[];
  try {
    path = parseFieldReference(field);
  } catch {
    return undefined;
  }
  return path.length <= 2 && !path.some((p) => SPECIAL.has(p)) ? path : undefined;
}

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

  /** The source field's path when setSourceQuickly may set it. */
  private readonly path: readonly string[] | undefined;

  constructor(
    private readonly ctx: InputContext,
    private readonly field: string,
    private readonly pluginName: string,
  ) {
    this.path = quickPath(field);
  }

  /**
   * The common case without Event.get/set: `host` or `[host][ip]` not yet set (what the netflow
   * codec produces). False when the generic path must decide (field present, or a name that
   * needs Event.set's checks).
   */
  private setSourceQuickly(ev: Event, host: string): boolean {
    const path = this.path;
    if (path === undefined) return false;
    const top = path[0]!;
    const data = ev.data;
    if (hasOwn.call(data, top)) return false;
    if (path.length === 1) data[top] = host;
    else {
      const inner: FieldMap = {};
      inner[path[1]!] = host;
      data[top] = inner;
    }
    return true;
  }

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
    const decorate = this.ctx.decorate;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]!;
      decorate(ev);
      if (!this.setSourceQuickly(ev, host) && ev.get(this.field) === undefined) {
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
