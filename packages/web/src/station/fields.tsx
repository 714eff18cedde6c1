import { vietnamToday, viNumber } from '@openhssk/core';
import type { ReactNode } from 'react';
import type { FieldDef, FieldValue, FormData831, SectionDef } from './api.ts';
import { displayValue } from './format.ts';

/**
 * Inputs for the fields of the 831 form, chosen by each field's type in the form data, and the
 * checks the server will make, done first on the device so that a mistake is said at once, in
 * Vietnamese, next to the field — offline too.
 */

/** What an input holds while the user types (numbers as typed, with a comma or a point). */
export type Typed = string | string[];
export type TypedValues = Record<string, Typed>;

/** A stored value as the input shows it. */
export function toTyped(def: FieldDef, v: FieldValue | null | undefined): Typed {
  if (v === null || v === undefined) return def.type.kind === 'codes' ? [] : '';
  switch (def.type.kind) {
    case 'codes':
      return Array.isArray(v) ? v : [String(v)];
    case 'boolean':
      return v === true ? 'true' : 'false';
    case 'number':
      return viNumber(Number(v));
    case 'date':
      return def.type.partial ? partialToTyped(String(v)) : String(v);
    default:
      return String(v);
  }
}

function partialToTyped(iso: string): string {
  const [y, m, d] = iso.split('-');
  if (d) return `${d}/${m}/${y}`;
  if (m) return `${m}/${y}`;
  return y ?? iso;
}

/** dd/mm/yyyy, mm/yyyy, yyyy (or ISO) → 'YYYY-MM-DD' | 'YYYY-MM' | 'YYYY'; null when unreadable. */
export function readDate(s: string, partial: boolean): string | null {
  const t = s.trim();
  const full = t.match(/^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/);
  const monthYear = partial ? t.match(/^(\d{1,2})[/.-](\d{4})$/) : null;
  let iso: string;
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) iso = t;
  else if (full) iso = `${full[3]}-${full[2]!.padStart(2, '0')}-${full[1]!.padStart(2, '0')}`;
  else if (monthYear) iso = `${monthYear[2]}-${monthYear[1]!.padStart(2, '0')}`;
  else if (partial && (/^\d{4}-\d{2}$/.test(t) || /^\d{4}$/.test(t))) iso = t;
  else return null;
  const [y, mo, d] = iso.split('-').map(Number);
  if (mo !== undefined && (mo < 1 || mo > 12)) return null;
  if (d !== undefined) {
    const date = new Date(Date.UTC(y!, mo! - 1, d));
    if (date.getUTCMonth() !== mo! - 1 || date.getUTCDate() !== d) return null;
  }
  return iso;
}

/** Reads a typed number ("1,5" or "1.5"); NaN when it is not one. */
export const readNumber = (s: string) => (s.trim() === '' ? Number.NaN : Number(s.trim().replace(',', '.')));

const ICD10 = /^[A-Z][0-9]{2}(\.[0-9A-Z]{1,2})?$/;
const PHONE = /^(0|\+84)[0-9]{9,10}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type Checked = { ok: true; value: FieldValue | null } | { ok: false; message: string };

