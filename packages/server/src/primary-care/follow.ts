import { vietnamToday } from '@openhssk/core';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { type IdentityFollower, rehomePersonRows } from '../person/index.ts';
import { refreshSummaries } from './record.ts';

/**
 * Primary-care rows keyed by person follow the MPI's decisions (mpi/follow.ts calls these in the
 * decision's transaction): the entry ledger, the 831 record and its history, check-ups, enrolments
 * and follow-ups. Ids per table, so an undone merge returns exactly these.
 *
 * Where one person may hold only one row, a merge decides:
 * - an 831 field both persons have: the later recorded value stays (field-level last writer, the
 *   rule two devices meet), the other goes to the record's history with reason 'merged';
 * - an open enrolment of one register on both: the active one stays over a proposal, then the one
 *   followed most recently, then the earlier enrolment, then the surviving person's; the other is
 *   closed with reason 'merged' (its follow-ups stay with it and still show in the person's charts);
 * - pc_person_summary: recomputed from the merged record (it is derived).
 */
export interface MovedCareRows {
  entries: string[];
  /** The `from` person's current 831 values now on `to`: [section, item_id, field, entry_id]. */
  fields: Array<[string, string, string, string]>;
  history: number[];
  checkups: number[];
  enrolments: number[];
  followups: number[];
  /** History rows the merge wrote for the losing value of a shared field, by whose value it was. */
  archivedFrom: number[];
  archivedTo: number[];
  /** Enrolments the merge closed, with the status they had. */
  closedEnrolments: Array<{ id: number; status: 'proposed' | 'active' }>;
}

export const NO_CARE_ROWS: MovedCareRows = {
  entries: [], fields: [], history: [], checkups: [], enrolments: [], followups: [], archivedFrom: [], archivedTo: [], closedEnrolments: [],
};

type Move = { from: string; to: string };
const ids = (rows: ReadonlyArray<{ id: string | number }>) => rows.map((r) => Number(r.id));

interface FieldRow {
  person_id: string;
  section: string;
  item_id: string;
  field: string;
  entry_id: string;
  recorded_at: Date | string;
}

interface OpenEnrolment {
  id: number;
  person_id: string;
  register: string;
  status: 'proposed' | 'active';
  last_visit_date: string | null;
  enrolled_on: string | null;
}

/** Which open enrolment of one register stays (see the module comment). */
function keptEnrolment(rows: readonly OpenEnrolment[], survivor: string): OpenEnrolment {
  const score = (e: OpenEnrolment) => [e.status === 'active' ? 1 : 0, e.last_visit_date ?? '', e.enrolled_on ?? '9999', e.person_id === survivor ? 1 : 0] as const;
  return [...rows].sort((a, b) => {
    const [x, y] = [score(a), score(b)];
    return y[0] - x[0] || y[1].localeCompare(x[1]) || x[2].localeCompare(y[2]) || y[3] - x[3] || a.id - b.id;
  })[0]!;
}

/** Persons of `ids` that have any 831 value: only they get a completeness row. */
async function withRecord(tx: Db, persons: readonly string[]): Promise<string[]> {
  if (persons.length === 0) return [];
  return (await sql<{ person_id: string }>`select distinct person_id from pc_record_field where person_id = any(${persons}::text[])`.execute(tx)).rows.map((r) => r.person_id);
}

