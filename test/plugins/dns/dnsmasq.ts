// A real DNS server for tests: Debian's dnsmasq on a random 127.0.0.x port, answering only from the
// hosts file it is given (`--local=/#/`: every other name is NXDOMAIN; nothing is forwarded).
// `dnsmasqBinary` is undefined when dnsmasq is not installed (package dnsmasq-base): tests skip.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const dnsmasqBinary = ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq'].find((p) => spawnSync(p, ['--version']).status === 0);

export interface Dnsmasq {
  /** `127.0.0.x:port`, as the dns filter's nameserver address. */
  nameserver: string;
  stop(): void;
}

/** Starts dnsmasq serving `hosts` lines (`address name…`) and waits until it answers `probeName`. */
export async function startDnsmasq(hosts: string[], probeName: string): Promise<Dnsmasq> {
  if (!dnsmasqBinary) throw new Error('dnsmasq is not installed');
  const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-dnsmasq-'));
  // dnsmasq started as root reads its hosts file after dropping privileges.
  chmodSync(dir, 0o755);
  const file = path.join(dir, 'hosts');
  writeFileSync(file, hosts.join('\n') + '\n');
  chmodSync(file, 0o644);
  const ip = `127.0.0.${2 + Math.floor(Math.random() * 200)}`;
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child: ChildProcess = spawn(
    dnsmasqBinary,
    [
      '--no-daemon', '--conf-file=/dev/null', '--pid-file=', `--port=${port}`, `--listen-address=${ip}`, '--bind-interfaces',
      '--no-resolv', '--no-hosts', `--addn-hosts=${file}`, '--local=/#/',
      ...(process.getuid?.() === 0 ? ['--user=root'] : []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const nameserver = `${ip}:${port}`;
  const probe = new Resolver({ timeout: 200, tries: 1 });
  probe.setServers([nameserver]);
  for (let i = 0; i < 50; i++) {
    try {
      await probe.resolve4(probeName);
      return { nameserver, stop: () => void child.kill() };
    } catch {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill();
  throw new Error(`dnsmasq did not answer on ${nameserver}: ${stderr.trim()}`);
}
