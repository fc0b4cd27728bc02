import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { generate, GENERATED_PATH, SHARED_INFOMODEL } from '../../../scripts/gen-infomodel.ts';
import { lookupIpfixElement, lookupV9Element, allIpfixElements, PEN } from '../../../src/flow/netflow/infomodel.ts';

const haveShared = existsSync(SHARED_INFOMODEL);
if (!haveShared) console.warn(`skipping infomodel freshness test: ${SHARED_INFOMODEL} is absent`);

describe.skipIf(!haveShared)('generated information model', () => {
  it('is up to date with scripts/gen-infomodel.ts and the registries', () => {
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(generate());
  });
});

describe('information model lookups', () => {
  it('has every typed IANA element, including those above 433', () => {
    const iana = allIpfixElements().filter((e) => e.pen === 0 && e.source.includes('iana'));
    expect(iana.length).toBeGreaterThanOrEqual(481);
    expect(lookupIpfixElement(0, 434)?.name).toBe('mibObjectValueInteger');
    expect(lookupIpfixElement(0, 434)?.logstashType).toBe('');
  });
  it('uses Logstash names and types where the Logstash codec has the element', () => {
    expect(lookupIpfixElement(0, 1)).toMatchObject({ name: 'octetDeltaCount', type: 'unsigned64', logstashType: 'uint64' });
    expect(lookupIpfixElement(PEN.NETSCALER, 131)).toMatchObject({ name: 'netscalerHttpReqCookie', type: 'string' });
    expect(lookupIpfixElement(0, 291)).toMatchObject({ type: 'basicList', logstashType: 'skip' });
    expect(lookupV9Element(1)).toMatchObject({ name: 'in_bytes', logstashType: 'uint', logstashLength: 4 });
    expect(lookupV9Element(183)?.name).toBe('tcpDestinationPort');
  });
  it('derives reverse elements (PEN 29305) except the non-reversible ones', () => {
    expect(lookupIpfixElement(PEN.REVERSE, 1)?.name).toBe('reverseOctetDeltaCount');
    expect(lookupIpfixElement(PEN.REVERSE, 434)?.name).toBe('reverseMibObjectValueInteger');
    expect(lookupIpfixElement(PEN.REVERSE, 149)).toBeUndefined();
  });
  it('strips the enterprise bit from ids', () => {
    expect(lookupIpfixElement(PEN.NETSCALER, 0x8000 | 131)?.name).toBe('netscalerHttpReqCookie');
  });
});
