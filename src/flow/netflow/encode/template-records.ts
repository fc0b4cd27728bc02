// Template and options-template records (IPFIX RFC 7011 §3.4, NetFlow v9 RFC 3954 §5.2/§6.1).
import { ByteWriter } from './byte-writer.ts';
import { EncodeError } from './errors.ts';
import type { Template, TemplateField } from './types.ts';

function checkTemplateId(t: Template, where: string): void {
  if (!Number.isInteger(t.id) || t.id < 256 || t.id > 65535) {
    throw new EncodeError(`template id ${t.id} outside 256…65535`, where);
  }
}

function writeIpfixFieldSpecifier(w: ByteWriter, f: TemplateField, where: () => string): void {
  const pen = f.pen ?? 0;
  if (!Number.isInteger(f.id) || f.id < 0 || f.id > 0x7fff) throw new EncodeError(`element id ${f.id} outside 0…32767`, where());
  if (!Number.isInteger(f.length) || f.length < 0 || f.length > 65535) throw new EncodeError(`field length ${f.length} outside 0…65535`, where());
  w.u16(pen !== 0 ? 0x8000 | f.id : f.id);
  w.u16(f.length);
  if (pen !== 0) {
    if (!Number.isInteger(pen) || pen < 0 || pen > 0xffffffff) throw new EncodeError(`enterprise number ${pen} outside 32 bits`, where());
    w.u32(pen);
  }
}

/** IPFIX template record, or options template record when `options` (scopeFieldCount 1…fields). */
export function writeIpfixTemplateRecord(w: ByteWriter, t: Template, options: boolean): void {
  const where = `template ${t.id}`;
  checkTemplateId(t, where);
  if (t.fields.length > 65535) throw new EncodeError(`${t.fields.length} fields exceed 65535`, where);
  w.u16(t.id);
  w.u16(t.fields.length);
  if (options) {
    const scopes = t.scopeFieldCount ?? 0;
    if (scopes < 1 || scopes > t.fields.length) {
      throw new EncodeError(`options template needs a scope field count in 1…${t.fields.length}, got ${scopes}`, where);
    }
    w.u16(scopes);
  }
  t.fields.forEach((f, i) => writeIpfixFieldSpecifier(w, f, () => `${where} field ${i}`));
}

function writeV9FieldSpecifier(w: ByteWriter, f: TemplateField, where: () => string): void {
  if ((f.pen ?? 0) !== 0) throw new EncodeError('NetFlow v9 has no enterprise fields', where());
  if (!Number.isInteger(f.id) || f.id < 0 || f.id > 65535) throw new EncodeError(`field type ${f.id} outside 0…65535`, where());
  if (!Number.isInteger(f.length) || f.length < 0 || f.length > 65535) throw new EncodeError(`field length ${f.length} outside 0…65535`, where());
  w.u16(f.id);
  w.u16(f.length);
}

/** NetFlow v9 template record. */
export function writeV9TemplateRecord(w: ByteWriter, t: Template): void {
  const where = `template ${t.id}`;
  checkTemplateId(t, where);
  w.u16(t.id);
  w.u16(t.fields.length);
  t.fields.forEach((f, i) => writeV9FieldSpecifier(w, f, () => `${where} field ${i}`));
}

/** NetFlow v9 options template record: scope and option lengths are in bytes (4 per field). */
export function writeV9OptionsTemplateRecord(w: ByteWriter, t: Template): void {
  const where = `options template ${t.id}`;
  checkTemplateId(t, where);
  const scopes = t.scopeFieldCount ?? 0;
  if (scopes < 1 || scopes > t.fields.length) {
    throw new EncodeError(`options template needs a scope field count in 1…${t.fields.length}, got ${scopes}`, where);
  }
  w.u16(t.id);
  w.u16(scopes * 4);
  w.u16((t.fields.length - scopes) * 4);
  t.fields.forEach((f, i) => writeV9FieldSpecifier(w, f, () => `${where} field ${i}`));
}
