// The kv filter's scanning regexp, composed as lib/logstash/filters/kv.rb#register composes it:
//   key  value_split  value?  (field_split | end of line)
// where a key or an unquoted value is a run of backslash-escaped characters or characters that are
// not a splitter, and a value may instead be quoted ("…", '…') or bracketed ((…), […], <…>).
// `field_split`/`value_split` are injected into character classes as given (the user escapes);
// the `_pattern` forms are Ruby regexps. The composed sources are compiled by the project's regexp
// helper (Oniguruma when the user's patterns need it), so Ruby syntax in them is honoured.

export interface ScanSettings {
  field_split: string;
  value_split: string;
  field_split_pattern?: string | undefined;
  value_split_pattern?: string | undefined;
  include_brackets: boolean;
  whitespace: 'lenient' | 'strict';
}

export interface ScanPatterns {
  /** Group 1 is the key, the first later group that took part is the value. */
  scan: string;
  /** The (lenient-wrapped) value splitter: text without it is not parsed at all. */
  valueSplit: string;
}

const group = (source: string): string => `(?:${source})`;
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
const untilCharclass = (charclass: string): string => `((?:\\\\.|[^${charclass}])+)`;
// The splitter lookahead comes before the escape alternative, so a splitter that itself starts with a
// backslash still ends the run (kv_spec.rb "field_split_pattern with literal backslashes").
const untilPattern = (pattern: string): string => `((?:(?!${pattern})(?:\\\\.|.))+)`;

function quoted(open: string, close = open): string {
  return `${escape(open)}${untilCharclass(escape(close))}?${escape(close)}`;
}

export function scanPatterns(s: ScanSettings): ScanPatterns {
  const fieldSplit = group(s.field_split_pattern ?? `[${s.field_split}]`);
  let valueSplit = group(s.value_split_pattern ?? `[${s.value_split}]`);
  if (s.whitespace === 'lenient') valueSplit = group(` *${valueSplit} *`);
  const patternMode = s.field_split_pattern !== undefined || s.value_split_pattern !== undefined;
  const key = patternMode ? untilPattern(`${valueSplit}|${fieldSplit}`) : untilCharclass(s.value_split + s.field_split);
  const values = [quoted('"'), quoted("'")];
  if (s.include_brackets) values.push(quoted('(', ')'), quoted('[', ']'), quoted('<', '>'));
  values.push(s.field_split_pattern !== undefined ? untilPattern(fieldSplit) : untilCharclass(s.field_split));
  const value = group(values.map(group).join('|'));
  return { scan: `${key}${valueSplit}${value}?${group(`${fieldSplit}|$`)}`, valueSplit };
}
