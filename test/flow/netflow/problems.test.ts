// Decoding problems are typed (kind, exporter, domain, template id, byte offset) and logged with the same
// text: counters and fuzz signatures key on the kind, users read the message.
import { describe, expect, it } from 'vitest';
import { NetflowDecoder } from '../../../src/flow/netflow/decoder.ts';
import type { FlowProblem } from '../../../src/flow/netflow/problems.ts';

function v9Header(sourceId: number, count: number): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt16BE(9, 0);
  b.writeUInt16BE(count, 2);
  b.writeUInt32BE(1000, 4);
  b.writeUInt32BE(1_700_000_000, 8);
  b.writeUInt32BE(1, 12);
  b.writeUInt32BE(sourceId, 16);
  return b;
}

function setHeader(id: number, length: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(id, 0);
  b.writeUInt16BE(length, 2);
  return b;
}

function decodeAll(datagrams: Buffer[]): { problems: FlowProblem[]; logged: string[]; decoder: NetflowDecoder } {
  const problems: FlowProblem[] = [];
  const logged: string[] = [];
  const decoder = new NetflowDecoder({}, { onProblem: (p) => problems.push(p), log: (_level, message) => logged.push(message) });
  for (const d of datagrams) decoder.decode(d, { host: '192.0.2.9', port: 2055 });
  return { problems, logged, decoder };
}

describe('typed decoding problems', () => {
  it('a datagram without a version field is a bad-header problem with the Logstash-style text', () => {
    const { problems, logged } = decodeAll([Buffer.from([9])]);
    expect(problems).toEqual([
      {
        kind: 'bad-header',
        level: 'warn',
        exporter: '192.0.2.9',
        offset: 0,
        message: 'Invalid netflow packet received (datagram of 1 bytes from 192.0.2.9 has no version field)',
      },
    ]);
    expect(logged).toEqual([problems[0]!.message]);
  });

  it('a version outside `versions` is ignored-version', () => {
    const d = Buffer.alloc(24);
    d.writeUInt16BE(7, 0);
    const { problems } = decodeAll([d]);
    expect(problems.map((p) => [p.kind, p.message])).toEqual([['ignored-version', 'Ignoring Netflow version v7']]);
  });

  it('v9 data before its template names the source id, the template id and the set offset', () => {
    const d = Buffer.concat([v9Header(7, 1), setHeader(300, 8), Buffer.from([1, 2, 3, 4])]);
    const { problems, logged, decoder } = decodeAll([d]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'no-template', exporter: '192.0.2.9', domain: 7, templateId: 300, offset: 24 });
    expect(logged).toEqual([
      "Can't (yet) decode flowset id 300 from source id 7, because no template to decode it with has been received. This message will usually go away after 1 minute.",
    ]);
    expect(decoder.problems()).toEqual({ 'no-template': 1 });
  });

  it('a flowset overrunning the datagram is malformed-set at the flowset offset', () => {
    const d = Buffer.concat([v9Header(3, 1), setHeader(300, 40), Buffer.alloc(4)]);
    const { problems } = decodeAll([d]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'malformed-set', domain: 3, templateId: 300, offset: 20 });
    expect(problems[0]!.message).toBe(
      'Malformed NetFlow v9 flowset from exporter 192.0.2.9 (source id 3): set id 300 at byte 20: flowset length 40 overruns the datagram (8 bytes left)',
    );
  });

  it('counts problems by kind across datagrams', () => {
    const { decoder } = decodeAll([Buffer.from([9]), Buffer.from([0]), Buffer.from([0, 7, 0, 0])]);
    expect(decoder.problems()).toEqual({ 'bad-header': 2, 'ignored-version': 1 });
    expect(decoder.stats()).toMatchObject({ 'problem_bad-header': 2, 'problem_ignored-version': 1, packets: 3, packets_malformed: 2 });
  });
});
