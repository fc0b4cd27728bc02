// Joda-Time and java.time date patterns: tokenising, formatting (sprintf `%{+…}` / `%{{…}}`) and
// parsing (the date filter). Only the English locale is supported (Logstash's `locale` is noted, not used).
import { Timestamp } from './timestamp.ts';
import { type Zone, UTC, wallToUtc, zoneFor } from './timezone.ts';

export type PatternToken = { kind: 'field'; letter: string; count: number } | { kind: 'literal'; text: string };

export const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];
export const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Splits a pattern into letter runs and literals (`'…'` quotes, `''` is a quote). */
export function tokenizePattern(pattern: string, brackets = false): PatternToken[] {
  const out: PatternToken[] = [];
  let i = 0;
  const pushLiteral = (t: string): void => {
    const last = out[out.length - 1];
    if (last && last.kind === 'literal') last.text += t;
    else out.push({ kind: 'literal', text: t });
  };
  while (i < pattern.length) {
    const c = pattern[i]!;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      let j = i;
      while (j < pattern.length && pattern[j] === c) j++;
      out.push({ kind: 'field', letter: c, count: j - i });
      i = j;
    } else if (c === "'") {
      if (pattern[i + 1] === "'") {
        pushLiteral("'");
        i += 2;
        continue;
      }
      let j = i + 1;
      let text = '';
      while (j < pattern.length) {
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += pattern[j];
        j++;
      }
      if (j >= pattern.length) throw new Error(`Unterminated quote in date pattern "${pattern}"`);
      pushLiteral(text);
      i = j + 1;
    } else if (brackets && (c === '[' || c === ']')) {
      i++; // java.time optional sections: formatting prints their content
    } else {
      pushLiteral(c);
      i++;
    }
  }
  return out;
}

interface Fields {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  nanos: number;
  dayOfWeek: number; // 0 = Sunday
  dayOfYear: number;
  offsetMs: number;
  zoneId: string;
  epochSeconds: number;
}

function fieldsOf(ts: Timestamp, zone: Zone): Fields {
  const ms = ts.seconds * 1000 + Math.floor(ts.nanos / 1e6);
  const off = zone.offsetAt(ms);
  const d = new Date(ms + off);
  const startOfYear = Date.UTC(d.getUTCFullYear(), 0, 1);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millis: d.getUTCMilliseconds(),
    nanos: ts.nanos,
    dayOfWeek: d.getUTCDay(),
    dayOfYear: Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - startOfYear) / 86_400_000) + 1,
    offsetMs: off,
    zoneId: zone.id,
    epochSeconds: ts.seconds,
  };
}

/** ISO-8601 week number and week-based year. */
function isoWeek(f: Fields): { week: number; weekYear: number } {
  const date = Date.UTC(f.year, f.month - 1, f.day);
  const isoDow = (f.dayOfWeek + 6) % 7; // Monday = 0
  const thursday = new Date(date + (3 - isoDow) * 86_400_000);
  const weekYear = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(weekYear, 0, 1)) / (7 * 86_400_000)) + 1;
  return { week, weekYear };
}

const pad = (n: number, width: number): string => {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? '-' + s : s;
};

function offsetText(ms: number, colon: boolean, zeroAsZ: boolean): string {
  if (ms === 0 && zeroAsZ) return 'Z';
  const sign = ms < 0 ? '-' : '+';
  const total = Math.abs(ms) / 60_000;
  return sign + pad(Math.floor(total / 60), 2) + (colon ? ':' : '') + pad(total % 60, 2);
}

function text(names: string[], idx: number, count: number): string {
  const name = names[idx]!;
  return count >= 4 ? name : name.slice(0, 3);
}

function fraction(f: Fields, count: number, nanosPrecision: boolean): string {
  const digits = nanosPrecision ? pad(f.nanos, 9) : pad(f.millis, 3) + '000000';
  return count <= 9 ? digits.slice(0, count) : digits + '0'.repeat(count - 9);
}

/** The time-of-day letters, which Joda and java.time read alike. */
function timeOfDay(letter: string, n: number, f: Fields): string {
  switch (letter) {
    case 'a': return f.hour < 12 ? 'AM' : 'PM';
    case 'K': return pad(f.hour % 12, n);
    case 'h': return pad(f.hour % 12 === 0 ? 12 : f.hour % 12, n);
    case 'H': return pad(f.hour, n);
    case 'k': return pad(f.hour === 0 ? 24 : f.hour, n);
    case 'm': return pad(f.minute, n);
    default: return pad(f.second, n); // 's'
  }
}

