// Positions in a config text the way Logstash reports them. Logstash's parser runs on a Ruby string,
// so its "column" and "byte" count characters (code points), not UTF-16 units; SourceLocation.offset
// is the real UTF-8 byte offset.
import type { SourceLocation } from './ast.ts';

export class SourceText {
  /** UTF-16 index where each line starts. */
  private readonly lineStarts: number[] = [0];
  private readonly ascii: boolean;
  private lineByteStarts: number[] | undefined;

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0x0a) this.lineStarts.push(i + 1);
    // eslint-disable-next-line no-control-regex
    this.ascii = /^[\x00-\x7f]*$/.test(text);
  }

  /** 1-based line (number of "\n" before idx, plus one) and 1-based column in code points. */
  lineColumn(idx: number): { line: number; column: number } {
    const lineIdx = this.lineIndex(idx);
    const start = this.lineStarts[lineIdx]!;
    return { line: lineIdx + 1, column: this.codePoints(start, idx) + 1 };
  }

  /** Code point index of a UTF-16 index. */
  charIndex(idx: number): number {
    return this.ascii ? idx : this.codePoints(0, idx);
  }

  byteOffset(idx: number): number {
    if (this.ascii) return idx;
    if (!this.lineByteStarts) {
      this.lineByteStarts = [0];
      for (let i = 1; i < this.lineStarts.length; i++) {
        const prev = this.lineStarts[i - 1]!;
        this.lineByteStarts.push(this.lineByteStarts[i - 1]! + Buffer.byteLength(this.text.slice(prev, this.lineStarts[i]), 'utf8'));
      }
    }
    const line = this.lineIndex(idx);
    return this.lineByteStarts[line]! + Buffer.byteLength(this.text.slice(this.lineStarts[line], idx), 'utf8');
  }

  /** The UTF-16 index of a UTF-8 byte offset (inverse of byteOffset). */
  indexOfByte(offset: number): number {
    if (this.ascii) return offset;
    return Buffer.from(this.text, 'utf8').subarray(0, offset).toString('utf8').length;
  }

  /** The text of a 1-based line, without its line terminator. */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1] ?? this.text.length;
    const next = this.lineStarts[line];
    let end = next === undefined ? this.text.length : next - 1;
    if (end > start && this.text.charCodeAt(end - 1) === 0x0d) end--;
    return this.text.slice(start, end);
  }

  location(file: string, idx: number): SourceLocation {
    const { line, column } = this.lineColumn(idx);
    return { file, line, column, offset: this.byteOffset(idx) };
  }

  private lineIndex(idx: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= idx) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private codePoints(from: number, to: number): number {
    if (this.ascii) return to - from;
    let n = 0;
    for (let i = from; i < to; i++) {
      const c = this.text.charCodeAt(i);
      // Count a surrogate pair once.
      if (!(c >= 0xdc00 && c <= 0xdfff && i > from && isHigh(this.text.charCodeAt(i - 1)))) n++;
    }
    return n;
  }
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
