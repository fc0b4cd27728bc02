// The netflow decoder: datagram → flows, for NetFlow v5, v9 and IPFIX, with the Logstash codec's
// output where it works and correct decoding where it fails. Never throws on bad input: every
// problem is one typed FlowProblem (kind, exporter, domain, template, offset), counted and logged.
import path from 'node:path';
import type { Timestamp } from '../../event/timestamp.ts';
import type { FieldMap } from '../../event/values.ts';
import { loadDefinitions, type Definitions } from './definitions.ts';
import { resolveNetflowOptions, type NetflowOptions } from './options.ts';
import {
  ipfixFieldSpec, v9FieldSpec, v9ScopeSpec, type FieldSpec, type LogstashTuple, type SpecWarning, type TemplateFieldRef,
} from './field-spec.ts';
import type { HeaderShape } from './compile.ts';
import type { ListContext, RecordHeader, RecordRuntime } from './field-values.ts';
import { MAX_TOTAL_TEMPLATES, TemplateCache, WILDCARD_EXPORTER, type Template } from './templates.ts';
import { SequenceTracker } from './sequence.ts';
import { PendingData, type HeldSet } from './pending.ts';
import { checkCacheDirectory, readCacheFile, IPFIX_CACHE_FILE, NETFLOW_CACHE_FILE } from './cache-file.ts';
import { CacheFileWriter } from './cache-writer.ts';
import { ProblemLogLimiter } from './problem-log.ts';
import { decodeV5 } from './v5.ts';
import { decodeV9Message, v9RecordLimit } from './v9.ts';
import { decodeIpfixMessage } from './ipfix.ts';
import { allZero, type DecoderCore, type ExporterScope, type MessageContext, type SetSpan } from './core.ts';
import type { FlowProblem, FlowProblemKind, ProblemSink } from './problems.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFn = (level: LogLevel, message: string, data?: Record<string, unknown>) => void;

/** Where a datagram came from. Templates are scoped by `host` (the exporter address). */
export interface ExporterRef {
  host?: string;
  port?: number;
}

export interface DecodedFlow {
  timestamp: Timestamp;
  /** The fields that go under the target key, in event order. */
  fields: FieldMap;
}

export type FlowSink = (timestamp: Timestamp, fields: FieldMap) => void;

export interface DecoderHooks {
  log?: LogFn;
  /** Every problem as data, before it is logged. */
  onProblem?: ProblemSink;
  /** Clock for template lifetime and held-data age (ms). */
  now?: () => number;
  /** Templates kept over all exporters (default MAX_TOTAL_TEMPLATES; tests use a smaller cap). */
  maxTotalTemplates?: number;
  /** Log every problem, without the per-kind budget (the corpus comparisons want every line). */
  unlimitedProblemLog?: boolean;
}

const COUNTERS = [
  'packets', 'packets_v5', 'packets_v9', 'packets_ipfix', 'packets_ignored_version', 'packets_malformed',
  'flows', 'sets_malformed', 'sets_unsupported', 'data_sets', 'data_sets_without_template',
  'templates_new', 'templates_changed', 'templates_refreshed', 'templates_rejected', 'templates_unsupported',
  'templates_withdrawn', 'templates_expired', 'options_templates', 'list_problems',
  'sequence_gaps', 'lost_records', 'lost_packets', 'sequence_resyncs',
  'pending_held', 'pending_decoded', 'pending_dropped', 'cache_write_failures',
] as const;

export type DecoderCounter = (typeof COUNTERS)[number];

const NO_TEMPLATE_TAIL = ', because no template to decode it with has been received. This message will usually go away after 1 minute.';


function sameLayout(a: FieldSpec[], b: FieldSpec[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.pen !== y.pen || x.id !== y.id || x.length !== y.length || x.name !== y.name || x.kind !== y.kind) return false;
  }
  return true;
}

export class NetflowDecoder implements DecoderCore {
  readonly options: NetflowOptions;
  private readonly defs: Definitions;
  readonly log: LogFn;
  readonly now: () => number;
  readonly templates: TemplateCache;
  private readonly sequences = new SequenceTracker();
  private readonly pending: PendingData;
  readonly counters: Record<DecoderCounter, number>;
  private readonly cacheEntries: { 9: Map<string, LogstashTuple[]>; 10: Map<string, LogstashTuple[]> } = {
    9: new Map(),
    10: new Map(),
  };
  private readonly rt: RecordRuntime = { pos: 0, depth: 0, lists: undefined };
  private lastExpiry = 0;
  private readonly warnedNoTemplate = new Set<number>();
  private currentPort = 0;
  private readonly onProblem: ProblemSink | undefined;
  private readonly problemCounts = new Map<FlowProblemKind, number>();
  private readonly limiter: ProblemLogLimiter | undefined;
  private readonly cacheWriters: { 9?: CacheFileWriter; 10?: CacheFileWriter } = {};

