// Whether a ruby filter's inline code is a pure function of the fields it reads: then what Ruby
// did to one event (its operations, cancel, exception) is what it does to any event whose read
// fields are the same, and the filter may reuse that answer instead of crossing into Ruby again
// (ElastiFlow's `event.set('[agent][hostname]', @@hostname)` runs on every flow with the same
// result; its TCP-flag and reputation snippets see a few distinct inputs).
//
// The reading is conservative: a whitelist of tokens, not a Ruby parser. Code passes only when every
// bare name is a keyword or a local variable it assigns, every method called is a side-effect-free
// core method, `@@var`/`@var` appear only as the value of an `event.set` (which copies it), and nothing
// reaches constants, globals, blocks, backticks, regexps, heredocs, %-literals or interpolation. An
// init passes only when it is `require` of a standard library and assignments of literals or
// `Socket.gethostname`. Anything else — and any other Ruby code loaded into the same interpreter
// (RubyVm.tainted) — turns the reuse off.

const KEYWORDS = new Set(['if', 'elsif', 'else', 'end', 'unless', 'case', 'when', 'then', 'and', 'or', 'not', 'nil', 'true', 'false']);

/** Core methods that neither read nor change anything outside their receiver and arguments. */
const PURE_METHODS = new Set([
  'to_i', 'to_s', 'to_f', 'to_a', 'to_str', 'to_int', 'inspect',
  'push', 'pop', 'shift', 'unshift', 'first', 'last', 'length', 'size', 'empty?', 'nil?', 'include?',
  'start_with?', 'end_with?', 'strip', 'lstrip', 'rstrip', 'chomp', 'chop', 'downcase', 'upcase', 'capitalize',
  'split', 'join', 'reverse', 'sort', 'uniq', 'compact', 'flatten', 'parse_csv', 'slice', 'index', 'count',
  'abs', 'round', 'floor', 'ceil', 'zero?', 'positive?', 'negative?', 'even?', 'odd?', 'min', 'max', 'sum',
  'dup', 'hex', 'ord', 'chr', 'concat', 'is_a?', 'eql?', 'equal?',
]);

/** What `event.` may be followed by (the projection's reading of the code restricts it further). */
const EVENT_METHODS = new Set(['get', 'set', 'include?', 'remove', 'tag', 'cancel', 'uncancel', 'cancelled?', 'timestamp']);

const STDLIB = new Set(['csv', 'socket', 'json', 'time', 'date', 'ipaddr', 'set', 'digest', 'base64', 'uri']);
const INIT_VALUE = /^(?:'[^'\\]*'|"[^"\\#]*"|-?\d+(?:\.\d+)?|nil|true|false|Socket\.gethostname)$/;

