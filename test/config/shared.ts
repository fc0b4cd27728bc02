// Where the shared test data lives (../shared next to the project root); tests skip visibly without it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED = path.resolve(REPO, '../shared');
export const REAL_CONFIGS = path.join(SHARED, 'configs/real');
export const EDGE_CASES = path.join(SHARED, 'configs/grammar-edge-cases.txt');
export const HAVE_SHARED = existsSync(REAL_CONFIGS) && existsSync(EDGE_CASES);

if (!HAVE_SHARED) console.warn(`[skip] ${SHARED} is absent: corpus tests (real configs, grammar edge cases) are skipped`);

export function realConfigs(): { name: string; text: string }[] {
  if (!HAVE_SHARED) return [];
  return readdirSync(REAL_CONFIGS)
    .filter((f) => f.endsWith('.conf'))
    .sort()
    .map((name) => ({ name, text: readFileSync(path.join(REAL_CONFIGS, name), 'utf8') }));
}

/** Environment the real configs need (one of them references Twitter credentials without defaults). */
export const REAL_CONFIG_ENV: Record<string, string> = {
  TWITTER_API_CONSUMER_KEY: 'key',
  TWITTER_API_CONSUMER_SECRET: 'secret',
  TWITTER_API_OAUTH_TOKEN: 'token',
  TWITTER_API_OAUTH_TOKEN_SECRET: 'token-secret',
};

/** Drops locations so ASTs from different texts can be compared. */
export function withoutLocations(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (k, v: unknown) => (k === 'loc' || k === 'end' || k === 'elseLoc' || k === 'file' ? undefined : v)));
}
