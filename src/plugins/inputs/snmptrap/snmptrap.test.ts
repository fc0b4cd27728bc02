// The snmptrap input against net-snmp's `snmptrap` / `snmpinform` (the real peer; Debian package
// `snmp`) on 127.0.0.x. Expected values follow logstash-integration-snmp 4.x: the field names and PDU
// metadata of spec/integration/inputs/snmptrap_spec.rb, the `message` layout of
// docs/input-snmptrap.asciidoc (a Ruby hash inspect), the value rules of SnmpClient.coerceVariable,
// and snmp4j 3.x's Snmp.processPdu for informs (fired to the plugin's responder, never answered).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import type { Event } from '../../../event/event.ts';
import { standaloneContext } from '../../context.ts';
import type { InputContext, Logger, PluginContext } from '../../types.ts';
import { PlainCodec } from '../../codecs/plain/plain.ts';
import { SnmptrapInput } from './snmptrap.ts';
import { snmptrapSchema, type SnmptrapInputOptions } from './schema.ts';

const HAVE_SNMPTRAP = spawnSync('snmptrap', ['-V'], { encoding: 'utf8' }).status === 0;
if (!HAVE_SNMPTRAP) console.warn('[skip] net-snmp snmptrap/snmpinform is not installed: the net-snmp-driven snmptrap input tests are skipped (Debian: snmp)');

const HOST = '127.0.0.7';

function options(given: Record<string, unknown> = {}): SnmptrapInputOptions {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(snmptrapSchema.options)) if (spec.default !== undefined) out[k] = spec.default;
  return { ...out, host: HOST, port: 0, ...given } as unknown as SnmptrapInputOptions;
}

