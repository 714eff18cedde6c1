import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

/**
 * Removes what this module derived from the demo, inside the demo purge's transaction: planner queue
 * entries and reminders of appointments issued by demo facilities, notifications and channel choices of demo persons. Their
 * pending jobs stay queued and do nothing (the handler finds no reminder).
 */
export async function purgeAppointmentDemo(tx: Db, demo: { personIds: readonly string[]; facilityCodes: readonly string[] }): Promise<Record<string, number>> {
  const persons = [...demo.personIds];
  const facilities = [...demo.facilityCodes];
  const n = (r: { numAffectedRows?: bigint }) => Number(r.numAffectedRows ?? 0n);
  return {
    appointment_reminder: n(
      await sql`delete from appointment_reminder r where r.facility_code = any(${facilities}::text[])
        or exists (select 1 from episode e where e.facility_code = r.facility_code and e.ma_lk = r.ma_lk and e.person_id = any(${persons}::text[]))`.execute(tx),
    ),
    appointment_plan_queue: n(
      await sql`delete from appointment_plan_queue q where q.person_id = any(${persons}::text[])
                 or exists (select 1 from episode e where e.id = q.episode_id and e.facility_code = any(${facilities}::text[]))`.execute(tx),
    ),
    citizen_notification: n(await sql`delete from citizen_notification where person_id = any(${persons}::text[])`.execute(tx)),
    notification_preference: n(await sql`delete from notification_preference where person_id = any(${persons}::text[])`.execute(tx)),
  };
}
