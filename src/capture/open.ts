// Streaming reader for pcap (µs/ns, both byte orders), pcapng (sections, several interfaces,
// if_tsresol/if_tsoffset, EPB/SPB/PB; other blocks skipped) and RFC 5655 IPFIX files (each
// message one packet, as Wireshark's wiretap reads them). Memory stays constant: the file is
// read in chunks. Iterating yields every readable packet; a fatal fault (file cut mid-record,
// corrupt block length, absurd caplen) is thrown as a CaptureError after everything before it
// was yielded. Non-fatal problems are collected in `warnings`.
import { ByteSource } from './byte-source.ts';
import { CaptureError } from './errors.ts';
import { IPFIX_HEADER_LEN, IpfixFileReader, looksLikeIpfixMessage } from './ipfix-file.ts';
import { PCAP_MAGIC_NS, PCAP_MAGIC_US, PcapReader } from './pcap.ts';
import { PCAPNG_SHB, PcapngReader } from './pcapng.ts';
import type { CapturedPacket, CaptureReader } from './types.ts';

/** Opens a capture file; throws CaptureError('open' | 'bad-magic' | 'bad-header' | 'truncated'). */
export async function openCapture(path: string): Promise<CaptureReader> {
  let src: ByteSource;
  try {
    src = await ByteSource.fromFile(path);
  } catch (e) {
    if (e instanceof CaptureError) throw e;
    throw new CaptureError('open', path, 0, 0, `cannot open: ${(e as Error).message}`);
  }
  try {
    return await startReader(src, path);
  } catch (e) {
    await src.close();
    throw e;
  }
}

/** The same reader over bytes already in memory (`name` is used in messages). */
export async function openCaptureBuffer(data: Buffer, name: string): Promise<CaptureReader> {
  return startReader(ByteSource.fromBuffer(data), name);
}

/** Reads a whole capture into memory: the packets before any fatal fault, and that fault. */
export async function readAllPackets(
  reader: CaptureReader,
): Promise<{ packets: CapturedPacket[]; error: CaptureError | null }> {
  const packets: CapturedPacket[] = [];
  try {
    for await (const p of reader) packets.push(p);
    return { packets, error: null };
  } catch (e) {
    if (e instanceof CaptureError) return { packets, error: e };
    throw e;
  } finally {
    await reader.close();
  }
}

async function startReader(src: ByteSource, path: string): Promise<CaptureReader> {
  if (!(await src.ensure(4))) {
    throw new CaptureError('bad-magic', path, 0, 0, `not a capture file: only ${src.available} bytes long`);
  }
  const magicBE = src.buf.readUInt32BE(src.pos);
  const magicLE = src.buf.readUInt32LE(src.pos);
  if (magicBE === PCAPNG_SHB) return new PcapngReader(src, path);
  for (const m of [PCAP_MAGIC_US, PCAP_MAGIC_NS]) {
    if (magicBE === m || magicLE === m) {
      const reader = new PcapReader(src, path, magicBE === m ? 'big' : 'little', m === PCAP_MAGIC_NS);
      await reader.readHeader();
      return reader;
    }
  }
  // IPFIX files have no magic: accept the file when its first message is plausible IPFIX.
  let notIpfix = '';
  if (src.buf.readUInt16BE(src.pos) === 10) {
    await src.ensure(Math.max(IPFIX_HEADER_LEN, src.buf.readUInt16BE(src.pos + 2)));
    if (looksLikeIpfixMessage(src.buf, src.pos, src.available)) return new IpfixFileReader(src, path);
    notIpfix = ': its first IPFIX message header or Set lengths are invalid';
  }
  throw new CaptureError(
    'bad-magic',
    path,
    0,
    0,
    `not a pcap or pcapng file (magic 0x${magicBE.toString(16).padStart(8, '0')}), nor an RFC 5655 IPFIX file${notIpfix}`,
  );
}
