import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

/**
 * `hssk demo purge` (demo/purge.ts): requests about demo persons or demo facilities' visits go with
 * the demo, their history by cascade. Returns the rows deleted per table.
 */
export async function purgeCorrectionDemo(tx: Db, demo: { personIds: readonly string[]; facilityCodes: readonly string[] }): Promise<Record<string, number>> {
  const events = await sql<{ n: number }>`
    select count(*)::int as n from correction_event e join correction_request r on r.id = e.request_id
     where r.person_id = any(${[...demo.personIds]}::text[]) or r.facility_code = any(${[...demo.facilityCodes]}::text[])`.execute(tx);
  const r = await sql`delete from correction_request
     where person_id = any(${[...demo.personIds]}::text[]) or facility_code = any(${[...demo.facilityCodes]}::text[])`.execute(tx);
  return { correction_request: Number(r.numAffectedRows ?? 0), correction_event: Number(events.rows[0]?.n ?? 0) };
}
