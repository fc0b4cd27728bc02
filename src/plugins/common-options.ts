// Logstash's common plugin options applied to events: the inputs' `type`/`tags`/`add_field`
// (decorate) and the filters' `add_field`/`remove_field`/`add_tag`/`remove_tag`, applied in that
// order and only when the filter succeeded (filter_matched). Names and values are sprintf'd.
import type { Event } from '../event/event.ts';
import { compileSprintf, type Interpolator } from '../event/sprintf.ts';
import type { FieldValue } from '../event/values.ts';
import { interpolatedFieldPath, staticFieldPath, type PathOf } from '../event/compiled-ref.ts';
import { compileFieldAdder, compileFieldRemover, type FieldAdder as CompiledAdder } from '../event/field-setter.ts';

const TAGS = ['tags'] as const;

/** add: the compiled addValue of a static, valid name (undefined: the name is resolved per event). */
type FieldAdder = { name: PathOf; add: CompiledAdder | undefined; values: Interpolator[] };

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
    const path = staticFieldPath(k);
    return { name: interpolatedFieldPath(k), add: path && compileFieldAdder(path), values: stringList(v).map(compileSprintf) };
  });
}

function applyAddFields(adders: FieldAdder[], event: Event): void {
  for (let i = 0; i < adders.length; i++) {
    const a = adders[i]!;
    if (a.values.length === 0) continue; // (the name is not even parsed)
    if (a.add !== undefined) {
      for (let j = 0; j < a.values.length; j++) a.add(event, a.values[j]!(event));
      continue;
    }
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

type Decoration = (event: Event) => void;

const noDecoration: Decoration = () => undefined;

/**
 * The filter side (filter_matched): add_field, remove_field, add_tag, remove_tag. Only the options a
 * filter has are applied per event: most filters have none or one of the four.
 */
export function filterMatchedDecorator(options: Record<string, unknown>): Decoration {
  // An add_field name without values is not even parsed per event.
  const adders = fieldAdders(options['add_field']).filter((a) => a.values.length > 0);
  const removes = stringList(options['remove_field']).map((f): Decoration => {
    compileSprintf(f);
    const path = staticFieldPath(f);
    if (path !== undefined) return compileFieldRemover(path);
    const name = interpolatedFieldPath(f);
    return (event) => {
      event.removePath(name(event));
    };
  });
  const addTags = stringList(options['add_tag']).map(compileSprintf);
  const removeTags = stringList(options['remove_tag']).map(compileSprintf);
  const parts: Decoration[] = [];
  if (adders.length > 0) parts.push(addingFields(adders));
  parts.push(...removes);
  if (addTags.length > 0) parts.push((event) => applyAddTags(addTags, event));
  if (removeTags.length > 0) parts.push((event) => removeTagsFrom(event, removeTags));
  return inSequence(parts);
}

function inSequence(parts: Decoration[]): Decoration {
  if (parts.length === 0) return noDecoration;
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 2) {
    const [first, second] = parts as [Decoration, Decoration];
    return (event) => {
      first(event);
      second(event);
    };
  }
  return (event) => {
    for (let i = 0; i < parts.length; i++) parts[i]!(event);
  };
}

function addingFields(adders: FieldAdder[]): Decoration {
  if (adders.length === 1 && adders[0]!.values.length === 1) {
    const { name, add, values } = adders[0]!;
    const value = values[0]!;
    if (add !== undefined) return (event) => add(event, value(event));
    return (event) => event.addValue(name(event), value(event));
  }
  return (event) => applyAddFields(adders, event);
}

/** A tag that is to be dropped or not a string (whose set would fail): the list must be set again. */
function anyGoes(tags: FieldValue[], drop: string[]): boolean {
  for (let i = 0; i < tags.length; i++) {
    const t = tags[i];
    if (typeof t !== 'string' || drop.includes(t)) return true;
  }
  return false;
}

// Loops, not some/filter: closures over `drop` would be allocated per call.
function removeTagsFrom(event: Event, removeTags: Interpolator[]): void {
  const tags = event.getPath(TAGS);
  if (tags === undefined || tags === null) return;
  const drop: string[] = [];
  for (let i = 0; i < removeTags.length; i++) drop.push(removeTags[i]!(event));
  // A list of strings none of which goes is left as it is: setting an equal copy changes nothing.
  if (Array.isArray(tags) && !anyGoes(tags, drop)) return;
  const list = Array.isArray(tags) ? tags : [tags];
  const kept: FieldValue[] = [];
  for (let i = 0; i < list.length; i++) {
    const t = list[i]!;
    if (!(typeof t === 'string' && drop.includes(t))) kept.push(t);
  }
  event.setPath(TAGS, kept);
}
