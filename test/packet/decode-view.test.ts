// decodeFrameInto (one view refilled per packet, the rewriter's hot path) must describe every
// frame exactly as a fresh decodeFrame does, whatever the previous frame left in the view.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFrameView, decodeFrame, decodeFrameInto, LINKTYPE } from '../../src/packet/decode.ts';
import { buildUdpFrame } from '../../src/packet/frame-builder.ts';
import { ethernetFrames, ipv6FragmentFrames, llcFrames } from '../capture/gen-captures.ts';

const LINK_TYPES = Object.values(LINKTYPE);

/** Inserts 802.1Q tags after the MAC addresses (QinQ when n > 1). */
function tagged(frame: Buffer, n: number): Buffer {
  const tags = Buffer.alloc(4 * n);
  for (let i = 0; i < n; i++) {
    tags.writeUInt16BE(i === 0 ? 0x88a8 : 0x8100, 4 * i);
    tags.writeUInt16BE(100 + i, 4 * i + 2);
  }
  return Buffer.concat([frame.subarray(0, 12), tags, frame.subarray(12)]);
}

const v4 = buildUdpFrame({ src: '192.0.2.1', dst: '198.51.100.2', srcPort: 2055, dstPort: 9995, payload: Buffer.alloc(40, 7) });
const v6 = buildUdpFrame({ src: '2001:db8::1', dst: '2001:db8::2', srcPort: 4739, dstPort: 4739, payload: Buffer.alloc(24, 9) });
const known: Buffer[] = [v4, v6, tagged(v4, 1), tagged(v6, 2), v4.subarray(0, 20), v6.subarray(0, 50), ...ethernetFrames(), ...ipv6FragmentFrames(), ...llcFrames()];

describe('decodeFrameInto', () => {
  it('matches decodeFrame on known frames, in every order, with one view', () => {
    const view = createFrameView();
    for (const a of known) {
      for (const b of known) {
        expect(decodeFrameInto(view, LINKTYPE.ETHERNET, a)).toEqual(decodeFrame(LINKTYPE.ETHERNET, a));
        expect(decodeFrameInto(view, LINKTYPE.ETHERNET, b)).toEqual(decodeFrame(LINKTYPE.ETHERNET, b));
      }
    }
  });

  it('matches decodeFrame on arbitrary bytes under every link type', () => {
    const view = createFrameView();
    const frameArb = fc.oneof(
      fc.uint8Array({ maxLength: 120 }),
      fc.constantFrom(...known).chain((f) => fc.tuple(fc.constant(f), fc.nat(f.length), fc.nat(255)).map(([g, at, v]) => {
        const copy = Uint8Array.from(g);
        if (at < copy.length) copy[at] = v;
        return copy;
      })),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...LINK_TYPES, 7), frameArb), { minLength: 1, maxLength: 8 }), (frames) => {
        for (const [linkType, bytes] of frames) {
          const data = Buffer.from(bytes);
          expect(decodeFrameInto(view, linkType, data)).toEqual(decodeFrame(linkType, data));
        }
      }),
      { numRuns: 300 },
    );
  });
});