/** Formats like Joda's DateTimeFormat.forPattern(pattern) in the given zone (default UTC). */
export function formatJoda(ts: Timestamp, pattern: string, zone: Zone = UTC): string {
  const f = fieldsOf(ts, zone);
  let s = '';
  for (const t of tokenizePattern(pattern)) {
    if (t.kind === 'literal') {
      s += t.text;
      continue;
    }
    const n = t.count;
    switch (t.letter) {
      case 'G': s += f.year > 0 ? 'AD' : 'BC'; break;
      case 'C': s += pad(Math.floor(f.year / 100), n); break;
      case 'Y':
      case 'y': s += n === 2 ? pad(((f.year % 100) + 100) % 100, 2) : pad(f.year, n); break;
      case 'x': { const w = isoWeek(f).weekYear; s += n === 2 ? pad(w % 100, 2) : pad(w, n); break; }
      case 'w': s += pad(isoWeek(f).week, n); break;
      case 'e': s += pad(((f.dayOfWeek + 6) % 7) + 1, n); break;
      case 'E': s += text(DAYS, f.dayOfWeek, n); break;
      case 'D': s += pad(f.dayOfYear, n); break;
      case 'M': s += n >= 3 ? text(MONTHS, f.month - 1, n) : pad(f.month, n); break;
      case 'd': s += pad(f.day, n); break;
      case 'a': case 'K': case 'h': case 'H': case 'k': case 'm': case 's': s += timeOfDay(t.letter, n, f); break;
      case 'S': s += fraction(f, n, false); break;
      case 'z': s += f.zoneId === 'UTC' ? (n >= 4 ? 'Coordinated Universal Time' : 'UTC') : f.zoneId; break;
      case 'Z': s += n === 1 ? offsetText(f.offsetMs, false, false) : n === 2 ? offsetText(f.offsetMs, true, false) : f.zoneId; break;
      default: throw new Error(`Illegal pattern component: ${t.letter.repeat(n)}`);
    }
  }
  return s;
}

