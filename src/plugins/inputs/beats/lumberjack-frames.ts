// The Lumberjack protocol's frames (v2 as libbeat writes them, v1 data frames accepted): each
// frame is a version byte ('1' or '2'), a type byte and a big-endian body —
//   W: uint32 window size          C: uint32 length + zlib stream of frames
//   J: uint32 seq, uint32 length, JSON object     D: uint32 seq, uint32 pair count, (uint32 len, key, uint32 len, value)*
// The reader takes the byte stream in any split and returns the complete frames; a bad frame
// throws LumberjackFrameError naming what was wrong and at which byte of the connection.
import { inflateSync } from 'node:zlib';
import type { FieldMap } from '../../../event/values.ts';
import { parseJsonValue } from '../../../event/json-parse.ts';
import { isFieldMap } from '../../../event/values.ts';

export type LumberjackFrame =
  | { type: 'window'; version: 1 | 2; size: number }
  | { type: 'event'; version: 1 | 2; seq: number; data: FieldMap };

export class LumberjackFrameError extends Error {
  override readonly name = 'LumberjackFrameError';
  constructor(
    readonly what: string,
    readonly offset: number,
  ) {
    super(`${what} at byte ${offset}`);
  }
}

/** A frame body larger than this is refused rather than buffered (libbeat's batches are far smaller). */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export class LumberjackFrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes of the stream consumed by complete frames. */
  private consumed = 0;

  /** Bytes received but not yet part of a complete frame. */
  get pending(): number {
    return this.buffer.length;
  }

  /**
   * The frames completed by `chunk`. A bad frame ends the list as a LumberjackFrameError (the
   * frames before it in the same chunk are still returned); the stream cannot go on after it.
   */
  push(chunk: Buffer): (LumberjackFrame | LumberjackFrameError)[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: (LumberjackFrame | LumberjackFrameError)[] = [];
    const start = this.consumed;
    let at = 0;
    try {
      for (;;) {
        const parsed: LumberjackFrame[] = [];
        const used = parseFrame(this.buffer, at, start, parsed);
        if (used === 0) break;
        frames.push(...parsed);
        at += used;
        this.consumed += used;
      }
    } catch (e) {
      if (!(e instanceof LumberjackFrameError)) throw e;
      frames.push(e);
    }
    this.buffer = this.buffer.subarray(at);
    return frames;
  }
}

/**
 * Parses one frame of `buf` at `at` into `out`; returns its length, or 0 when the frame is not
 * complete yet. `base` is the stream offset of `buf[0]` (for error positions).
 */
function parseFrame(buf: Buffer, at: number, base: number, out: LumberjackFrame[]): number {
  if (buf.length - at < 2) return 0;
  const where = base + at;
  const versionByte = buf[at]!;
  if (versionByte !== 0x31 && versionByte !== 0x32) throw new LumberjackFrameError(`Invalid version of beats protocol: ${byteText(versionByte)}`, where);
  const version = versionByte === 0x31 ? 1 : 2;
  const type = buf[at + 1]!;
  const body = at + 2;
  const need = (n: number): boolean => buf.length - body >= n;
  switch (type) {
    case 0x57: {
      // 'W'
      if (!need(4)) return 0;
      out.push({ type: 'window', version, size: buf.readUInt32BE(body) });
      return 6;
    }
    case 0x43: {
      // 'C'
      if (!need(4)) return 0;
      const length = checkLength(buf.readUInt32BE(body), 'compressed frame', where);
      if (!need(4 + length)) return 0;
      let inner: Buffer;
      try {
        inner = inflateSync(buf.subarray(body + 4, body + 4 + length));
      } catch (e) {
        throw new LumberjackFrameError(`compressed frame: ${(e as Error).message}`, where);
      }
      let i = 0;
      while (i < inner.length) {
        const used = parseFrame(inner, i, 0, out);
        if (used === 0) throw new LumberjackFrameError(`compressed frame ends inside a frame (${inner.length - i} bytes left of ${inner.length})`, where);
        i += used;
      }
      return 6 + length;
    }
    case 0x4a: {
      // 'J'
      if (!need(8)) return 0;
      const seq = buf.readUInt32BE(body);
      const length = checkLength(buf.readUInt32BE(body + 4), 'JSON frame', where);
      if (!need(8 + length)) return 0;
      const text = buf.toString('utf8', body + 8, body + 8 + length);
      let data: unknown;
      try {
        data = parseJsonValue(text);
      } catch (e) {
        throw new LumberjackFrameError(`JSON frame seq ${seq}: ${(e as Error).message}`, where);
      }
      if (!isFieldMap(data)) throw new LumberjackFrameError(`JSON frame seq ${seq}: payload is not a JSON object`, where);
      out.push({ type: 'event', version, seq, data: data as FieldMap });
      return 10 + length;
    }
    case 0x44: {
      // 'D'
      if (!need(8)) return 0;
      const seq = buf.readUInt32BE(body);
      const pairs = buf.readUInt32BE(body + 4);
      let i = body + 8;
      const data: FieldMap = {};
      for (let p = 0; p < pairs; p++) {
        const key = readString(buf, i, where);
        if (!key) return 0;
        const value = readString(buf, key.next, where);
        if (!value) return 0;
        data[key.text] = value.text;
        i = value.next;
      }
      out.push({ type: 'event', version, seq, data });
      return i - at;
    }
    default:
      throw new LumberjackFrameError(`Invalid Frame Type, received: ${byteText(type)}`, where + 1);
  }
}

function readString(buf: Buffer, at: number, where: number): { text: string; next: number } | undefined {
  if (buf.length - at < 4) return undefined;
  const length = checkLength(buf.readUInt32BE(at), 'data frame field', where);
  if (buf.length - at - 4 < length) return undefined;
  return { text: buf.toString('utf8', at + 4, at + 4 + length), next: at + 4 + length };
}

function checkLength(length: number, what: string, where: number): number {
  if (length > MAX_FRAME_BYTES) throw new LumberjackFrameError(`${what} length ${length} exceeds ${MAX_FRAME_BYTES}`, where);
  return length;
}

const byteText = (b: number): string => (b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `0x${b.toString(16).padStart(2, '0')}`);

/** An ack frame: the highest sequence number of the window whose events are queued. */
export function ackFrame(version: 1 | 2, seq: number): Buffer {
  const b = Buffer.alloc(6);
  b[0] = version === 1 ? 0x31 : 0x32;
  b[1] = 0x41;
  b.writeUInt32BE(seq, 2);
  return b;
}
