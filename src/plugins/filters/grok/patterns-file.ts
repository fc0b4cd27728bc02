// A grok patterns file as jls-grok reads one (add_patterns_from_file): lines whose first non-blank
// is `#` are comments; otherwise `NAME<blanks>PATTERN` with the line end removed; a line without a
// pattern is skipped.
export function parsePatternsFile(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue;
    const m = /^(\S+)\s+([\s\S]*)$/.exec(raw.replace(/^\s*/, ''));
    if (m) out.push([m[1]!, m[2]!.replace(/\r$/, '')]);
  }
  return out;
}
