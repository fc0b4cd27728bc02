// A minimal RESP responder for the conformance walk (no redis-server there): it parses command
// arrays and answers integer replies to RPUSH/PUBLISH/LLEN and +OK to anything else.
import net from 'node:net';

export async function startRespStub(host = '127.0.0.1'): Promise<{ port: number; commands: string[][]; server: net.Server }> {
  const commands: string[][] = [];
  const server = net.createServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const parsed = parseCommand(buf);
        if (!parsed) break;
        buf = buf.subarray(parsed.used);
        commands.push(parsed.args);
        const name = parsed.args[0]?.toUpperCase();
        socket.write(name === 'RPUSH' || name === 'PUBLISH' || name === 'LLEN' ? ':1\r\n' : '+OK\r\n');
      }
    });
    socket.on('error', () => undefined);
  });
  server.unref();
  await new Promise<void>((r) => server.listen(0, host, r));
  return { port: (server.address() as net.AddressInfo).port, commands, server };
}

function parseCommand(buf: Buffer): { args: string[]; used: number } | undefined {
  if (buf.length === 0 || buf[0] !== 0x2a) return undefined;
  let pos = buf.indexOf('\r\n');
  if (pos < 0) return undefined;
  const n = Number(buf.subarray(1, pos).toString());
  pos += 2;
  const args: string[] = [];
  for (let i = 0; i < n; i++) {
    const end = buf.indexOf('\r\n', pos);
    if (end < 0) return undefined;
    const len = Number(buf.subarray(pos + 1, end).toString());
    if (buf.length < end + 2 + len + 2) return undefined;
    args.push(buf.subarray(end + 2, end + 2 + len).toString());
    pos = end + 2 + len + 2;
  }
  return { args, used: pos };
}
