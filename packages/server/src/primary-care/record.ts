import { DomainError } from '@openhssk/core';
import type { FieldConflict, FieldView, ItemView, Recorder, SectionView, ValueVersion } from '@openhssk/core/api';
import {
  checkMerged,
  type FieldIssue,
  type FieldValue,
  FORM_831,
  filledSections,
  ITEM_REMOVED,
  itemSensitivity,
  SECTION_NONE,
  type SectionState,
  validateRecordEntry,
} from '@openhssk/core/primary-care';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { ScopedPerson, StationScope } from './access.ts';
import { pcDb } from './tables.ts';

// The shapes answered are declared once for the server and the station app (core/api primary-care.ts).
export type { FieldConflict, FieldView, ItemView, Recorder, SectionView, ValueVersion };

export interface RecordEntry {
  entryId: string;
  /** When the value was entered on the device (the client's clock): decides concurrent edits. */
  recordedAt: Date;
  section: string;
  itemId?: string | null | undefined;
  values: Readonly<Record<string, unknown>>;
  /**
   * Per field: the entry id of the value the device showed when the user changed it, null when it
   * showed none. A stored value the device never saw is a concurrent edit (a conflict); a field
   * missing here counts as not seen.
   */
  base?: Readonly<Record<string, string | null>> | undefined;
}



