// ElastiFlow's custom codec definitions (../shared/configs/elastiflow/definitions) load and decode:
// `- :4` (a symbol naming a length, 10 Cisco SD-WAN elements of netflow.yml) reads as the unsigned
// integer it stands for, and `:int16` (Calix, PEN 6321) as a signed 16-bit big-endian integer — the
// BinData type of that name in the Logstash codec.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadDefinitions } from '../../../src/flow/netflow/definitions.ts';
import { createNetflowDecoder } from '../../../src/flow/netflow/decoder.ts';
import { SHARED } from '../../codec/netflow/corpus-helpers.ts';
import { ipfix, set, templateRecord, u16, u32, v9, v9Template } from './build.ts';

const DIR = path.join(SHARED, 'configs/elastiflow/definitions');
const HAVE = existsSync(path.join(DIR, 'netflow.yml'));
if (!HAVE) console.warn(`[skip] ${DIR} is absent: the ElastiFlow definitions test is skipped`);
const A = { host: '192.0.2.1', port: 2055 };

describe.skipIf(!HAVE)('ElastiFlow codec definitions', () => {
  const netflow = path.join(DIR, 'netflow.yml');
  const ipfixYml = path.join(DIR, 'ipfix.yml');

  it('load: `- :4` is a 4-byte unsigned element, :int16 a signed 16-bit one', () => {
    const defs = loadDefinitions(netflow, ipfixYml);
    expect(defs.v9.get(45200)).toEqual({ type: 'uint', length: 4, name: 'cisco_sdwan_ingress_overlay_sess_id' });
    expect(defs.ipfix.get(6321)?.get(231)).toEqual({ type: 'int16', length: 0, name: 'calix_rx_optical_power' });
  });

  it('decode: the v9 element takes the template length; the Calix int16 is signed', () => {
    const dec = createNetflowDecoder({ netflow_definitions: netflow, ipfix_definitions: ipfixYml } as never);
    const tpl = v9Template(300, [{ id: 45200, length: 4 }]);
    const [f] = dec.decode(v9([Buffer.concat([u16(0), u16(4 + tpl.length), tpl]), Buffer.concat([u16(300), u16(8), u32(4000000000)])]), A);
    expect(f!.fields['cisco_sdwan_ingress_overlay_sess_id']).toBe(4000000000);
    const itpl = templateRecord(400, [{ id: 231, length: 2, pen: 6321 }]);
    const [g] = dec.decode(ipfix([set(2, itpl), set(400, Buffer.concat([u16(0xfffe), u16(0)]))]), A);
    expect(g!.fields['calix_rx_optical_power']).toBe(-2);
  });
});
