// String elements as the Logstash codec renders them. Variable-length strings (IPFIX, BinData VarString):
// trailing NULs trimmed, then Ruby's encode to ASCII with replacement — one '?' per non-ASCII character
// of valid UTF-8, one per invalid or truncated sequence (../shared/docs/reference/logstash-codec-netflow.md,
// "VarString": "ab\xC3\xA9c\xFF" → "ab?c?"). Fixed-length strings (IPFIX and v9) are not converted: raw
// bytes, one character per byte, trailing NULs trimmed — what the real codec produced for the corpus
// (28_netflow_9_nprobe_dpi_l7: nprobe_proto_name "\u0000Á\u0000\u0000\u0001¬…").
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createNetflowDecoder } from '../../../src/flow/netflow/decoder.ts';
import { ipfix, set, templateRecord, u16, v9, v9Template, varlen } from './build.ts';

const A = { host: '192.0.2.1', port: 4739 };
const bytes = (...parts: (string | number[])[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

/** [what, bytes, what Logstash shows] */
const CASES: [string, Buffer, string][] = [
  ['ASCII only', bytes('/path'), '/path'],
  ['a 2-byte character', bytes('/p', 'ä', 'th'), '/p?th'],
  ['a 3-byte character', bytes('a', '€', 'b'), 'a?b'],
  ['a 4-byte character', bytes('x', '😀', 'y'), 'x?y'],
  ['an invalid byte', bytes('ab', [0xff], 'c'), 'ab?c'],
  ['the reference example', bytes('ab', [0xc3, 0xa9], 'c', [0xff]), 'ab?c?'],
  ['a truncated 3-byte sequence, then ASCII', bytes('a', [0xe2, 0x82], 'b'), 'a?b'],
  ['a truncated 4-byte sequence at the end', bytes('a', [0xf0, 0x9f, 0x98]), 'a?'],
  ['two stray continuation bytes', bytes('a', [0x80, 0x80], 'b'), 'a??b'],
  ['NUL padding after a 2-byte character', bytes('é', [0, 0, 0]), '?'],
  ['an embedded NUL stays', bytes('a', [0], 'é'), 'a\u0000?'],
];

function decodeIpfixVarlen(value: Buffer): unknown {
  const dec = createNetflowDecoder({});
  const tpl = templateRecord(400, [{ id: 96, length: 65535 }]);
  const [f] = dec.decode(ipfix([set(2, tpl), set(400, varlen(value))]), A);
  return f!.fields['applicationName'];
}

function decodeIpfixFixed(value: Buffer, length = 24): unknown {
  const dec = createNetflowDecoder({});
  const tpl = templateRecord(401, [{ id: 96, length }]);
  const padded = Buffer.concat([value, Buffer.alloc(length - value.length)]);
  const [f] = dec.decode(ipfix([set(2, tpl), set(401, padded, 4)]), A);
  return f!.fields['applicationName'];
}

function decodeV9Fixed(value: Buffer, length = 24): unknown {
  const dec = createNetflowDecoder({});
  // v9 IE 82 IF_NAME: a string of the template's length.
  const tpl = v9Template(402, [{ id: 82, length }]);
  const rec = Buffer.concat([value, Buffer.alloc(length - value.length)]);
  const [f] = dec.decode(v9([Buffer.concat([u16(0), u16(4 + tpl.length), tpl]), Buffer.concat([u16(402), u16(4 + rec.length), rec])]), A);
  return f!.fields['if_name'];
}

describe('netflow string elements: varlen through Ruby encode, fixed-length as raw bytes', () => {
  for (const [what, value, want] of CASES) {
    it(`${what}: IPFIX varlen gives ${JSON.stringify(want)}; fixed-length (IPFIX, v9) keeps the bytes`, () => {
      expect(decodeIpfixVarlen(value)).toBe(want);
      const raw = Buffer.from(value);
      let end = raw.length;
      while (end > 0 && raw[end - 1] === 0) end--;
      const latin1 = raw.toString('latin1', 0, end);
      expect(decodeIpfixFixed(value)).toBe(latin1);
      expect(decodeV9Fixed(value)).toBe(latin1);
    });
  }

  it('any valid UTF-8 text: one ? per non-ASCII code point, ASCII kept, length in code points kept', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('\u0000')), (text) => {
        const want = Array.from(text, (ch) => (ch.codePointAt(0)! > 0x7f ? '?' : ch)).join('');
        expect(decodeIpfixVarlen(Buffer.from(text, 'utf8'))).toBe(want);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary bytes never throw and give ASCII only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (raw) => {
        const out = decodeIpfixVarlen(Buffer.from(raw));
        expect(typeof out === 'string' || out === undefined).toBe(true);
        if (typeof out === 'string') expect(/^[\x00-\x7f]*$/.test(out)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