function runtime(ecs: PluginContext['ecsCompatibility']) {
  const events: Event[] = [];
  const warnings: string[] = [];
  const ac = new AbortController();
  const silent = () => undefined;
  const log: Logger = { trace: silent, debug: silent, info: silent, warn: (m) => void warnings.push(m), error: silent, isEnabled: () => false };
  const ctx: InputContext = {
    ...standaloneContext({ ecsCompatibility: ecs }),
    log,
    codec: new PlainCodec(undefined, undefined, ecs !== 'disabled'),
    decorate: (e) => void (e.get('type') === undefined && e.set('type', 'snmptrap')),
    push: (batch) => void events.push(...batch),
    signal: ac.signal,
  };
  return { ctx, events, warnings, abort: () => ac.abort() };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** net-snmp's snmptrap/snmpinform; numeric OIDs only, no MIB loading. */
function netsnmp(cmd: 'snmptrap' | 'snmpinform', args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(cmd, ['-m', '', '-M', '/nonexistent', ...args], { encoding: 'utf8', env: { ...process.env, SNMPCONFPATH: '/nonexistent', MIBS: '' } });
  return { status: r.status, stderr: r.stderr };
}

async function withInput(
  ecs: PluginContext['ecsCompatibility'],
  given: Record<string, unknown>,
  send: (ports: { udp?: number; tcp?: number }) => void | Promise<void>,
  count: number,
  settle = 0,
) {
  const rt = runtime(ecs);
  const input = new SnmptrapInput(options(given), rt.ctx);
  input.register();
  const running = input.run(rt.ctx);
  const ports = await input.listening;
  await send(ports);
  await until(() => rt.events.length >= count);
  if (settle > 0) await new Promise((r) => setTimeout(r, settle));
  rt.abort();
  await running;
  return { events: rt.events, warnings: rt.warnings, input };
}

const PDU = '[@metadata][input][snmptrap][pdu]';

describe.skipIf(!HAVE_SNMPTRAP)('snmptrap input with net-snmp', () => {
  it('v1 trap (ECS on): bindings by ruby_snmp name, [host][ip], the Trap-PDU fields in metadata and in `message`', async () => {
    const { events } = await withInput(
      'v8',
      {},
      ({ udp }) => {
        const r = netsnmp('snmptrap', ['-v', '1', '-c', 'public', `${HOST}:${udp}`, '1.3.6.1.4.1.8072.2.3', '192.0.2.7', '6', '17', '1500', '1.3.6.1.2.1.1.1.0', 's', 'It is a trap']);
        expect(r.status).toBe(0);
      },
      1,
    );
    const e = events[0]!;
    expect(e.get('SNMPv2-MIB::sysDescr.0')).toBe('It is a trap');
    expect(e.get('[host][ip]')).toBe('127.0.0.1');
    expect(e.get('type')).toBe('snmptrap');
    expect(e.get(`${PDU}[version]`)).toBe('1');
    expect(e.get(`${PDU}[type]`)).toBe('V1TRAP');
    expect(e.get(`${PDU}[enterprise]`)).toBe('1.3.6.1.4.1.8072.2.3');
    expect(e.get(`${PDU}[agent_addr]`)).toBe('192.0.2.7');
    expect(e.get(`${PDU}[generic_trap]`)).toBe(6);
    expect(e.get(`${PDU}[specific_trap]`)).toBe(17);
    expect(e.get(`${PDU}[timestamp]`)).toBe(1500);
    expect(e.get(`${PDU}[community]`)).toBe('public');
    expect(e.get(`${PDU}[variable_bindings]`)).toEqual({ '1.3.6.1.2.1.1.1.0': 'It is a trap' });
    // The docs' example `message` for a v1 trap, with this trap's values, in the order the docs show.
    expect(e.get('message')).toBe(
      '{"agent_addr"=>"192.0.2.7", "generic_trap"=>6, "specific_trap"=>17, "enterprise"=>"1.3.6.1.4.1.8072.2.3", "variable_bindings"=>{"1.3.6.1.2.1.1.1.0"=>"It is a trap"}, "type"=>"V1TRAP", "community"=>"public", "version"=>"1", "timestamp"=>1500}',
    );
  });

  it('v2c trap: sysUpTime and snmpTrapOID first bindings (OID value mapped), each SMI type as coerceVariable renders it', async () => {
    const { events } = await withInput(
      'v8',
      {},
      ({ udp }) => {
        // prettier-ignore
        const r = netsnmp('snmptrap', ['-v', '2c', '-c', 'public', `${HOST}:${udp}`, '4242', '1.3.6.1.6.3.1.1.5.3',
          '1.3.6.1.2.1.2.2.1.1.2', 'i', '-2',
          '1.3.6.1.2.1.2.2.1.2.2', 's', 'eth1',
          '1.3.6.1.2.1.2.2.1.10.2', 'c', '4294967295',
          '1.3.6.1.2.1.2.2.1.5.2', 'u', '1000000000',
          '1.3.6.1.2.1.31.1.1.1.6.2', 'C', '18446744073709551615',
          '1.3.6.1.2.1.31.1.1.1.10.2', 'C', '9007199254740993',
          '1.3.6.1.2.1.2.2.1.9.2', 't', '12345',
          '1.3.6.1.2.1.4.20.1.1.10.1.2.3', 'a', '10.1.2.3',
          '1.3.6.1.2.1.2.2.1.6.2', 'x', '00163E5A0B01',
          '1.3.6.1.2.1.31.1.1.1.18.2', 's', 'héllo',
          '1.3.6.1.2.1.1.2.0', 'o', '1.3.6.1.4.1.8072.3.2.10',
          '1.3.6.1.2.1.1.6.0', 'n', '',
          '1.3.6.1.4.1.99999.1', 's', '']);
        expect(r.status).toBe(0);
      },
      1,
    );
    const e = events[0]!;
    expect(e.get('SNMPv2-MIB::sysUpTime.0')).toBe(4242);
    expect(e.get('SNMPv2-MIB::snmpTrapOID.0')).toBe('IF-MIB::linkDown');
    expect(e.get('IF-MIB::ifIndex.2')).toBe(-2);
    expect(e.get('IF-MIB::ifDescr.2')).toBe('eth1');
    expect(e.get('IF-MIB::ifInOctets.2')).toBe(4294967295);
    expect(e.get('IF-MIB::ifSpeed.2')).toBe(1000000000);
    // Counter64 goes through Java's signed long: 2^64-1 is -1; beyond 2^53 stays exact.
    expect(e.get('IF-MIB::ifHCInOctets.2')).toBe(-1);
    expect(e.get('IF-MIB::ifHCOutOctets.2')).toBe(9007199254740993n);
    expect(e.get('IF-MIB::ifLastChange.2')).toBe(12345);
    expect(e.get('IP-MIB::ipAdEntAddr.10.1.2.3')).toBe('10.1.2.3');
    expect(e.get('IF-MIB::ifPhysAddress.2')).toBe('00:16:3e:5a:0b:01');
    expect(e.get('IF-MIB::ifAlias.2')).toBe('68:c3:a9:6c:6c:6f');
    expect(e.get('SNMPv2-MIB::sysObjectID.0')).toBe('SNMPv2-SMI::enterprises.8072.3.2.10');
    expect(e.get('SNMPv2-MIB::sysLocation.0')).toBe('null');
    expect(e.get('SNMPv2-SMI::enterprises.99999.1')).toBe('');
    expect(e.get(`${PDU}[version]`)).toBe('2c');
    expect(e.get(`${PDU}[type]`)).toBe('TRAP');
    expect(typeof e.get(`${PDU}[request_id]`)).toBe('number');
    expect(e.get(`${PDU}[error_status]`)).toBe(0);
    expect(e.get(`${PDU}[error_status_text]`)).toBe('Success');
    expect(e.get(`${PDU}[error_index]`)).toBe(0);
    expect(e.get(`${PDU}[community]`)).toBe('public');
    expect((e.get(`${PDU}[variable_bindings]`) as Record<string, unknown>)['1.3.6.1.6.3.1.1.4.1.0']).toBe('IF-MIB::linkDown');
    // The v2c fields in HashMap order (as snmptrap.rb's comment shows them for v3, plus community).
    expect(String(e.get('message'))).toMatch(/^\{"error_index"=>0, "variable_bindings"=>\{.*\}, "error_status"=>0, "type"=>"TRAP", "error_status_text"=>"Success", "community"=>"public", "version"=>"2c", "request_id"=>-?\d+\}$/);
  });

  it('ECS disabled: `host` is the sender IP, no metadata; target puts the bindings under it; dotted_string and default formats', async () => {
    const send = (port: number | undefined): void => void netsnmp('snmptrap', ['-v', '2c', '-c', 'public', `${HOST}:${port}`, '1', '1.3.6.1.6.3.1.1.5.1', '1.3.6.1.2.1.1.5.0', 's', 'router1']);
    const legacy = (await withInput('disabled', {}, ({ udp }) => send(udp), 1)).events[0]!;
    expect(legacy.get('host')).toBe('127.0.0.1');
    expect(legacy.get('@metadata')).toEqual({});
    expect(legacy.get('SNMPv2-MIB::snmpTrapOID.0')).toBe('SNMPv2-MIB::coldStart');
    const targeted = (await withInput('v8', { target: 'snmp' }, ({ udp }) => send(udp), 1)).events[0]!;
    expect(targeted.get('[snmp][SNMPv2-MIB::sysName.0]')).toBe('router1');
    expect(targeted.get('SNMPv2-MIB::sysName.0')).toBeUndefined();
    const numeric = (await withInput('v8', { oid_mapping_format: 'dotted_string' }, ({ udp }) => send(udp), 1)).events[0]!;
    expect(numeric.get('1.3.6.1.2.1.1.5.0')).toBe('router1');
    // With dotted_string, OID values are "mapped" to dotted strings too.
    expect(numeric.get('1.3.6.1.6.3.1.1.4.1.0')).toBe('1.3.6.1.6.3.1.1.5.1');
    const named = (await withInput('v8', { oid_mapping_format: 'default', oid_path_length: 2 }, ({ udp }) => send(udp), 1)).events[0]!;
    expect(named.get('sysName.0')).toBe('router1');
    // The last two identifiers of 1.3.6.1.6.3.1.1.5.1 by name (DefaultOidFieldMapper).
    expect(named.get('snmpTrapOID.0')).toBe('snmpTraps.coldStart');
  });

  it('unknown community and disabled versions are dropped and counted; an empty community list accepts any', async () => {
    const { events, input } = await withInput(
      'v8',
      { community: ['secret'], supported_versions: ['2c'] },
      ({ udp }) => {
        netsnmp('snmptrap', ['-v', '2c', '-c', 'public', `${HOST}:${udp}`, '1', '1.3.6.1.6.3.1.1.5.1']);
        netsnmp('snmptrap', ['-v', '1', '-c', 'secret', `${HOST}:${udp}`, '1.3.6.1.4.1.1', '192.0.2.1', '0', '0', '1']);
        netsnmp('snmptrap', ['-v', '2c', '-c', 'secret', `${HOST}:${udp}`, '1', '1.3.6.1.6.3.1.1.5.2']);
      },
      1,
      200,
    );
    expect(events.map((e) => e.get('SNMPv2-MIB::snmpTrapOID.0'))).toEqual(['SNMPv2-MIB::warmStart']);
    expect(input.stats()).toMatchObject({ messages: 3, events: 1, dropped_unknown_community: 1, dropped_unsupported_version: 1 });
    const open = await withInput('v8', { community: [] }, ({ udp }) => void netsnmp('snmptrap', ['-v', '2c', '-c', 'anything', `${HOST}:${udp}`, '1', '1.3.6.1.6.3.1.1.5.1']), 1);
    expect(open.events[0]!.get(`${PDU}[community]`)).toBe('anything');
  });

  it('v2c inform: one event of type INFORM per transmission, and no Response PDU (snmpinform times out), as Logstash does', async () => {
    let result: { status: number | null; stderr: string } | undefined;
    const { events } = await withInput(
      'v8',
      {},
      async ({ udp }) => {
        // -r 1: net-snmp sends the inform, gets no answer, sends it once more, then gives up.
        result = netsnmp('snmpinform', ['-v', '2c', '-c', 'public', '-r', '1', '-t', '0.5', `${HOST}:${udp}`, '777', '1.3.6.1.6.3.1.1.5.4', '1.3.6.1.2.1.2.2.1.1.3', 'i', '3']);
      },
      2,
    );
    expect(result!.status).not.toBe(0);
    expect(result!.stderr).toMatch(/Timeout/);
    expect(events.map((e) => e.get(`${PDU}[type]`))).toEqual(['INFORM', 'INFORM']);
    expect(events[0]!.get('SNMPv2-MIB::snmpTrapOID.0')).toBe('IF-MIB::linkUp');
    expect(events[0]!.get('IF-MIB::ifIndex.3')).toBe(3);
    expect(events[1]!.get(`${PDU}[request_id]`)).toBe(events[0]!.get(`${PDU}[request_id]`));
  });

  it('over TCP (supported_transports => tcp): messages framed by their BER length', async () => {
    const { events } = await withInput(
      'v8',
      { supported_transports: ['tcp'] },
      ({ tcp }) => {
        const r = netsnmp('snmptrap', ['-v', '2c', '-c', 'public', `tcp:${HOST}:${tcp}`, '99', '1.3.6.1.6.3.1.1.5.3', '1.3.6.1.2.1.2.2.1.1.9', 'i', '9']);
        expect(r.status).toBe(0);
      },
      1,
    );
    expect(events[0]!.get('IF-MIB::ifIndex.9')).toBe(9);
    expect(events[0]!.get('SNMPv2-MIB::sysUpTime.0')).toBe(99);
  });

  it('malformed datagrams are counted per kind and logged once per kind; the input keeps receiving', async () => {
    const { events, warnings, input } = await withInput(
      'v8',
      {},
      async ({ udp }) => {
        const s = dgram.createSocket('udp4');
        const send = (b: Buffer): Promise<void> => new Promise((r) => s.send(b, udp!, HOST, () => r()));
        await send(Buffer.from('not snmp at all'));
        await send(Buffer.from('still not snmp'));
        await send(Buffer.from([0x30, 0x05, 0x02, 0x01]));
        await send(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x03]));
        s.close();
        await new Promise((r) => setTimeout(r, 100));
        netsnmp('snmptrap', ['-v', '2c', '-c', 'public', `${HOST}:${udp}`, '1', '1.3.6.1.6.3.1.1.5.1']);
      },
      1,
    );
    expect(events).toHaveLength(1);
    expect(input.stats()).toMatchObject({ messages: 5, events: 1, dropped_unexpected_tag: 2, dropped_truncated: 1, dropped_unsupported_version: 1 });
    expect(warnings.filter((w) => w.includes('(unexpected_tag)'))).toHaveLength(1);
    expect(warnings.find((w) => w.includes('(unexpected_tag)'))).toContain('Dropped SNMP message from 127.0.0.1 (unexpected_tag)');
  });
});