  constructor(options: Partial<NetflowOptions> = {}, hooks: DecoderHooks = {}) {
    this.options = resolveNetflowOptions(options);
    this.log = hooks.log ?? (() => {});
    this.onProblem = hooks.onProblem;
    this.now = hooks.now ?? Date.now;
    this.defs = loadDefinitions(this.options.netflow_definitions, this.options.ipfix_definitions);
    this.templates = new TemplateCache(this.options.cache_ttl * 1000, this.options.max_templates_per_exporter, hooks.maxTotalTemplates);
    if (!hooks.unlimitedProblemLog) this.limiter = new ProblemLogLimiter((level, message) => this.log(level, message));
    this.pending = new PendingData(this.options.pending_data_bytes, this.options.pending_data_seconds * 1000);
    this.counters = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<DecoderCounter, number>;
    if (this.options.cache_save_path) this.loadCache(this.options.cache_save_path);
  }

  stats(): Record<string, number> {
    const s: Record<string, number> = { ...this.counters };
    s['templates_cached'] = this.templates.size;
    s['templates_evicted'] = this.templates.evictedTemplates;
    s['exporters_evicted'] = this.templates.evictedExporters;
    s['cache_writes'] = (this.cacheWriters[9]?.writes ?? 0) + (this.cacheWriters[10]?.writes ?? 0);
    s['pending_sets'] = this.pending.size;
    for (const [kind, n] of this.problemCounts) s[`problem_${kind}`] = n;
    return s;
  }

  /** Problems met so far, by kind. */
  problems(): Partial<Record<FlowProblemKind, number>> {
    return Object.fromEntries(this.problemCounts);
  }

  problem(p: FlowProblem): void {
    this.problemCounts.set(p.kind, (this.problemCounts.get(p.kind) ?? 0) + 1);
    this.onProblem?.(p);
    if (p.level !== 'info' && this.limiter && !this.limiter.allow(p.kind, this.now())) return;
    if (p.data === undefined) this.log(p.level, p.message);
    else this.log(p.level, p.message, p.data);
  }

  /** Decodes one datagram into flows. */
  decode(buf: Buffer, exporter: ExporterRef = {}): DecodedFlow[] {
    const out: DecodedFlow[] = [];
    this.decodeInto(buf, exporter, (timestamp, fields) => out.push({ timestamp, fields }));
    return out;
  }

  /** Decodes one datagram, handing each flow to `sink` in order. Never throws on bad input. */
  decodeInto(buf: Buffer, exporter: ExporterRef, sink: FlowSink): void {
    const host = exporter.host ?? 'unknown';
    this.counters.packets++;
    this.warnedNoTemplate.clear();
    this.currentPort = exporter.port ?? 0;
    try {
      this.housekeeping();
      if (buf.length < 2) {
        this.counters.packets_malformed++;
        this.problem({ kind: 'bad-header', level: 'warn', exporter: host, offset: 0, message: `Invalid netflow packet received (datagram of ${buf.length} bytes from ${host} has no version field)` });
        return;
      }
      const version = buf.readUInt16BE(0);
      if (!this.options.versions.includes(version)) {
        this.counters.packets_ignored_version++;
        this.problem({ kind: 'ignored-version', level: 'warn', exporter: host, offset: 0, message: `Ignoring Netflow version v${version}` });
        return;
      }
      if (version === 5) {
        this.counters.packets_v5++;
        const r = decodeV5(buf, host, sink, (p) => this.problem(p));
        if (r.malformed) this.counters.packets_malformed++;
        this.counters.flows += r.flows;
        if (r.sequence) this.trackSequence(5, host, 'engine', r.sequence.engine, r.sequence.seq, r.flows, 'records');
      } else if (version === 9) {
        this.counters.packets_v9++;
        this.decodeV9(buf, host, sink);
      } else if (version === 10) {
        this.counters.packets_ipfix++;
        this.decodeIpfix(buf, host, sink);
      } else {
        this.counters.packets_ignored_version++;
        this.problem({ kind: 'unsupported-version', level: 'warn', exporter: host, offset: 0, message: `Unsupported Netflow version v${version}` });
      }
    } catch (e) {
      // A decoder bug must not take the pipeline down: report it with the exporter and count it.
      this.counters.packets_malformed++;
      this.problem({
        kind: 'decoder-failure', level: 'error', exporter: host,
        message: `Netflow decoder failed on a datagram from ${host}: ${(e as Error).message}`, data: { bytes: buf.length },
      });
    }
  }