/** One typed field, checked and converted to what the server stores. */
export function checkField(def: FieldDef, typed: Typed | undefined): Checked {
  const t = def.type;
  const label = def.label_vi;
  if (t.kind === 'codes') {
    const list = Array.isArray(typed) ? typed : [];
    return { ok: true, value: list.length ? list : null };
  }
  const s = typeof typed === 'string' ? typed.trim() : '';
  if (s === '') return { ok: true, value: null };
  switch (t.kind) {
    case 'text':
      return s.length > t.maxLength ? { ok: false, message: `${label}: dài quá ${t.maxLength} ký tự (đang có ${s.length}).` } : { ok: true, value: s };
    case 'code':
      return { ok: true, value: s };
    case 'boolean':
      return { ok: true, value: s === 'true' };
    case 'number':
    case 'integer': {
      const n = readNumber(s);
      const unit = t.unit ? ` ${t.unit}` : '';
      if (!Number.isFinite(n)) return { ok: false, message: `${label}: «${s}» không phải là số.` };
      if (t.kind === 'integer' && !Number.isInteger(n)) return { ok: false, message: `${label}: cần số nguyên.` };
      if (n < t.min || n > t.max) return { ok: false, message: `${label}: phải từ ${viNumber(t.min)} đến ${viNumber(t.max)}${unit}.` };
      if (t.kind === 'number') {
        const p = 10 ** t.decimals;
        return { ok: true, value: Math.round(n * p) / p };
      }
      return { ok: true, value: n };
    }
    case 'date': {
      const iso = readDate(s, t.partial);
      if (!iso) return { ok: false, message: t.partial ? `${label}: «${s}» không phải ngày hợp lệ (ngày/tháng/năm, tháng/năm hoặc năm).` : `${label}: «${s}» không phải ngày hợp lệ (ngày/tháng/năm).` };
      const lower = iso.length === 4 ? `${iso}-01-01` : iso.length === 7 ? `${iso}-01` : iso;
      if (lower > vietnamToday()) return { ok: false, message: `${label}: ngày ${s} ở tương lai.` };
      if (lower < '1900-01-01') return { ok: false, message: `${label}: ngày ${s} trước năm 1900.` };
      return { ok: true, value: iso };
    }
    case 'icd10': {
      const c = s.toUpperCase().replace(/\s+/g, '');
      return ICD10.test(c) ? { ok: true, value: c } : { ok: false, message: `Mã ICD-10 «${s}» sai định dạng (ví dụ đúng: I10, E11.9).` };
    }
    case 'phone': {
      const p = s.replace(/[\s.-]/g, '');
      return PHONE.test(p) ? { ok: true, value: p } : { ok: false, message: `${label}: «${s}» không phải số điện thoại hợp lệ (bắt đầu bằng 0 hoặc +84, 10–11 chữ số).` };
    }
    case 'email':
      return EMAIL.test(s) ? { ok: true, value: s } : { ok: false, message: `${label}: «${s}» không phải địa chỉ thư điện tử hợp lệ.` };
  }
}

const present = (v: FieldValue | null | undefined) => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);

/**
 * The whole section or item as it would be after saving: each field checked, required fields of a
 * list item, fields required by another's code, and the section's "parts ≤ total" sums.
 */
export function checkSection(form: FormData831, def: SectionDef, typed: TypedValues, stored: Record<string, FieldValue | null>): { values: Record<string, FieldValue | null>; errors: Record<string, string> } {
  const values: Record<string, FieldValue | null> = {};
  const errors: Record<string, string> = {};
  for (const f of def.fields) {
    const r = checkField(f, typed[f.key]);
    if (r.ok) values[f.key] = r.value;
    else errors[f.key] = r.message;
  }
  const merged = { ...stored, ...values };
  for (const f of def.fields) {
    if (errors[f.key]) continue;
    if (def.kind === 'list' && f.required && !present(merged[f.key])) errors[f.key] = `${f.label_vi}: cần ghi.`;
    const w = f.requiredWhen;
    if (w && !present(merged[f.key]) && typeof merged[w.field] === 'string' && w.in.includes(merged[w.field] as string)) {
      const other = def.fields.find((x) => x.key === w.field);
      errors[f.key] = `${f.label_vi}: cần ghi khi «${other?.label_vi ?? w.field}» là «${other ? displayValue(form, other, merged[w.field]!) : merged[w.field]}».`;
    }
  }
  for (const sc of def.sumChecks ?? []) {
    const total = merged[sc.total];
    if (typeof total !== 'number') continue;
    const sum = sc.parts.reduce((a, k) => a + (typeof merged[k] === 'number' ? (merged[k] as number) : 0), 0);
    if (sum > total && !errors[sc.total]) errors[sc.total] = sc.message_vi;
  }
  return { values, errors };
}

