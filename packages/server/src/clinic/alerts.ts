import { type Actor, audit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { clinicDb } from './tables.ts';

/** Break-glass use is judged over this window: one shift and the next. */
export const BREAK_GLASS_ALERT_WINDOW_HOURS = 24;

/**
 * After a break-glass grant: when this clinician's grants at this facility in the last 24 hours
 * exceed `threshold`, records (or, within the same burst, updates) an alert for the facility admin.
 * Break-glass skips the consent and care checks, so a clinician using it routinely is what the
 * admin must hear about; single emergencies stay in the ordinary break-glass review.
 */
export async function noteBreakGlassUse(db: Db, staffId: string, facilityCode: string, threshold: number, actor: Actor, requestId?: string) {
  const cdb = clinicDb(db);
  const since = new Date(Date.now() - BREAK_GLASS_ALERT_WINDOW_HOURS * 3600_000);
  const use = await cdb
    .selectFrom('break_glass_grant')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('granted_at').as('first'), eb.fn.max('granted_at').as('last')])
    .where('staff_id', '=', staffId)
    .where('facility_code', '=', facilityCode)
    .where('granted_at', '>=', since)
    .executeTakeFirst();
  const grants = Number(use?.n ?? 0);
  if (grants <= threshold || !use?.first || !use.last) return undefined;
  const burst = await cdb
    .selectFrom('break_glass_alert')
    .select('id')
    .where('staff_id', '=', staffId)
    .where('facility_code', '=', facilityCode)
    .where('last_grant_at', '>=', since)
    .orderBy('last_grant_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const alert = burst
    ? await cdb.updateTable('break_glass_alert').set({ grants, last_grant_at: use.last }).where('id', '=', burst.id).returning(['id']).executeTakeFirstOrThrow()
    : await cdb
        .insertInto('break_glass_alert')
        .values({ facility_code: facilityCode, staff_id: staffId, grants, window_hours: BREAK_GLASS_ALERT_WINDOW_HOURS, first_grant_at: use.first, last_grant_at: use.last })
        .returning(['id'])
        .executeTakeFirstOrThrow();
  await audit(db, {
    actor,
    action: 'clinic.break_glass.alert',
    resource: `break-glass-alert/${alert.id}`,
    requestId,
    detail: { staff_id: staffId, grants, window_hours: BREAK_GLASS_ALERT_WINDOW_HOURS, threshold },
  });
  return { id: alert.id, grants };
}

/**
 * Alerts of one facility, newest burst first, with the clinician's name and the grants of the burst
 * (who was opened and why), for the facility admin's review.
 */
export async function listBreakGlassAlerts(db: Db, facilityCode: string, limit = 100) {
  const cdb = clinicDb(db);
  const alerts = await cdb
    .selectFrom('break_glass_alert as a')
    .innerJoin('staff_account as s', 's.id', 'a.staff_id')
    .select(['a.id', 'a.staff_id', 's.username', 's.full_name as staff_name', 'a.grants', 'a.window_hours', 'a.first_grant_at', 'a.last_grant_at', 'a.created_at'])
    .where('a.facility_code', '=', facilityCode)
    .orderBy('a.last_grant_at', 'desc')
    .limit(limit)
    .execute();
  if (alerts.length === 0) return [];
  const grants = await cdb
    .selectFrom('break_glass_grant as g')
    .innerJoin('person as p', 'p.id', 'g.person_id')
    .select(['g.id', 'g.staff_id', 'g.person_id', 'p.ho_ten as person_name', 'g.reason', 'g.granted_at'])
    .where('g.facility_code', '=', facilityCode)
    .where(
      'g.staff_id',
      'in',
      alerts.map((a) => a.staff_id),
    )
    .where('g.granted_at', '>=', new Date(Math.min(...alerts.map((a) => new Date(a.first_grant_at).getTime()))))
    .orderBy('g.granted_at', 'desc')
    .execute();
  const inBurst = (a: (typeof alerts)[number], g: (typeof grants)[number]) => {
    const t = new Date(g.granted_at).getTime();
    return g.staff_id === a.staff_id && t >= new Date(a.first_grant_at).getTime() && t <= new Date(a.last_grant_at).getTime();
  };
  return alerts.map((a) => ({ ...a, grant_list: grants.filter((g) => inBurst(a, g)) }));
}

export type BreakGlassAlert = Awaited<ReturnType<typeof listBreakGlassAlerts>>[number];
