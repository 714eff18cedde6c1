import type { Applicability, FieldDef, FieldValue, FormData831, PrimaryCarePerson, SectionDef, SectionView } from './api.ts';
import type { OutboxEntry } from './db.ts';
import { displayValue } from './format.ts';

/** Reading the 831 form definition and a person's record for the screens (no I/O). */

export interface PersonFacts {
  sex: number | null;
  age: number | null;
}

/** May the section be recorded for this person? Unknown sex or age does not rule it out (as on the server). */
export function mayApply(a: Applicability | undefined, p: PersonFacts): boolean {
  if (!a) return true;
  if (a.sex !== undefined && (p.sex === 1 || p.sex === 2) && p.sex !== a.sex) return false;
  if (p.age !== null && a.minAge !== undefined && p.age < a.minAge) return false;
  if (p.age !== null && a.maxAge !== undefined && p.age >= a.maxAge) return false;
  return true;
}

export const factsOf = (pc: PrimaryCarePerson | null | undefined): PersonFacts => ({ sex: pc?.person.gioi_tinh ?? null, age: pc?.person.age ?? null });

/** A record entry waiting in the outbox, as the screens show it beside the stored values. */
export interface PendingRecord {
  entry: OutboxEntry;
  section: string;
  itemId: string | null;
  values: Record<string, FieldValue | null>;
}

export function pendingRecords(entries: readonly OutboxEntry[] | undefined): PendingRecord[] {
  return (entries ?? [])
    .filter((e) => e.kind === 'record' && e.status === 'pending')
    .map((e) => {
      const r = (e.body as { record: { section: string; itemId?: string; values: Record<string, FieldValue | null> } }).record;
      return { entry: e, section: r.section, itemId: r.itemId ?? null, values: r.values };
    });
}

/** "Hút thuốc lá: Không hút; Uống rượu, bia: Không uống" for a set of values. */
export function valuesText(form: FormData831, def: SectionDef, values: Record<string, FieldValue | null>): string {
  return Object.entries(values)
    .map(([k, v]) => {
      if (k === 'none') return v ? 'Không có' : 'Bỏ ghi «không có»';
      if (k === 'removed') return v ? 'Xóa mục' : 'Khôi phục mục';
      const f = def.fields.find((x) => x.key === k);
      if (!f) return null;
      const shown = displayValue(form, f, v);
      return `${f.label_vi}: ${shown || 'để trống'}`;
    })
    .filter(Boolean)
    .join('; ');
}

/** Is the section filled (as the "đủ" criterion counts it), from the stored view? */
export function sectionFilled(def: SectionDef, view: SectionView | undefined): boolean {
  if (!view) return false;
  if (def.kind === 'list') return view.none?.value === true || view.items.some((i) => !i.removed && Object.keys(i.fields).some((k) => k !== 'removed'));
  return (def.filledWhen ?? []).length > 0 && def.filledWhen!.every((k) => hasValue(view.fields[k]?.value));
}

export const hasValue = (v: FieldValue | null | undefined) => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);

/** A field of the section by its key. */
export const fieldByKey = (def: SectionDef, key: string): FieldDef | undefined => def.fields.find((f) => f.key === key);