/** A refusal of an entry: the first problem in the message, all of them in `issues`. */
export function entryRefused(issues: FieldIssue[]): DomainError {
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (và ${issues.length - 1} lỗi khác)` : '';
  const moreEn = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new DomainError('invalid', first.code, `${first.message_vi}${more}`, `${first.message_en}${moreEn}`, { issues });
}

const iso = (d: Date | string) => (typeof d === 'string' ? new Date(d).toISOString() : d.toISOString());
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

type StoredValue = ValueVersion & { field: string };

/**
 * The stored values of the items a batch touches, read once per batch (the caller holds the
 * persons' locks, so they cannot change underneath) and kept current as entries apply.
 */
export class StoredFields {
  private readonly items = new Map<string, Map<string, StoredValue>>();
  private readonly loaded = new Set<string>();

  /** Reads every stored field of these persons in one query. */
  async preload(tx: Db, personIds: readonly string[]) {
    const wanted = personIds.filter((p) => !this.loaded.has(p));
    if (wanted.length === 0) return;
    const rows = await pcDb(tx)
      .selectFrom('pc_record_field')
      .select(['person_id', 'section', 'item_id', 'field', 'value', 'entry_id', 'recorded_at', 'recorded_by', 'recorded_role', 'facility_code'])
      .where('person_id', 'in', wanted)
      .execute();
    for (const p of wanted) this.loaded.add(p);
    for (const r of rows) {
      const { person_id, section, item_id, ...v } = r;
      this.slot(person_id, section, item_id).set(v.field, { ...v, value: v.value as FieldValue | null, recorded_at: iso(v.recorded_at) });
    }
  }

  async item(tx: Db, personId: string, section: string, itemId: string): Promise<Map<string, StoredValue>> {
    await this.preload(tx, [personId]);
    return this.slot(personId, section, itemId);
  }

  private slot(personId: string, section: string, itemId: string) {
    const key = JSON.stringify([personId, section, itemId]);
    let m = this.items.get(key);
    if (!m) {
      m = new Map();
      this.items.set(key, m);
    }
    return m;
  }
}

/**
 * Applies one 831 entry inside the caller's transaction (which holds the person's lock and refreshes
 * the person's summary afterwards, refreshSummaries). Each field
 * is decided on its own: a value the device saw replaces the stored one (the old one goes to
 * history as superseded); a stored value it did not see is a concurrent edit, and the later
 * `recordedAt` wins, the other value going to history as a conflict and into the result. Refuses
 * (throws a DomainError) when the entry or the merged item/section is invalid, always before its
 * first write, so the caller's transaction stays usable for the next entry.
 */
export async function applyRecordEntry(
  tx: Db,
  scope: StationScope,
  person: ScopedPerson,
  e: RecordEntry,
  today: string,
  stored: StoredFields = new StoredFields(),
): Promise<{ conflicts: FieldConflict[]; changed: string[] }> {
  const checked = validateRecordEntry(e, person.facts, today);
  if (!checked.ok) throw entryRefused(checked.issues);
  const { section, itemId, values } = checked.entry;
  const pdb = pcDb(tx);
  const current = await stored.item(tx, person.id, section.key, itemId);
  const incoming = (value: FieldValue | null): ValueVersion => ({
    value,
    entry_id: e.entryId,
    recorded_at: e.recordedAt.toISOString(),
    recorded_by: scope.staff.id,
    recorded_role: scope.staff.role,
    facility_code: scope.facilityCode,
  });
  const writes: Array<{ field: string; value: FieldValue | null; replaced?: ValueVersion; reason?: 'superseded' | 'conflict' }> = [];
  const losers: Array<{ field: string; value: FieldValue | null; by: string }> = [];
  const conflicts: FieldConflict[] = [];
  const merged: Record<string, FieldValue | null> = Object.fromEntries([...current].map(([k, v]) => [k, v.value]));
  for (const [field, value] of Object.entries(values)) {
    const cur = current.get(field);
    if (!cur) {
      writes.push({ field, value });
      merged[field] = value;
      continue;
    }
    if (same(cur.value, value)) continue;
    const seen = e.base !== undefined && Object.hasOwn(e.base, field) ? e.base[field] : undefined;
    if (seen === cur.entry_id) {
      writes.push({ field, value, replaced: cur, reason: 'superseded' });
      merged[field] = value;
      continue;
    }
    const mine = incoming(value);
    const wins = mine.recorded_at > cur.recorded_at || (mine.recorded_at === cur.recorded_at && e.entryId > cur.entry_id);
    if (wins) {
      writes.push({ field, value, replaced: cur, reason: 'conflict' });
      merged[field] = value;
      conflicts.push({ section: section.key, item_id: itemId, field, kept: mine, lost: cur, entry_won: true });
    } else {
      losers.push({ field, value, by: cur.entry_id });
      conflicts.push({ section: section.key, item_id: itemId, field, kept: cur, lost: mine, entry_won: false });
    }
  }
  const problems = checkMerged(section, itemId, merged);
  if (problems.length) throw entryRefused(problems);

  const who = { entry_id: e.entryId, recorded_at: e.recordedAt, recorded_by: scope.staff.id, recorded_role: scope.staff.role, facility_code: scope.facilityCode };
  const key = { person_id: person.id, section: section.key, item_id: itemId };
  const history = [
    ...writes
      .filter((w) => w.replaced)
      .map((w) => ({
        ...key,
        field: w.field,
        value: JSON.stringify(w.replaced!.value),
        entry_id: w.replaced!.entry_id,
        recorded_at: w.replaced!.recorded_at,
        recorded_by: w.replaced!.recorded_by,
        recorded_role: w.replaced!.recorded_role,
        facility_code: w.replaced!.facility_code,
        reason: w.reason!,
        by_entry_id: e.entryId,
      })),
    ...losers.map((l) => ({ ...key, ...who, field: l.field, value: JSON.stringify(l.value), reason: 'conflict' as const, by_entry_id: l.by })),
  ];
  if (history.length) await pdb.insertInto('pc_record_field_history').values(history).execute();
  if (writes.length) {
    await pdb
      .insertInto('pc_record_field')
      .values(writes.map((w) => ({ ...key, ...who, field: w.field, value: JSON.stringify(w.value) })))
      .onConflict((oc) =>
        oc.columns(['person_id', 'section', 'item_id', 'field']).doUpdateSet((eb) => ({
          value: eb.ref('excluded.value'),
          entry_id: eb.ref('excluded.entry_id'),
          recorded_at: eb.ref('excluded.recorded_at'),
          recorded_by: eb.ref('excluded.recorded_by'),
          recorded_role: eb.ref('excluded.recorded_role'),
          facility_code: eb.ref('excluded.facility_code'),
          received_at: sql`now()`,
        })),
      )
      .execute();
    for (const w of writes) current.set(w.field, { field: w.field, ...who, recorded_at: who.recorded_at.toISOString(), value: w.value });
  }
  return { conflicts, changed: writes.map((w) => w.field) };
}

/** Section states of one person from the stored fields (completeness input). */
export function sectionStates(rows: ReadonlyArray<{ section: string; item_id: string; field: string; value: unknown }>): Map<string, SectionState> {
  const acc = new Map<string, { fields: Set<string>; items: Map<string, { removed: boolean; any: boolean }>; none: boolean }>();
  for (const r of rows) {
    const s = acc.get(r.section) ?? { fields: new Set<string>(), items: new Map<string, { removed: boolean; any: boolean }>(), none: false };
    acc.set(r.section, s);
    const has = r.value !== null && r.value !== undefined && !(Array.isArray(r.value) && r.value.length === 0);
    if (r.item_id === '') {
      if (r.field === SECTION_NONE) s.none = r.value === true;
      else if (has) s.fields.add(r.field);
      continue;
    }
    const item = s.items.get(r.item_id) ?? { removed: false, any: false };
    if (r.field === ITEM_REMOVED) item.removed = r.value === true;
    else if (has) item.any = true;
    s.items.set(r.item_id, item);
  }
  return new Map(
    [...acc].map(([k, s]) => [k, { fields: s.fields, none: s.none, liveItems: [...s.items.values()].filter((i) => i.any && !i.removed).length }]),
  );
}

/**
 * Recomputes which 831 sections are filled for these persons (the "đủ" count reads it); called once
 * per applied batch for the persons it touched.
 */
export async function refreshSummaries(tx: Db, personIds: readonly string[]) {
  if (personIds.length === 0) return;
  const pdb = pcDb(tx);
  const rows = await pdb.selectFrom('pc_record_field').select(['person_id', 'section', 'item_id', 'field', 'value']).where('person_id', 'in', [...personIds]).execute();
  const summaries = personIds.map((id) => ({ person_id: id, filled_sections: filledSections(sectionStates(rows.filter((r) => r.person_id === id))) }));
  await pdb
    .insertInto('pc_person_summary')
    .values(summaries)
    .onConflict((oc) => oc.column('person_id').doUpdateSet((eb) => ({ filled_sections: eb.ref('excluded.filled_sections'), updated_at: new Date() })))
    .execute();
}





/**
 * Which sensitive items and check-ups a reader sees: all (the citizen who asked for them), none, or
 * those recorded by one station (a station is the treating facility of what it recorded; sensitive
 * data never leaves it, as for episodes).
 */
export type SensitiveView = 'all' | 'none' | { facility: string };

export const sensitiveVisible = (v: SensitiveView, recordedAt: readonly string[]) => v === 'all' || (v !== 'none' && recordedAt.every((f) => f === v.facility));

/**
 * One person's 831 record in form order: each value with who recorded it (staff, role, station) and
 * when, and the entry id a device sends back as `base` when it edits the value. Sensitive items
 * (HIV, TB, mental health by ICD-10 range or condition group) per `sensitive`; removed items only
 * with includeRemoved.
 */
export async function readRecord(db: Db, personId: string, opts: { sensitive: SensitiveView; includeRemoved: boolean }): Promise<{ sections: SectionView[]; hidden_sensitive: number }> {
  const rows = await pcDb(db)
    .selectFrom('pc_record_field as r')
    .leftJoin('staff_account as s', 's.id', 'r.recorded_by')
    .leftJoin('facility as f', 'f.code', 'r.facility_code')
    .select(['r.section', 'r.item_id', 'r.field', 'r.value', 'r.entry_id', 'r.recorded_at', 'r.recorded_by', 'r.recorded_role', 'r.facility_code', 's.full_name', 'f.name as facility_name'])
    .where('r.person_id', '=', personId)
    .orderBy('r.section')
    .orderBy('r.item_id')
    .orderBy('r.field')
    .execute();
  const view = (r: (typeof rows)[number]): FieldView => ({
    value: r.value as FieldValue | null,
    entry_id: r.entry_id,
    recorded_at: new Date(r.recorded_at).toISOString(),
    recorded_by: { id: r.recorded_by, name: r.full_name, role: r.recorded_role },
    facility: { code: r.facility_code, name: r.facility_name },
  });
  let hidden = 0;
  const sections: SectionView[] = [];
  for (const def of FORM_831) {
    const mine = rows.filter((r) => r.section === def.key);
    const s: SectionView = { key: def.key, label_vi: def.label_vi, kind: def.kind, fields: {}, items: [], none: null };
    const items = new Map<string, ItemView>();
    for (const r of mine) {
      if (r.item_id === '') {
        if (def.kind === 'list' && r.field === SECTION_NONE) s.none = view(r);
        else s.fields[r.field] = view(r);
        continue;
      }
      const item = items.get(r.item_id) ?? { item_id: r.item_id, removed: false, sensitivity: null, fields: {} };
      if (r.field === ITEM_REMOVED) item.removed = r.value === true;
      item.fields[r.field] = view(r);
      items.set(r.item_id, item);
    }
    for (const item of items.values()) {
      item.sensitivity = itemSensitivity(Object.fromEntries(Object.entries(item.fields).map(([k, v]) => [k, v.value])));
      if (item.removed && !opts.includeRemoved) continue;
      if (item.sensitivity && !sensitiveVisible(opts.sensitive, Object.values(item.fields).map((f) => f.facility.code))) {
        if (!item.removed) hidden++;
        continue;
      }
      s.items.push(item);
    }
    // Items in the order they were first recorded.
    s.items.sort((a, b) => firstRecorded(a) - firstRecorded(b) || a.item_id.localeCompare(b.item_id));
    sections.push(s);
  }
  return { sections, hidden_sensitive: hidden };
}

const firstRecorded = (i: ItemView) => Math.min(...Object.values(i.fields).map((f) => new Date(f.recorded_at).getTime()));

/** Values that stopped being current for one person, newest first: superseded edits and conflict losers. */
export async function recordHistory(db: Db, personId: string, limit = 500) {
  return pcDb(db)
    .selectFrom('pc_record_field_history as h')
    .leftJoin('staff_account as s', 's.id', 'h.recorded_by')
    .select(['h.id', 'h.section', 'h.item_id', 'h.field', 'h.value', 'h.entry_id', 'h.recorded_at', 'h.recorded_by', 's.full_name as recorded_by_name', 'h.recorded_role', 'h.facility_code', 'h.reason', 'h.by_entry_id', 'h.archived_at'])
    .where('h.person_id', '=', personId)
    .orderBy('h.archived_at', 'desc')
    .orderBy('h.id', 'desc')
    .limit(limit)
    .execute();
}

export async function filledOf(db: Db, personId: string): Promise<string[]> {
  const r = await pcDb(db).selectFrom('pc_person_summary').select('filled_sections').where('person_id', '=', personId).executeTakeFirst();
  return r?.filled_sections ?? [];
}