/** Every primary-care row of each `from` person now belongs to its `to` person (a merge, or ids a relink retired). */
export async function moveCareRows(tx: Db, moves: readonly Move[]): Promise<MovedCareRows> {
  const real = moves.filter((m) => m.from !== m.to);
  if (real.length === 0) return NO_CARE_ROWS;
  const target = new Map(real.map((m) => [m.from, m.to]));
  const survivorOf = (p: string) => target.get(p) ?? p;
  const involved = [...new Set(real.flatMap((m) => [m.from, m.to]))];
  const out: MovedCareRows = { ...NO_CARE_ROWS, closedEnrolments: [] };

  // Rows change person by leaving and coming back (person/rehome.ts: person_id places a row on its shard on a cluster).
  out.history = ids(await rehomePersonRows(tx, 'pc_record_field_history', real));

  // Shared 831 fields: the later value stays, the other is archived on the surviving person.
  const fields = (
    await sql<FieldRow>`select person_id, section, item_id, field, entry_id::text as entry_id, recorded_at from pc_record_field
      where person_id = any(${involved}::text[])`.execute(tx)
  ).rows;
  const byKey = new Map<string, FieldRow[]>();
  for (const f of fields) {
    const k = JSON.stringify([survivorOf(f.person_id), f.section, f.item_id, f.field]);
    byKey.set(k, [...(byKey.get(k) ?? []), f]);
  }
  const archivedFrom: number[] = [];
  const archivedTo: number[] = [];
  for (const [k, rows] of byKey) {
    if (rows.length < 2) continue;
    const survivor = (JSON.parse(k) as string[])[0]!;
    const time = (r: FieldRow) => new Date(r.recorded_at).getTime();
    const [winner, ...losers] = [...rows].sort((a, b) => time(b) - time(a) || Number(b.person_id === survivor) - Number(a.person_id === survivor) || a.entry_id.localeCompare(b.entry_id));
    for (const l of losers) {
      const archived = await sql<{ id: string | number }>`
        insert into pc_record_field_history (person_id, section, item_id, field, value, entry_id, recorded_at, recorded_by, recorded_role, facility_code, reason, by_entry_id)
        select ${survivor}, section, item_id, field, value, entry_id, recorded_at, recorded_by, recorded_role, facility_code, 'merged', ${winner!.entry_id}::uuid
          from pc_record_field where person_id = ${l.person_id} and section = ${l.section} and item_id = ${l.item_id} and field = ${l.field}
        returning id`.execute(tx);
      await sql`delete from pc_record_field where person_id = ${l.person_id} and section = ${l.section} and item_id = ${l.item_id} and field = ${l.field}`.execute(tx);
      (l.person_id === survivor ? archivedTo : archivedFrom).push(...ids(archived.rows));
    }
  }
  out.archivedFrom = archivedFrom;
  out.archivedTo = archivedTo;
  const moved = await rehomePersonRows<{ section: string; item_id: string; field: string; entry_id: string }>(tx, 'pc_record_field', real, {
    returning: sql`x.section, x.item_id, x.field, x.entry_id::text as entry_id`,
  });
  out.fields = moved.map((r) => [r.section, r.item_id, r.field, r.entry_id]);

  // One open enrolment per person and register (migration 022's partial unique index).
  const open = (
    await sql<OpenEnrolment>`select id::int as id, person_id, register, status, last_visit_date::text as last_visit_date, enrolled_on::text as enrolled_on
      from pc_enrolment where person_id = any(${involved}::text[]) and status in ('proposed', 'active')`.execute(tx)
  ).rows;
  const groups = new Map<string, OpenEnrolment[]>();
  for (const e of open) {
    const k = `${survivorOf(e.person_id)}\u0000${e.register}`;
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  for (const [k, rows] of groups) {
    if (rows.length < 2) continue;
    const kept = keptEnrolment(rows, k.split('\u0000')[0]!);
    out.closedEnrolments.push(...rows.filter((r) => r.id !== kept.id).map((r) => ({ id: r.id, status: r.status })));
  }
  if (out.closedEnrolments.length > 0) {
    await sql`update pc_enrolment set status = 'closed', close_reason = 'merged', closed_on = ${vietnamToday()}::date
      where id = any(${out.closedEnrolments.map((e) => String(e.id))}::int8[])`.execute(tx);
  }

  const move = async (table: 'pc_checkup' | 'pc_enrolment' | 'pc_followup') => ids(await rehomePersonRows(tx, table, real));
  out.checkups = await move('pc_checkup');
  out.enrolments = await move('pc_enrolment');
  out.followups = await move('pc_followup');
  const entries = await rehomePersonRows<{ entry_id: string }>(tx, 'pc_entry', real, { returning: sql`x.entry_id::text as entry_id` });
  out.entries = entries.map((r) => r.entry_id);

  // Completeness is derived: the retired persons' rows go, the survivors' are recomputed.
  await sql`delete from pc_person_summary where person_id = any(${real.map((m) => m.from)}::text[])`.execute(tx);
  await refreshSummaries(tx, await withRecord(tx, [...new Set(real.map((m) => m.to))]));
  return out;
}

/**
 * An undone merge: the listed rows that still sit on `from` (the merged person) go back to `to`;
 * values the merge archived become current again where their place is free, and enrolments it
 * closed reopen unless one of that register was opened since.
 */
export async function returnCareRows(tx: Db, rows: MovedCareRows, from: string, to: string): Promise<MovedCareRows> {
  const out: MovedCareRows = { ...NO_CARE_ROWS, closedEnrolments: [] };
  const back = async (table: 'pc_record_field_history' | 'pc_checkup' | 'pc_enrolment' | 'pc_followup', wanted: readonly number[]) =>
    wanted.length === 0
      ? []
      : ids(await rehomePersonRows(tx, table, [{ from, to }], { where: sql`x.id = any(${wanted.map(String)}::int8[])` }));
  out.history = await back('pc_record_field_history', rows.history);
  out.checkups = await back('pc_checkup', rows.checkups);
  out.enrolments = await back('pc_enrolment', rows.enrolments);
  out.followups = await back('pc_followup', rows.followups);
  if (rows.entries.length > 0) {
    out.entries = (
      await rehomePersonRows<{ entry_id: string }>(tx, 'pc_entry', [{ from, to }], {
        where: sql`x.entry_id = any(${rows.entries}::uuid[])`,
        returning: sql`x.entry_id::text as entry_id`,
      })
    ).map((r) => r.entry_id);
  }
  if (rows.fields.length > 0) {
    // Only values still current and still the same entry: an edit made on the merged person since stays there.
    const keys = JSON.stringify(rows.fields.map(([s, i, f, e]) => ({ s, i, f, e })));
    const moved = await rehomePersonRows<{ section: string; item_id: string; field: string; entry_id: string }>(tx, 'pc_record_field', [{ from, to }], {
      where: sql`(x.section, x.item_id, x.field, x.entry_id) in (select k.s, k.i, k.f, k.e::uuid from jsonb_to_recordset(${keys}::jsonb) as k(s text, i text, f text, e text))`,
      returning: sql`x.section, x.item_id, x.field, x.entry_id::text as entry_id`,
    });
    out.fields = moved.map((r) => [r.section, r.item_id, r.field, r.entry_id]);
  }
  // Values the merge archived: each back to its own person as the current value, if that place is free.
  const restore = async (historyIds: readonly number[], owner: string) => {
    const restored: number[] = [];
    for (const id of historyIds) {
      const r = await sql<{ id: string | number }>`
        with h as (select * from pc_record_field_history where id = ${id} and reason = 'merged' and person_id = ${from}),
        ins as (
          insert into pc_record_field (person_id, section, item_id, field, value, entry_id, recorded_at, recorded_by, recorded_role, facility_code)
          select ${owner}, section, item_id, field, value, entry_id, recorded_at, recorded_by, recorded_role, facility_code from h
          on conflict do nothing returning 1)
        delete from pc_record_field_history d where d.id = ${id} and exists (select 1 from ins) returning d.id`.execute(tx);
      restored.push(...ids(r.rows));
    }
    return restored;
  };
  out.archivedFrom = await restore(rows.archivedFrom, to);
  out.archivedTo = await restore(rows.archivedTo, from);
  for (const e of rows.closedEnrolments) {
    const r = await sql<{ id: string | number }>`
      update pc_enrolment x set status = ${e.status}, close_reason = null, closed_on = null
       where x.id = ${e.id} and x.status = 'closed' and x.close_reason = 'merged'
         and not exists (select 1 from pc_enrolment o where o.person_id = x.person_id and o.register = x.register and o.status in ('proposed', 'active'))
      returning x.id`.execute(tx);
    if (r.rows.length > 0) out.closedEnrolments.push(e);
  }
  await sql`delete from pc_person_summary where person_id = any(${[from, to]}::text[])`.execute(tx);
  await refreshSummaries(tx, await withRecord(tx, [from, to]));
  return out;
}

/** Primary care as an MPI follower (wired in src/identity-followers.ts). */
export const careFollower: IdentityFollower<MovedCareRows> = {
  name: 'care',
  tables: ['pc_entry', 'pc_record_field', 'pc_record_field_history', 'pc_person_summary', 'pc_checkup', 'pc_enrolment', 'pc_followup'],
  move: moveCareRows,
  async giveBack(tx, moved, from, to) {
    await returnCareRows(tx, { ...NO_CARE_ROWS, ...moved }, from, to);
  },
};
