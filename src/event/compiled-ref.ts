// Field references and templates that plugins resolve per event, prepared once at construction.
// A static reference is parsed once; one with `%{…}` is sprintf'd and parsed per event. Whatever
// cannot be prepared (an invalid reference, a template that does not compile) is left to the
// per-event call, so its error is raised per event, where Logstash raises it.
import type { Event } from './event.ts';
import { parseFieldReference } from './fieldref.ts';
import { compileSprintf, sprintf } from './sprintf.ts';

/** The parsed path of a field reference, for one event. */
export type PathOf = (event: Event) => readonly string[];
/** A template's text, for one event. */
export type TextOf = (event: Event) => string;

/** A field reference used as written (not sprintf'd). */
export function fieldPath(ref: string): PathOf {
  let path: readonly string[];
  try {
    path = parseFieldReference(ref);
  } catch {
    return () => parseFieldReference(ref);
  }
  return () => path;
}

/** The parsed path of a reference that is the same for every event (no `%{…}`, valid); else undefined. */
export function staticFieldPath(ref: string): readonly string[] | undefined {
  if (ref.indexOf('%{') !== -1) return undefined;
  try {
    return parseFieldReference(ref);
  } catch {
    return undefined;
  }
}

/** A field reference that is sprintf'd first (`%{…}` in a field name). */
export function interpolatedFieldPath(template: string): PathOf {
  if (template.indexOf('%{') === -1) return fieldPath(template);
  const text = interpolated(template);
  return (event) => parseFieldReference(text(event));
}

/** A sprintf'd template. */
export function interpolated(template: string): TextOf {
  if (template.indexOf('%{') === -1) return () => template;
  try {
    return compileSprintf(template);
  } catch {
    return (event) => sprintf(event, template);
  }
}
