// OID → field name, as logstash-integration-snmp's MibManager does it: an OID trie filled from MIB
// files (libsmi `.dic` dumps, ruby-snmp `.yaml` maps) or from flowstash's built-in table, and three
// mappers (oid_mapping_format): `default` (every resolved identifier by name, dotted, with
// oid_root_skip / oid_path_length), `ruby_snmp` (`MODULE::name` of the deepest resolved node, then
// the unresolved identifiers) and `dotted_string`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { builtinMibNodes, type MibNode } from './mib-table.ts';

interface NodeData {
  name: string;
  module: string;
  nodetype: string;
}

interface TrieNode {
  id: number;
  children: Map<number, TrieNode>;
  data?: NodeData;
}

export type OidMappingFormat = 'default' | 'ruby_snmp' | 'dotted_string';

export class MibFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MibFileError';
  }
}

export class MibManager {
  private readonly root: TrieNode = { id: 0, children: new Map() };
  /** One line per overwritten or skipped definition, for the log. */
  readonly warnings: string[] = [];

  constructor(
    private readonly format: OidMappingFormat,
    private readonly rootSkip = 0,
    private readonly pathLength = 0,
  ) {}

  insert(oid: readonly number[], data: NodeData): void {
    let children = this.root.children;
    let node: TrieNode | undefined;
    for (const id of oid) {
      node = children.get(id);
      if (!node) {
        node = { id, children: new Map() };
        children.set(id, node);
      }
      children = node.children;
    }
    if (!node) return;
    if (!node.data) node.data = data;
    else if (node.data.name !== data.name || node.data.nodetype !== data.nodetype) {
      this.warnings.push(`warning: overwriting MIB OID '${oid.join('.')}' and name '${node.data.name}' with new name '${data.name}' from module '${data.module}'`);
      node.data = data;
    }
  }

  addNodes(nodes: readonly MibNode[]): void {
    for (const n of nodes) this.insert(n.oid, { name: n.name, module: n.module, nodetype: 'node' });
    this.ensureIso();
  }

  /** MibManager.add(path): a file or every `.dic`/`.yaml` file under a directory (sorted by path). */
  addPath(p: string): void {
    let files: string[];
    try {
      files = statSync(p).isDirectory() ? walk(p).sort() : [p];
    } catch (e) {
      throw new MibFileError(`Error reading MIB path ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    // The plugin groups the files by extension in a HashMap: "dic" iterates before "yaml".
    for (const f of files.filter((f) => path.extname(f) === '.dic')) this.addDic(f);
    for (const f of files.filter((f) => path.extname(f) === '.yaml')) this.addYaml(f);
    this.ensureIso();
  }

  private ensureIso(): void {
    const iso = this.root.children.get(1);
    if (!iso?.data) this.insert([1], { name: 'iso', module: 'logstash', nodetype: 'node' });
  }

  private addDic(file: string): void {
    let parsed: unknown;
    try {
      parsed = parsePythonDict(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new MibFileError(`Error parsing MIB file: ${file}: ${(e as Error).message}`);
    }
    const mib = parsed as { nodes?: Record<string, Record<string, unknown>>; notifications?: Record<string, Record<string, unknown>> };
    if (!mib.nodes) {
      this.warnings.push(`The MIB file \`${file}\` does not contain any node definition. Skipping`);
      return;
    }
    const fallbackModule = path.basename(file, path.extname(file));
    for (const section of [mib.nodes, mib.notifications ?? {}]) {
      for (const [name, node] of Object.entries(section)) {
        const oidText = node['oid'];
        if (typeof oidText !== 'string') {
          this.warnings.push(`The MIB file \`${file}\` node \`${name}\` has no defined OID. Skipping`);
          continue;
        }
        const oid = parseOid(oidText);
        if (!oid) {
          this.warnings.push(`The MIB file \`${file}\` node \`${name}\` has an invalid OID value \`${oidText}\`. Skipping`);
          continue;
        }
        const nodetype = typeof node['nodetype'] === 'string' ? node['nodetype'] : 'node';
        const module = typeof node['moduleName'] === 'string' ? node['moduleName'] : fallbackModule;
        this.insert(oid, { name, module, nodetype });
      }
    }
  }

