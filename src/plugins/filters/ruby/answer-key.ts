// The key a pure ruby filter's answers are kept under: a text that differs whenever what would
// cross into Ruby (project()/projectMetadata() of the read paths) differs, made by walking the
// paths on the event itself, without building the projected maps or the wire text. For each path:
// how deep the walk got and the value found there (project() copies exactly that value, and creates
// the maps above it).
import { isFieldMap, type FieldMap, type FieldValue } from '../../../event/values.ts';
import { WireWriter } from './wire.ts';

const hasOwn = Object.prototype.hasOwnProperty;

/** Only its text is used (its `nested` flag means nothing for a key): one writer serves every call. */
const KEY_WRITER = new WireWriter();

/** The walk of one path as project() does it, written to `writer`'s text form. */
function pathKey(root: FieldMap, path: readonly string[], writer: WireWriter): string {
  let src: FieldValue = root;
  for (let i = 0; i < path.length; i++) {
    if (!isFieldMap(src)) return `${i}-`;
    const key = path[i]!;
    if (!hasOwn.call(src, key)) return `${i}-`;
    const value: FieldValue = src[key]!;
    if (i === path.length - 1 || !isFieldMap(value)) return `${i}=${writer.value(value)}`;
    src = value;
  }
  return '-';
}

/** The answer key of an event for these data and @metadata paths (an empty metadata path: all of it). */
export function answerKey(data: FieldMap, metadata: FieldMap, dataPaths: readonly string[][], metadataPaths: readonly string[][]): string {
  const writer = KEY_WRITER;
  let key = '';
  for (const path of dataPaths) key += pathKey(data, path, writer) + '\x01';
  key += '\x02';
  if (metadataPaths.some((p) => p.length === 0)) return key + writer.map(metadata);
  for (const path of metadataPaths) key += pathKey(metadata, path, writer) + '\x01';
  return key;
}

/** pathKey()'s depth for an empty path. */
const EMPTY_PATH = -0x10000;
/** Kept in place of an object found (not held on to; never equal to a value found). */
const OBJECT: unique symbol = Symbol('object');
/** Keys kept per value for a single path (cleared when full), and the longest string value kept. */
const SINGLE_PATH_KEYS = 1024;
const SINGLE_PATH_TEXT = 256;

/**
 * An event's answer key, remembered from the previous event: what the walk of each path found
 * (how deep, absent or a value) is compared with what it found last time, and when nothing differs
 * and every value found is a primitive (so equal values write equal text) the previous key is
 * answered again, without building a string. Consecutive flows mostly repeat their inputs. Code
 * that reads one field (a flag, a protocol number) also keeps the key of each value it has seen.
 */
export class AnswerKeys {
  private readonly depths: number[];
  private readonly values: (FieldValue | undefined | typeof OBJECT)[];
  private last: string | undefined;
  /** A whole-@metadata path: the key holds every metadata value, so it is built every time. */
  private readonly wholeMetadata: boolean;
  /** One data path and no @metadata: the key per primitive value found at the path's end… */
  private readonly byValue: Map<FieldValue | undefined, string> | undefined;
  /** …and per depth the path is absent at. */
  private readonly byAbsentDepth: string[] = [];

  constructor(
    private readonly dataPaths: readonly string[][],
    private readonly metadataPaths: readonly string[][],
  ) {
    const count = dataPaths.length + metadataPaths.length;
    this.depths = new Array<number>(count).fill(EMPTY_PATH - 1);
    this.values = new Array<FieldValue | undefined | typeof OBJECT>(count).fill(OBJECT);
    this.wholeMetadata = metadataPaths.some((p) => p.length === 0);
    if (dataPaths.length === 1 && dataPaths[0]!.length > 0 && metadataPaths.length === 0) this.byValue = new Map();
  }

  keyOf(data: FieldMap, metadata: FieldMap): string {
    let same = this.last !== undefined && !this.wholeMetadata;
    const paths = this.dataPaths;
    for (let k = 0; k < paths.length; k++) same = this.remember(k, data, paths[k]!) && same;
    if (!this.wholeMetadata) {
      const base = paths.length;
      const meta = this.metadataPaths;
      for (let k = 0; k < meta.length; k++) same = this.remember(base + k, metadata, meta[k]!) && same;
    }
    if (same) return this.last!;
    const key = this.byValue !== undefined ? this.singlePathKey(data, metadata, this.byValue) : answerKey(data, metadata, this.dataPaths, this.metadataPaths);
    this.last = key;
    return key;
  }

  /** The key with one path read, from what remember() found for it. */
  private singlePathKey(data: FieldMap, metadata: FieldMap, byValue: Map<FieldValue | undefined, string>): string {
    const depth = this.depths[0]!;
    const value = this.values[0];
    if (depth < 0) return (this.byAbsentDepth[-depth - 1] ??= answerKey(data, metadata, this.dataPaths, this.metadataPaths));
    if (depth !== this.dataPaths[0]!.length - 1 || value === OBJECT || (typeof value === 'string' && value.length > SINGLE_PATH_TEXT)) {
      return answerKey(data, metadata, this.dataPaths, this.metadataPaths);
    }
    let key = byValue.get(value);
    if (key === undefined) {
      key = answerKey(data, metadata, this.dataPaths, this.metadataPaths);
      if (byValue.size >= SINGLE_PATH_KEYS) byValue.clear();
      byValue.set(value, key);
    }
    return key;
  }

  /**
   * Walks `path` as pathKey() does and keeps what it found in slot `k`: true when that is what the
   * slot held and is not an object (whose text could differ while the reference is the same).
   */
  private remember(k: number, root: FieldMap, path: readonly string[]): boolean {
    let depth = EMPTY_PATH;
    let value: FieldValue | undefined;
    let src: FieldValue = root;
    for (let i = 0; i < path.length; i++) {
      const key = path[i]!;
      if (!isFieldMap(src) || !hasOwn.call(src, key)) {
        // Absent at depth i: -(i + 1), apart from every depth a value is found at.
        depth = -(i + 1);
        break;
      }
      const found: FieldValue = src[key]!;
      if (i === path.length - 1 || !isFieldMap(found)) {
        depth = i;
        value = found;
        break;
      }
      src = found;
    }
    const kept = typeof value === 'object' && value !== null ? OBJECT : value;
    const same = this.depths[k] === depth && this.values[k] === kept && kept !== OBJECT;
    this.depths[k] = depth;
    this.values[k] = kept;
    return same;
  }
}
