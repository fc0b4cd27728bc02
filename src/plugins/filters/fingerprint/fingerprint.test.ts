// Expected values are those of logstash-filter-fingerprint's spec/filters/fingerprint_spec.rb (3.4,
// ECS matrix disabled / v1 / v8 → v1), computed there by Logstash itself.
import { describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import { Timestamp } from '../../../event/timestamp.ts';
import type { FieldMap } from '../../../event/values.ts';
import { context, recorder, withDefaults } from '../../../../test/plugins/text-filters/kit.ts';
import { create, FingerprintConfigurationError } from './fingerprint.ts';
import { fingerprintSchema, type FingerprintFilterOptions } from './schema.ts';
import { maskAddress } from './ip-mask.ts';
import type { EcsCompatibility } from '../../types.ts';

const target = (ecs: EcsCompatibility): string => (ecs === 'disabled' ? 'fingerprint' : '[event][hash]');

function fp(ecs: EcsCompatibility, options: Record<string, unknown>, data: FieldMap, log = recorder()): Event {
  const e = Event.fromParsed(data);
  create(withDefaults<FingerprintFilterOptions>(fingerprintSchema, options), context(ecs, log)).filter(e);
  return e;
}

const IP = { clientip: '123.123.123.123' };
const KEY = 'longencryptionkey';

describe('fingerprint filter', () => {
  for (const ecs of ['disabled', 'v1', 'v8'] as const) {
    const get = (options: Record<string, unknown>, data: FieldMap = IP): unknown => fp(ecs, { source: ['clientip'], ...options }, data).get(target(ecs));
    describe(`ECS ${ecs}`, () => {
      it('IPV4_NETWORK masks to key bits', () => expect(get({ method: 'IPV4_NETWORK', key: '24' })).toBe('123.123.123.0'));
      it('MURMUR3 of a string and of an integer', () => {
        expect(get({ method: 'MURMUR3' })).toBe(4013733395);
        expect(get({ method: 'MURMUR3' }, { clientip: 123 })).toBe(823512154);
      });
      it('MURMUR3_128: string, int32 and int64, hex and base64', () => {
        expect(get({ method: 'MURMUR3_128' })).toBe('41cbc4056eed401d091dfbeabf7ea9e0');
        expect(get({ method: 'MURMUR3_128', base64encode: true })).toBe('QcvEBW7tQB0JHfvqv36p4A==');
        expect(get({ method: 'MURMUR3_128' }, { clientip: 123 })).toBe('286816c693ac410ed63e1430dcd6f6fe');
        expect(get({ method: 'MURMUR3_128', base64encode: true }, { clientip: 123 })).toBe('KGgWxpOsQQ7WPhQw3Nb2/g==');
        expect(get({ method: 'MURMUR3_128' }, { clientip: 2148483647 })).toBe('fdc7699a82556c8c584131f0133ee989');
        expect(get({ method: 'MURMUR3_128', base64encode: true }, { clientip: 2148483647 })).toBe('/cdpmoJVbIxYQTHwEz7piQ==');
      });
      it('SHA1 plain, HMAC, base64', () => {
        expect(get({ method: 'SHA1' })).toBe('3a5076c520b4b463f43806896ea0b3978d09dcae');
        expect(get({ method: 'SHA1', key: KEY })).toBe('fdc60acc4773dc5ac569ffb78fcb93c9630797f4');
        expect(get({ method: 'SHA1', key: KEY, base64encode: true })).toBe('/cYKzEdz3FrFaf+3j8uTyWMHl/Q=');
        expect(get({ method: 'SHA1', base64encode: true })).toBe('OlB2xSC0tGP0OAaJbqCzl40J3K4=');
      });
      it('SHA256 / SHA384 / SHA512 / MD5 plain, HMAC, HMAC base64', () => {
        expect(get({ method: 'SHA256' })).toBe('4dabcab210766e35f03e77120e6986d6e6d4752b2a9ff22980b9253d026080d8');
        expect(get({ method: 'SHA256', key: KEY })).toBe('345bec3eff242d53b568916c2610b3e393d885d6b96d643f38494fd74bf4a9ca');
        expect(get({ method: 'SHA256', key: KEY, base64encode: true })).toBe('NFvsPv8kLVO1aJFsJhCz45PYhda5bWQ/OElP10v0qco=');
        expect(get({ method: 'SHA384' })).toBe('fd605b0a3af3e04ce0d7a0b0d9c48d67a12dab811f60072e6eae84e35d567793ffb68a1807536f11c90874065c2a4392');
        expect(get({ method: 'SHA384', key: KEY })).toBe('22d4c0e8c4fbcdc4887d2038fca7650f0e2e0e2457ff41c06eb2a980dded6749561c814fe182aff93e2538d18593947a');
        expect(get({ method: 'SHA384', key: KEY, base64encode: true })).toBe('ItTA6MT7zcSIfSA4/KdlDw4uDiRX/0HAbrKpgN3tZ0lWHIFP4YKv+T4lONGFk5R6');
        expect(get({ method: 'SHA512' })).toBe(
          '5468e2dc64ea92b617782aae884b35af60041ac9e168a283615b6a462c54c13d42fa9542cce9b7d76a8124ac6616818905e3e5dd35d6e519f77c3b517558639a',
        );
        expect(get({ method: 'SHA512', key: KEY })).toBe(
          '11c19b326936c08d6c50a3c847d883e5a1362e6a64dd55201a25f2c1ac1b673f7d8bf15b8f112a4978276d573275e3b14166e17246f670c2a539401c5bfdace8',
        );
        expect(get({ method: 'SHA512', key: KEY, base64encode: true })).toBe(
          'EcGbMmk2wI1sUKPIR9iD5aE2Lmpk3VUgGiXywawbZz99i/FbjxEqSXgnbVcydeOxQWbhckb2cMKlOUAcW/2s6A==',
        );
        expect(get({ method: 'MD5' })).toBe('ccdd8d3d940a01b2fb3258c059924c0d');
        expect(get({ method: 'MD5', key: KEY })).toBe('9336c879e305c9604a3843fc3e75948f');
        expect(get({ method: 'MD5', key: KEY, base64encode: true })).toBe('kzbIeeMFyWBKOEP8PnWUjw==');
      });
      it('an array field gives an array of fingerprints', () => {
        expect(get({}, { clientip: ['123.123.123.123', '223.223.223.223'] })).toEqual([
          '3a5076c520b4b463f43806896ea0b3978d09dcae',
          '47bbc4e06edebbace047fed35abeceec64968b81',
        ]);
      });
      it('concatenate_all_fields', () => {
        const e = fp(ecs, { concatenate_all_fields: true }, {
          '@timestamp': '2017-07-26T14:44:27.064Z', clientip: '123.123.123.123', message: 'This is a test message', log_level: 'INFO', offset: 123456789, type: 'test',
        });
        expect(e.get(target(ecs))).toBe('cbf022518e97860403160ed8a41847c0db104e63');
      });
      it('several fields: the last one wins; concatenate_sources hashes "|field1|test1|field2|test2|"', () => {
        const data = { field1: 'test1', field2: 'test2' };
        expect(fp(ecs, { source: ['field1', 'field2'] }, data).get(target(ecs))).toBe('109f4b3c50d7b0df729d299bc6f8e9ef9066971f');
        expect(fp(ecs, { source: ['field1', 'field2'], concatenate_sources: true }, data).get(target(ecs))).toBe('e3b6b71eedc656f1d29408264e8a75535db985cb');
      });
      it('UTF-8 values and nested hashes print as JRuby does', () => {
        const data: FieldMap = { field1: [{ inner_key: '🂡' }, { '1': '2' }], field2: '🂡' };
        expect(fp(ecs, { source: ['field1', 'field2'] }, data).get(target(ecs))).toBe('58fa9e0e60c9f0d24b51d84cddb26732a39eeb3d');
        expect(fp(ecs, { source: ['field1', 'field2'], concatenate_sources: true }, data).get(target(ecs))).toBe('d74f41841c7cdc793a97c218d2ff18064a5f1950');
      });
      it('PUNCTUATION keeps punctuation and symbols; add_field/add_tag apply', () => {
        const e = fp(ecs, { method: 'PUNCTUATION', source: ['field1'], add_field: { myfield: 'myvalue' }, add_tag: ['mytag'] }, {
          field1: "PHP Warning:  json_encode() [<a href='function.json-encode'>function.json-encode</a>]: Invalid UTF-8 sequence in argument in /var/www/htdocs/test.php on line 233",
        });
        expect(e.get(target(ecs))).toBe(":_()[<='.-'>.-</>]:-////.");
        expect([e.get('myfield'), e.get('tags')]).toEqual(['myvalue', ['mytag']]);
      });
      it('Timestamps print with three decimals for whole seconds (Logstash 8 values)', () => {
        const epoch = { '@timestamp': new Timestamp(0) } as unknown as FieldMap;
        const ts = (options: Record<string, unknown>): unknown => {
          const e = new Event({ ...epoch });
          create(withDefaults<FingerprintFilterOptions>(fingerprintSchema, { source: ['@timestamp'], ...options }), context(ecs)).filter(e);
          return e.get(target(ecs));
        };
        expect(ts({ method: 'SHA1', key: '0123' })).toBe('1d5379ec92d86a67cfc642d55aa050ca312d3b9a');
        expect(ts({ method: 'MURMUR3' })).toBe(1154765817);
        expect(ts({ method: 'MURMUR3_128' })).toBe('a0287bec80fce9eb6a1457efae3a7aeb');
      });
      it('hash key order does not matter', () => {
        const a = fp(ecs, { source: ['a', 'b'], concatenate_sources: true }, { a: { a0: 0, a1: 1 }, b: { b0: 0, b1: 1 } }).get(target(ecs));
        const b = fp(ecs, { source: ['a', 'b'], concatenate_sources: true }, { b: { b1: 1, b0: 0 }, a: { a1: 1, a0: 0 } }).get(target(ecs));
        expect(a).toBe(b);
        const all1 = fp(ecs, { concatenate_all_fields: true }, { '@timestamp': '2017-07-26T14:44:27.064Z', a: { a0: 0, a1: 1 }, b: 1 }).get(target(ecs));
        const all2 = fp(ecs, { concatenate_all_fields: true }, { b: 1, a: { a1: 1, a0: 0 }, '@timestamp': '2017-07-26T14:44:27.064Z' }).get(target(ecs));
        expect(all1).toBe(all2);
      });
    });
  }
  it('UUID: a random v4 UUID in the target', () => {
    const a = fp('disabled', { method: 'UUID' }, { message: 'x' }).get('fingerprint');
    const b = fp('disabled', { method: 'UUID' }, { message: 'x' }).get('fingerprint');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });
  it('IPV4_NETWORK needs a key; IPv6 is masked too; a bad address logs and leaves the event', () => {
    expect(() => create(withDefaults<FingerprintFilterOptions>(fingerprintSchema, { method: 'IPV4_NETWORK' }), context())).toThrow(FingerprintConfigurationError);
    expect(maskAddress('2001:db8:1234:5678::1', 32)).toBe('2001:db8::');
    expect(maskAddress('10.1.2.3', 8)).toBe('10.0.0.0');
    const log = recorder();
    const e = fp('disabled', { method: 'IPV4_NETWORK', key: '16', add_tag: ['ok'] }, { message: 'not an ip' }, log);
    expect([e.includes('fingerprint'), e.get('tags')]).toEqual([false, undefined]);
    expect(log.lines.map((l) => l.level)).toEqual(['error']);
  });
});
