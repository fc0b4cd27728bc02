// Compatibility with the real Logstash codec: every case of corpus/logstash-netflow and every capture
// with an .expected.json, fed in order to ONE codec instance, compared field for field.
import { describe, it, expect } from 'vitest';
import { HAS_LISTS, HAVE_SHARED, SHARED, captureOptions, corpusCases, runCase } from './corpus-helpers.ts';

if (!HAVE_SHARED) console.warn(`skipping netflow corpus tests: ${SHARED} is absent`);

describe.skipIf(!HAVE_SHARED)('logstash-netflow spec cases (same events as logstash-codec-netflow 4.3.4)', () => {
  const list = corpusCases('logstash-netflow');
  it('has the 54 cases', () => expect(list.length).toBe(54));
  for (const c of list) {
    it(c.name, async () => {
      const r = await runCase(c.pcap, c.expected, {}, false, HAS_LISTS.has(c.name));
      expect(r.diffs).toEqual([]);
    });
  }
});

describe.skipIf(!HAVE_SHARED)('real exporter captures with an expected.json', () => {
  for (const c of corpusCases('captures')) {
    it(c.name, async () => {
      const r = await runCase(c.pcap, c.expected, captureOptions(c.name), true);
      expect(r.diffs).toEqual([]);
    });
  }
});
