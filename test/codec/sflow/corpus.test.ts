// Issue 17: every capture of ../shared/corpus/sflow decodes in-process to the events the real
// Logstash sflow codec produced, field for field (key order, string values, the one integer),
// with @timestamp pinned to the capture time and `host` set as Logstash's udp input sets it.
import { describe, expect, it } from 'vitest';
import { HAVE_SFLOW_CORPUS, SFLOW_CORPUS, runSflowCase, sflowCases } from './corpus-helpers.ts';

if (!HAVE_SFLOW_CORPUS) console.warn(`skipping the sflow corpus tests: ${SFLOW_CORPUS} is absent`);

describe.skipIf(!HAVE_SFLOW_CORPUS)('sflow corpus (in-process)', () => {
  const cases = sflowCases();
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(5);
  });
  for (const c of cases) {
    it(`${c.name} (default: datagrams the codec drops are decoded and warned about)`, async () => {
      const r = await runSflowCase(c);
      expect(r.diffs, r.diffs.join('\n')).toEqual([]);
      expect(r.events).toBe(r.expectedEvents);
      if (r.recovered > 0) console.info(`${c.name}: ${r.recovered} events recovered from datagrams the codec drops`);
    });
    it(`${c.name} (malformed_datagrams => drop: exactly the codec's events)`, async () => {
      const r = await runSflowCase(c, 'drop');
      expect(r.diffs, r.diffs.join('\n')).toEqual([]);
      expect(r.events).toBe(r.expectedEvents);
    });
  }
});
