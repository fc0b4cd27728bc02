import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { internetChecksum } from '../../src/packet/checksum.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED = resolve(ROOT, '../shared');
export const HAVE_SHARED = existsSync(resolve(SHARED, 'corpus'));
if (!HAVE_SHARED) console.warn(`[replay tests] ${SHARED} is absent: corpus tests are skipped`);

export function haveTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Splits an Ethernet/IPv4 frame (14-byte header, no options) into IPv4 fragments carrying
 * `chunk` bytes (a multiple of 8) of IP payload each.
 */
export function fragmentIPv4(frame: Buffer, chunk: number): Buffer[] {
  const l2 = frame.subarray(0, 14);
  const hl = (frame[14]! & 0xf) * 4;
  const header = frame.subarray(14, 14 + hl);
  const payload = frame.subarray(14 + hl);
  const out: Buffer[] = [];
  for (let off = 0; off < payload.length; off += chunk) {
    const part = payload.subarray(off, Math.min(payload.length, off + chunk));
    const h = Buffer.from(header);
    h.writeUInt16BE(hl + part.length, 2);
    const more = off + chunk < payload.length;
    h.writeUInt16BE((more ? 0x2000 : 0) | (off / 8), 6);
    h.writeUInt16BE(0, 10);
    h.writeUInt16BE(internetChecksum(h, 0, hl), 10);
    out.push(Buffer.concat([l2, h, part]));
  }
  return out;
}

/** Splits an Ethernet/IPv6/UDP frame into fragments with a Fragment header. */
export function fragmentIPv6(frame: Buffer, chunk: number, id: number): Buffer[] {
  const l2 = frame.subarray(0, 14);
  const header = frame.subarray(14, 54);
  const nh = header[6]!;
  const payload = frame.subarray(54);
  const out: Buffer[] = [];
  for (let off = 0; off < payload.length; off += chunk) {
    const part = payload.subarray(off, Math.min(payload.length, off + chunk));
    const h = Buffer.from(header);
    h[6] = 44;
    h.writeUInt16BE(8 + part.length, 4);
    const fh = Buffer.alloc(8);
    fh[0] = nh;
    const more = off + chunk < payload.length;
    fh.writeUInt16BE(off | (more ? 1 : 0), 2);
    fh.writeUInt32BE(id, 4);
    out.push(Buffer.concat([l2, h, fh, part]));
  }
  return out;
}

/** An IPFIX message (RFC 7011 header) carrying one Set per entry of `setBodies` (Set id 256+i). */
export function ipfixMessage(exportTime: number, setBodies: number[] = [8], seq = 0): Buffer {
  const sets = setBodies.map((n, i) => {
    const set = Buffer.alloc(4 + n, i + 1);
    set.writeUInt16BE(256 + i, 0);
    set.writeUInt16BE(4 + n, 2);
    return set;
  });
  const head = Buffer.alloc(16);
  head.writeUInt16BE(10, 0);
  head.writeUInt16BE(16 + sets.reduce((n, b) => n + b.length, 0), 2);
  head.writeUInt32BE(exportTime, 4);
  head.writeUInt32BE(seq, 8);
  head.writeUInt32BE(7, 12);
  return Buffer.concat([head, ...sets]);
}