  private housekeeping(): void {
    const now = this.now();
    if (now - this.lastExpiry < 1000) return;
    this.lastExpiry = now;
    this.counters.templates_expired += this.templates.expire(now);
    for (const h of this.pending.expire(now)) this.dropHeld(h, `no template arrived within ${this.options.pending_data_seconds} s`);
  }

  // ---- shared -------------------------------------------------------------------------------

  malformed({ version, host, domain }: ExporterScope, setId: number, offset: number, reason: string): void {
    this.counters.sets_malformed++;
    const proto = version === 9 ? 'NetFlow v9 flowset' : 'IPFIX set';
    const dom = version === 9 ? 'source id' : 'observation domain';
    this.problem({
      kind: 'malformed-set', level: 'warn', exporter: host, domain, templateId: setId >= 256 ? setId : undefined, offset,
      message: `Malformed ${proto} from exporter ${host} (${dom} ${domain}): set id ${setId} at byte ${offset}: ${reason}`,
    });
  }

  trackSequence(version: number, host: string, label: string, domain: number, seq: number, count: number | undefined, unit: 'records' | 'packets'): void {
    // Sequence numbers belong to a transport session: the exporter's port is part of the key.
    const gap = this.sequences.observe(host, version, domain, this.currentPort, seq, count);
    if (!gap) return;
    this.counters.sequence_gaps++;
    if (unit === 'records') this.counters.lost_records += gap.lost;
    else this.counters.lost_packets += gap.lost;
    this.problem({
      kind: 'sequence-gap', level: 'info', exporter: host, domain,
      message: `Sequence gap from exporter ${host} (${label} ${domain}): expected ${gap.expected}, got ${gap.got}: ${gap.lost} ${unit} lost`,
    });
  }

  registerTemplate(msg: MessageContext, id: number, options: boolean, specs: FieldSpec[], raw?: Buffer): void {
    const { version, host, domain } = msg;
    const t = this.templates.make(version, host, domain, id, options, specs, this.now());
    if (raw) t.raw = Buffer.from(raw);
    const result = this.templates.register(t);
    if (result === 'rejected') {
      this.counters.templates_rejected++;
      this.problem({
        kind: 'template-rejected', level: 'warn', exporter: host, domain, templateId: id,
        message: `Template ${id} from exporter ${host} rejected: the exporter already has ${this.options.max_templates_per_exporter} templates (max_templates_per_exporter) or the cache holds ${MAX_TOTAL_TEMPLATES}`,
      });
      return;
    }
    if (options) this.counters.options_templates++;
    this.counters[result === 'new' ? 'templates_new' : result === 'changed' ? 'templates_changed' : 'templates_refreshed']++;
    if (result !== 'refreshed' && this.options.cache_save_path) this.saveCache(version, domain, id, specs);
    const key = TemplateCache.key(version, host, domain, id);
    for (const held of this.pending.take(key)) {
      this.counters.pending_decoded++;
      const max = held.owedRecords === undefined ? Infinity : v9RecordLimit(held.owedRecords, t.fixedLength, held.data.length);
      const heldMsg: MessageContext = { version, host, domain, header: held.header, timestamp: held.timestamp, sink: msg.sink };
      this.decodeDataSet(t, held.version === 9 ? 'v9' : this.ipfixShape(), heldMsg, { bytes: held.data, start: 0, end: held.data.length }, max);
    }
  }

  ipfixShape(): HeaderShape {
    return this.options.include_flowset_id ? 'ipfix_flowset_id' : 'ipfix';
  }

