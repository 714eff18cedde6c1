import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

/** What `hssk demo purge` removes (demo/purge.ts): its persons, facilities and staff accounts. */
export interface DemoObjects {
  personIds: readonly string[];
  facilityCodes: readonly string[];
  staffIds: readonly string[];
}

const count = (r: { numAffectedRows?: bigint }) => Number(r.numAffectedRows ?? 0);

/**
 * Deletes the household register's rows of the demo: events of demo persons or recorded at a demo
 * station, memberships of demo persons, then the households left without members or events (the
 * demo commune's, built from its population list) and the build stamps of communes left without
 * households. The purge refuses beforehand when a household mixes demo and real persons, so no real
 * membership is cut loose here. Returns the rows deleted per table.
 */
export async function purgeStationDemo(tx: Db, demo: DemoObjects): Promise<Record<string, number>> {
  const persons = [...demo.personIds];
  const facilities = [...demo.facilityCodes];
  const staff = [...demo.staffIds];
  const touched = (
    await sql<{ id: string | number; commune_code: string }>`
      select h.id, h.commune_code from station_household h
       where h.head_person_id = any(${persons}::text[])
          or exists (select 1 from station_member m where m.household_id = h.id and m.person_id = any(${persons}::text[]))
          or exists (select 1 from station_event e where e.household_id = h.id
                      and (e.person_id = any(${persons}::text[]) or e.facility_code = any(${facilities}::text[]) or e.recorded_by = any(${staff}::text[])))`.execute(tx)
  ).rows;
  const deleted: Record<string, number> = {};
  const demoEvent = sql`(person_id = any(${persons}::text[]) or facility_code = any(${facilities}::text[]) or recorded_by = any(${staff}::text[]))`;
  // A real death marked as the duplicate of a demo one (only through a merge the purge refuses) would block the delete.
  await sql`update station_event set duplicate_of = null where duplicate_of in (select id from station_event where ${demoEvent}) and not ${demoEvent}`.execute(tx);
  deleted.station_event = count(await sql`delete from station_event where ${demoEvent}`.execute(tx));
  deleted.station_member = count(await sql`delete from station_member where person_id = any(${persons}::text[])`.execute(tx));
  const ids = touched.map((t) => String(t.id));
  deleted.station_household = count(
    await sql`delete from station_household h where h.id = any(${ids}::int8[])
      and not exists (select 1 from station_member m where m.household_id = h.id)
      and not exists (select 1 from station_event e where e.household_id = h.id)`.execute(tx),
  );
  const communes = [...new Set(touched.map((t) => t.commune_code))];
  deleted.station_register_build = count(
    await sql`delete from station_register_build b where b.commune_code = any(${communes}::text[])
      and not exists (select 1 from station_household h where h.commune_code = b.commune_code)`.execute(tx),
  );
  return deleted;
}
