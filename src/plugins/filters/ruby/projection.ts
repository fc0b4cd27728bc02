// Which of an event's fields a `code` snippet can read, when that can be known from the text: if every
// use of `event` is a get/set/remove/include? with a literal field reference (or tag, cancel, timestamp),
// only the fields those references name need to cross into Ruby. ElastiFlow's snippets are all of that
// shape, and sending a few fields instead of the whole flow is most of the ruby filter's cost. Any other
// use of `event` (to_hash, sprintf, clone, a variable reference, passing it to a method) means the whole
// event crosses, as before.
import { parseFieldPath } from '../../../event/event.ts';
import { isFieldMap, type FieldMap, type FieldValue } from '../../../event/values.ts';

const LITERAL = String.raw`(?:'([^'\\]*)'|"([^"\\#]*)")`;
const WITH_REF = new RegExp(String.raw`^event\s*\.\s*(?:get|set|remove|include\?)\s*\(\s*${LITERAL}`);
const NO_REF = /^event\s*\.\s*(?:tag|cancel|uncancel|cancelled\?|timestamp)\b/;

/** The field paths the code can read, or undefined when the whole event must be sent. */
export function readPaths(code: string, init?: string): string[][] | undefined {
  return readReferences(code, init)?.data;
}

/**
 * The field paths the code can read, and apart the @metadata paths it names (without the leading
 * `@metadata`; an empty path is the whole metadata); undefined when the whole event must be sent.
 */
export function readReferences(code: string, init?: string): { data: string[][]; metadata: string[][] } | undefined {
  if (init !== undefined && /\bevent\b/.test(init)) return undefined;
  const paths: string[][] = [['@timestamp']];
  const metadata: string[][] = [];
  const uses = /\bevent\b/g;
  for (let m = uses.exec(code); m; m = uses.exec(code)) {
    // `@event`, `$event`, `new_event`, `:event` are other names.
    const before = code[m.index - 1];
    if (before === '@' || before === '$' || before === ':' || before === '_') continue;
    const rest = code.slice(m.index);
    const ref = WITH_REF.exec(rest);
    if (ref) {
      const text = ref[1] ?? ref[2] ?? '';
      // `event` inside the reference (`'[event][duration]'`) is text, not a use: skipped when the
      // reference can hide no code (names and brackets only).
      if (PLAIN_REFERENCE.test(text)) uses.lastIndex = m.index + ref[0].length;
      const path = pathOrUndefined(text);
      // An invalid reference raises in Ruby, per event: the whole event crosses, as for code not understood.
      if (path === undefined) return undefined;
      if (path[0] === '@metadata') {
        addPath(metadata, path.slice(1));
        continue;
      }
      if (path.length === 0) return undefined;
      addPath(paths, path);
      continue;
    }
    if (!NO_REF.test(rest)) return undefined;
  }
  return { data: paths, metadata };
}

function pathOrUndefined(ref: string): string[] | undefined {
  try {
    return parseFieldPath(ref);
  } catch {
    return undefined;
  }
}

/** A reference of names made of word characters, `@` and `-`: `name` or `[a][b]`. */
const PLAIN_REFERENCE = /^(?:[\w@-]+|(?:\[[\w@-]+\])+)$/;

/** Adds a path once (code that reads a field several times ships it once). */
function addPath(paths: string[][], path: string[]): void {
  for (const p of paths) if (p.length === path.length && p.every((k, i) => k === path[i])) return;
  paths.push(path);
}

/** The metadata restricted to the paths readReferences found (all of it when one is the whole). */
export function projectMetadata(metadata: FieldMap, paths: readonly string[][]): FieldMap {
  return paths.some((p) => p.length === 0) ? metadata : project(metadata, paths);
}

/** The event's fields restricted to the paths (a requested path brings its whole subtree). */
export function project(data: FieldMap, paths: readonly string[][]): FieldMap {
  const out: FieldMap = {};
  for (const path of paths) {
    let src: FieldValue | undefined = data;
    let dst: FieldMap = out;
    for (let i = 0; i < path.length; i++) {
      if (!isFieldMap(src)) break;
      const key = path[i]!;
      if (!Object.prototype.hasOwnProperty.call(src, key)) break;
      const value: FieldValue = src[key]!;
      if (i === path.length - 1 || !isFieldMap(value)) {
        // The whole value (over any partial copy a longer path made before).
        dst[key] = value;
        break;
      }
      let next = dst[key];
      if (!isFieldMap(next)) {
        next = {};
        dst[key] = next;
      } else if (next === value) break;
      dst = next;
      src = value;
    }
  }
  return out;
}
