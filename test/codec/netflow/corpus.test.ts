// Compatibility with the real Logstash codec: every case of corpus/logstash-netflow and every capture
// with an .expected.json, fed in order to ONE codec instance, compared field for field.
import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { HAVE_SHARED, SHARED, runCase } from './corpus-helpers.ts';
import type { NetflowOptions } from '../../../src/codec/netflow/options.ts';

if (!HAVE_SHARED) console.warn(`skipping netflow corpus tests: ${SHARED} is absent`);

function cases(dir: string): { name: string; pcap: string; expected: string }[] {
  const d = path.join(SHARED, 'corpus', dir);
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((f) => f.endsWith('.expected.json'))
    .sort()
    .map((f) => ({ name: f.replace('.expected.json', ''), expected: path.join(d, f), pcap: path.join(d, f.replace('.expected.json', '.pcap')) }))
    .filter((c) => existsSync(c.pcap));
}

// Captures whose templates hold an element the Logstash codec does not define: it drops those
// templates, flowstash decodes them. Compared with the Logstash behaviour switched on.
const LOGSTASH_DROPS_TEMPLATE = /^pmacctta_(101|102|111)-/;
// Logstash skips RFC 6313 lists; flowstash decodes them (checked in decoder.test.ts).
const HAS_LISTS = new Set(['49_ipfix_yaf_basic_with_applabel']);

describe.skipIf(!HAVE_SHARED)('logstash-netflow spec cases (same events as logstash-codec-netflow 4.3.4)', () => {
  const list = cases('logstash-netflow');
  it('has the 54 cases', () => expect(list.length).toBe(54));
  for (const c of list) {
    it(c.name, async () => {
      const r = await runCase(c.pcap, c.expected, {}, false, HAS_LISTS.has(c.name));
      expect(r.diffs).toEqual([]);
    });
  }
});

describe.skipIf(!HAVE_SHARED)('real exporter captures with an expected.json', () => {
  for (const c of cases('captures')) {
    it(c.name, async () => {
      const opts: Partial<NetflowOptions> = LOGSTASH_DROPS_TEMPLATE.test(c.name) ? { unknown_elements: 'drop_template' } : {};
      const r = await runCase(c.pcap, c.expected, opts, true);
      expect(r.diffs).toEqual([]);
    });
  }
});
