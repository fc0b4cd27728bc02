// Logstash's common plugin options applied to events: the inputs' `type`/`tags`/`add_field`
// (decorate) and the filters' `add_field`/`remove_field`/`add_tag`/`remove_tag`, applied in that
// order and only when the filter succeeded (filter_matched). Names and values are sprintf'd.
import type { Event } from '../event/event.ts';
import { compileSprintf, type Interpolator } from '../event/sprintf.ts';
import type { FieldValue } from '../event/values.ts';
import { interpolatedFieldPath, type PathOf } from '../event/compiled-ref.ts';

const TAGS = ['tags'] as const;

type FieldAdder = { name: PathOf; values: Interpolator[] };

function stringList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x) => String(x));
  return [String(v)];
}

function fieldAdders(spec: unknown): FieldAdder[] {
  if (spec === undefined || spec === null) return [];
  // `add_field => ["a", "b"]` (the old array form) pairs up items.
  const entries: [string, unknown][] = Array.isArray(spec)
    ? Array.from({ length: Math.floor(spec.length / 2) }, (_, i) => [String(spec[2 * i]), spec[2 * i + 1]])
    : Object.entries(spec as Record<string, unknown>);
  return entries.map(([k, v]) => {
    compileSprintf(k); // a name that does not compile fails at construction
    return { name: interpolatedFieldPath(k), values: stringList(v).map(compileSprintf) };
  });
}

function applyAddFields(adders: FieldAdder[], event: Event): void {
  for (let i = 0; i < adders.length; i++) {
    const a = adders[i]!;
    if (a.values.length === 0) continue; // (the name is not even parsed)
    const path = a.name(event);
    for (let j = 0; j < a.values.length; j++) event.addValue(path, a.values[j]!(event));
  }
}

function applyAddTags(tags: Interpolator[], event: Event): void {
  if (tags.length === 0) return;
  const existing = event.getPath(TAGS);
  const list: FieldValue[] = existing === undefined || existing === null ? [] : Array.isArray(existing) ? [...existing] : [existing];
  for (const t of tags) list.push(t(event));
  event.setPath(TAGS, list);
}

/** The input side: `type` only when unset, `add_field`, then `tags` (no dedupe). */
export function inputDecorator(options: Record<string, unknown>): (event: Event) => void {
  const type = typeof options['type'] === 'string' ? options['type'] : undefined;
  const adders = fieldAdders(options['add_field']);
  const tags = stringList(options['tags']).map(compileSprintf);
  if (type === undefined && adders.length === 0 && tags.length === 0) return () => undefined;
  return (event) => {
    if (type !== undefined && !event.includes('type')) event.set('type', type);
    applyAddFields(adders, event);
    applyAddTags(tags, event);
  };
}

/** The filter side (filter_matched): add_field, remove_field, add_tag, remove_tag. */
export function filterMatchedDecorator(options: Record<string, unknown>): (event: Event) => void {
  const adders = fieldAdders(options['add_field']);
  const removes = stringList(options['remove_field']).map((f) => {
    compileSprintf(f);
    return interpolatedFieldPath(f);
  });
  const addTags = stringList(options['add_tag']).map(compileSprintf);
  const removeTags = stringList(options['remove_tag']).map(compileSprintf);
  if (adders.length + removes.length + addTags.length + removeTags.length === 0) return () => undefined;
  return (event) => {
    applyAddFields(adders, event);
    for (let i = 0; i < removes.length; i++) event.removePath(removes[i]!(event));
    applyAddTags(addTags, event);
    if (removeTags.length > 0) removeTagsFrom(event, removeTags);
  };
}

function removeTagsFrom(event: Event, removeTags: Interpolator[]): void {
  const tags = event.getPath(TAGS);
  if (tags === undefined || tags === null) return;
  const drop = removeTags.map((t) => t(event));
  // A list of strings none of which goes is left as it is: setting an equal copy changes nothing.
  if (Array.isArray(tags) && !tags.some((t) => typeof t !== 'string' || drop.includes(t))) return;
  const list = Array.isArray(tags) ? tags : [tags];
  event.setPath(
    TAGS,
    list.filter((t) => !(typeof t === 'string' && drop.includes(t))),
  );
}
