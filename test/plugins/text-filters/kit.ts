// What the text-filter tests share: a logger that records lines, and a filter run on one event.
import { Event } from '../../../src/event/event.ts';
import type { FieldMap } from '../../../src/event/values.ts';
import { standaloneContext } from '../../../src/plugins/context.ts';
import type { EcsCompatibility, Filter, Logger, PluginContext } from '../../../src/plugins/types.ts';

export interface RecordedLine {
  level: string;
  msg: string;
  data?: Record<string, unknown>;
}

export function recorder(): Logger & { lines: RecordedLine[] } {
  const lines: RecordedLine[] = [];
  const at =
    (level: string) =>
    (msg: string, data?: Record<string, unknown>): void =>
      void lines.push({ level, msg, ...(data ? { data } : {}) });
  return { lines, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), isEnabled: () => true };
}

export function context(ecs: EcsCompatibility = 'v8', log: Logger = recorder()): PluginContext {
  return standaloneContext({ log, ecsCompatibility: ecs });
}

/** Fills schema defaults, like the registry does before create(). */
export function withDefaults<T>(schema: { options: Record<string, { default?: unknown }> }, options: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(schema.options)) if (spec.default !== undefined) out[k] = structuredClone(spec.default);
  for (const k of ['add_field', 'add_tag', 'remove_field', 'remove_tag']) out[k] ??= k === 'add_field' ? {} : [];
  return { ...out, ...options } as T;
}

export async function runOne(filter: Filter, data: FieldMap): Promise<Event[]> {
  await filter.register?.();
  return [await filter.filter(new Event(data))].flat();
}
