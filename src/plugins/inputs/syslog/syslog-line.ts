// The syslog input's default grok pattern, `<%{POSINT:priority}>%{SYSLOGLINE}` (ECS: the priority as
// an int under [log][syslog][priority]), as one JavaScript regular expression built from the same
// grok pattern definitions (logstash-patterns-core `grok-patterns` / `linux-syslog`, legacy and
// ecs-v1). Like grok, the expression is searched anywhere in the text (not anchored). An RFC 5424
// line (`<34>1 2003-10-11T22:14:15Z …`) does not match it — Logstash's syslog input is RFC 3164 only.

const MONTH = String.raw`\b(?:[Jj]an(?:uary|uar)?|[Ff]eb(?:ruary|ruar)?|[Mm](?:a|ä)?r(?:ch|z)?|[Aa]pr(?:il)?|[Mm]a(?:y|i)?|[Jj]un(?:e|i)?|[Jj]ul(?:y|i)?|[Aa]ug(?:ust)?|[Ss]ep(?:tember)?|[Oo](?:c|k)?t(?:ober)?|[Nn]ov(?:ember)?|[Dd]e(?:c|z)(?:ember)?)\b`;
const MONTHDAY = String.raw`(?:(?:0[1-9])|(?:[12][0-9])|(?:3[01])|[1-9])`;
const HOUR = String.raw`(?:2[0123]|[01]?[0-9])`;
const MINUTE = String.raw`(?:[0-5][0-9])`;
const SECOND = String.raw`(?:(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?)`;
const TIME = String.raw`(?!<[0-9])${HOUR}:${MINUTE}(?::${SECOND})(?![0-9])`;
const SYSLOGTIMESTAMP = String.raw`${MONTH} +${MONTHDAY} ${TIME}`;
const YEAR = String.raw`(?:\d\d){1,2}`;
const MONTHNUM = String.raw`(?:0?[1-9]|1[0-2])`;
const ISO8601_TIMEZONE = String.raw`(?:Z|[+-]${HOUR}(?::?${MINUTE}))`;
const TIMESTAMP_ISO8601 = String.raw`${YEAR}-${MONTHNUM}-${MONTHDAY}[T ]${HOUR}:?${MINUTE}(?::?${SECOND})?${ISO8601_TIMEZONE}?`;
const IPV6 = String.raw`(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{0,4}|\d{1,3}(?:\.\d{1,3}){3})`;
const IPV4 = String.raw`(?<![0-9])(?:(?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]))(?![0-9])`;
const HOSTNAME = String.raw`\b(?:[0-9A-Za-z][0-9A-Za-z-]{0,62})(?:\.(?:[0-9A-Za-z][0-9A-Za-z-]{0,62}))*(?:\.?|\b)`;
const IPORHOST = `(?:${IPV6}|${IPV4}|${HOSTNAME})`;
const PROG = String.raw`[\x21-\x5a\x5c\x5e-\x7e]+`;
const POSINT = String.raw`\b(?:[1-9][0-9]*)\b`;
const NONNEGINT = String.raw`\b(?:[0-9]+)\b`;

/** One expression, named groups for the captures. */
const LINE = new RegExp(
  `<(?<priority>${POSINT})>` +
    `(?:(?<timestamp>${SYSLOGTIMESTAMP})|(?<timestamp8601>${TIMESTAMP_ISO8601})) ` +
    `(?:<(?<facility>${NONNEGINT}).(?<priority2>${NONNEGINT})> )?` +
    `(?:(?<logsource>${IPORHOST}))+` +
    `(?: (?<program>${PROG})(?:\\[(?<pid>${POSINT})\\])?:|)` +
    ` (?<message>[^\n]*)`,
);

export interface SyslogCaptures {
  priority: string;
  /** A second priority from the optional `<facility.priority>` part (grok keeps both values). */
  priority2?: string;
  facility?: string;
  timestamp?: string;
  timestamp8601?: string;
  logsource: string;
  program?: string;
  pid?: string;
  message: string;
}

/** The default pattern's captures, or undefined when the text does not match (grok failure). */
export function matchSyslogLine(text: string): SyslogCaptures | undefined {
  const m = LINE.exec(text);
  if (!m?.groups) return undefined;
  const g = m.groups;
  const out: SyslogCaptures = { priority: g['priority']!, logsource: g['logsource']!, message: g['message']! };
  for (const k of ['priority2', 'facility', 'timestamp', 'timestamp8601', 'program', 'pid'] as const) if (g[k] !== undefined) out[k] = g[k];
  return out;
}
