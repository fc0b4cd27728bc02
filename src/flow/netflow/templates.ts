// The template cache: templates scoped per exporter address + observation domain (IPFIX) or source
// id (v9) + template id, with a lifetime, withdrawal, per-exporter caps, and compiled decoders
// shared between templates with the same layout. When the whole cache is full, the exporter heard from
// least recently loses all its templates (a silent session is freed, as ipfixcol2 does), so a flood of
// spoofed exporters cannot lock a real one out.
import { compileRecordDecoder, fixedLength, minimumLength, type HeaderShape, type RecordDecoder } from './compile.ts';
import type { FieldSpec } from './field-spec.ts';

export interface Template {
  version: 9 | 10;
  /** Exporter address ('*' for templates loaded from a cache file, which apply to any exporter). */
  exporter: string;
  domain: number;
  id: number;
  options: boolean;
  specs: FieldSpec[];
  /** Record length, or -1 with variable-length fields. */
  fixedLength: number;
  minLength: number;
  signature: string;
  expiresAt: number;
  /** Whether a field is an RFC 6313 list (the data path then sets up list decoding). */
  hasList: boolean;
  /** The template record's bytes as received (a re-sent identical record only renews the lifetime). */
  raw?: Buffer;
  decoder(shape: HeaderShape): RecordDecoder;
}

export const WILDCARD_EXPORTER = '*';

/** Compiled decoders kept for reuse (each holds generated code; bounded so hostile input cannot grow it). */
const MAX_COMPILED = 2000;

/**
 * Compiled decoders by header shape and layout signature, shared by every template cache in the
 * process: re-created codecs (fuzz iterations, pipeline reloads, one codec per input) reuse them.
 * A decoder depends only on its shape and the signature's fields, so sharing is exact. When full,
 * the oldest entry goes (templates already holding a decoder keep it).
 */
const COMPILED = new Map<string, RecordDecoder>();

function compiledDecoder(shape: HeaderShape, signature: string, specs: FieldSpec[]): RecordDecoder {
  const key = `${shape}#${signature}`;
  let d = COMPILED.get(key);
  if (d) return d;
  d = compileRecordDecoder(specs, shape);
  if (COMPILED.size >= MAX_COMPILED) COMPILED.delete(COMPILED.keys().next().value!);
  COMPILED.set(key, d);
  return d;
}
/** Templates over all exporters (memory bound against floods of spoofed exporters). */
export const MAX_TOTAL_TEMPLATES = 20000;

/** Numeric key of a template within one exporter: domain, id and version packed (< 2^50, exact). */
function slot(version: number, domain: number, id: number): number {
  return (domain * 65536 + id) * 2 + (version === 10 ? 1 : 0);
}

