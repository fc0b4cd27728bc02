// The pieces of the snmptrap input without sockets: BER decoding (RFC 1157 / RFC 3416 layouts built
// by hand here), the Java HashMap order checked against the example hashes in the plugin's own docs
// and source, the OID mappers against the examples of docs/input-snmptrap.asciidoc and
// spec/integration/inputs/snmptrap_spec.rb, and value coercion per SnmpClient.coerceVariable.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeSnmpMessage, SnmpDecodeError, type SnmpMessage, type SnmpValue } from './ber.ts';
import { javaHashMapOrder, javaStringHash } from './java-hash-order.ts';
import { addBuiltinModules, MibManager, parsePythonDict } from './mib.ts';
import { DEFAULT_MIB_MODULES } from './mib-table.ts';
import { coerceValue } from './trap-event.ts';
import { check, javaHostAddress } from './snmptrap.ts';
import { snmptrapSchema, type SnmptrapInputOptions } from './schema.ts';

// A minimal BER writer for building test messages.
const len = (n: number): number[] => (n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff]);
const tlv = (tag: number, body: number[]): number[] => [tag, ...len(body.length), ...body];
const int = (n: number): number[] => {
  const b: number[] = [];
  let v = n;
  do {
    b.unshift(v & 0xff);
    v >>= 8;
  } while (v !== 0 && v !== -1);
  if (n >= 0 && b[0]! & 0x80) b.unshift(0);
  if (n < 0 && !(b[0]! & 0x80)) b.unshift(0xff);
  return tlv(0x02, b);
};
const oidBody = (oid: number[]): number[] => {
  const out: number[] = [];
  for (const s of [oid[0]! * 40 + oid[1]!, ...oid.slice(2)]) {
    const bytes = [s & 0x7f];
    let v = Math.floor(s / 128);
    while (v > 0) {
      bytes.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...bytes);
  }
  return out;
};
const oid = (o: number[]): number[] => tlv(0x06, oidBody(o));
const str = (s: string): number[] => tlv(0x04, [...Buffer.from(s)]);
const seq = (...parts: number[][]): number[] => tlv(0x30, parts.flat());
const vb = (o: number[], value: number[]): number[] => seq(oid(o), value);

function v2Message(type: number, varbinds: number[][], community = 'public', requestId = 42): Buffer {
  return Buffer.from(seq(int(1), str(community), tlv(type, [...int(requestId), ...int(0), ...int(0), ...seq(...varbinds)])));
}

function v1Trap(varbinds: number[][]): Buffer {
  const pdu = [...oid([1, 3, 6, 1, 4, 1, 8072]), ...tlv(0x40, [192, 0, 2, 1]), ...int(6), ...int(99), ...tlv(0x43, [0x05, 0xdc]), ...seq(...varbinds)];
  return Buffer.from(seq(int(0), str('public'), tlv(0xa4, pdu)));
}

function defaults(given: Record<string, unknown> = {}): SnmptrapInputOptions {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(snmptrapSchema.options)) if (spec.default !== undefined) out[k] = spec.default;
  return { ...out, ...given } as unknown as SnmptrapInputOptions;
}

function mibFor(format: 'default' | 'ruby_snmp' | 'dotted_string', skip = 0, length = 0): MibManager {
  const m = new MibManager(format, skip, length);
  addBuiltinModules(m, DEFAULT_MIB_MODULES);
  return m;
}

const dotted = (s: string): number[] => s.split('.').map(Number);

