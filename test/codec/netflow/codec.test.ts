// The `netflow` codec plugin and `flowstash bench decode`, as the pipeline and users see them.
import { describe, it, expect, vi } from 'vitest';
import path from 'node:path';
import { createNetflowCodec } from '../../../src/plugins/codecs/netflow/codec.ts';
import { findPlugin } from '../../../src/plugins/registry.ts';
import { standaloneContext } from '../../../src/plugins/context.ts';
import type { Event } from '../../../src/event/event.ts';
import type { Logger, PluginContext } from '../../../src/plugins/types.ts';
import { jsonMap } from '../../../src/event/json.ts';
import { run as bench } from '../../../src/cli/bench.ts';
import { HAVE_SHARED, SHARED } from './corpus-helpers.ts';
import { ipfix, set, templateRecord, u16 } from '../../flow/netflow/build.ts';

function ctx(lines: string[]): PluginContext {
  const at = (level: string) => (msg: string) => lines.push(`${level} ${msg}`);
  const log: Logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), isEnabled: () => true };
  return standaloneContext({ log });
}

describe('netflow codec plugin', () => {
  it('is registered and emits Logstash-shaped events under the target, logging through the plugin logger', () => {
    expect(findPlugin('codec', 'netflow')?.implementation).toBeDefined();
    const lines: string[] = [];
    const codec = createNetflowCodec({ target: 'ipfix', versions: [10] }, ctx(lines));
    const events: Event[] = [];
    const msg = ipfix([set(2, templateRecord(256, [{ id: 7, length: 2 }])), set(256, u16(53)), set(300, u16(1))]);
    codec.decode(msg, { host: '192.0.2.9', port: 4739 }, (e) => events.push(e));
    expect(events.map((e) => jsonMap(e.toObject()))).toEqual([
      '{"@timestamp":"2023-11-14T22:13:20.000Z","ipfix":{"version":10,"sourceTransportPort":53},"@version":"1"}',
    ]);
    expect(lines).toEqual([
      "warn Can't (yet) decode flowset id 300 from observation domain id 0, because no template to decode it with has been received. This message will usually go away after 1 minute.",
    ]);
    expect(codec.stats()).toMatchObject({ packets: 1, flows: 1, data_sets_without_template: 1, templates_new: 1 });
    expect(() => codec.encode()).toThrow(/only decodes/);
  });
});

describe.skipIf(!HAVE_SHARED)('flowstash bench decode', () => {
  it('prints the summary line', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    try {
      const code = await bench(['decode', path.join(SHARED, 'corpus/captures/generated_softflowd-v10.pcap'), '--seconds', '0.05']);
      expect(code).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const text = out.join('');
    expect(text).toMatch(/flows per pass +717\n/);
    expect(text.trimEnd().split('\n').pop()).toMatch(/^decoded \d+ flows in \d+\.\d{3} s \(\d+ flows\/s\)$/);
  });

  it('refuses a capture without netflow', async () => {
    const err: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
    try {
      expect(await bench(['decode', path.join(SHARED, 'corpus/rewrite/cases.tsv')])).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(err.join('')).toMatch(/^flowstash bench decode: /);
  });
});