  noTemplate(msg: MessageContext, set: SetSpan, owed?: () => number): void {
    const { version, host, domain, header: h, timestamp: ts } = msg;
    const setId = h.flowsetId;
    this.counters.data_sets_without_template++;
    if (this.options.pending_data) {
      const key = TemplateCache.key(version, host, domain, setId);
      const held: HeldSet = {
        key, version, exporter: host, domain, setId, data: Buffer.from(set.bytes.subarray(set.start, set.end)),
        header: { ...h }, timestamp: ts, heldAt: this.now(), owedRecords: owed?.(),
      };
      this.counters.pending_held++;
      for (const e of this.pending.hold(held)) this.dropHeld(e, `held data exceeds ${this.options.pending_data_bytes} bytes`);
      return;
    }
    // One warning per set id and datagram (what the Logstash codec's users see).
    if (this.warnedNoTemplate.has(setId)) return;
    this.warnedNoTemplate.add(setId);
    const from = version === 9 ? `source id ${domain}` : `observation domain id ${domain}`;
    this.problem({
      kind: 'no-template', level: 'warn', exporter: host, domain, templateId: setId, offset: set.start,
      message: `Can't (yet) decode flowset id ${setId} from ${from}${NO_TEMPLATE_TAIL}`,
    });
  }

  private dropHeld(h: HeldSet, why: string): void {
    this.counters.pending_dropped++;
    const from = h.version === 9 ? `source id ${h.domain}` : `observation domain id ${h.domain}`;
    this.problem({
      kind: 'held-data-dropped', level: 'warn', exporter: h.exporter, domain: h.domain, templateId: h.setId,
      message: `Dropped held data of flowset id ${h.setId} from exporter ${h.exporter} (${from}): ${why}`,
    });
  }

  /** Decodes the records of one data set (at most `maxRecords`: the bytes after them are padding); returns the number of flows. */
  decodeDataSet(t: Template, shape: HeaderShape, msg: MessageContext, set: SetSpan, maxRecords = Infinity): number {
    const { host, domain, header: h, timestamp: ts, sink } = msg;
    const { bytes: b, start, end } = set;
    const setOffset = start;
    this.counters.data_sets++;
    if (t.minLength === 0) {
      this.malformed(msg, h.flowsetId, setOffset, `template ${t.id} has no data fields; the set is skipped`);
      return 0;
    }
    const dec = t.decoder(shape);
    const rt = this.rt;
    rt.depth = 0;
    rt.lists = this.listContext(t, host, domain);
    let flows = 0;
    let o = start;
    if (t.fixedLength > 0) {
      const fit = Math.floor((end - start) / t.fixedLength);
      const n = Math.min(fit, maxRecords);
      if (n === 0 && fit > 0) return 0; // the set is only padding
      if (n === 0) {
        if (t.version === 9) {
          this.problem({
            kind: 'template-longer-than-set', level: 'warn', exporter: host, domain, templateId: h.flowsetId, offset: setOffset,
            message: 'Template length exceeds flowset length, skipping',
            data: { template_id: h.flowsetId, template_length: t.fixedLength, record_length: end - start },
          });
        }
        this.counters.sets_malformed++;
        return 0;
      }
      for (let i = 0; i < n; i++) {
        const rec = dec(b, o, end, h, rt);
        if (rec === null) break;
        o = rt.pos;
        sink(ts, rec);
        flows++;
      }
    } else {
      while (end - o >= t.minLength) {
        const rec = dec(b, o, end, h, rt);
        if (rec === null) {
          if (!allZero(b, o, end)) {
            this.malformed(msg, h.flowsetId, setOffset + (o - start), `record ${flows + 1} of template ${t.id} overruns the set (${end - o} bytes left)`);
          }
          break;
        }
        if (rt.pos <= o) break;
        o = rt.pos;
        sink(ts, rec);
        flows++;
      }
    }
    if (rt.lists && rt.lists.problems.length > 0) {
      this.counters.list_problems += rt.lists.problems.length;
      this.malformed(msg, h.flowsetId, setOffset, rt.lists.problems[0]!);
    }
    this.counters.flows += flows;
    return flows;
  }

  private listContext(t: Template, host: string, domain: number): ListContext | undefined {
    if (!t.hasList) return undefined;
    const now = this.now();
    return {
      lookupBare: (id) => this.templates.lookup(t.version, host, domain, id, now)?.decoder('bare'),
      defs: this.defs,
      dropUnknown: this.options.unknown_elements === 'drop_template',
      maxDepth: this.options.max_list_depth,
      problems: [],
    };
  }

