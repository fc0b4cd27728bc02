// Generates src/flow/netflow/infomodel.generated.ts, flowstash's own information-element table,
// from the registries in ../shared/infomodel (IANA, the Logstash codec's YAML, vendor dictionaries).
//   npx tsx scripts/gen-infomodel.ts [--check]     (--check: exit 1 when the committed file differs)
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED_INFOMODEL = path.resolve(ROOT, '../shared/infomodel');
export const GENERATED_PATH = path.join(ROOT, 'src/flow/netflow/infomodel.generated.ts');

const ABSTRACT_TYPES = new Set([
  'unsigned8', 'unsigned16', 'unsigned32', 'unsigned64', 'signed8', 'signed16', 'signed32', 'signed64',
  'float32', 'float64', 'boolean', 'macAddress', 'octetArray', 'string', 'dateTimeSeconds',
  'dateTimeMilliseconds', 'dateTimeMicroseconds', 'dateTimeNanoseconds', 'ipv4Address', 'ipv6Address',
  'basicList', 'subTemplateList', 'subTemplateMultiList',
]);

/** The abstract type a Logstash YAML type stands for, for entries no registry types. */
const ABSTRACT_OF_LOGSTASH: Record<string, string> = {
  uint8: 'unsigned8', uint15: 'unsigned16', uint16: 'unsigned16', uint24: 'unsigned32', uint32: 'unsigned32',
  uint64: 'unsigned64', uint: 'unsigned64', int8: 'signed8', int32: 'signed32', float: 'float32', double: 'float64',
  ip4_addr: 'ipv4Address', ip6_addr: 'ipv6Address', mac_addr: 'macAddress', string: 'string',
  octetarray: 'octetArray', skip: 'octetArray', forwarding_status: 'unsigned8', application_id: 'octetArray',
  acl_id_asa: 'octetArray', mpls_label_stack_octets: 'unsigned32',
};

// RFC 5103 §6.1: IANA elements that have no reverse counterpart (process/exporter/collector
// configuration and statistics, identifiers of the record itself, padding, biflowDirection).
const NON_REVERSIBLE = new Set([
  0, 40, 41, 42, 130, 131, 137, 145, 148, 149, 163, 164, 165, 166, 167, 168, 173, 210, 211, 212, 213, 214, 215,
  216, 217, 239,
]);

/** Vendor dictionaries (libfds) and the prefix their names take when the Logstash codec lacks them. */
const LIBFDS_VENDORS: { file: string; pen: number; prefix: string }[] = [
  { file: 'netscaler.xml', pen: 5951, prefix: 'netscaler' },
  { file: 'cisco.xml', pen: 9, prefix: 'cisco' },
  { file: 'vmware.xml', pen: 6876, prefix: 'vmware' },
  { file: 'cert.xml', pen: 6871, prefix: '' },
  { file: 'cesnet.xml', pen: 8057, prefix: 'cesnet' },
  { file: 'flowmon.xml', pen: 39499, prefix: 'flowmon' },
  { file: 'muni.xml', pen: 16982, prefix: 'muni' },
];

interface Row {
  pen: number;
  id: number;
  name: string;
  type: string;
  logstash: string;
  length: number;
  source: string;
}

function read(rel: string): string {
  return readFileSync(path.join(SHARED_INFOMODEL, rel), 'utf8');
}

