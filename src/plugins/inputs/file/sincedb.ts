// The sincedb file in logstash-input-file's v2 format, one record a line:
//   "<inode> <major> <minor> <position> <last_changed_at> <path>"
// (filewatch's InodeStruct#to_s + SincedbValue#to_s; last_changed_at in epoch seconds as a float).
// Records older than sincedb_clean_after days are dropped on write, as the plugin's serializer does.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SincedbRecord {
  inode: string;
  major: number;
  minor: number;
  position: number;
  lastChangedAt: number;
  path: string | undefined;
}

export const sincedbKey = (inode: string, major: number, minor: number): string => `${inode} ${major} ${minor}`;

/** Linux encodes st_dev as glibc's gnu_dev_makedev; Ruby's File::Stat#dev_major/#dev_minor undo it. */
export function deviceNumbers(dev: number): { major: number; minor: number } {
  const d = BigInt(dev);
  const major = Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn));
  const minor = Number((d & 0xffn) | ((d >> 12n) & ~0xffn));
  return { major, minor };
}

export function parseSincedb(text: string): Map<string, SincedbRecord> {
  const out = new Map<string, SincedbRecord>();
  for (const line of text.split('\n')) {
    const parts = line.trim().split(' ');
    if (parts.length < 4) continue;
    const [inode, major, minor, position, changed, ...rest] = parts;
    const record: SincedbRecord = {
      inode: inode!,
      major: Number(major),
      minor: Number(minor),
      position: Number(position),
      lastChangedAt: changed !== undefined ? Number(changed) : Date.now() / 1000,
      path: rest.length > 0 ? rest.join(' ') : undefined,
    };
    if ([record.major, record.minor, record.position].some((n) => !Number.isFinite(n))) continue;
    out.set(sincedbKey(record.inode, record.major, record.minor), record);
  }
  return out;
}

export function readSincedb(file: string): Map<string, SincedbRecord> {
  try {
    return parseSincedb(readFileSync(file, 'utf8'));
  } catch {
    return new Map();
  }
}

export function formatSincedb(records: Iterable<SincedbRecord>, now: number, cleanAfterDays: number): string {
  let text = '';
  for (const r of records) {
    if (now > r.lastChangedAt + cleanAfterDays * 86400) continue;
    text += `${r.inode} ${r.major} ${r.minor} ${r.position} ${r.lastChangedAt.toFixed(6).replace(/0+$/, '').replace(/\.$/, '.0')}${r.path ? ` ${r.path}` : ''}\n`;
  }
  return text;
}

/** Writes atomically (a temp file renamed over), as the plugin's atomic write does. */
export function writeSincedb(file: string, text: string): void {
  if (file === '/dev/null' || file === 'NUL') return;
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
