// Event → bulk action, as logstash-output-elasticsearch builds it (common.rb event_action_tuple,
// data_stream_support.rb, http_client.rb update_action_builder): the action line's parameters in
// Logstash's order (`_id`, `_index`, `routing` always present, null when unset), the document is the
// event without @metadata, and an update wraps it in `doc` / `script` the way the plugin does.
// Mapping failures (an index still holding `%{…}`, an action Elasticsearch does not know, an upsert
// that is not JSON) are EventMappingErrors: the event goes to the dead letter queue or the log.
import type { Event } from '../../../event/event.ts';
import { jsonMap, jsonValue } from '../../../event/json.ts';
import { Bytes } from '../../../event/json-shapes.ts';
import type { JsonBatchWriter } from '../../../event/json-writer.ts';
import { parseJsonValue } from '../../../event/json-parse.ts';
import { compileSprintf, type Interpolator } from '../../../event/sprintf.ts';
import { type FieldMap, type FieldValue, isFieldMap } from '../../../event/values.ts';
import { Timestamp } from '../../../event/timestamp.ts';

export const VALID_ACTIONS = ['index', 'delete', 'create', 'update'] as const;
export type BulkActionName = (typeof VALID_ACTIONS)[number];

/** An event that cannot become a bulk action (Logstash's EventMappingError family). */
export class EventMappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventMappingError';
  }
}

/** One bulk item: the NDJSON it is sent as, and what it was built from (kept for retries and the DLQ). */
export interface BulkAction {
  action: BulkActionName;
  /** The action line and, except for delete, the source line, each ending in "\n"; as text or as UTF-8 bytes. */
  ndjson: string | Buffer;
  event: Event;
}

/** A bulk item as build() makes it: its lines as text. */
export interface TextBulkAction extends BulkAction {
  ndjson: string;
}

export interface ScriptSettings {
  script: string;
  scriptType: 'inline' | 'indexed' | 'file';
  scriptLang: string;
  scriptVarName: string;
  scriptedUpsert: boolean;
}

export interface ActionSettings {
  action: string;
  /** The resolved index template (sprintf text), or the data stream naming below. */
  index: string;
  documentId?: string;
  routing?: string;
  pipeline?: string;
  parent?: string;
  joinField?: string;
  version?: string;
  versionType?: string;
  docAsUpsert: boolean;
  upsert: string;
  retryOnConflict: number;
  script: ScriptSettings;
  dlqOnFailedIndexnameInterpolation: boolean;
  dataStream?: DataStreamSettings;
}

export interface DataStreamSettings {
  type: string;
  dataset: string;
  namespace: string;
  autoRouting: boolean;
  syncFields: boolean;
}

const UNRESOLVED = /%\{.*?\}/;
const SYNC_FIELDS = ['type', 'dataset', 'namespace'] as const;

/** Builds bulk actions for one output's settings; templates are compiled once. */
export class ActionBuilder {
  private readonly action: Interpolator;
  private readonly index: Interpolator;
  private readonly documentId?: Interpolator;
  private readonly routing?: Interpolator;
  private readonly pipeline?: Interpolator;
  private readonly staticAction?: BulkActionName;
  /**
   * Index/create with nothing per event but the index: the action line depends on the index name
   * alone, so it is built once per distinct name (consecutive events nearly always share it).
   */
  private readonly indexOnlyLine: boolean;
  private lastIndex: string | undefined;
  private lastActionLine = '';
  private lastActionBytes: Bytes | undefined;
  /** Data-stream documents whose `data_stream` field was rewritten, with the reason (logged by the caller). */
  readonly warnings: string[] = [];

  constructor(private readonly s: ActionSettings) {
    this.action = compileSprintf(s.action);
    this.index = dateOnlyTemplate(s.index) ? memoBySecond(compileSprintf(s.index)) : compileSprintf(s.index);
    if (s.documentId !== undefined) this.documentId = compileSprintf(s.documentId);
    if (s.routing !== undefined) this.routing = compileSprintf(s.routing);
    if (s.pipeline !== undefined) this.pipeline = compileSprintf(s.pipeline);
    if ((VALID_ACTIONS as readonly string[]).includes(s.action)) this.staticAction = s.action as BulkActionName;
    this.indexOnlyLine =
      (this.staticAction === 'index' || this.staticAction === 'create') && s.dataStream === undefined &&
      s.documentId === undefined && s.routing === undefined && s.pipeline === undefined && s.parent === undefined &&
      s.version === undefined && s.versionType === undefined;
  }

  /** The bulk item for an event; throws EventMappingError when the event cannot be indexed. */
  build(event: Event): TextBulkAction {
    if (this.indexOnlyLine && !hasOwn(event.metadata, 'target_ingest_pipeline')) return this.indexOnlyAction(event);
    return this.s.dataStream ? this.dataStreamAction(event, this.s.dataStream) : this.eventAction(event);
  }