describe('snmptrap input start', () => {
  it('SNMPv3 is refused at start, never silently ignored', () => {
    const rt = runtime('v8');
    expect(() => new SnmptrapInput(options({ supported_versions: ['3'], security_name: 'user' }), rt.ctx).register()).toThrow(/SNMPv3 .* is not implemented by flowstash/);
  });

  it('a port in use is one line naming the input, address and reason', async () => {
    const blocker = dgram.createSocket('udp4');
    await new Promise<void>((r) => blocker.bind(0, HOST, () => r()));
    const rt = runtime('v8');
    const input = new SnmptrapInput(options({ port: blocker.address().port }), rt.ctx);
    input.register();
    await expect(input.run(rt.ctx)).rejects.toThrow(`Could not start SNMP trap receiver (udp) on ${HOST}:${blocker.address().port}: address already in use`);
    blocker.close();
  });
});

describe('snmptrap input accounting', () => {
  it('arbitrary and mutated messages never throw, and every message is counted once: an event or one dropped kind', async () => {
    const rt = runtime('v8');
    const input = new SnmptrapInput(options({ community: ['public', 'other'] }), rt.ctx);
    input.register();
    // A v2c trap: sysUpTime.0 = 5, snmpTrapOID.0 = linkDown, ifIndex.2 = 2.
    // prettier-ignore
    const trap = Buffer.from([0x30, 0x51, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69, 0x63, 0xa7, 0x44, 0x02, 0x01, 0x07,
      0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x39, 0x30, 0x0d, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x03, 0x00, 0x43, 0x01,
      0x05, 0x30, 0x17, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x06, 0x03, 0x01, 0x01, 0x04, 0x01, 0x00, 0x06, 0x09, 0x2b, 0x06, 0x01, 0x06, 0x03,
      0x01, 0x01, 0x05, 0x03, 0x30, 0x0f, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01, 0x02, 0x02, 0x01, 0x02]);
    await input.receive(trap, '127.0.0.1', rt.ctx);
    expect(rt.events).toHaveLength(1);
    expect(rt.events[0]!.get('IF-MIB::ifIndex.2')).toBe(2);
    expect(rt.events[0]!.get('SNMPv2-MIB::snmpTrapOID.0')).toBe('IF-MIB::linkDown');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 90 }),
          fc.array(fc.tuple(fc.nat(trap.length - 1), fc.nat(255)), { minLength: 1, maxLength: 3 }).map((edits) => {
            const b = Buffer.from(trap);
            for (const [i, v] of edits) b[i] = v;
            return Uint8Array.from(b);
          }),
        ),
        async (bytes) => {
          await input.receive(Buffer.from(bytes), '::1', rt.ctx);
        },
      ),
      { numRuns: 3000 },
    );
    const stats = input.stats();
    const dropped = Object.entries(stats).filter(([k]) => k.startsWith('dropped_')).reduce((n, [, v]) => n + v, 0);
    expect(stats['messages']).toBe(3001);
    expect(stats['events']! + dropped).toBe(stats['messages']);
    expect(rt.events.length).toBe(stats['events']);
  });
});