  buildSpecs(scope: ExporterScope, templateId: number, fields: TemplateFieldRef[], scopeCount: number): FieldSpec[] | undefined {
    const { version, host, domain } = scope;
    const dropUnknown = this.options.unknown_elements === 'drop_template';
    const warnings: SpecWarning[] = [];
    const specs: FieldSpec[] = [];
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      if (version === 9 && f.length === 0) continue;
      if (version === 9 && i < scopeCount) {
        specs.push(v9ScopeSpec(f));
        continue;
      }
      const r = version === 9 ? v9FieldSpec(f, templateId, this.defs, dropUnknown, warnings) : ipfixFieldSpec(f, this.defs, dropUnknown, warnings);
      if ('unsupported' in r) {
        this.counters.templates_unsupported++;
        this.problem({ kind: 'template-unsupported', level: 'warn', exporter: host, domain, templateId, message: r.unsupported.message, data: r.unsupported.data });
        return undefined;
      }
      specs.push(r.spec);
    }
    if (version === 9) {
      const declared = fields.reduce((n, f) => n + f.length, 0);
      const built = specs.reduce((n, s) => n + s.logstashSize, 0);
      if (declared !== built) {
        warnings.push({
          message: `Received template ${templateId} of size ${declared} bytes doesn't match BinData representation we built (${built} bytes)`,
        });
      }
    }
    // Logged when the template is new or changed, not on every refresh of the same layout.
    if (warnings.length > 0) {
      const t = this.templates.lookup(version, host, domain, templateId, this.now());
      const same = t !== undefined && t.exporter === host && sameLayout(t.specs, specs);
      if (!same) for (const w of warnings) this.problem({ kind: 'template-caveat', level: 'warn', exporter: host, domain, templateId, message: w.message, data: w.data });
    }
    return specs;
  }

  // ---- NetFlow v9 and IPFIX messages (v9.ts, ipfix.ts) --------------------------------------

  private decodeV9(b: Buffer, host: string, sink: FlowSink): void {
    decodeV9Message(this, b, host, sink);
  }

  private decodeIpfix(b: Buffer, host: string, sink: FlowSink): void {
    decodeIpfixMessage(this, b, host, sink);
  }

  // ---- template cache files -----------------------------------------------------------------

  private cacheFile(version: 9 | 10): string {
    return path.join(this.options.cache_save_path!, version === 9 ? NETFLOW_CACHE_FILE : IPFIX_CACHE_FILE);
  }

  private loadCache(dir: string): void {
    checkCacheDirectory(dir);
    const now = this.now();
    for (const version of [9, 10] as const) {
      if (!this.options.versions.includes(version)) continue;
      const problems: string[] = [];
      for (const c of readCacheFile(this.cacheFile(version), version, problems)) {
        this.cacheEntries[version].set(`${c.domain}|${c.id}`, c.specs.map((s) => s.logstash));
        this.templates.register(this.templates.make(version, WILDCARD_EXPORTER, c.domain, c.id, false, c.specs, now));
      }
      for (const p of problems) this.problem({ kind: 'cache-file', level: 'warn', exporter: WILDCARD_EXPORTER, message: p });
    }
  }

  /** Records the template for the cache file; the file itself is written later, off the decoding path. */
  private saveCache(version: 9 | 10, domain: number, id: number, specs: FieldSpec[]): void {
    if (!this.options.versions.includes(version)) return;
    this.cacheEntries[version].set(`${domain}|${id}`, specs.map((s) => s.logstash));
    const file = this.cacheFile(version);
    const writer = (this.cacheWriters[version] ??= new CacheFileWriter(
      file,
      () => this.cacheEntries[version],
      (e) => {
        this.counters.cache_write_failures++;
        this.problem({ kind: 'cache-file', level: 'warn', exporter: WILDCARD_EXPORTER, message: `Template Cache could not be saved: ${file}: ${e.message}` });
      },
    ));
    writer.markDirty();
  }

  /** Writes the template cache files' final state and the count of problem lines held back. */
  async close(): Promise<void> {
    await Promise.all([this.cacheWriters[9]?.close(), this.cacheWriters[10]?.close()]);
    this.limiter?.flush();
  }
}

/** The plain decoder API (tests, bench, tools): `createNetflowDecoder(opts).decode(buf, {host})`. */
export function createNetflowDecoder(options: Partial<NetflowOptions> = {}, hooks: DecoderHooks = {}): NetflowDecoder {
  return new NetflowDecoder(options, hooks);
}
