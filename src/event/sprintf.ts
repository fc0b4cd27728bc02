// Logstash's sprintf (StringInterpolation): `%{field}`, `%{[a][b]}`, `%{+joda}` (UTC), `%{+%s}`,
// `%{{java.time}}`, `%{{TIME_NOW}}`. A missing (or nil) field leaves the `%{…}` text as written.
// Templates compile once into parts joined by a function generated per template; cached by template text.
import type { Event } from './event.ts';
import { Timestamp } from './timestamp.ts';
import { valueToString } from './stringify.ts';
import { formatJavaTime, formatJoda } from './datetime-pattern.ts';
import { parseFieldReference } from './fieldref.ts';
import { compileFieldGetter } from './field-getter.ts';

export type Interpolator = (event: Event) => string;

type Part = string | Interpolator;

const cache = new Map<string, Interpolator>();

/** The compiled form of a template; invalid field references throw at compile time. */
export function compileSprintf(template: string): Interpolator {
  let hit = cache.get(template);
  if (hit === undefined) {
    hit = compile(template);
    if (cache.size > 10_000) cache.clear();
    cache.set(template, hit);
  }
  return hit;
}

export function sprintf(event: Event, template: string): string {
  if (template.indexOf('%{') === -1) return template;
  return compileSprintf(template)(event);
}

function compile(template: string): Interpolator {
  if (template.indexOf('%{') === -1) return () => template;
  const parts: Part[] = [];
  let pos = 0;
  while (pos < template.length) {
    const open = template.indexOf('%{', pos);
    if (open === -1) break;
    let close: number;
    let part: Interpolator;
    if (template[open + 2] === '{') {
      close = template.indexOf('}}', open + 3);
      if (close === -1) break;
      part = javaTimePart(template.slice(open + 3, close));
      close += 1;
    } else {
      close = template.indexOf('}', open + 2);
      if (close === -1) break;
      part = fieldPart(template.slice(open + 2, close), template.slice(open, close + 1));
    }
    if (open > pos) parts.push(template.slice(pos, open));
    parts.push(part);
    pos = close + 1;
  }
  if (pos < template.length) parts.push(template.slice(pos));
  if (parts.length === 1 && typeof parts[0] !== 'string') return parts[0]!;
  return concatenation(parts);
}

/**
 * The parts joined, per event, by a function of the template's own (new Function): one `+`
 * expression, without a loop or a per-part type test, and call sites that see one part each.
 */
function concatenation(parts: Part[]): Interpolator {
  const names = parts.map((_, i) => `p${i}`);
  const expression = parts.map((p, i) => (typeof p === 'string' ? names[i] : `${names[i]}(e)`)).join(' + ');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point: one function per template
  const factory = new Function(...names, `return function sprintf(e) { return ${expression}; };`) as (...parts: Part[]) => Interpolator;
  return factory(...parts);
}

const TIMESTAMP: readonly string[] = ['@timestamp'];

function timestampOf(event: Event): Timestamp | undefined {
  const ts = event.getPath(TIMESTAMP);
  return ts instanceof Timestamp ? ts : undefined;
}

function fieldPart(inner: string, literal: string): Interpolator {
  if (inner === '+%s') {
    return (event) => {
      const ts = timestampOf(event);
      return ts === undefined ? literal : String(ts.seconds);
    };
  }
  if (inner.startsWith('+')) {
    const pattern = inner.slice(1);
    formatJoda(new Timestamp(0), pattern); // rejects bad patterns at compile time
    return (event) => {
      const ts = timestampOf(event);
      return ts === undefined ? literal : formatJoda(ts, pattern);
    };
  }
  const get = compileFieldGetter(parseFieldReference(inner));
  return (event) => {
    const v = get(event);
    return v === undefined || v === null ? literal : valueToString(v);
  };
}

function javaTimePart(pattern: string): Interpolator {
  if (pattern === 'TIME_NOW') return () => Timestamp.now().toString();
  formatJavaTime(new Timestamp(0), pattern);
  return (event) => {
    const ts = timestampOf(event);
    return ts === undefined ? `%{{${pattern}}}` : formatJavaTime(ts, pattern);
  };
}
