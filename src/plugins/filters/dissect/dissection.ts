// One dissection (logstash-filter-dissect's Dissector.java and fields/*): a mapping such as
// `%{a} %{+a/2} %{?skip}->%{&key}` compiled once into fields and the delimiters between them, then
// applied to a text from left to right: each field takes the text up to the first occurrence of its
// next delimiter, the last field takes the rest. A field written `name->` ignores repeats of its next
// delimiter (padding); text before the first field is skipped, with its repeats.
// Field kinds: normal `%{k}`; skip `%{}` / `%{?k}` (found, not stored); append `%{+k}` / `%{+k/N}`
// (joined to k with the delimiter before the field, a space when there is none; normal first, then
// appends by ordinal, declaration order breaking ties; an event value already at k is extended);
// indirect `%{&k}` (stored under the value found for k, or the event's k).

export class DissectFormatError extends Error {
  constructor(message: string) {
    super(`org.logstash.dissect.fields.InvalidFieldException: ${message}`);
    this.name = 'LogStash::FieldFormatError';
  }
}

type Kind = 'normal' | 'skip' | 'append' | 'indirect';

interface Field {
  kind: Kind;
  name: string;
  /** Append order: 0 for unordered appends (declaration order), else the /N ordinal. */
  ordinal: number;
  index: number;
  /** Delimiter before this field ('' for adjacent fields or at the start). */
  previous: string;
  /** Delimiter after this field; undefined for the last field with nothing after it. */
  next: string | undefined;
  /** `->`: repeats of the next delimiter are padding. */
  padded: boolean;
}

/** The values found by one dissection, in field order (undefined: the text did not fit). */
export type Found = { field: Field; value: string }[];

const FIELD = /([\s\S]*?)%\{([^}]*?)\}/g;

function parseField(spec: string, index: number, previous: string): Omit<Field, 'next'> {
  let body = spec;
  let kind: Kind = 'normal';
  if (body === '' || body.startsWith('?')) {
    kind = 'skip';
    body = body.slice(body.startsWith('?') ? 1 : 0);
  } else if (body.startsWith('+&') || body.startsWith('&+')) {
    throw new DissectFormatError(`Field cannot prefix with both Append and Indirect Prefix (${body.slice(0, 2)}): ${spec}`);
  } else if (body.startsWith('+') || body.startsWith('&')) {
    kind = body.startsWith('+') ? 'append' : 'indirect';
    body = body.slice(1);
    if (body === '') throw new DissectFormatError('Field cannot be a prefix on its own without further text');
  }
  const padded = body.endsWith('->');
  if (padded) body = body.slice(0, -2);
  let ordinal = 0;
  const ord = kind === 'append' ? /^(.*)\/(\d+)$/.exec(body) : null;
  if (ord) {
    body = ord[1]!;
    ordinal = Number(ord[2]);
  }
  if (body === '' && kind !== 'skip') throw new DissectFormatError('Field cannot be a prefix and a suffix without a name section');
  return { kind, name: body, ordinal, index, previous, padded };
}

export class Dissection {
  readonly fields: Field[] = [];
  private readonly leading: string;

  constructor(readonly mapping: string) {
    if (mapping === '') throw new DissectFormatError('The mapping string cannot be empty');
    let leading = '';
    let end = 0;
    for (const m of mapping.matchAll(FIELD)) {
      const delimiter = m[1]!;
      if (this.fields.length === 0) leading = delimiter;
      else this.fields[this.fields.length - 1]!.next = delimiter;
      this.fields.push({ ...parseField(m[2]!, this.fields.length, delimiter), next: undefined });
      end = m.index + m[0].length;
    }
    this.leading = leading;
    const trailing = mapping.slice(end);
    const last = this.fields[this.fields.length - 1];
    if (last && trailing !== '') last.next = trailing;
  }

  /** The value of every field, or undefined when a delimiter is missing from the text. */
  match(text: string): Found | undefined {
    const found: Found = [];
    let left = this.leading === '' ? 0 : skipRepeats(text, this.leading, this.leading.length);
    for (let i = 0; i < this.fields.length; i++) {
      const field = this.fields[i]!;
      const isLast = i === this.fields.length - 1;
      if (field.next === undefined || (isLast && field.next === '')) {
        found.push({ field, value: text.slice(left) });
        break;
      }
      const at = field.next === '' ? left : text.indexOf(field.next, left);
      if (at < 0) return undefined;
      found.push({ field, value: text.slice(left, at) });
      left = at + field.next.length;
      if (field.padded) left = skipRepeats(text, field.next, left);
    }
    return found;
  }
}

/** Past any repeats of `delimiter` at `from` (padding). */
function skipRepeats(text: string, delimiter: string, from: number): number {
  let at = from;
  if (delimiter === '') return at;
  while (text.startsWith(delimiter, at)) at += delimiter.length;
  return at;
}