function tag(block: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>\\s*([^<]*?)\\s*</${name}>`).exec(block);
  return m ? m[1] : undefined;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Ruby-symbol YAML (`- :uint64`) → 'uint64'; bare integers stay numbers. */
function symbol(v: unknown): string | number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  return v.startsWith(':') ? v.slice(1) : v;
}

interface LogstashEntry {
  type: string;
  length: number;
  name: string;
}

function logstashEntry(v: unknown): LogstashEntry | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const t = symbol(v[0]);
  const name = v.length > 1 ? String(symbol(v[1]) ?? '') : '';
  if (typeof t === 'number') return { type: 'uint', length: t, name };
  if (t === undefined) return undefined;
  return { type: t, length: 0, name };
}

function parseYaml(rel: string): Record<string, unknown> {
  // The Logstash YAML repeats some keys; Ruby's loader keeps the last one, so does this.
  return YAML.parse(read(rel), { uniqueKeys: false }) as Record<string, unknown>;
}

function ianaRecords(): { rows: Row[]; updated: string } {
  const xml = read('iana/ipfix.xml');
  const start = xml.indexOf('<registry id="ipfix-information-elements">');
  const end = xml.indexOf('<registry id=', start + 10);
  const section = xml.slice(start, end);
  const updated = tag(xml, 'updated') ?? 'unknown';
  const rows: Row[] = [];
  for (const m of section.matchAll(/<record\b[^>]*>([\s\S]*?)<\/record>/g)) {
    const block = m[1]!;
    const id = tag(block, 'elementId');
    const type = tag(block, 'dataType');
    const name = tag(block, 'name');
    if (!id || !/^\d+$/.test(id) || !type || !name) continue;
    if (!ABSTRACT_TYPES.has(type)) throw new Error(`IANA element ${id} ${name}: unknown abstract type ${type}`);
    rows.push({ pen: 0, id: Number(id), name, type, logstash: '', length: 0, source: 'iana' });
  }
  return { rows, updated };
}

function libfdsRecords(file: string, pen: number, prefix: string): Row[] {
  const xml = read(`vendors/libfds/${file}`);
  const rows: Row[] = [];
  for (const m of xml.matchAll(/<element>([\s\S]*?)<\/element>/g)) {
    const block = m[1]!.replace(/<!--[\s\S]*?-->/g, '');
    const id = tag(block, 'id');
    const type = tag(block, 'dataType');
    const raw = tag(block, 'name');
    if (!id || !/^\d+$/.test(id) || !type || !raw || !ABSTRACT_TYPES.has(type)) continue;
    const name = prefix && !raw.toLowerCase().startsWith(prefix) ? prefix + capitalize(raw) : raw;
    rows.push({ pen, id: Number(id), name, type, logstash: '', length: 0, source: `libfds/${file}` });
  }
  return rows;
}

function certRecords(): { rows: Row[]; updated: string } {
  const xml = read('vendors/cert_ipfix.xml');
  const rows: Row[] = [];
  for (const m of xml.matchAll(/<record\b[^>]*>([\s\S]*?)<\/record>/g)) {
    const block = m[1]!;
    const id = tag(block, 'elementId');
    const type = tag(block, 'dataType');
    const name = tag(block, 'name');
    if (!id || !/^\d+$/.test(id) || !type || !name || !ABSTRACT_TYPES.has(type)) continue;
    rows.push({ pen: 6871, id: Number(id), name, type, logstash: '', length: 0, source: 'cert_ipfix.xml' });
  }
  return { rows, updated: tag(xml, 'updated') ?? 'unknown' };
}

export function generate(): string {
  const iana = ianaRecords();
  const cert = certRecords();
  const ipfixYaml = parseYaml('logstash/ipfix.yaml');
  const netflowYaml = parseYaml('logstash/netflow.yaml');

  const table = new Map<string, Row>();
  const key = (pen: number, id: number) => `${pen}:${id}`;
  const put = (r: Row, override: boolean) => {
    const k = key(r.pen, r.id);
    if (!table.has(k) || override) table.set(k, r);
  };

  for (const r of iana.rows) put(r, true);
  // Reverse elements (RFC 5103, PEN 29305) for every reversible IANA element.
  for (const r of iana.rows) {
    if (NON_REVERSIBLE.has(r.id)) continue;
    put({ ...r, pen: 29305, name: 'reverse' + capitalize(r.name), source: 'rfc5103(iana)' }, true);
  }
  for (const r of cert.rows) {
    put(r, true);
    // CERT's biflow mode: the reverse element is the same id with bit 14 set.
    if (r.id < 0x4000 && !r.name.startsWith('reverse')) {
      put({ ...r, id: r.id | 0x4000, name: 'reverse' + capitalize(r.name), source: 'cert_ipfix.xml(reverse)' }, false);
    }
  }
  for (const v of LIBFDS_VENDORS) for (const r of libfdsRecords(v.file, v.pen, v.prefix)) put(r, false);

  // The Logstash codec's names and decoding types win where it has the element.
  for (const [penKey, elements] of Object.entries(ipfixYaml)) {
    const pen = Number(penKey);
    for (const [idKey, value] of Object.entries(elements as Record<string, unknown>)) {
      const e = logstashEntry(value);
      if (!e) continue;
      const id = Number(idKey);
      const prev = table.get(key(pen, id));
      const type = prev?.type ?? ABSTRACT_OF_LOGSTASH[e.type] ?? 'octetArray';
      put(
        {
          pen,
          id,
          name: e.name || prev?.name || '',
          type,
          logstash: e.type,
          length: e.length,
          source: prev ? `${prev.source}+logstash/ipfix.yaml` : 'logstash/ipfix.yaml',
        },
        true,
      );
    }
  }

  const ipfixRows = [...table.values()].sort((a, b) => a.pen - b.pen || a.id - b.id);

  const v9Rows: Row[] = [];
  const ianaById = new Map(iana.rows.map((r) => [r.id, r]));
  for (const [idKey, value] of Object.entries(netflowYaml)) {
    const e = logstashEntry(value);
    if (!e) continue;
    const id = Number(idKey);
    const ianaRow = ianaById.get(id);
    v9Rows.push({
      pen: 0,
      id,
      name: e.name,
      type: ianaRow?.type ?? ABSTRACT_OF_LOGSTASH[e.type] ?? 'octetArray',
      logstash: e.type,
      length: e.length,
      source: ianaRow ? 'logstash/netflow.yaml+iana' : 'logstash/netflow.yaml',
    });
  }
  v9Rows.sort((a, b) => a.id - b.id);

  const csvCount = read('iana/ipfix-information-elements.csv').trim().split('\n').length - 1;
  if (csvCount !== iana.rows.length) {
    throw new Error(`IANA XML has ${iana.rows.length} typed elements but the CSV has ${csvCount}`);
  }

  const q = (s: string) => JSON.stringify(s);
  const lines: string[] = [];
  lines.push('// GENERATED by scripts/gen-infomodel.ts — do not edit; run `npx tsx scripts/gen-infomodel.ts`.');
  lines.push('// Sources (../shared/infomodel):');
  lines.push(`//   iana/ipfix.xml (IANA IPFIX Information Elements registry, updated ${iana.updated}): ${iana.rows.length} typed elements;`);
  lines.push('//     reverse elements (PEN 29305) derived from it per RFC 5103 (non-reversible elements of §6.1 excluded);');
  lines.push(`//   logstash/ipfix.yaml, logstash/netflow.yaml (logstash-codec-netflow 4.3.4): names and decoding types;`);
  lines.push(`//   vendors/cert_ipfix.xml (CERT PEN 6871 registry, updated ${cert.updated}), reverse ids with bit 14 set;`);
  lines.push('//   vendors/libfds/{netscaler,cisco,vmware,cert,cesnet,flowmon,muni}.xml (ipfixcol2 libfds dictionaries).');
  lines.push('// Row: [pen, id, name, IANA abstract type, Logstash YAML type ("" when the Logstash codec lacks it),');
  lines.push('//       Logstash default length for bare-integer types (0 otherwise), source].');
  lines.push("import type { GeneratedRow } from './infomodel-types.ts';");
  lines.push('');
  lines.push(`export const IANA_REGISTRY_UPDATED = ${q(iana.updated)};`);
  lines.push('');
  lines.push('export const IPFIX_ROWS: readonly GeneratedRow[] = [');
  for (const r of ipfixRows) lines.push(`  [${r.pen}, ${r.id}, ${q(r.name)}, ${q(r.type)}, ${q(r.logstash)}, ${r.length}, ${q(r.source)}],`);
  lines.push('];');
  lines.push('');
  lines.push('/** NetFlow v9 field types (pen column is always 0). */');
  lines.push('export const V9_ROWS: readonly GeneratedRow[] = [');
  for (const r of v9Rows) lines.push(`  [0, ${r.id}, ${q(r.name)}, ${q(r.type)}, ${q(r.logstash)}, ${r.length}, ${q(r.source)}],`);
  lines.push('];');
  lines.push('');
  return lines.join('\n');
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  if (!existsSync(SHARED_INFOMODEL)) {
    process.stderr.write(`gen-infomodel: ${SHARED_INFOMODEL} not found (the registries live in ../shared/infomodel)\n`);
    process.exitCode = 2;
  } else {
    const text = generate();
    if (process.argv.includes('--check')) {
      const current = existsSync(GENERATED_PATH) ? readFileSync(GENERATED_PATH, 'utf8') : '';
      if (current !== text) {
        process.stderr.write(`gen-infomodel: ${GENERATED_PATH} is out of date; run npx tsx scripts/gen-infomodel.ts\n`);
        process.exitCode = 1;
      }
    } else {
      writeFileSync(GENERATED_PATH, text);
      process.stdout.write(`wrote ${path.relative(ROOT, GENERATED_PATH)}\n`);
    }
  }
}
