import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

/**
 * `hssk demo purge` (demo/purge.ts): requests about demo persons or demo facilities' visits go with
 * the demo, their history with them. Returns the rows deleted per table.
 */
export async function purgeCorrectionDemo(tx: Db, demo: { personIds: readonly string[]; facilityCodes: readonly string[] }): Promise<Record<string, number>> {
  const scope = sql`person_id = any(${[...demo.personIds]}::text[]) or facility_code = any(${[...demo.facilityCodes]}::text[])`;
  // History first: it no longer goes by cascade (migration 101). Read the request ids, then delete by
  // them: on a cluster the two tables are distributed by person_id and not joined on request_id alone.
  const requests = (await sql<{ id: string }>`select id::text as id from correction_request where ${scope}`.execute(tx)).rows.map((r) => r.id);
  if (requests.length === 0) return { correction_request: 0, correction_event: 0 };
  const events = await sql`delete from correction_event where request_id = any(${requests}::int8[])`.execute(tx);
  const r = await sql`delete from correction_request where id = any(${requests}::int8[])`.execute(tx);
  return { correction_request: Number(r.numAffectedRows ?? 0), correction_event: Number(events.numAffectedRows ?? 0) };
}
