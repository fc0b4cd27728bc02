// The rubydebug codec: `event.to_hash.ai` as amazing_print (default options) prints it —
// keys right-aligned to the longest key plus the indent, `[i]` indexes right-aligned to the
// widest index, Ruby inspect for strings, Ruby float formatting, unquoted @timestamp,
// colours (amazing_print 1.8 codes) only when asked for.
import type { Event } from '../../../event/event.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import { Float, type FieldMap, type FieldValue, rubyFloatToString } from '../../../event/values.ts';
import type { Codec, ResolvedOptions } from '../../types.ts';
import { rubyInspectString } from '../../../event/ruby-inspect.ts';

export interface RubydebugStyle {
  colors: boolean;
  /** amazing_print ≥ 1.6 colours hash keys; 1.5 and older leave them plain. */
  colorKeys?: boolean;
}

const RESET = '\x1b[0m';
const C_STRING = '\x1b[0;33m';
const C_NUMBER = '\x1b[1;34m';
const C_TRUE = '\x1b[1;32m';
const C_FALSE = '\x1b[1;31m';
const C_ARROW = '\x1b[0;37m';
const C_INDEX = '\x1b[1;37m';

const INDENT = 4;

/** Ruby's String#size counts characters (code points), not UTF-16 units. */
function rubySize(s: string): number {
  return /[\uD800-\uDFFF]/.test(s) ? Array.from(s).length : s.length;
}

class Renderer {
  private readonly arrow: string;
  constructor(private readonly style: RubydebugStyle) {
    this.arrow = style.colors ? `${C_ARROW} => ${RESET}` : ' => ';
  }

  private paint(code: string, text: string): string {
    return this.style.colors ? code + text + RESET : text;
  }

  value(v: FieldValue | undefined, indent: number): string {
    switch (typeof v) {
      case 'string':
        return this.paint(C_STRING, rubyInspectString(v));
      case 'number':
        return this.paint(C_NUMBER, Number.isInteger(v) ? String(v) : rubyFloatToString(v));
      case 'bigint':
        return this.paint(C_NUMBER, v.toString());
      case 'boolean':
        return v ? this.paint(C_TRUE, 'true') : this.paint(C_FALSE, 'false');
      case 'undefined':
        return this.paint(C_FALSE, 'nil');
    }
    if (v === null) return this.paint(C_FALSE, 'nil');
    if (v instanceof Float) return this.paint(C_NUMBER, rubyFloatToString(v.value));
    if (v instanceof Timestamp) return v.toString();
    if (Array.isArray(v)) return this.array(v, indent);
    return this.hash(v, indent);
  }

  hash(h: FieldMap, indent: number): string {
    const keys = Object.keys(h);
    if (keys.length === 0) return '{}';
    const inner = indent + INDENT;
    const inspected = keys.map(rubyInspectString);
    const sizes = inspected.map(rubySize);
    let longest = 0;
    for (const n of sizes) if (n > longest) longest = n;
    const width = longest + inner;
    const colorKeys = this.style.colors && this.style.colorKeys !== false;
    const lines: string[] = [];
    for (let i = 0; i < keys.length; i++) {
      const k = inspected[i]!;
      const pad = ' '.repeat(width - sizes[i]!);
      lines.push(pad + (colorKeys ? C_STRING + k + RESET : k) + this.arrow + this.value(h[keys[i]!], inner));
    }
    return '{\n' + lines.join(',\n') + '\n' + ' '.repeat(indent) + '}';
  }

  array(a: FieldValue[], indent: number): string {
    if (a.length === 0) return '[]';
    const inner = indent + INDENT;
    const width = String(a.length - 1).length;
    const prefix = ' '.repeat(inner);
    const lines: string[] = [];
    for (let i = 0; i < a.length; i++) {
      const idx = `[${String(i).padStart(width, ' ')}] `;
      lines.push(prefix + this.paint(C_INDEX, idx) + this.value(a[i], inner));
    }
    return '[\n' + lines.join(',\n') + '\n' + ' '.repeat(indent) + ']';
  }
}

/** A map rendered as amazing_print's `ai` output (no trailing newline). */
export function renderRubydebug(map: FieldMap, style: RubydebugStyle = { colors: false }): string {
  return new Renderer(style).hash(map, 0);
}

/** Whether amazing_print would colour: stdout is a TTY and TERM is set and not `dumb` (or ANSICON). */
export function terminalWantsColors(stream: { isTTY?: boolean } = process.stdout, env = process.env): boolean {
  if (env['ANSICON']) return true;
  return Boolean(stream.isTTY) && env['TERM'] !== undefined && env['TERM'] !== '' && env['TERM'] !== 'dumb';
}

export class RubydebugCodec implements Codec {
  private readonly renderer: Renderer;
  constructor(
    private readonly withMetadata: boolean,
    colors: boolean,
  ) {
    this.renderer = new Renderer({ colors });
  }

  decode(): void {
    throw new Error('The rubydebug codec only encodes (it is an output codec)');
  }

  encode(event: Event): string {
    let map = event.data;
    if (this.withMetadata && Object.keys(event.metadata).length > 0) {
      map = { ...event.data, '@metadata': event.metadata };
    }
    return this.renderer.hash(map, 0) + '\n';
  }
}

export function create(options: ResolvedOptions): Codec {
  return new RubydebugCodec(options['metadata'] === true, terminalWantsColors());
}