/** Formats like java.time's DateTimeFormatter.ofPattern(pattern) in UTC (`%{{…}}`). */
export function formatJavaTime(ts: Timestamp, pattern: string, zone: Zone = UTC): string {
  const f = fieldsOf(ts, zone);
  let s = '';
  for (const t of tokenizePattern(pattern, true)) {
    if (t.kind === 'literal') {
      s += t.text;
      continue;
    }
    const n = t.count;
    switch (t.letter) {
      case 'G': s += f.year > 0 ? 'AD' : 'BC'; break;
      case 'u':
      case 'y': s += n === 2 ? pad(((f.year % 100) + 100) % 100, 2) : pad(f.year, n); break;
      case 'Y': { const w = isoWeek(f).weekYear; s += n === 2 ? pad(w % 100, 2) : pad(w, n); break; }
      case 'w': s += pad(isoWeek(f).week, n); break;
      case 'Q':
      case 'q': s += pad(Math.floor((f.month - 1) / 3) + 1, n); break;
      case 'D': s += pad(f.dayOfYear, n); break;
      case 'L':
      case 'M': s += n >= 3 ? text(MONTHS, f.month - 1, n) : pad(f.month, n); break;
      case 'd': s += pad(f.day, n); break;
      case 'E': s += text(DAYS, f.dayOfWeek, n); break;
      case 'e':
      case 'c': s += n >= 3 ? text(DAYS, f.dayOfWeek, n) : pad(f.dayOfWeek + 1, n); break;
      case 'a': case 'K': case 'h': case 'H': case 'k': case 'm': case 's': s += timeOfDay(t.letter, n, f); break;
      case 'S': s += fraction(f, n, true); break;
      case 'n': s += pad(f.nanos, n); break;
      case 'A': s += pad(((f.hour * 60 + f.minute) * 60 + f.second) * 1000 + f.millis, n); break;
      case 'N': s += pad(((f.hour * 60 + f.minute) * 60 + f.second) * 1e9 + f.nanos, n); break;
      case 'V': s += f.zoneId; break;
      case 'z': s += f.zoneId; break;
      case 'O': s += f.offsetMs === 0 ? 'GMT' : 'GMT' + offsetText(f.offsetMs, true, false); break;
      case 'X': s += n === 1 ? offsetText(f.offsetMs, false, true).slice(0, 3) : offsetText(f.offsetMs, n >= 3, true); break;
      case 'x': s += n === 1 ? offsetText(f.offsetMs, false, false).slice(0, 3) : offsetText(f.offsetMs, n >= 3, false); break;
      case 'Z': s += n <= 3 ? offsetText(f.offsetMs, false, false) : n === 4 ? (f.offsetMs === 0 ? 'GMT' : 'GMT' + offsetText(f.offsetMs, true, false)) : offsetText(f.offsetMs, true, true); break;
      default: throw new Error(`Unknown pattern letter: ${t.letter}`);
    }
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Parsing (Joda semantics, as the date filter uses them)

type Setter = (acc: ParseAccumulator, text: string) => boolean;

interface ParseAccumulator {
  year?: number;
  twoDigitYear?: number;
  month?: number;
  day?: number;
  dayOfYear?: number;
  hour?: number;
  pm?: boolean;
  hour12?: number;
  minute?: number;
  second?: number;
  nanos?: number;
  offsetMs?: number;
  zone?: Zone;
}

const NUMERIC = new Set(['y', 'Y', 'x', 'C', 'w', 'e', 'D', 'd', 'H', 'h', 'K', 'k', 'm', 's', 'S']);

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const nameAlternatives = (names: string[]): string =>
  names.flatMap((n) => [n, n.slice(0, 3)]).sort((a, b) => b.length - a.length).join('|');

function nameIndex(names: string[], t: string): number {
  const lower = t.toLowerCase();
  return names.findIndex((n) => n.toLowerCase() === lower || n.slice(0, 3).toLowerCase() === lower);
}

export type DateParser = (text: string, defaultZone: Zone, now: Date) => Timestamp | undefined;

/** Compiles a Joda pattern into a parser; throws for letters Joda cannot parse. */
export function compileJodaParser(pattern: string): DateParser {
  const tokens = tokenizePattern(pattern);
  let source = '^';
  const setters: Setter[] = [];
  tokens.forEach((t, i) => {
    if (t.kind === 'literal') {
      source += escapeRegex(t.text);
      return;
    }
    const next = tokens[i + 1];
    const isNumeric = (x: PatternToken | undefined): boolean =>
      x !== undefined && x.kind === 'field' && (NUMERIC.has(x.letter) || (x.letter === 'M' && x.count < 3));
    const adjacentNumeric = isNumeric(t) && isNumeric(next);
    const digits = (max: number): string => (adjacentNumeric ? `(\\d{${t.count}})` : `(\\d{1,${Math.max(max, t.count)}})`);
    const n = t.count;
    const num = (set: (acc: ParseAccumulator, v: number) => void, max = 2): void => {
      source += digits(max);
      setters.push((acc, s) => {
        set(acc, Number(s));
        return true;
      });
    };
    switch (t.letter) {
      case 'y':
      case 'Y':
      case 'x':
        if (n === 2) {
          source += '(\\d{2})';
          setters.push((acc, s) => {
            acc.twoDigitYear = Number(s);
            return true;
          });
        } else {
          source += adjacentNumeric ? `([-+]?\\d{${n}})` : '([-+]?\\d{1,9})';
          setters.push((acc, s) => {
            acc.year = Number(s);
            return true;
          });
        }
        break;
      case 'M':
        if (n >= 3) {
          source += `(${nameAlternatives(MONTHS)})`;
          setters.push((acc, s) => {
            acc.month = nameIndex(MONTHS, s) + 1;
            return acc.month > 0;
          });
        } else num((a, v) => (a.month = v));
        break;
      case 'd': num((a, v) => (a.day = v)); break;
      case 'D': num((a, v) => (a.dayOfYear = v), 3); break;
      case 'H': num((a, v) => (a.hour = v)); break;
      case 'k': num((a, v) => (a.hour = v === 24 ? 0 : v)); break;
      case 'h': num((a, v) => (a.hour12 = v === 12 ? 0 : v)); break;
      case 'K': num((a, v) => (a.hour12 = v)); break;
      case 'm': num((a, v) => (a.minute = v)); break;
      case 's': num((a, v) => (a.second = v)); break;
      case 'S':
        source += adjacentNumeric ? `(\\d{${n}})` : '(\\d{1,9})';
        setters.push((acc, s) => {
          // Joda keeps milliseconds only.
          acc.nanos = Math.floor(Number((s + '000000000').slice(0, 9)) / 1e6) * 1e6;
          return true;
        });
        break;
      case 'a':
        source += '(AM|PM)';
        setters.push((acc, s) => {
          acc.pm = s.toUpperCase() === 'PM';
          return true;
        });
        break;
      case 'E':
        source += `(${nameAlternatives(DAYS)})`;
        setters.push(() => true);
        break;
      case 'e': num(() => undefined, 1); break;
      case 'w': num(() => undefined); break;
      case 'C': num(() => undefined); break;
      case 'G':
        source += '(AD|BC)';
        setters.push(() => true);
        break;
      case 'Z':
        if (n >= 3) {
          source += '([A-Za-z_]+(?:/[A-Za-z0-9_+-]+)*|[+-]\\d{2}:?\\d{2})';
          setters.push((acc, s) => {
            try {
              acc.zone = zoneFor(s);
              return true;
            } catch {
              return false;
            }
          });
        } else {
          source += '(Z|[+-]\\d{2}(?::?\\d{2})?)';
          setters.push((acc, s) => {
            acc.offsetMs = parseOffset(s);
            return true;
          });
        }
        break;
      case 'z':
        source += '(UTC|GMT|Z)';
        setters.push((acc) => {
          acc.offsetMs = 0;
          return true;
        });
        break;
      default:
        throw new Error(`Illegal pattern component: ${t.letter.repeat(n)}`);
    }
  });
  const re = new RegExp(source + '$', 'i');
  return (textValue, defaultZone, now) => {
    const m = re.exec(textValue);
    if (!m) return undefined;
    const acc: ParseAccumulator = {};
    for (let i = 0; i < setters.length; i++) if (!setters[i]!(acc, m[i + 1]!)) return undefined;
    return assemble(acc, defaultZone, now);
  };
}

function parseOffset(s: string): number {
  if (s === 'Z' || s === 'z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(s)!;
  return (Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60_000 * (m[1] === '-' ? -1 : 1);
}

function assemble(acc: ParseAccumulator, defaultZone: Zone, now: Date): Timestamp | undefined {
  let year = acc.year;
  if (year === undefined && acc.twoDigitYear !== undefined) {
    // Joda's pivot: two-digit years land within [now-80, now+19].
    const pivot = now.getUTCFullYear() - 30;
    const base = pivot - 50;
    year = base + ((((acc.twoDigitYear - base) % 100) + 100) % 100);
  }
  year ??= now.getUTCFullYear();
  let month = acc.month ?? 1;
  let day = acc.day ?? 1;
  if (acc.dayOfYear !== undefined) {
    const d = new Date(Date.UTC(year, 0, acc.dayOfYear));
    month = d.getUTCMonth() + 1;
    day = d.getUTCDate();
  }
  let hour = acc.hour ?? 0;
  if (acc.hour12 !== undefined) hour = acc.hour12 + (acc.pm ? 12 : 0);
  else if (acc.pm !== undefined && acc.hour !== undefined && acc.hour < 12 && acc.pm) hour = acc.hour + 12;
  const minute = acc.minute ?? 0;
  const second = acc.second ?? 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const fixedYear = new Date(wall);
  if (year >= 0 && year < 100) fixedYear.setUTCFullYear(year);
  const wallMs = fixedYear.getTime();
  let utcMs: number;
  if (acc.offsetMs !== undefined) utcMs = wallMs - acc.offsetMs;
  else utcMs = wallToUtc(acc.zone ?? defaultZone, wallMs);
  return new Timestamp(Math.floor(utcMs / 1000), (acc.nanos ?? 0));
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

const ISO_RE =
  /^([+-]?\d{4,9})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * ISO 8601 as Logstash's date filter accepts it (Joda's dateTimeParser plus a space separator):
 * `2011-04-19T03:44:01.103Z`, `2011-04-19 03:44:01,103+02:00`, `2011-04-19`. Keeps milliseconds
 * like Joda unless `nanos` is set (json codec / event @timestamp parsing keeps nanoseconds).
 */
export function parseIso8601(textValue: string, defaultZone: Zone, nanos = false): Timestamp | undefined {
  const m = ISO_RE.exec(textValue.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2] ?? 1);
  const day = Number(m[3] ?? 1);
  const hour = Number(m[4] ?? 0);
  const minute = Number(m[5] ?? 0);
  const second = Number(m[6] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 24 || minute > 59 || second > 60) {
    return undefined;
  }
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, Math.min(second, 59)));
  d.setUTCFullYear(year);
  const wallMs = d.getTime();
  const utcMs = m[8] !== undefined ? wallMs - parseOffset(m[8].toUpperCase()) : wallToUtc(defaultZone, wallMs);
  let frac = Number(((m[7] ?? '') + '000000000').slice(0, 9));
  if (!nanos) frac = Math.floor(frac / 1e6) * 1e6;
  return new Timestamp(Math.floor(utcMs / 1000), frac);
}
