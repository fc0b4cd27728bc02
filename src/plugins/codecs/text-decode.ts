// Bytes → message text the way Logstash's Charset converter does it for UTF-8: valid input as-is;
// invalid UTF-8 becomes Ruby's escaped inspect text (`\xFF`) with a WARN, never dropped.
import { isUtf8 } from 'node:buffer';
import type { Logger, SourceInfo } from '../types.ts';
import { rubyInspectBytesInner } from '../../event/ruby-inspect.ts';

export class Utf8TextDecoder {
  invalid = 0;
  private readonly other?: TextDecoder;

  /** `charset` other than UTF-8 (ISO-8859-1, windows-1252, …) is converted, undecodable bytes replaced, as Logstash does. */
  constructor(
    private readonly log?: Logger,
    charset = 'UTF-8',
  ) {
    if (!/^utf-?8$/i.test(charset)) {
      try {
        this.other = new TextDecoder(charset);
      } catch {
        throw new Error(`Unsupported charset '${charset}'`);
      }
    }
  }

  decode(bytes: Buffer): string {
    if (this.other) return this.other.decode(bytes);
    if (isUtf8(bytes)) return bytes.toString('utf8');
    this.invalid++;
    const text = rubyInspectBytesInner(bytes);
    this.log?.warn('Received an event that has a different character encoding than you configured.', {
      text,
      expected_charset: 'UTF-8',
    });
    return text;
  }
}

/** Splits a byte stream on a delimiter, keeping the unterminated tail until more data or flush. */
export class DelimitedSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly delim: Buffer;

  constructor(delimiter: string) {
    this.delim = Buffer.from(delimiter, 'utf8');
    if (this.delim.length === 0) throw new Error('The delimiter must not be empty');
  }

  /** Calls `each` with every complete record (delimiter removed). */
  push(chunk: Buffer, each: (record: Buffer) => void): void {
    const single = this.delim.length === 1 ? this.delim[0]! : -1;
    if (single < 0 && this.pendingBytes > 0) {
      // A multi-byte delimiter may straddle chunks: scan the pending bytes together with the new ones.
      chunk = Buffer.concat([...this.pending, chunk]);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let start = 0;
    for (;;) {
      const at = single >= 0 ? chunk.indexOf(single, start) : chunk.indexOf(this.delim, start);
      if (at === -1) break;
      if (this.pendingBytes > 0) {
        this.pending.push(chunk.subarray(start, at));
        const whole = Buffer.concat(this.pending, this.pendingBytes + at - start);
        this.pending = [];
        this.pendingBytes = 0;
        each(whole);
      } else {
        each(chunk.subarray(start, at));
      }
      start = at + this.delim.length;
    }
    if (start < chunk.length) {
      // Copy: the caller may reuse its buffer.
      const rest = Buffer.from(chunk.subarray(start));
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
  }

  /** The unterminated tail, if any. */
  flush(): Buffer | undefined {
    if (this.pendingBytes === 0) return undefined;
    const tail = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    return tail;
  }
}

/** One DelimitedSplitter per source (host:port), so interleaved senders never splice each other's lines. */
export class SplittersBySource {
  private readonly splitters = new Map<string, DelimitedSplitter>();

  constructor(private readonly delimiter: string) {}

  for(source: SourceInfo): DelimitedSplitter {
    const key = `${source.host ?? ''}:${source.port ?? ''}`;
    let s = this.splitters.get(key);
    if (!s) {
      s = new DelimitedSplitter(this.delimiter);
      this.splitters.set(key, s);
    }
    return s;
  }
}
