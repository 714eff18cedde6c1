import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

/** Summary tables keyed by the facility whose rows they count. */
const FACILITY_TABLES = ['report_episode_day', 'report_episode_month', 'report_visit_day', 'report_visit_month', 'report_facility_day'] as const;

/**
 * Removes what removed facilities and persons contributed to the summaries, inside the caller's
 * transaction (the demo purge). Facility figures are dropped by facility. Resident figures are
 * deltas per person, so instead of subtracting a second copy of the refresher's arithmetic they
 * are rebuilt: the person state is cleared and the next refresh recounts every remaining person.
 * Daily resident snapshots of removed communes go; snapshots of other days cannot be recomputed
 * and stay as they were. Weekly Đề án 06 snapshots counted the removed rows in every table, so
 * they all go (the next due week is taken again); requests for codes and accounts of the removed
 * facilities or units go with them.
 */
export async function forgetReportContributions(tx: Db, removed: { facilityCodes: readonly string[]; communes: readonly string[] }): Promise<void> {
  for (const table of FACILITY_TABLES) {
    await sql`delete from ${sql.table(table)} where facility_code = any(${[...removed.facilityCodes]}::text[])`.execute(tx);
  }
  await sql`delete from report_person_agg`.execute(tx);
  await sql`delete from report_person_state`.execute(tx);
  await sql`delete from report_watermark where name = 'person'`.execute(tx);
  await sql`delete from report_person_daily where ma_xa = any(${[...removed.communes]}::text[])`.execute(tx);
  await sql`delete from report_review_pending where ma_xa = any(${[...removed.communes]}::text[])`.execute(tx);
  await sql`delete from report_weekly`.execute(tx);
  await sql`delete from onboarding_request where facility_code = any(${[...removed.facilityCodes]}::text[]) or admin_unit_code = any(${[...removed.communes]}::text[])`.execute(tx);
}
