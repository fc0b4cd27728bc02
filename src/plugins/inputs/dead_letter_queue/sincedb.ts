// The dead_letter_queue input's sincedb (logstash-input-dead_letter_queue SinceDB.java): the
// version char '1' as a Java char (2 bytes, big-endian), the segment's absolute path as an int32
// length and its bytes, the offset as an int64 — all big-endian, in a buffer of path length + 65
// bytes written whole (so the file ends in zeros). An empty file means "no position yet".
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const VERSION = 0x31; // '1'

export interface DlqPosition {
  segment: string;
  offset: number;
}

export class SincedbError extends Error {
  override readonly name = 'SincedbError';
}

/** SinceDB.fromPath: undefined when the file is absent or empty. */
export function readDlqSincedb(file: string): DlqPosition | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SincedbError(`cannot read the sincedb ${file}: ${(e as Error).message}`);
  }
  if (bytes.length === 0) return undefined;
  if (bytes.length < 2) throw new SincedbError(`sincedb ${file} is ${bytes.length} byte, too short for its version`);
  const version = bytes.readUInt16BE(0);
  if (version !== VERSION) throw new SincedbError(`Sincedb version:${String.fromCharCode(version)} does not match: 1 (${file})`);
  if (bytes.length < 6) throw new SincedbError(`sincedb ${file} is ${bytes.length} bytes, too short for a segment path length`);
  const length = bytes.readInt32BE(2);
  if (length < 0 || 6 + length + 8 > bytes.length) throw new SincedbError(`sincedb ${file}: a segment path of ${length} bytes and an offset do not fit in its ${bytes.length} bytes`);
  const segment = bytes.toString('utf8', 6, 6 + length);
  const offset = bytes.readBigInt64BE(6 + length);
  if (offset < 0n || offset > BigInt(Number.MAX_SAFE_INTEGER)) throw new SincedbError(`sincedb ${file}: offset ${offset} is not a file position`);
  return { segment, offset: Number(offset) };
}

/** The bytes SinceDB#flush writes (the path as UTF-8; Logstash writes its char count, the same for ASCII paths). */
export function encodeDlqSincedb(position: DlqPosition): Buffer {
  const pathBytes = Buffer.from(path.resolve(position.segment), 'utf8');
  const out = Buffer.alloc(pathBytes.length + 1 + 64);
  out.writeUInt16BE(VERSION, 0);
  out.writeInt32BE(pathBytes.length, 2);
  pathBytes.copy(out, 6);
  out.writeBigInt64BE(BigInt(position.offset), 6 + pathBytes.length);
  return out;
}

/** Writes through a temporary file, so a crash mid-write leaves the previous position. */
export function writeDlqSincedb(file: string, position: DlqPosition): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, encodeDlqSincedb(position));
  renameSync(tmp, file);
}