/** An init that only loads standard libraries and sets instance/class variables to plain values. */
export function simpleInit(init: string | undefined): boolean {
  if (init === undefined) return true;
  for (const raw of init.split(/\r?\n|;/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const req = /^require\s*\(?\s*(?:'([a-z][a-z0-9_/]*)'|"([a-z][a-z0-9_/]*)")\s*\)?$/.exec(line);
    if (req) {
      if (!STDLIB.has(req[1] ?? req[2]!)) return false;
      continue;
    }
    const assign = /^@@?[a-z_][A-Za-z0-9_]*\s*=\s*(.+)$/.exec(line);
    if (!assign || !INIT_VALUE.test(assign[1]!.trim())) return false;
  }
  return true;
}

type Token = { kind: 'name' | 'ivar' | 'string' | 'number' | 'punct'; text: string; at: number };

/** Tokens of the code, or undefined at anything the whitelist does not read (see the header). */
function tokenize(code: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < code.length) {
    const c = code[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === ';') {
      if (c === '\n' || c === ';') tokens.push({ kind: 'punct', text: '\n', at: i });
      i++;
      continue;
    }
    if (c === '#') {
      // A comment runs to the end of the line (strings and regexps, where # means something else, are read or refused first).
      while (i < code.length && code[i] !== '\n') i++;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      for (; j < code.length && code[j] !== c; j++) {
        if (code[j] === '\\') j++;
        else if (c === '"' && code[j] === '#' && (code[j + 1] === '{' || code[j + 1] === '@' || code[j + 1] === '$')) return undefined;
      }
      if (j >= code.length) return undefined;
      tokens.push({ kind: 'string', text: code.slice(i, j + 1), at: i });
      i = j + 1;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9][0-9_]*(?:\.[0-9]+)?/.exec(code.slice(i))!;
      tokens.push({ kind: 'number', text: m[0], at: i });
      i += m[0].length;
      continue;
    }
    if (c === '@') {
      const m = /^@@?[a-z_][A-Za-z0-9_]*/.exec(code.slice(i));
      if (!m) return undefined;
      tokens.push({ kind: 'ivar', text: m[0], at: i });
      i += m[0].length;
      continue;
    }
    if (/[a-z_]/.test(c)) {
      const m = /^[a-z_][A-Za-z0-9_]*[?!]?/.exec(code.slice(i))!;
      // `a ?b :c` / `x!= y`: a ? or ! glued to a name is part of it only before a space or bracket.
      let text = m[0];
      if (/[?!]$/.test(text) && code[i + text.length] === '=') text = text.slice(0, -1);
      tokens.push({ kind: 'name', text, at: i });
      i += text.length;
      continue;
    }
    // Operators and brackets; refused: constants, $globals, ::, backticks, regexps and division,
    // %-literals, heredocs, ->, blocks and hash literals, =begin, =~, char literals (?a).
    const two = code.slice(i, i + 2);
    if (two === '<<') {
      if (/[~\-A-Za-z_'"`]/.test(code[i + 2] ?? '')) return undefined;
      tokens.push({ kind: 'punct', text: '<<', at: i });
      i += 2;
      continue;
    }
    if (two === '->' || two === '=~' || two === '::' || code.startsWith('=begin', i)) return undefined;
    if (c === '?' && !/\s/.test(code[i + 1] ?? ' ')) return undefined;
    if (c === '%' && !/[\s0-9]/.test(code[i + 1] ?? ' ')) return undefined;
    if (!'+-*&|^<>=!?:.,()[]'.includes(c)) return undefined;
    tokens.push({ kind: 'punct', text: c, at: i });
    i++;
  }
  return tokens;
}

/** True when the code's effect on an event is a function of the fields it reads (see the header). */
export function pureCode(code: string): boolean {
  const tokens = tokenize(code);
  if (!tokens) return false;
  const text = (k: number): string | undefined => tokens[k]?.text;
  // Local variables: names assigned somewhere (`x =`, `x +=` …, not `x ==`).
  const locals = new Set<string>();
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'name' || text(k - 1) === '.') continue;
    let n = k + 1;
    if (['+', '-', '*', '|', '&', '<<'].includes(text(n) ?? '')) n++;
    if (text(n) === '|' || text(n) === '&') n++; // ||= &&=
    if (text(n) === '=' && text(n + 1) !== '=' && text(n + 1) !== '>' && tokens[n]!.at === (tokens[n - 1]!.at + tokens[n - 1]!.text.length)) locals.add(t.text);
    else if (text(k + 1) === '=' && text(k + 2) !== '=' && text(k + 2) !== '>') locals.add(t.text);
  }
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'ivar') {
      // Only as the value of event.set('literal', @var): set stores a copy, so the shared value cannot be changed through it.
      const isSetValue =
        text(k - 6) === 'event' && text(k - 5) === '.' && text(k - 4) === 'set' && text(k - 3) === '(' && tokens[k - 2]?.kind === 'string' && text(k - 1) === ',' && text(k + 1) === ')';
      if (!isSetValue) return false;
      continue;
    }
    if (t.kind !== 'name') continue;
    if (text(k - 1) === '.') {
      if (text(k - 2) === 'event' && tokens[k - 2]!.kind === 'name') {
        if (!EVENT_METHODS.has(t.text)) return false;
      } else if (!PURE_METHODS.has(t.text)) return false;
      continue;
    }
    if (t.text === 'event') {
      if (text(k + 1) !== '.') return false;
      continue;
    }
    if (KEYWORDS.has(t.text) || locals.has(t.text)) continue;
    return false;
  }
  return true;
}
