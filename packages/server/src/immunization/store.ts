import { type Antigen, type DoseRecord, findDuplicateDoses } from '@openhssk/core/immunization';
import type { DoseRecord as FhirDoseRecord } from '@openhssk/core/fhir';
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { rehomePersonRows } from '../person/index.ts';

/** One stored dose with the person it belongs to now: the fields FHIR projects, and the registry's own. */
export interface DoseRow extends FhirDoseRecord {
  antigens: string[];
  entry_id: string | null;
  duplicate_of: number | null;
  recorded_by_name: string | null;
  /** FHIR writes (migration 072): the facility and credential that posted the dose, and when. */
  sender_facility_code: string | null;
  sender_client_id: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * Which doses belong to which person, now: the dose's person_id. A station dose is the person's it
 * was recorded for (a merge moves it, moveVaccinationRows); an imported or received dose is its
 * source record's person's, and its person_id moves with every link of that record and only then
 * (dosesFollowSourceLinks, called by the person module's setSourceLinks in the linking transaction:
 * every MPI link, relink, merge, undo and separation), so the read needs no join to source_record
 * and stays on the person's shard on a Citus cluster (issue 21), where source_record is distributed
 * by its own key.
 */
const dosesOfPersons = (ids: readonly string[], columns: string) => sql`
  select ${sql.raw(columns.replaceAll('$person', 'v.person_id'))} from vaccination v
   where v.person_id = any(${ids as string[]}::text[])`;

const ROW_COLUMNS = `v.id, $person as person_id, v.vaccine_code, v.vaccine_name, v.product_id, v.antigens, v.dose_no, v.given_on, v.facility_code,
  v.facility_ref, v.lot_no, v.route, v.body_site, v.reaction, v.source, v.source_record_id, v.entry_id::text as entry_id, v.duplicate_of, v.recorded_by_name,
  v.source_identifier_system, v.sender_facility_code, v.sender_client_id, v.created_at, v.updated_at`;

/** Every dose of these persons, by person, oldest first (ties by id: the earlier stored first). */
export async function dosesOf(db: Db, personIds: readonly string[]): Promise<DoseRow[]> {
  if (personIds.length === 0) return [];
  const r = await sql<DoseRow>`
    select x.*, f.name as facility_name
      from (${dosesOfPersons(personIds, ROW_COLUMNS)}) x
      left join facility f on f.code = x.facility_code
     order by x.person_id, x.given_on, x.id`.execute(db);
  return r.rows.map((row) => ({ ...row, id: Number(row.id), duplicate_of: row.duplicate_of === null ? null : Number(row.duplicate_of) }));
}

/** The dose if it is this person's now (another person's dose and a missing one look alike). */
export async function doseOfPerson(db: Db, personId: string, doseId: number): Promise<DoseRow | undefined> {
  return (await dosesOf(db, [personId])).find((d) => d.id === doseId);
}

/** What the schedule engine needs of a dose. */
export type EngineDose = Pick<DoseRow, 'person_id' | 'given_on' | 'antigens'> & { id?: number };

/** A dose as the core engine reads it: the stored antigens (an unrecognised product has none and is set aside). */
export const doseRecord = (d: EngineDose): DoseRecord => ({
  ...(d.id === undefined ? {} : { id: String(d.id) }),
  personId: d.person_id,
  date: d.given_on,
  antigens: d.antigens as Antigen[],
});

/**
 * Only what the engine reads, for many persons at once (a commune's month plan): three columns, as
 * ONE JSON text — thousands of row objects cost both drivers more than the query. The covering
 * index of migration 023 (vaccination_person) answers it from the index.
 */
export async function engineDosesOf(db: Db, personIds: readonly string[]): Promise<Map<string, EngineDose[]>> {
  const out = new Map<string, EngineDose[]>();
  if (personIds.length === 0) return out;
  const r = await sql<{ j: string }>`
    select coalesce(json_agg(json_build_array(x.person_id, x.given_on, x.antigens)), '[]')::text as j
      from (${dosesOfPersons(personIds, '$person as person_id, v.given_on, v.antigens')}) x`.execute(db);
  for (const [person_id, given_on, antigens] of JSON.parse(r.rows[0]?.j ?? '[]') as Array<[string, string, string[]]>) {
    const d = { person_id, given_on, antigens };
    const list = out.get(person_id);
    if (list) list.push(d);
    else out.set(person_id, [d]);
  }
  return out;
}

/**
 * Recomputes the duplicate links of these persons' doses with core findDuplicateDoses (same person,
 * shared antigen, ±1 day): the record the group keeps has none, the others point at it. Called in
 * the writer's transaction after new doses of the persons were stored. Returns the number of links
 * changed.
 */
export async function refreshDuplicates(tx: Db, personIds: readonly string[]): Promise<number> {
  if (personIds.length === 0) return 0;
  const doses = await sql<{ id: number; person_id: string; given_on: string; antigens: string[]; duplicate_of: number | null }>`
    select x.* from (${dosesOfPersons(personIds, 'v.id, $person as person_id, v.given_on, v.antigens, v.duplicate_of')}) x order by x.id`.execute(tx);
  const rows = doses.rows.map((d) => ({ ...d, id: Number(d.id), duplicate_of: d.duplicate_of === null ? null : Number(d.duplicate_of) }));
  const wanted = new Map<number, number>();
  for (const g of findDuplicateDoses(rows.map(doseRecord))) {
    const keep = rows[g.keep]!.id;
    for (const i of g.duplicates) wanted.set(rows[i]!.id, keep);
  }
  const changes = rows.filter((r) => (wanted.get(r.id) ?? null) !== r.duplicate_of).map((r) => ({ i: r.id, d: wanted.get(r.id) ?? null }));
  if (changes.length === 0) return 0;
  await sql`update vaccination v set duplicate_of = c.d, updated_at = now()
    from jsonb_to_recordset(${JSON.stringify(changes)}::jsonb) as c(i int8, d int8) where v.id = c.i`.execute(tx);
  return changes.length;
}

const ids = (rows: ReadonlyArray<{ id: string | number }>) => rows.map((r) => Number(r.id));

/**
 * A merge (or ids a relink retired): doses recorded for `from` now belong to `to`, and the citizen's
 * reaction reports and slot requests with them. Doses imported for a source record are not moved by
 * person: they belong to the record's person and move with its link (dosesFollowSourceLinks), which
 * the MPI changes in the same decision. Moving them here too would put a dose whose record went
 * elsewhere (a relink that splits the retired person's records, a record the merge left out) on a
 * person its record does not name. Returns the dose ids moved (an undo returns exactly these).
 */
export async function moveVaccinationRows(tx: Db, moves: ReadonlyArray<{ from: string; to: string }>): Promise<number[]> {
  const real = moves.filter((m) => m.from !== m.to);
  if (real.length === 0) return [];
  // Rows change person by leaving and coming back (person/rehome.ts: person_id places a row on its shard on a cluster).
  const moved = await rehomePersonRows(tx, 'vaccination', real, { where: sql`x.person_source_id is null`, also: sql`jsonb_build_object('updated_at', now())` });
  await rehomePersonRows(tx, 'imm_reaction_report', real);
  // One open slot request per person: when both had one, the target's stays and the other is
  // cancelled (with a note saying why) rather than breaking the merge on the unique index.
  // The targets' open requests are read first: on a cluster the two persons are two shards.
  const open = new Set(
    (
      await sql<{ person_id: string }>`select distinct person_id from imm_slot_request
        where person_id = any(${real.map((m) => m.to)}::text[]) and status in ('requested', 'scheduled')`.execute(tx)
    ).rows.map((r) => r.person_id),
  );
  const cancelled = real.filter((m) => open.has(m.to)).map((m) => m.from);
  if (cancelled.length > 0) {
    await sql`update imm_slot_request set status = 'cancelled', handled_at = now(), staff_note = 'Gộp hồ sơ: người này đã có yêu cầu đang mở.'
       where person_id = any(${cancelled}::text[]) and status in ('requested', 'scheduled')`.execute(tx);
  }
  await rehomePersonRows(tx, 'imm_slot_request', real);
  return ids(moved);
}

/**
 * A dose imported or received for a source record is that record's person's (dosesOf). Its person_id
 * moves with the record's link, in the linking transaction, and with nothing else (moveVaccinationRows
 * leaves it), so dosesOf reads person_id alone and stays on one shard on a cluster (issue 21). The
 * immunization follower's `followSourceLinks` (due-follower.ts), called by the person module's setSourceLinks.
 */
export async function dosesFollowSourceLinks(tx: Db, links: ReadonlyArray<{ s: string; i: string; p: string | null }>): Promise<void> {
  if (links.length === 0) return;
  // Find first, then move only the doses whose person differs: the common link moves nothing and
  // writes nothing. A dose changes person by leaving and coming back in one statement (person_id is
  // the distribution column on a cluster, which no update may change); the foreign keys to it
  // (reaction reports, duplicate_of: NO ACTION) are checked at the statement's end and see the same id.
  const moving = await sql<{ id: string; to: string }>`
    select v.id::text as id, x.p as "to" from vaccination v
      join jsonb_to_recordset(${JSON.stringify(links.map(({ s, i, p }) => ({ s, i, p })))}::jsonb) as x(s text, i text, p text)
        on v.person_source_system = x.s and v.person_source_id = x.i
     where x.p is not null and v.person_id is distinct from x.p`.execute(tx);
  if (moving.rows.length === 0) return;
  await sql`with m as (select * from jsonb_to_recordset(${JSON.stringify(moving.rows)}::jsonb) as m(id int8, "to" text)),
    gone as (delete from vaccination v where v.id in (select id from m) returning v.*)
    insert into vaccination select (jsonb_populate_record(null::vaccination, to_jsonb(g) || jsonb_build_object('person_id', m."to", 'updated_at', now()))).*
      from gone g join m on m.id = g.id`.execute(tx);
}

/**
 * An undone merge: the listed doses that still sit on `from` go back to `to`, with their reaction
 * reports. Only doses without a source record: merges logged before imported doses stopped moving
 * by person list those too, and they go back with their records' links (the undo moves the records).
 */
export async function returnVaccinationRows(tx: Db, doseIds: readonly number[], from: string, to: string): Promise<number[]> {
  if (doseIds.length === 0) return [];
  const move = [{ from, to }];
  const back = ids(
    await rehomePersonRows(tx, 'vaccination', move, {
      where: sql`x.id = any(${doseIds.map(String)}::int8[]) and x.person_source_id is null`,
      also: sql`jsonb_build_object('updated_at', now())`,
    }),
  );
  if (back.length > 0) await rehomePersonRows(tx, 'imm_reaction_report', move, { where: sql`x.vaccination_id = any(${back.map(String)}::int8[])` });
  return back;
}

/** What `hssk demo purge` removes: sub-queries naming the demo's persons and facilities, and its communes. */
export interface PurgeScope {
  persons: RawBuilder<unknown>;
  facilities: RawBuilder<unknown>;
  communes: readonly string[];
}

/**
 * Removes the registry's rows of the demo (doses of demo persons or given at demo facilities, the
 * reports and requests on them, the demo communes' sessions, the demo facilities' vaccine receipts),
 * inside the purge's transaction.
 * A real dose marked as a duplicate of a demo dose loses that link first: it is counted again.
 */
export async function purgeImmunizationRows(tx: Db, scope: PurgeScope): Promise<Record<string, number>> {
  const count = (r: { numAffectedRows?: bigint }) => Number(r.numAffectedRows ?? 0n);
  const gone = sql`select id from vaccination where person_id in (${scope.persons}) or facility_code in (${scope.facilities})`;
  const out: Record<string, number> = {};
  out.imm_reaction_report = count(
    await sql`delete from imm_reaction_report where vaccination_id in (${gone}) or person_id in (${scope.persons}) or facility_code in (${scope.facilities})`.execute(tx),
  );
  await sql`update vaccination set duplicate_of = null where duplicate_of in (${gone}) and id not in (${gone})`.execute(tx);
  out.imm_slot_request = count(
    await sql`delete from imm_slot_request where person_id in (${scope.persons}) or session_id in (select id from imm_session where commune_code = any(${scope.communes as string[]}::text[]))`.execute(tx),
  );
  out.imm_session = count(await sql`delete from imm_session where commune_code = any(${scope.communes as string[]}::text[])`.execute(tx));
  out.vaccination = count(await sql`delete from vaccination where id in (${gone})`.execute(tx));
  // The cached due state of demo persons, and any row still filed under a removed commune.
  out.imm_due = count(
    await sql`delete from imm_due where person_id in (${scope.persons}) or commune_code = any(${scope.communes as string[]}::text[])`.execute(tx),
  );
  out.imm_stock_receipt = count(await sql`delete from imm_stock_receipt where facility_code in (${scope.facilities})`.execute(tx));
  // Coverage summaries of the removed communes: counts of demo children, rebuilt from nothing if the commune returns.
  for (const table of ['imm_coverage_cohort', 'imm_coverage_refresh', 'imm_coverage_dirty'] as const) {
    out[table] = count(await sql`delete from ${sql.table(table)} where commune_code = any(${scope.communes as string[]}::text[])`.execute(tx));
  }
  return out;
}

/**
 * Whose doses these are now (dose id → person id), by the same rule as dosesOf: the dose's person_id
 * (an imported dose's follows its source record's link). Lets a reader that knows only a dose id (a
 * FHIR read) find the person before reading their doses through dosesOf.
 */
export async function doseOwners(db: Db, doseIds: readonly number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (doseIds.length === 0) return out;
  const r = await sql<{ id: string | number; person_id: string | null }>`
    select v.id, v.person_id from vaccination v
     where v.id = any(${doseIds.map(String)}::bigint[])`.execute(db);
  for (const row of r.rows) if (row.person_id) out.set(Number(row.id), row.person_id);
  return out;
}
