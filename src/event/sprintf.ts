// Logstash's sprintf (StringInterpolation): `%{field}`, `%{[a][b]}`, `%{+joda}` (UTC), `%{+%s}`,
// `%{{java.time}}`, `%{{TIME_NOW}}`. A missing (or nil) field leaves the `%{…}` text as written.
// Templates compile once into a list of parts; the compiled form is cached by template text.
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
 * The parts joined, per event. Most templates are `text%{field}`, `%{field}text` or
 * `%{field}text%{field}` (and `…text` after it): those get a closure without the loop and its per-part type test.
 */
function concatenation(parts: Part[]): Interpolator {
  if (parts.length === 2) {
    const [a, b] = parts as [Part, Part];
    if (typeof a === 'string' && typeof b !== 'string') return (event) => a + b(event);
    if (typeof a !== 'string' && typeof b === 'string') return (event) => a(event) + b;
  }
  if (parts.length === 3) {
    const [a, b, c] = parts as [Part, Part, Part];
    if (typeof a !== 'string' && typeof b === 'string' && typeof c !== 'string') return (event) => a(event) + b + c(event);
  }
  if (parts.length === 4) {
    const [a, b, c, d] = parts as [Part, Part, Part, Part];
    if (typeof a !== 'string' && typeof b === 'string' && typeof c !== 'string' && typeof d === 'string') {
      return (event) => a(event) + b + c(event) + d;
    }
  }
  return (event) => {
    let s = '';
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      s += typeof p === 'string' ? p : p(event);
    }
    return s;
  };
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
