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
 * Deletes the primary-care rows of demo persons (every pc_* table), dependants first. The purge
 * refuses beforehand when a real person has rows recorded at a demo station or by demo staff. A
 * real person's enrolment proposed from a demo facility's episode (a demo patient linked to them)
 * goes with that episode; a decided enrolment stays, without the link to the episode. Returns the
 * rows deleted per table. The proposal watermark (pc_state) stays: episode ids are never reused.
 */
export async function purgePrimaryCareDemo(tx: Db, demo: DemoObjects): Promise<Record<string, number>> {
  const persons = [...demo.personIds];
  const facilities = [...demo.facilityCodes];
  const deleted: Record<string, number> = {};
  const run = async (table: string, statement: { execute(db: Db): Promise<{ numAffectedRows?: bigint }> }) => {
    deleted[table] = (deleted[table] ?? 0) + count(await statement.execute(tx));
  };
  const fromDemoEpisode = sql`episode_id in (select id from episode where facility_code = any(${facilities}::text[]))`;
  await run('pc_followup', sql`delete from pc_followup where person_id = any(${persons}::text[])
    or enrolment_id in (select id from pc_enrolment where status = 'proposed' and ${fromDemoEpisode})`);
  await run('pc_enrolment', sql`delete from pc_enrolment where person_id = any(${persons}::text[]) or (status = 'proposed' and ${fromDemoEpisode})`);
  await sql`update pc_enrolment set episode_id = null where ${fromDemoEpisode}`.execute(tx);
  await run('pc_checkup', sql`delete from pc_checkup where person_id = any(${persons}::text[])`);
  await run('pc_record_field_history', sql`delete from pc_record_field_history where person_id = any(${persons}::text[])`);
  await run('pc_record_field', sql`delete from pc_record_field where person_id = any(${persons}::text[])`);
  await run('pc_person_summary', sql`delete from pc_person_summary where person_id = any(${persons}::text[])`);
  await run('pc_entry', sql`delete from pc_entry where person_id = any(${persons}::text[])`);
  return deleted;
}