  private addYaml(file: string): void {
    // A ruby-snmp MIB map is `name: "dotted.oid"` lines; the module is the file name.
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new MibFileError(`Error reading MIB file: ${file}: ${(e as Error).message}`);
    }
    const module = path.basename(file, '.yaml');
    for (const raw of text.split('\n')) {
      const line = raw.replace(/\s+#.*$/, '').trim();
      if (line === '' || line === '---' || line.startsWith('#')) continue;
      const m = /^("?)([^":]+)\1\s*:\s*("?)([^"]*)\3$/.exec(line);
      if (!m) throw new MibFileError(`Error reading MIB file: ${file}: not a name: oid map line: ${line}`);
      const oid = parseOid(m[4]!);
      if (!oid) {
        this.warnings.push(`The MIB file \`${file}\` has an invalid OID value \`${m[4]}\`. Skipping`);
        continue;
      }
      this.insert(oid, { name: m[2]!.trim(), module, nodetype: 'node' });
    }
  }

  /** MibManager.map with the configured mapper. */
  map(oid: readonly number[]): string {
    const resolved: { id: number; data?: NodeData }[] = [];
    let children = this.root.children;
    for (const id of oid) {
      const node = children.get(id);
      if (!node) break;
      resolved.push(node);
      children = node.children;
    }
    switch (this.format) {
      case 'dotted_string':
        return oid.join('.');
      case 'ruby_snmp': {
        const last = resolved[resolved.length - 1];
        if (!last?.data) return oid.join('.');
        const head = last.data.module ? `${last.data.module}::${last.data.name}` : last.data.name;
        return [head, ...oid.slice(resolved.length)].join('.');
      }
      case 'default': {
        const names = oid.map((id, i) => (i < resolved.length ? (resolved[i]!.data?.name ?? String(resolved[i]!.id)) : String(id)));
        if (this.rootSkip > 0) return names.slice(this.rootSkip).join('.');
        if (this.pathLength > 0 && this.pathLength < names.length) return names.slice(names.length - this.pathLength).join('.');
        return names.join('.');
      }
    }
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** snmp4j `new OID(text)`: dotted non-negative 32-bit sub-identifiers (undefined when it would throw). */
export function parseOid(text: string): number[] | undefined {
  const t = text.trim().replace(/^\./, '');
  if (t === '') return [];
  const parts = t.split('.');
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d+$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 0xffffffff) return undefined;
    out.push(n);
  }
  return out;
}

/**
 * The `MIB = {...}` dictionary of a `smidump -f python` file, read the way the plugin's
 * SmilibPythonMibReader does: tuples become lists, triple-quoted strings become strings, and the
 * result is read leniently (comments, trailing commas, raw control characters in strings).
 */
export function parsePythonDict(content: string): unknown {
  const start = content.indexOf('MIB = ');
  if (start < 0) throw new Error('no `MIB = ` dictionary');
  const src = content.slice(start + 6);
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (src.startsWith('"""', i)) {
      const end = src.indexOf('"""', i + 3);
      if (end < 0) throw new Error('unterminated triple-quoted string');
      out += JSON.stringify(src.slice(i + 3, end));
      i = end + 3;
    } else if (c === '"') {
      let j = i + 1;
      let s = '"';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\' && j + 1 < src.length) {
          s += src[j]! + src[j + 1]!;
          j += 2;
          continue;
        }
        const code = src.charCodeAt(j);
        s += code < 0x20 ? `\\u${code.toString(16).padStart(4, '0')}` : src[j]!;
        j++;
      }
      if (j >= src.length) throw new Error('unterminated string');
      out += s + '"';
      i = j + 1;
    } else if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '(') {
      out += '[';
      i++;
    } else if (c === ')') {
      out += ']';
      i++;
    } else {
      out += c;
      i++;
    }
  }
  const json = out.replace(/,(\s*[}\]])/g, '$1').trim();
  // Only the first value: anything after the dictionary (a trailing newline, a second statement) is ignored.
  return JSON.parse(firstValue(json));
}

function firstValue(json: string): string {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return json.slice(0, i + 1);
    }
  }
  return json;
}

/** The built-in modules (mib-table.ts) into a manager. */
export function addBuiltinModules(mib: MibManager, modules: readonly string[]): void {
  for (const m of modules) mib.addNodes(builtinMibNodes(m));
}