describe('BER decoding of SNMP messages', () => {
  it('a v2c SNMPv2-Trap: version, community, request-id, error fields, variable bindings of each SMI type', () => {
    const msg = decodeSnmpMessage(
      v2Message(0xa7, [
        vb([1, 3, 6, 1, 2, 1, 1, 3, 0], tlv(0x43, [0x01, 0x00])),
        vb([1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0], oid([1, 3, 6, 1, 6, 3, 1, 1, 5, 3])),
        vb([1, 3, 6, 1, 2, 1, 2, 2, 1, 1, 2], int(-5)),
        vb([1, 3, 6, 1, 2, 1, 4, 20, 1, 1], tlv(0x40, [10, 1, 2, 3])),
        vb([1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 1], tlv(0x41, [0x00, 0xff, 0xff, 0xff, 0xff])),
        vb([1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 1], tlv(0x46, [0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])),
        vb([1, 3, 6, 1, 2, 1, 1, 1, 0], tlv(0x05, [])),
        vb([1, 3, 6, 1, 2, 1, 1, 5, 0], tlv(0x81, [])),
      ]),
    ) as SnmpMessage;
    expect(msg.version).toBe(1);
    expect(msg.community.toString()).toBe('public');
    expect(msg.pdu).toMatchObject({ type: 0xa7, requestId: 42, errorStatus: 0, errorIndex: 0 });
    expect(msg.pdu.varbinds.map((v) => v.value)).toEqual([
      { type: 'timeticks', value: 256 },
      { type: 'oid', value: [1, 3, 6, 1, 6, 3, 1, 1, 5, 3] },
      { type: 'integer', value: -5 },
      { type: 'ip_address', bytes: Buffer.from([10, 1, 2, 3]) },
      { type: 'counter32', value: 4294967295 },
      { type: 'counter64', value: -1n },
      { type: 'null' },
      { type: 'no_such_instance' },
    ]);
  });

  it('a v1 Trap-PDU: enterprise, agent-addr, generic/specific trap, time-stamp', () => {
    const msg = decodeSnmpMessage(v1Trap([vb([1, 3, 6, 1, 2, 1, 1, 1, 0], str('x'))])) as SnmpMessage;
    expect(msg.version).toBe(0);
    expect(msg.pdu.v1).toEqual({ enterprise: [1, 3, 6, 1, 4, 1, 8072], agentAddr: Buffer.from([192, 0, 2, 1]), genericTrap: 6, specificTrap: 99, timestamp: 1500 });
  });

  it('sub-identifiers above 2^28 and a first arc of 2 decode (multi-byte base-128)', () => {
    const msg = decodeSnmpMessage(v2Message(0xa7, [vb([2, 999, 4294967295], tlv(0x05, []))])) as SnmpMessage;
    expect(msg.pdu.varbinds[0]!.oid).toEqual([2, 999, 4294967295]);
  });

  it('v3 messages are reported by version only', () => {
    expect(decodeSnmpMessage(Buffer.from(seq(int(3), seq(int(1)))))).toEqual({ version: 3 });
  });

  it.each([
    ['not a SEQUENCE', Buffer.from([0x04, 0x00]), 'unexpected_tag'],
    ['truncated', v2Message(0xa7, [vb([1, 3, 6], int(1))]).subarray(0, 20), 'truncated'],
    ['indefinite length', Buffer.from([0x30, 0x80, 0x00, 0x00]), 'bad_length'],
    ['INTEGER of 5 bytes', Buffer.from(seq(tlv(0x02, [1, 2, 3, 4, 5]))), 'bad_integer'],
    ['IpAddress of 3 bytes', v2Message(0xa7, [vb([1, 3, 6], tlv(0x40, [1, 2, 3]))]), 'bad_ip_address'],
    ['unknown value type', v2Message(0xa7, [vb([1, 3, 6], tlv(0x45, [1]))]), 'unsupported_value_type'],
    ['unknown PDU type', Buffer.from(seq(int(1), str('public'), tlv(0xa9, []))), 'unsupported_pdu_type'],
    ['v1 Trap-PDU in a v2c message', Buffer.from(seq(int(1), str('public'), tlv(0xa4, []))), 'unsupported_pdu_type'],
    ['OID cut inside a sub-identifier', v2Message(0xa7, [seq(tlv(0x06, [0x2b, 0x86]), int(1))]), 'bad_oid'],
  ])('malformed: %s → %s', (_what, bytes, kind) => {
    let err: unknown;
    try {
      decodeSnmpMessage(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SnmpDecodeError);
    expect((err as SnmpDecodeError).kind).toBe(kind);
  });

  it('arbitrary bytes never throw anything but SnmpDecodeError', () => {
    const valid = v2Message(0xa7, [vb([1, 3, 6, 1, 2, 1, 1, 3, 0], tlv(0x43, [1])), vb([1, 3, 6, 1, 2, 1, 1, 1, 0], str('hello'))]);
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.tuple(fc.nat(valid.length - 1), fc.nat(255)).map(([i, b]) => Uint8Array.from(valid.map((x, j) => (j === i ? b : x))))), (bytes) => {
        try {
          decodeSnmpMessage(Buffer.from(bytes));
        } catch (e) {
          if (!(e instanceof SnmpDecodeError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('Java HashMap iteration order', () => {
  it('String.hashCode as Java computes it', () => {
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('a')).toBe(97);
    // "polygenelubricants".hashCode() == Integer.MIN_VALUE, a classic Java example.
    expect(javaStringHash('polygenelubricants')).toBe(-2147483648);
  });

  it('the v1 trap hash of docs/input-snmptrap.asciidoc comes out in the order the docs print it', () => {
    // Inserted in createTrapEvent's order; the docs show Logstash's `message` for a v1 trap.
    const inserted = ['version', 'type', 'enterprise', 'agent_addr', 'generic_trap', 'specific_trap', 'timestamp', 'community', 'variable_bindings'];
    expect(javaHashMapOrder(inserted)).toEqual(['agent_addr', 'generic_trap', 'specific_trap', 'enterprise', 'variable_bindings', 'type', 'community', 'version', 'timestamp']);
  });

  it('the v3 trap hash in snmptrap.rb\'s comment comes out in the order it is printed there', () => {
    const inserted = ['version', 'type', 'request_id', 'error_status', 'error_status_text', 'error_index', 'variable_bindings'];
    expect(javaHashMapOrder(inserted)).toEqual(['error_index', 'variable_bindings', 'error_status', 'type', 'error_status_text', 'version', 'request_id']);
  });

  it('a table that grows keeps each bucket in insertion order', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `1.3.6.1.4.1.${i}`);
    const order = javaHashMapOrder(keys, keys.length);
    expect([...order].sort()).toEqual([...keys].sort());
    const spread = (s: string): number => (javaStringHash(s) ^ (javaStringHash(s) >>> 16)) & 63;
    for (let i = 1; i < order.length; i++) expect(spread(order[i - 1]!)).toBeLessThanOrEqual(spread(order[i]!));
  });
});

describe('OID field names (oid_mapping_format)', () => {
  // docs/input-snmptrap.asciidoc, oid_mapping_format
  it('1.3.6.1.2.1.1.2.0 in each format', () => {
    expect(mibFor('default').map(dotted('1.3.6.1.2.1.1.2.0'))).toBe('iso.org.dod.internet.mgmt.mib-2.system.sysObjectID.0');
    expect(mibFor('ruby_snmp').map(dotted('1.3.6.1.2.1.1.2.0'))).toBe('SNMPv2-MIB::sysObjectID.0');
    expect(mibFor('dotted_string').map(dotted('1.3.6.1.2.1.1.2.0'))).toBe('1.3.6.1.2.1.1.2.0');
  });

  // docs: oid_root_skip / oid_path_length
  it('oid_root_skip => 5 and oid_path_length => 2 on sysDescr.0', () => {
    expect(mibFor('default', 5).map(dotted('1.3.6.1.2.1.1.1.0'))).toBe('mib-2.system.sysDescr.0');
    expect(mibFor('default', 0, 2).map(dotted('1.3.6.1.2.1.1.1.0'))).toBe('sysDescr.0');
  });

  // spec/integration/inputs/snmptrap_spec.rb, 'with no MIBs provided' → 'should load default ruby-snmp MIBs'
  it('the default MIBs name what the plugin spec expects', () => {
    const m = mibFor('ruby_snmp');
    expect(m.map(dotted('1.3'))).toBe('SNMPv2-SMI::org');
    expect(m.map(dotted('1.3.6.1.2.1.1.2.0'))).toBe('SNMPv2-MIB::sysObjectID.0');
    expect(m.map(dotted('1.3.6.1.2.1.2.1'))).toBe('IF-MIB::ifNumber');
    expect(m.map(dotted('1.3.6.1.2.1.4'))).toBe('IP-MIB::ip');
    expect(m.map(dotted('1.3.6.1.2.1.6'))).toBe('TCP-MIB::tcp');
    expect(m.map(dotted('1.3.6.1.2.1.7.1'))).toBe('UDP-MIB::udpInDatagrams');
    expect(m.map(dotted('1.3.6.1.2.1.60'))).toBe('SNMPv2-SMI::mib-2.60');
    // Notifications are in the trie too (the .dic reader reads "notifications").
    expect(m.map(dotted('1.3.6.1.6.3.1.1.5.3'))).toBe('IF-MIB::linkDown');
    expect(m.map(dotted('1.3.6.1.6.3.1.1.5.1'))).toBe('SNMPv2-MIB::coldStart');
  });

  it('an OID outside every module: ruby_snmp falls back to the root "iso" node of module "logstash"; other roots stay numeric', () => {
    expect(mibFor('ruby_snmp').map(dotted('1.2.840.10045'))).toBe('logstash::iso.2.840.10045');
    expect(mibFor('ruby_snmp').map(dotted('2.5.4.3'))).toBe('2.5.4.3');
    expect(mibFor('default').map(dotted('1.3.6.1.4.1.9.9.1'))).toBe('iso.org.dod.internet.private.enterprises.9.9.1');
  });

  it('user MIB files: a libsmi .dic dump and a ruby-snmp .yaml map', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flowstash-mib-'));
    writeFileSync(
      path.join(dir, 'ACME-MIB.dic'),
      `# python dump
FILENAME = "./ACME-MIB"
MIB = {
    "moduleName" : "ACME-MIB",
    "nodes" : {
        "acme" : {
            "nodetype" : "node",
            "moduleName" : "ACME-MIB",
            "oid" : "1.3.6.1.4.1.99999",
            "description" :
                """A "quoted" multi-line
description.""",
        }, # node
        "acmeTemp" : {
            "nodetype" : "scalar",
            "moduleName" : "ACME-MIB",
            "oid" : "1.3.6.1.4.1.99999.1",
            "syntax" : { "type" : { "basetype" : "Integer32", "ranges" : [ { "min" : "0", "max" : "100" }, ], }, },
        }, # scalar
    }, # nodes
    "notifications" : {
        "acmeHot" : {
            "nodetype" : "notification",
            "moduleName" : "ACME-MIB",
            "oid" : "1.3.6.1.4.1.99999.0.1",
            "objects" : { "acmeTemp" : { "nodetype" : "object", "module" : "ACME-MIB" }, },
        }, # notification
    }, # notifications
}
`,
    );
    writeFileSync(path.join(dir, 'WIDGET-MIB.yaml'), '---\nwidget: 1.3.6.1.4.1.88888\nwidgetCount: "1.3.6.1.4.1.88888.1"\n');
    const m = new MibManager('ruby_snmp');
    m.addPath(dir);
    expect(m.map(dotted('1.3.6.1.4.1.99999.1.0'))).toBe('ACME-MIB::acmeTemp.0');
    expect(m.map(dotted('1.3.6.1.4.1.99999.0.1'))).toBe('ACME-MIB::acmeHot');
    expect(m.map(dotted('1.3.6.1.4.1.88888.1.0'))).toBe('WIDGET-MIB::widgetCount.0');
    // Only these files are loaded: the walk down 1.3.6.1.2.1.1.1.0 ends on 1.3.6.1, an unnamed node
    // created on the way to enterprises.99999, so RubySnmpOidFieldMapper falls back to the dotted OID.
    expect(m.map(dotted('1.3.6.1.2.1.1.1.0'))).toBe('1.3.6.1.2.1.1.1.0');
    expect(m.map(dotted('1.5.1'))).toBe('logstash::iso.5.1');
    expect(parsePythonDict('MIB = {"a" : ("x", "y"),\n}')).toEqual({ a: ['x', 'y'] });
  });
});

describe('variable binding values (SnmpClient.coerceVariable)', () => {
  const m = mibFor('ruby_snmp');
  const c = (v: SnmpValue, mapOids = true): unknown => coerceValue(v, m, mapOids);
  it('numbers, exceptions, NULL, IpAddress, OIDs mapped or not', () => {
    expect(c({ type: 'counter32', value: 4294967295 })).toBe(4294967295);
    expect(c({ type: 'timeticks', value: 1500 })).toBe(1500);
    expect(c({ type: 'counter64', value: 9007199254740993n })).toBe(9007199254740993n);
    expect(c({ type: 'counter64', value: -1n })).toBe(-1);
    expect(c({ type: 'null' })).toBe('null');
    expect(c({ type: 'no_such_object' })).toBe('error: no such object currently exists at this OID');
    expect(c({ type: 'no_such_instance' })).toBe('error: no such instance currently exists at this OID');
    expect(c({ type: 'end_of_mib_view' })).toBe('error: end of MIB view');
    expect(c({ type: 'ip_address', bytes: Buffer.from([192, 168, 1, 40]) })).toBe('192.168.1.40');
    // spec: oid_map_field_values true / false
    expect(c({ type: 'oid', value: dotted('1.3.6.1.4.1.8072.3.2.10') })).toBe('SNMPv2-SMI::enterprises.8072.3.2.10');
    expect(c({ type: 'oid', value: dotted('1.3.6.1.4.1.8072.3.2.10') }, false)).toBe('1.3.6.1.4.1.8072.3.2.10');
  });

  it('OCTET STRING: text when every byte is printable ASCII or HT..CR, else lower-case hex with ":"', () => {
    expect(c({ type: 'octet_string', bytes: Buffer.from('line one\r\n\ttwo') })).toBe('line one\r\n\ttwo');
    expect(c({ type: 'octet_string', bytes: Buffer.from('') })).toBe('');
    expect(c({ type: 'octet_string', bytes: Buffer.from('héllo') })).toBe('68:c3:a9:6c:6c:6f');
    expect(c({ type: 'octet_string', bytes: Buffer.from([0x00, 0x1a, 0x2b]) })).toBe('00:1a:2b');
    expect(c({ type: 'octet_string', bytes: Buffer.from('a\x1cb') })).toBe('61:1c:62');
    expect(c({ type: 'octet_string', bytes: Buffer.from('a\x7fb') })).toBe('61:7f:62');
  });
});

describe('options (-t check)', () => {
  const ctx = { log: undefined as never, ecsCompatibility: 'v8' as const, id: 'x', where: 'test.conf:1:9' };
  it('defaults pass', () => {
    expect(check(defaults(), ctx).errors).toEqual([]);
  });
  it('SNMPv3 is refused with a reason, as are unknown versions and transports', () => {
    expect(check(defaults({ supported_versions: ['2c', '3'] }), ctx).errors).toEqual([
      'input snmptrap at test.conf:1:9: supported_versions => "3": SNMPv3 (USM security_name/auth/priv) is not implemented by flowstash; only "1" and "2c" traps can be received',
    ]);
    expect(check(defaults({ supported_versions: ['2'] }), ctx).errors[0]).toContain('Expected one of ["1", "2c", "3"], got ["2"]');
    expect(check(defaults({ supported_transports: ['tls'] }), ctx).errors[0]).toContain('Expected one of ["tcp", "udp"], got ["tls"]');
  });
  it('oid_root_skip / oid_path_length rules of common.rb', () => {
    expect(check(defaults({ oid_mapping_format: 'default', oid_root_skip: 2, oid_path_length: 2 }), ctx).errors[0]).toContain('Use either `oid_root_skip` or `oid_path_length`');
    expect(check(defaults({ oid_root_skip: 2 }), ctx).errors[0]).toContain('The `oid_root_skip` and `oid_path_length` requires setting `oid_mapping_format` to `default`');
  });
});

describe('peer addresses as Java prints them (InetAddress.getHostAddress)', () => {
  it.each([
    ['127.0.0.5', '127.0.0.5'],
    ['::1', '0:0:0:0:0:0:0:1'],
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['fe80::a:b%lo', 'fe80:0:0:0:0:0:a:b%lo'],
    ['2001:db8::', '2001:db8:0:0:0:0:0:0'],
  ])('%s → %s', (node, java) => expect(javaHostAddress(node)).toBe(java));
});
