// The PROXY protocol header (HAProxy, v1 text and v2 binary) a load balancer puts at the start of a
// connection when `proxy_protocol => true`: the original client's address replaces the peer's, and
// the peer becomes the proxy. Bytes after the header are the stream.

export interface ProxyHeader {
  sourceIp: string;
  sourcePort: number;
}

export interface ProxyInfo extends ProxyHeader {
  proxyIp: string;
  proxyPort: number;
}

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_MAX = 107;

export class ProxyHeaderReader {
  done = false;
  info: ProxyHeader | undefined;
  private buf: Buffer = Buffer.alloc(0);

  /** Feeds connection bytes; returns the stream bytes after the header once it is complete (else undefined). */
  push(chunk: Buffer): Buffer | undefined {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const b = this.buf;
    if (b.length >= 12 && b.subarray(0, 12).equals(V2_SIGNATURE)) {
      if (b.length < 16) return undefined;
      const len = b.readUInt16BE(14);
      if (b.length < 16 + len) return undefined;
      const family = b[13]! >> 4;
      if (family === 1 && len >= 12) this.info = { sourceIp: [...b.subarray(16, 20)].join('.'), sourcePort: b.readUInt16BE(24) };
      else if (family === 2 && len >= 36) {
        const groups: string[] = [];
        for (let i = 0; i < 8; i++) groups.push(b.readUInt16BE(16 + 2 * i).toString(16));
        this.info = { sourceIp: groups.join(':'), sourcePort: b.readUInt16BE(48) };
      }
      this.done = true;
      return b.subarray(16 + len);
    }
    if (b.length >= 6 && b.subarray(0, 6).toString('latin1') !== 'PROXY ') throw new Error('the connection does not start with a PROXY protocol header');
    const end = b.indexOf('\r\n');
    if (end === -1) {
      if (b.length > V1_MAX) throw new Error('PROXY protocol v1 header longer than 107 bytes');
      return undefined;
    }
    const parts = b.subarray(0, end).toString('latin1').split(' ');
    if (parts[1] === 'TCP4' || parts[1] === 'TCP6') {
      if (parts.length !== 6) throw new Error(`malformed PROXY protocol v1 header: ${parts.join(' ')}`);
      this.info = { sourceIp: parts[2]!, sourcePort: Number(parts[4]) };
    } else if (parts[1] !== 'UNKNOWN') {
      throw new Error(`unknown PROXY protocol v1 family '${parts[1] ?? ''}'`);
    }
    this.done = true;
    return b.subarray(end + 2);
  }
}
