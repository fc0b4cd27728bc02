// The README's Quick start main command: `npm run demo` (scripts/demo.sh) must tell the whole story —
// synth → rewrite → conf/ipfix.conf listening on udp 4739 → replay → rubydebug events with HTTP fields.
import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** conf/ipfix.conf listens on 0.0.0.0:4739 as written; the demo cannot run if something else holds it. */
async function port4739Free(): Promise<boolean> {
  const s = createSocket('udp4');
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.bind(4739, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}

describe('npm run demo (scripts/demo.sh)', () => {
  it('replays a synthesized AppFlow capture into conf/ipfix.conf and shows Logstash-shaped events', async (ctx) => {
    if (!(await port4739Free())) {
      console.warn('SKIP demo test: udp port 4739 is in use on this machine');
      ctx.skip();
    }
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile('bash', [path.join(REPO, 'scripts/demo.sh')], { cwd: REPO, timeout: 60_000 }, (err, out) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: out }),
      );
    });
    expect(code).toBe(0);
    const text = stdout.replace(/\x1b\[[0-9;]*m/g, '');
    expect(text).toMatch(/"netscalerHttpReqUrl" => "\/[^"]*",/);
    // Converted times are strings in the Logstash codec (quoted), @timestamp is a bare Timestamp.
    expect(text).toMatch(/"flowStartMicroseconds" => "\d{4}-\d\d-\d\dT[\d:.]+Z",/);
    expect(text).toMatch(/"@timestamp" => \d{4}-/);
    expect(text).toContain('"type" => "ipfix"');
    // Two exporters, kept apart on loopback.
    expect(text).toContain('"ip" => "127.0.0.2"');
    expect(text).toContain('"ip" => "127.0.0.3"');
    expect(text).toContain('Summary: events in=6 filtered=6 out=6 dropped=0 failed=0');
  });
});