  /**
   * Writes the event's bulk lines (build(event).ndjson, byte for byte) into `w`; nothing is written
   * when it throws EventMappingError. Documents of index/create actions without per-event
   * parameters go straight from the event into bytes.
   */
  writeLines(event: Event, w: JsonBatchWriter): BulkActionName {
    if (this.indexOnlyLine && !hasOwn(event.metadata, 'target_ingest_pipeline')) {
      this.indexOnlyActionLine(event);
      w.bytes((this.lastActionBytes ??= new Bytes(this.lastActionLine)));
      w.writeLine(event.data, '\n');
      return this.staticAction!;
    }
    const action = this.build(event);
    w.text(action.ndjson);
    return action.action;
  }

  /** The same lines eventAction writes for an index/create action without per-event parameters. */
  private indexOnlyAction(event: Event): TextBulkAction {
    return { action: this.staticAction!, ndjson: this.indexOnlyActionLine(event) + jsonMap(event.data) + '\n', event };
  }

  /** The action line of an index/create action without per-event parameters, rebuilt when the index changes. */
  private indexOnlyActionLine(event: Event): string {
    const index = this.index(event);
    if (index !== this.lastIndex) {
      if (this.s.dlqOnFailedIndexnameInterpolation && UNRESOLVED.test(index)) {
        throw new EventMappingError(`Badly formatted index, after interpolation still contains placeholder: [${index}]`);
      }
      this.lastActionLine = `{"${this.staticAction!}":{"_id":null,"_index":${JSON.stringify(index)},"routing":null}}\n`;
      this.lastActionBytes = undefined;
      this.lastIndex = index;
    }
    return this.lastActionLine;
  }

  private resolveIndex(event: Event): string {
    const index = this.s.dataStream ? dataStreamName(event, this.s.dataStream, this.s.index) : this.index(event);
    if (this.s.dlqOnFailedIndexnameInterpolation && UNRESOLVED.test(index)) {
      throw new EventMappingError(`Badly formatted index, after interpolation still contains placeholder: [${index}]`);
    }
    return index;
  }

  private resolvePipeline(event: Event): string | undefined {
    if (this.pipeline) return this.pipeline(event);
    const fromMetadata = event.get('[@metadata][target_ingest_pipeline]');
    if (fromMetadata === undefined || fromMetadata === null) return undefined;
    return compileSprintf(String(fromMetadata))(event);
  }

  /** `_id`, `_index`, `routing` (always written, null when unset), then `pipeline` when non-empty. */
  private commonParams(event: Event, routingOverride?: string): string {
    const id = this.documentId ? JSON.stringify(this.documentId(event)) : 'null';
    const routingValue = routingOverride ?? (this.routing ? this.routing(event) : undefined);
    const routing = routingValue === undefined ? 'null' : JSON.stringify(routingValue);
    let params = `"_id":${id},"_index":${JSON.stringify(this.resolveIndex(event))},"routing":${routing}`;
    const pipeline = this.resolvePipeline(event);
    if (pipeline !== undefined && pipeline !== '') params += `,"pipeline":${JSON.stringify(pipeline)}`;
    return params;
  }

  private eventAction(event: Event): TextBulkAction {
    const s = this.s;
    const parent = s.parent !== undefined ? compileSprintf(s.parent)(event) : undefined;
    // With a join field the parent's id routes the child; without one it is the legacy `parent` parameter.
    let params = this.commonParams(event, s.joinField !== undefined ? parent : undefined);
    if (parent !== undefined) {
      if (s.joinField !== undefined) event.set(s.joinField, { name: event.get(s.joinField) ?? null, parent });
      else params += `,"parent":${JSON.stringify(parent)}`;
    }
    const action = this.staticAction ?? this.action(event);
    if (!(VALID_ACTIONS as readonly string[]).includes(action)) {
      throw new EventMappingError(`Elasticsearch doesn't support the '${action}' action (valid: ${VALID_ACTIONS.join(', ')})`);
    }
    let upsert: FieldValue | undefined;
    let script: string | undefined;
    if (action === 'update') {
      if (s.upsert !== '') {
        const text = compileSprintf(s.upsert)(event);
        try {
          upsert = parseJsonValue(text);
        } catch (e) {
          throw new EventMappingError(`The upsert setting is not valid JSON after interpolation (${(e as Error).message}): ${text}`);
        }
      }
      if (s.script.script !== '') script = compileSprintf(s.script.script)(event);
    }
    if (s.version !== undefined) params += `,"version":${JSON.stringify(compileSprintf(s.version)(event))}`;
    if (s.versionType !== undefined) params += `,"version_type":${JSON.stringify(compileSprintf(s.versionType)(event))}`;
    const doc = jsonMap(event.data);
    switch (action) {
      case 'delete':
        return { action, ndjson: `{"delete":{${params}}}\n`, event };
      case 'update':
        return { action, ndjson: this.updateLines(params, doc, upsert, script), event };
      default:
        return { action: action as BulkActionName, ndjson: `{"${action}":{${params}}}\n${doc}\n`, event };
    }
  }