export class TemplateCache {
  private readonly templates = new Map<string, Template>();
  /** exporter → slot → template: the data-path lookup without building string keys; kept in least-recently-heard order. */
  private readonly byExporter = new Map<string, Map<number, Template>>();
  private readonly perExporter = new Map<string, number>();
  private mostRecent: string | undefined;
  /** Templates and exporters dropped to make room (counted in the codec's stats). */
  evictedTemplates = 0;
  evictedExporters = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxPerExporter: number,
    private readonly maxTotal = MAX_TOTAL_TEMPLATES,
  ) {}

  /** Marks the exporter as heard from now (it moves to the end of the eviction order). */
  private touch(exporter: string): void {
    if (this.mostRecent === exporter) return;
    const m = this.byExporter.get(exporter);
    if (m) {
      this.byExporter.delete(exporter);
      this.byExporter.set(exporter, m);
    }
    this.mostRecent = exporter;
  }

  /** Frees whole exporters, least recently heard first, until one more template fits. */
  private makeRoom(keep: string): boolean {
    for (const [exporter, m] of this.byExporter) {
      if (this.templates.size < this.maxTotal) return true;
      if (exporter === keep || exporter === WILDCARD_EXPORTER) continue;
      const gone = [...m.values()];
      for (const t of gone) this.remove(TemplateCache.key(t.version, t.exporter, t.domain, t.id), t);
      this.evictedTemplates += gone.length;
      this.evictedExporters++;
    }
    return this.templates.size < this.maxTotal;
  }

  static key(version: number, exporter: string, domain: number, id: number): string {
    return `${version}|${exporter}|${domain}|${id}`;
  }

  get size(): number {
    return this.templates.size;
  }

  /** Builds a template (compiling lazily per header shape, sharing decoders between equal layouts). */
  make(version: 9 | 10, exporter: string, domain: number, id: number, options: boolean, specs: FieldSpec[], now: number): Template {
    // JSON, so that no field name (definition files allow any) can make two layouts look alike.
    const signature = JSON.stringify(specs.map((s) => [s.pen, s.id, s.length, s.name, s.kind, s.time]));
    const decoders = new Map<HeaderShape, RecordDecoder>();
    return {
      version, exporter, domain, id, options, specs, signature,
      fixedLength: fixedLength(specs),
      hasList: specs.some((s) => s.kind === 'basicList' || s.kind === 'subTemplateList' || s.kind === 'subTemplateMultiList'),
      minLength: minimumLength(specs),
      expiresAt: now + this.ttlMs,
      decoder(shape: HeaderShape): RecordDecoder {
        let d = decoders.get(shape);
        if (d) return d;
        d = compiledDecoder(shape, signature, specs);
        decoders.set(shape, d);
        return d;
      },
    };
  }

  /**
   * Stores a template. Returns 'new', 'changed' or 'refreshed' (same layout, lifetime renewed),
   * or 'rejected' when the exporter already has the maximum number of templates.
   */
  register(t: Template): 'new' | 'changed' | 'refreshed' | 'rejected' {
    const k = TemplateCache.key(t.version, t.exporter, t.domain, t.id);
    const prev = this.templates.get(k);
    if (prev) {
      if (prev.signature === t.signature) {
        prev.expiresAt = t.expiresAt;
        return 'refreshed';
      }
      this.templates.set(k, t);
      this.index(t);
      return 'changed';
    }
    const count = this.perExporter.get(t.exporter) ?? 0;
    if (count >= this.maxPerExporter) return 'rejected';
    if (this.templates.size >= this.maxTotal && !this.makeRoom(t.exporter)) return 'rejected';
    this.perExporter.set(t.exporter, count + 1);
    this.templates.set(k, t);
    this.index(t);
    return 'new';
  }

  private index(t: Template): void {
    let m = this.byExporter.get(t.exporter);
    if (!m) this.byExporter.set(t.exporter, (m = new Map()));
    m.set(slot(t.version, t.domain, t.id), t);
    this.touch(t.exporter);
  }

  /**
   * Renews the lifetime of this exporter's template when `b[start, end)` is byte-for-byte the record
   * it was built from (exporters re-send templates constantly; rebuilding each time is wasted work).
   */
  refreshIfSame(version: number, exporter: string, domain: number, id: number, b: Buffer, start: number, end: number, now: number): boolean {
    const t = this.live(TemplateCache.key(version, exporter, domain, id), now);
    if (!t || !t.raw || t.raw.length !== end - start || b.compare(t.raw, 0, t.raw.length, start, end) !== 0) return false;
    t.expiresAt = now + this.ttlMs;
    return true;
  }

  /** The live template for data from this exporter, falling back to one loaded from a cache file. */
  lookup(version: number, exporter: string, domain: number, id: number, now: number): Template | undefined {
    const k = slot(version, domain, id);
    let t = this.byExporter.get(exporter)?.get(k);
    if (t === undefined) t = this.byExporter.get(WILDCARD_EXPORTER)?.get(k);
    if (t === undefined) return undefined;
    this.touch(exporter);
    if (t.expiresAt < now) {
      this.remove(TemplateCache.key(t.version, t.exporter, t.domain, t.id), t);
      return this.lookup(version, exporter, domain, id, now);
    }
    return t;
  }

  private live(k: string, now: number): Template | undefined {
    const t = this.templates.get(k);
    if (t === undefined) return undefined;
    if (t.expiresAt < now) {
      this.remove(k, t);
      return undefined;
    }
    return t;
  }

  private remove(k: string, t: Template): void {
    this.templates.delete(k);
    const m = this.byExporter.get(t.exporter);
    if (m) {
      m.delete(slot(t.version, t.domain, t.id));
      if (m.size === 0) {
        this.byExporter.delete(t.exporter);
        if (this.mostRecent === t.exporter) this.mostRecent = undefined;
      }
    }
    const c = this.perExporter.get(t.exporter) ?? 1;
    if (c <= 1) this.perExporter.delete(t.exporter);
    else this.perExporter.set(t.exporter, c - 1);
  }

  /** Withdraws one template; true when it existed. */
  withdraw(version: number, exporter: string, domain: number, id: number): boolean {
    const k = TemplateCache.key(version, exporter, domain, id);
    const t = this.templates.get(k);
    if (!t) return false;
    this.remove(k, t);
    return true;
  }

  /** Withdraws all templates (or all options templates) of an exporter's domain; returns how many. */
  withdrawAll(version: number, exporter: string, domain: number, options: boolean): number {
    const m = this.byExporter.get(exporter);
    if (!m) return 0;
    const gone: Template[] = [];
    for (const t of m.values()) if (t.version === version && t.domain === domain && t.options === options) gone.push(t);
    for (const t of gone) this.remove(TemplateCache.key(t.version, t.exporter, t.domain, t.id), t);
    return gone.length;
  }

  /** Drops expired templates; returns how many. */
  expire(now: number): number {
    let n = 0;
    for (const [k, t] of this.templates) {
      if (t.expiresAt < now) {
        this.remove(k, t);
        n++;
      }
    }
    return n;
  }

  all(): IterableIterator<Template> {
    return this.templates.values();
  }
}
