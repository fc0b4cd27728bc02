// Template bookkeeping that must hold under hostile traffic (issue: a flood of spoofed exporters):
// cache saves are gathered and written off the decoding path, a full cache frees the exporter heard
// from least recently instead of locking new exporters out, and repeated problems log a bounded number
// of lines while every one is counted.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createNetflowDecoder, type LogLevel } from '../../../src/flow/netflow/decoder.ts';
import { ipfix, ipv4, set, templateRecord, u16, u64 } from './build.ts';

const REC = Buffer.concat([ipv4('10.0.0.1'), u16(443), u64(1234n)]);
const fields = [
  { id: 8, length: 4 },
  { id: 7, length: 2 },
  { id: 1, length: 8 },
];

/** One IPFIX message defining `count` templates (ids from `first`); with an odd `variant + i` a template gets a 4th field (ingressInterface), so consecutive variants change every layout. */
function manyTemplates(first: number, count: number, variant = 0): Buffer {
  const records = Array.from({ length: count }, (_, i) => templateRecord(first + i, (i + variant) % 2 === 1 ? [...fields, { id: 10, length: 4 }] : fields));
  return ipfix([set(2, Buffer.concat(records))]);
}

describe('template cache file saves', () => {
  it('200 datagrams of 50 changed templates: no write while decoding, one write of the final state on close', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flowstash-cache-burst-'));
    const dec = createNetflowDecoder({ cache_save_path: dir });
    for (let d = 0; d < 200; d++) dec.decode(manyTemplates(256, 50, d), { host: '192.0.2.1' });
    expect(dec.stats()['templates_changed']).toBeGreaterThan(9000);
    expect(dec.stats()['cache_writes']).toBe(0);
    await dec.close();
    expect(dec.stats()['cache_writes']).toBe(1);
    const saved = JSON.parse(readFileSync(path.join(dir, 'ipfix_templates.cache'), 'utf8')) as Record<string, unknown[]>;
    expect(Object.keys(saved)).toHaveLength(50);
    // The last datagram's layouts are what the file holds (variant 199: odd ids have 4 fields).
    expect(saved['0|257']).toHaveLength((1 + 199) % 2 === 1 ? 4 : 3);
  });
});

describe('a full template cache', () => {
  it('frees the exporter heard from least recently: a new exporter decodes at once, evictions are counted', () => {
    const logs: { level: LogLevel; message: string }[] = [];
    const dec = createNetflowDecoder({}, { log: (level, message) => logs.push({ level, message }), maxTotalTemplates: 1000 });
    // 100 spoofed exporters fill the cache (10 templates each).
    for (let e = 0; e < 100; e++) dec.decode(manyTemplates(256, 10), { host: `10.66.${e >> 8}.${e & 255}` });
    expect(dec.stats()['templates_cached']).toBe(1000);
    // A legitimate exporter arrives: its template is kept and its data decoded.
    const real = { host: '192.0.2.77' };
    dec.decode(ipfix([set(2, templateRecord(300, fields))]), real);
    const [flow] = dec.decode(ipfix([set(300, REC)]), real);
    expect(flow!.fields).toMatchObject({ sourceIPv4Address: '10.0.0.1', sourceTransportPort: 443 });
    expect(dec.stats()).toMatchObject({ templates_rejected: 0, exporters_evicted: 1, templates_evicted: 10 });
    // The oldest spoofed exporter went, the most recent ones stay.
    expect(dec.decode(ipfix([set(256, REC)]), { host: '10.66.0.0' })).toHaveLength(0);
    expect(dec.decode(ipfix([set(256, REC)]), { host: '10.66.0.99' })).toHaveLength(1);
  });

  it('an exporter still in use is not the one freed', () => {
    const dec = createNetflowDecoder({}, { maxTotalTemplates: 30 });
    const busy = { host: '192.0.2.1' };
    dec.decode(manyTemplates(256, 10), busy);
    dec.decode(manyTemplates(256, 10), { host: '10.0.0.2' });
    dec.decode(manyTemplates(256, 10), { host: '10.0.0.3' });
    // The first exporter sends data (heard from most recently), then a fourth exporter needs room.
    dec.decode(ipfix([set(256, REC)]), busy);
    dec.decode(manyTemplates(256, 10), { host: '10.0.0.4' });
    expect(dec.decode(ipfix([set(256, REC)]), busy)).toHaveLength(1);
    expect(dec.decode(ipfix([set(256, REC)]), { host: '10.0.0.2' })).toHaveLength(0);
  });
});

describe('problem log budget', () => {
  it('a garbage flood logs at most 20 lines per kind per 10 s, one summary line after, and counts every datagram', () => {
    const logs: string[] = [];
    const clock = { t: 0 };
    const dec = createNetflowDecoder({}, { log: (_l, m) => logs.push(m), now: () => clock.t });
    for (let i = 0; i < 5000; i++) dec.decode(Buffer.from([0x00]), { host: '203.0.113.9' });
    expect(logs).toHaveLength(20);
    expect(dec.stats()['problem_bad-header']).toBe(5000);
    clock.t = 10_001;
    dec.decode(Buffer.from([0x00]), { host: '203.0.113.9' });
    expect(logs[20]).toBe("4980 more 'bad-header' problems in 10 s were not logged (all are counted in problem_bad-header)");
    expect(logs).toHaveLength(22);
  });
});