  /**
   * http_client.rb's update_action_builder: a script wraps the event in script.params, otherwise it
   * is the partial `doc`; `_upsert` stays in the action line where Logstash leaves it there.
   */
  private updateLines(common: string, doc: string, upsert: FieldValue | undefined, script: string | undefined): string {
    const s = this.s;
    let argsUpsert = upsert !== undefined ? `,"_upsert":${jsonValue(upsert)}` : '';
    let source: string;
    if (script !== undefined) {
      let tail = '';
      if (s.script.scriptedUpsert) tail = ',"scripted_upsert":true,"upsert":{}';
      else if (s.docAsUpsert) tail = `,"upsert":${doc}`;
      else if (upsert !== undefined) {
        tail = `,"upsert":${jsonValue(upsert)}`;
        argsUpsert = '';
      }
      const key = s.script.scriptType === 'indexed' ? 'id' : s.script.scriptType === 'file' ? 'file' : 'inline';
      const lang = s.script.scriptLang !== '' ? `,"lang":${JSON.stringify(s.script.scriptLang)}` : '';
      source = `{"script":{"params":{${JSON.stringify(s.script.scriptVarName)}:${doc}},${JSON.stringify(key)}:${JSON.stringify(script)}${lang}}${tail}}`;
    } else if (s.docAsUpsert) {
      source = `{"doc":${doc},"doc_as_upsert":true}`;
    } else if (upsert !== undefined) {
      source = `{"doc":${doc},"upsert":${jsonValue(upsert)}}`;
      argsUpsert = '';
    } else {
      source = `{"doc":${doc}}`;
    }
    return `{"update":{${common}${argsUpsert},"retry_on_conflict":${this.s.retryOnConflict}}}\n${source}\n`;
  }

  private dataStreamAction(event: Event, ds: DataStreamSettings): TextBulkAction {
    const params = this.commonParams(event);
    const data = ds.syncFields ? this.syncDataStreamFields(event.data, ds) : event.data;
    return { action: 'create', ndjson: `{"create":{${params}}}\n${jsonMap(data)}\n`, event };
  }

  /** data_stream_event_sync: the document's data_stream.{type,dataset,namespace} match the stream it goes to. */
  private syncDataStreamFields(data: FieldMap, ds: DataStreamSettings): FieldMap {
    const current = data['data_stream'];
    const synced: FieldMap = {};
    if (isFieldMap(current)) {
      Object.assign(synced, current);
      if (!ds.autoRouting) {
        const outOfSync = SYNC_FIELDS.filter((k) => k in current && current[k] !== ds[k]);
        if (outOfSync.length > 0) {
          this.warnings.push(`Some data_stream fields are out of sync, these will be updated to reflect data-stream name: ${outOfSync.map((k) => `${k}=${String(current[k])}`).join(', ')}`);
          for (const k of outOfSync) delete synced[k];
        }
      }
    } else if (current !== undefined) {
      this.warnings.push(`Invalid 'data_stream' field type, due fields sync will overwrite: ${jsonValue(current)}`);
    }
    for (const k of SYNC_FIELDS) if (synced[k] === undefined || synced[k] === null || synced[k] === false) synced[k] = ds[k];
    // A shallow copy of the top level keeps the event itself untouched (it may go to other outputs).
    const out: FieldMap = {};
    for (const k of Object.keys(data)) out[k] = data[k]!;
    out['data_stream'] = synced;
    return out;
  }
}

function hasOwn(map: FieldMap, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(map, key);
}

/** An index like `logs-%{+YYYY.MM.dd}`: only date placeholders, none finer than a second. */
function dateOnlyTemplate(template: string): boolean {
  const placeholders = template.match(/%\{[^}]*\}/g);
  return placeholders !== null && placeholders.every((p) => p.startsWith('%{+') && !p.includes('S'));
}

/** The index of consecutive events from the same second is computed once. */
function memoBySecond(interpolate: Interpolator): Interpolator {
  let lastSecond = Number.NaN;
  let last = '';
  return (event) => {
    const ts = event.data['@timestamp'];
    if (!(ts instanceof Timestamp)) return interpolate(event);
    if (ts.seconds !== lastSecond) {
      last = interpolate(event);
      lastSecond = ts.seconds;
    }
    return last;
  };
}

/** data_stream_name: `type-dataset-namespace` from the event's data_stream field (auto routing) or the settings. */
export function dataStreamName(event: Event, ds: DataStreamSettings, fallback: string): string {
  const field = event.get('data_stream');
  if (!ds.autoRouting || !isFieldMap(field)) return fallback;
  const part = (k: 'type' | 'dataset' | 'namespace'): string => {
    const v = field[k];
    return v === undefined || v === null || v === false ? ds[k] : String(v);
  };
  return `${part('type')}-${part('dataset')}-${part('namespace')}`;
}