/** An input for one field of the form, by its type, with its error and the line saying who recorded it. */
export function FieldInput(p: { form: FormData831; def: FieldDef; id: string; value: Typed; onChange: (v: Typed) => void; error?: string | undefined; note?: string | undefined }) {
  const { def, id, value, onChange, error, note } = p;
  const t = def.type;
  const describedBy = [error ? `${id}-error` : null, `${id}-hint`].filter(Boolean).join(' ');
  const common = { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy } as const;
  const hint =
    t.kind === 'number' || t.kind === 'integer'
      ? `${viNumber(t.min)}–${viNumber(t.max)}${t.unit ? ` ${t.unit}` : ''}`
      : t.kind === 'date' && t.partial
        ? 'ngày/tháng/năm, tháng/năm hoặc chỉ năm'
        : t.kind === 'icd10'
          ? 'ví dụ I10, E11.9'
          : '';
  const str = typeof value === 'string' ? value : '';
  if (t.kind === 'codes') {
    const codes = p.form.code_lists[t.list]?.codes ?? {};
    const list = Array.isArray(value) ? value : [];
    return (
      <fieldset className="st-field" aria-describedby={describedBy}>
        <legend>{def.label_vi}</legend>
        {Object.entries(codes).map(([code, label]) => (
          <label key={code} className="choice">
            <input type="checkbox" checked={list.includes(code)} onChange={(e) => onChange(e.target.checked ? [...list, code] : list.filter((c) => c !== code))} />
            {label}
          </label>
        ))}
        <Hint id={id} hint={hint} note={note} error={error} />
      </fieldset>
    );
  }
  let input: ReactNode;
  switch (t.kind) {
    case 'code': {
      const codes = p.form.code_lists[t.list]?.codes ?? {};
      input = (
        <select {...common} value={str} onChange={(e) => onChange(e.target.value)}>
          <option value="">— Chưa ghi —</option>
          {Object.entries(codes).map(([code, label]) => (
            <option key={code} value={code}>
              {label}
            </option>
          ))}
        </select>
      );
      break;
    }
    case 'boolean':
      input = (
        <select {...common} value={str} onChange={(e) => onChange(e.target.value)}>
          <option value="">— Chưa ghi —</option>
          <option value="true">Có</option>
          <option value="false">Không</option>
        </select>
      );
      break;
    case 'number':
      input = <input {...common} inputMode="decimal" value={str} onChange={(e) => onChange(e.target.value)} />;
      break;
    case 'integer':
      input = <input {...common} inputMode="numeric" value={str} onChange={(e) => onChange(e.target.value)} />;
      break;
    case 'date':
      input = t.partial ? (
        <input {...common} inputMode="numeric" placeholder="dd/mm/yyyy" value={str} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input {...common} type="date" max={vietnamToday()} value={str} onChange={(e) => onChange(e.target.value)} />
      );
      break;
    case 'phone':
      input = <input {...common} type="tel" autoComplete="off" value={str} onChange={(e) => onChange(e.target.value)} />;
      break;
    case 'email':
      input = <input {...common} type="email" autoComplete="off" value={str} onChange={(e) => onChange(e.target.value)} />;
      break;
    case 'icd10':
      input = <input {...common} autoCapitalize="characters" autoComplete="off" value={str} onChange={(e) => onChange(e.target.value)} />;
      break;
    default:
      input =
        t.maxLength > 200 ? (
          <textarea {...common} rows={2} maxLength={t.maxLength + 50} value={str} onChange={(e) => onChange(e.target.value)} />
        ) : (
          <input {...common} autoComplete="off" value={str} onChange={(e) => onChange(e.target.value)} />
        );
  }
  return (
    <div className="field st-field">
      <label htmlFor={id}>
        {def.label_vi}
        {def.required ? ' *' : ''}
      </label>
      {input}
      <Hint id={id} hint={hint} note={note} error={error} />
    </div>
  );
}

function Hint({ id, hint, note, error }: { id: string; hint: string; note?: string | undefined; error?: string | undefined }) {
  return (
    <>
      {error && (
        <span id={`${id}-error`} className="st-error">
          {error}
        </span>
      )}
      <span id={`${id}-hint`} className="muted small">
        {[hint, note].filter(Boolean).join(' · ')}
      </span>
    </>
  );
}
