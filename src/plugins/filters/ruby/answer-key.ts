// The key a pure ruby filter's answers are kept under: a text that differs whenever what would
// cross into Ruby (project()/projectMetadata() of the read paths) differs, made by walking the
// paths on the event itself, without building the projected maps or the wire text. For each path:
// how deep the walk got and the value found there (project() copies exactly that value, and creates
// the maps above it).
import { isFieldMap, type FieldMap, type FieldValue } from '../../../event/values.ts';
import { WireWriter } from './wire.ts';

const hasOwn = Object.prototype.hasOwnProperty;

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
  const writer = new WireWriter();
  let key = '';
  for (const path of dataPaths) key += pathKey(data, path, writer) + '\x01';
  key += '\x02';
  if (metadataPaths.some((p) => p.length === 0)) return key + writer.map(metadata);
  for (const path of metadataPaths) key += pathKey(metadata, path, writer) + '\x01';
  return key;
}
