// The Logstash codec stores converted times as Timestamp#to_iso8601 *text*, so rubydebug prints them
// quoted ("flowStartMicroseconds" => "2017-…Z") while @timestamp stays a bare Timestamp. JSON cannot
// tell the two apart, so the corpus comparison alone would not catch a regression here.
import { describe, it, expect } from 'vitest';
import { createNetflowCodec } from '../../../src/plugins/codecs/netflow/codec.ts';
import { renderRubydebug } from '../../../src/plugins/codecs/rubydebug/rubydebug.ts';
import type { Event } from '../../../src/event/event.ts';
import type { Logger, PluginContext } from '../../../src/plugins/types.ts';
import { standaloneContext } from '../../../src/plugins/context.ts';
import { ipfix, set, templateRecord } from '../../flow/netflow/build.ts';

const quiet: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, isEnabled: () => false };
const ctx: PluginContext = standaloneContext({ log: quiet });

describe('netflow time fields in rubydebug', () => {
  it('prints flowStartMilliseconds quoted and @timestamp bare', () => {
    const codec = createNetflowCodec({ target: 'ipfix', versions: [10] }, ctx);
    const ms = Buffer.alloc(8);
    ms.writeBigUInt64BE(1491879169000n); // 2017-04-11T02:52:49.000Z
    const events: Event[] = [];
    codec.decode(ipfix([set(2, templateRecord(256, [{ id: 152, length: 8 }])), set(256, ms)]), { host: '192.0.2.1', port: 4739 }, (e) => events.push(e));
    expect(events).toHaveLength(1);
    const text = renderRubydebug(events[0]!.toObject());
    expect(text).toContain('"flowStartMilliseconds" => "2017-04-11T02:52:49.000Z"');
    expect(text).toMatch(/"@timestamp" => \d{4}-\d\d-\d\dT[\d:.]+Z,\n/);
  });
});
