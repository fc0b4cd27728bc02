// Logging to stderr in Logstash's log4j shape:
// `[2026-11-25T12:00:00,000][INFO ][flowstash.runner         ] message {:key=>"value"}`.
import { RubyInspected } from '../event/ruby-inspect.ts';
import type { Logger } from '../plugins/types.ts';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

const RANK: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, fatal: 5 };

export const LOG_LEVELS = Object.keys(RANK) as LogLevel[];

export interface LogSink {
  write(line: string): void;
}

const stderrSink: LogSink = { write: (line) => void process.stderr.write(line) };

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** log4j's %d{ISO8601}: local time, comma before the milliseconds. */
export function log4jTime(d: Date): string {
  return (
    `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())},${String(d.getMilliseconds()).padStart(3, '0')}`
  );
}

/** A value as Ruby's inspect would show it in Logstash's log lines. */
function inspectValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof RubyInspected) return v.text;
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return '[' + v.map(inspectValue).join(', ') + ']';
  if (typeof v === 'object') {
    if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return inspectValue((v as { toJSON(): unknown }).toJSON());
    return '{' + Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}=>${inspectValue(x)}`).join(', ') + '}';
  }
  return String(v);
}

export class PipelineLogger implements Logger {
  constructor(
    private readonly name: string,
    readonly level: LogLevel = 'info',
    private readonly sink: LogSink = stderrSink,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  child(name: string): PipelineLogger {
    return new PipelineLogger(name, this.level, this.sink, this.clock);
  }

  isEnabled(level: 'trace' | 'debug' | 'info' | 'warn' | 'error'): boolean {
    return RANK[level] >= RANK[this.level];
  }

  log(level: LogLevel, msg: string, data?: Record<string, unknown>): void {
    if (RANK[level] < RANK[this.level]) return;
    const tail =
      data && Object.keys(data).length > 0
        ? ' {' + Object.entries(data).map(([k, v]) => `${/^[a-z_][a-z0-9_]*$/i.test(k) ? ':' + k : JSON.stringify(k)}=>${inspectValue(v)}`).join(', ') + '}'
        : '';
    this.sink.write(`[${log4jTime(this.clock())}][${level.toUpperCase().padEnd(5)}][${`flowstash.${this.name}`.padEnd(25)}] ${msg}${tail}\n`);
  }

  trace(msg: string, data?: Record<string, unknown>): void {
    this.log('trace', msg, data);
  }
  debug(msg: string, data?: Record<string, unknown>): void {
    this.log('debug', msg, data);
  }
  info(msg: string, data?: Record<string, unknown>): void {
    this.log('info', msg, data);
  }
  warn(msg: string, data?: Record<string, unknown>): void {
    this.log('warn', msg, data);
  }
  error(msg: string, data?: Record<string, unknown>): void {
    this.log('error', msg, data);
  }
  fatal(msg: string, data?: Record<string, unknown>): void {
    this.log('fatal', msg, data);
  }
}

export function parseLogLevel(s: string): LogLevel {
  const l = s.toLowerCase();
  if (!(l in RANK)) throw new Error(`Invalid log level '${s}': expected one of ${LOG_LEVELS.join(', ')}`);
  return l as LogLevel;
}
