// Template fields from the information model by name, and the default type lookups per protocol.
import { lookupIpfixElement, lookupIpfixElementByName, lookupV9Element, defaultLength } from '../infomodel.ts';
import { EncodeError } from './errors.ts';
import type { ElementTypeLookup, FieldEncodeOptions } from './field-values.ts';
import { VARIABLE_LENGTH, type TemplateField } from './types.ts';

export const ipfixTypeLookup: ElementTypeLookup = (pen, id) => lookupIpfixElement(pen, id)?.type;
export const v9TypeLookup: ElementTypeLookup = (_pen, id) => lookupV9Element(id)?.type;

export function withTypeLookup(opts: FieldEncodeOptions, lookup: ElementTypeLookup): FieldEncodeOptions {
  return opts.lookupType ? opts : { ...opts, lookupType: lookup };
}

/**
 * An IPFIX template field for a named information element (e.g. 'sourceIPv4Address',
 * 'netscalerHttpReqUrl'); length defaults to the type's natural size, or variable length.
 */
export function ipfixField(name: string, length?: number): TemplateField {
  const e = lookupIpfixElementByName(name);
  if (!e) throw new EncodeError(`no information element named ${JSON.stringify(name)}`, 'ipfixField');
  const len = length ?? defaultLength(e.type) ?? VARIABLE_LENGTH;
  return e.pen ? { pen: e.pen, id: e.id, length: len, type: e.type, name } : { id: e.id, length: len, type: e.type, name };
}

/** A NetFlow v9 template field for a field type id (named per the Logstash codec's netflow.yaml). */
export function v9Field(id: number, length: number): TemplateField {
  const e = lookupV9Element(id);
  if (!e) throw new EncodeError(`no NetFlow v9 field type ${id} in the information model`, 'v9Field');
  return { id, length, type: e.type, name: e.name || undefined };
}
