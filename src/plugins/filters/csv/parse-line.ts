// Ruby's CSV.parse_line (csv gem, strict mode) for the csv filter: the first row of the text, split
// on `col_sep` (any length) with `quote_char` quoting. The row separator is the first "\r\n", "\n"
// or "\r" in the text (Ruby's auto-detection); what follows the first row is ignored. An empty
// unquoted field is nil, `""` an empty string; `""` inside quotes is one quote. Returns nil for an
// empty text. Malformed input throws MalformedCsvError with Ruby's message.

export class MalformedCsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CSV::MalformedCSVError';
  }
}

function detectRowSep(text: string): string {
  const i = text.search(/[\r\n]/);
  if (i === -1) return '\n';
  return text[i] === '\r' && text[i + 1] === '\n' ? '\r\n' : text[i]!;
}

export function parseCsvLine(text: string, colSep: string, quoteChar: string): (string | null)[] | null {
  if (text === '') return null;
  const rowSep = detectRowSep(text);
  const row: (string | null)[] = [];
  let i = 0;
  const n = text.length;
  const at = (s: string, p: number): boolean => s !== '' && text.startsWith(s, p);
  for (;;) {
    if (i >= n || at(rowSep, i)) return row; // an empty line is an empty row
    if (quoteChar !== '' && text[i] === quoteChar) {
      let value = '';
      i++;
      for (;;) {
        const close = text.indexOf(quoteChar, i);
        if (close === -1) throw new MalformedCsvError('Unclosed quoted field in line 1.');
        value += text.slice(i, close);
        if (text[close + 1] === quoteChar) {
          value += quoteChar;
          i = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      row.push(value);
    } else {
      let end = i;
      while (end < n && !at(colSep, end) && !at(rowSep, end)) {
        const c = text[end]!;
        if (c === quoteChar) throw new MalformedCsvError('Illegal quoting in line 1.');
        if (c === '\r' || c === '\n') throw new MalformedCsvError(`Unquoted fields do not allow new line <${JSON.stringify(c)}> in line 1.`);
        end++;
      }
      row.push(end === i ? null : text.slice(i, end));
      i = end;
    }
    if (i >= n || at(rowSep, i)) return row;
    if (!at(colSep, i)) throw new MalformedCsvError("Any value after quoted field isn't allowed in line 1.");
    i += colSep.length;
    if (i >= n || at(rowSep, i)) {
      row.push(null); // a trailing separator leaves one empty field
      return row;
    }
  }
}
