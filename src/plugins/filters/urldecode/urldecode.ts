// The urldecode filter (logstash-filter-urldecode 3.0): every run of `%XX` escapes in a string (not
// `+`) becomes the bytes it encodes, then the text is read in `charset` as LogStash::Util::Charset
// does: UTF-8 text that is not valid keeps its bad bytes as `\xNN` escapes; another charset is
// transcoded to UTF-8. Arrays and hashes are decoded element by element, other values pass. `field`
// (set even when absent, to nil, as the plugin does) or, with all_fields, every top-level field. An
// exception tags tag_on_failure; filter_matched runs in both cases.
import type { Event } from '../../../event/event.ts';
import { rubyInspectBytesInner } from '../../../event/ruby-inspect.ts';
import { type FieldMap, type FieldValue, isFieldMap, setOwn } from '../../../event/values.ts';
import { FilterBase } from '../../filter-base.ts';
import type { Filter, PluginContext } from '../../types.ts';
import type { UrldecodeFilterOptions } from './schema.ts';

export class UrldecodeConfigurationError extends Error {}

const ESCAPES = /((?:%[0-9a-fA-F]{2})+)/g;

export class UrldecodeFilter extends FilterBase<UrldecodeFilterOptions> {
  private readonly decoder: TextDecoder | undefined;

  constructor(options: UrldecodeFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    const utf8 = /^utf-?8$/i.test(options.charset);
    try {
      this.decoder = utf8 ? undefined : new TextDecoder(options.charset.toLowerCase());
    } catch {
      throw new UrldecodeConfigurationError(`Invalid setting for urldecode filter plugin (${ctx.where}): charset '${options.charset}' is not supported`);
    }
  }

  filter(event: Event): Event[] {
    try {
      if (this.options.all_fields) {
        const data = event.toObject();
        for (const name of Object.keys(data)) event.set(name, this.decode(data[name]!));
      } else event.set(this.options.field, this.decode(event.get(this.options.field) ?? null));
    } catch (e) {
      this.log.debug('urldecode failed', { exception: (e as Error).message });
      this.tagFailure(event, this.options.tag_on_failure);
    }
    this.filterMatched(event);
    return [event];
  }

  private decode(value: FieldValue): FieldValue {
    if (typeof value === 'string') return this.text(unescape(value));
    if (Array.isArray(value)) return value.map((v) => this.decode(v));
    if (isFieldMap(value)) {
      const out: FieldMap = {};
      for (const k of Object.keys(value)) setOwn(out, k, this.decode(value[k]!));
      return out;
    }
    return value;
  }

  private text(bytes: Buffer): string {
    if (this.decoder) return this.decoder.decode(bytes);
    const utf8 = bytes.toString('utf8');
    if (Buffer.from(utf8, 'utf8').equals(bytes)) return utf8;
    // Charset#convert: invalid UTF-8 is kept as its inspect text, minus the quotes.
    return rubyInspectBytesInner(bytes);
  }
}

/** The string's bytes with every %XX run replaced by the bytes it encodes. */
function unescape(s: string): Buffer {
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of s.matchAll(ESCAPES)) {
    parts.push(Buffer.from(s.slice(last, m.index), 'utf8'), Buffer.from(m[0].replace(/%/g, ''), 'hex'));
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(s.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

export function create(options: UrldecodeFilterOptions, ctx: PluginContext): Filter {
  return new UrldecodeFilter(options, ctx);
}