describe('snmptrap input over TCP (framing)', () => {
  // v2c trap: sysUpTime.0 = 5, snmpTrapOID.0 = linkDown, ifIndex.2 = 2 (as in the accounting test).
  const trap = Buffer.from(
    '305102010104067075626c6963a744020107020100020100303930' + '0d06082b060102010103004301053017060a2b060106030101040100' + '06092b0601060301010503300f060a2b060102010202010102020102',
    'hex',
  );

  it('two messages in one segment and one split across three writes are three events; a stream that is not SNMP is closed and counted', async () => {
    const { events, input } = await withInput(
      'v8',
      { supported_transports: ['tcp'] },
      async ({ tcp }) => {
        const c = net.connect(tcp!, HOST);
        await new Promise((r) => c.once('connect', r));
        c.write(Buffer.concat([trap, trap]));
        for (const part of [trap.subarray(0, 1), trap.subarray(1, 30), trap.subarray(30)]) {
          c.write(part);
          await new Promise((r) => setTimeout(r, 30));
        }
        const bad = net.connect(tcp!, HOST);
        await new Promise((r) => bad.once('connect', r));
        bad.write('GET / HTTP/1.0\r\n\r\n');
        await new Promise((r) => bad.once('close', r));
        c.end();
      },
      3,
    );
    expect(events.map((e) => e.get('IF-MIB::ifIndex.2'))).toEqual([2, 2, 2]);
    expect(input.stats()).toMatchObject({ messages: 3, events: 3, tcp_connections: 2, dropped_unexpected_tag: 1 });
  });
});
