// The projected record reader agrees with the `maxmind` package's full decoder on every network of
// every MaxMind test database (../shared/geoip): same values for every key the projection keeps.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Reader } from 'maxmind';
import { describe, expect, it } from 'vitest';
import { parseIpLiteral } from './address.ts';
import { GeoDatabase } from './database.ts';

const GEOIP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/geoip');
const HAVE = existsSync(GEOIP);
if (!HAVE) console.warn(`[skip] ${GEOIP} is absent: the projection cross-check is skipped`);

/** The parts of `full` that `projected` has keys for (arrays element-wise). */
function restrict(full: unknown, projected: unknown): unknown {
  if (Array.isArray(projected)) return (full as unknown[]).map((v, i) => restrict(v, projected[i]));
  if (projected !== null && typeof projected === 'object' && !Buffer.isBuffer(projected)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(projected)) out[k] = restrict((full as Record<string, unknown>)[k], (projected as Record<string, unknown>)[k]);
    return out;
  }
  return full;
}

describe.skipIf(!HAVE)('MaxMind DB record projection', () => {
  const files = HAVE ? readdirSync(GEOIP).filter((f) => f.endsWith('.mmdb')) : [];
  for (const file of files) {
    it(`${file}: every network's record, projected, equals the full decode restricted to the same keys`, async () => {
      const db = await GeoDatabase.open(path.join(GEOIP, file));
      const reader = new Reader(readFileSync(path.join(GEOIP, file)));
      const source = JSON.parse(readFileSync(path.join(GEOIP, file.replace(/\.mmdb$/, '.json')), 'utf8')) as Record<string, unknown>[];
      let checked = 0;
      for (const entry of source) {
        const net = Object.keys(entry)[0]!;
        const address = parseIpLiteral(net.split('/')[0]!);
        if (!address) continue;
        const hit = db.find(address);
        const full = reader.get(address.text);
        if (!hit) {
          expect(full, net).toBeNull();
          continue;
        }
        const projected = db.record(hit.pointer);
        expect(projected, net).toEqual(restrict(full, projected));
        checked++;
      }
      expect(checked).toBeGreaterThan(0);
    });
  }
});
