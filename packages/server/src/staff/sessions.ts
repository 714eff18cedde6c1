import { createSession, deleteSession, deleteSessionsOf, randomToken, readSession } from '../auth/index.ts';
import type { Db } from '../db/index.ts';
import { staffDb } from './tables.ts';

/** Not the citizen cookie: a browser may hold both, and neither session may stand for the other. */
export const STAFF_COOKIE = 'hssk_staff';
export const STAFF_SESSION_KIND = 'staff';
/** Absolute lifetime, short: staff sessions open health records of many people. */
export const STAFF_SESSION_TTL_SECONDS = 8 * 3600;
/** Last-seen is written at most this often, so a busy screen does not turn every read into a write. */
const TOUCH_EVERY_MS = 60_000;

/** A new staff session; its last use is tracked in staff_session_activity for the idle timeout. */
export async function openStaffSession(db: Db, staffId: string, now = new Date()): Promise<string> {
  const sdb = staffDb(db);
  // Rows of sessions that ended without logout (expired, purged by auth) are dropped here: a row not
  // touched for the whole absolute lifetime belongs to a session that no longer exists.
  await sdb
    .deleteFrom('staff_session_activity')
    .where('last_seen_at', '<', new Date(now.getTime() - STAFF_SESSION_TTL_SECONDS * 1000))
    .execute();
  const key = randomToken(16);
  await sdb.insertInto('staff_session_activity').values({ key, staff_id: staffId, last_seen_at: now }).execute();
  return createSession(db, STAFF_SESSION_KIND, staffId, { activity: key }, STAFF_SESSION_TTL_SECONDS);
}

const activityKey = (data: unknown): string | undefined => {
  const v = data && typeof data === 'object' ? (data as Record<string, unknown>).activity : undefined;
  return typeof v === 'string' ? v : undefined;
};

/** The account columns a request's guard needs, read with the session's activity row. */
const ACCOUNT_COLUMNS = ['s.id', 's.username', 's.full_name', 's.role', 's.facility_code', 's.admin_unit_code', 's.must_change_password', 's.totp_enabled', 's.disabled_at'] as const;

/**
 * The account of a live session, or undefined. A session idle for `idleMs` (0 = no idle limit) is
 * deleted, as is one without an activity row (created before the idle timeout existed, or ended).
 * The account is read in the same statement as the activity: one round trip less on every request.
 */
export async function readStaffSession(db: Db, id: string | undefined, idleMs: number, now = Date.now()) {
  const s = await readSession(db, STAFF_SESSION_KIND, id);
  if (!s) return undefined;
  const key = activityKey(s.data);
  const sdb = staffDb(db);
  const seen = key
    ? await sdb
        .selectFrom('staff_session_activity as a')
        .innerJoin('staff_account as s', 's.id', 'a.staff_id')
        .select(['a.staff_id', 'a.last_seen_at', ...ACCOUNT_COLUMNS])
        .where('a.key', '=', key)
        .executeTakeFirst()
    : undefined;
  const last = seen ? new Date(seen.last_seen_at).getTime() : 0;
  if (!seen || seen.staff_id !== s.subject || (idleMs > 0 && last <= now - idleMs)) {
    await endStaffSession(db, id);
    return undefined;
  }
  if (last <= now - TOUCH_EVERY_MS) {
    // The condition repeats the check so concurrent requests of one session write the row once.
    await sdb
      .updateTable('staff_session_activity')
      .set({ last_seen_at: new Date(now) })
      .where('key', '=', key!)
      .where('last_seen_at', '<=', new Date(now - TOUCH_EVERY_MS))
      .execute();
  }
  const { staff_id: _, last_seen_at: __, ...account } = seen;
  return account;
}

export async function endStaffSession(db: Db, id: string | undefined): Promise<void> {
  if (!id) return;
  const s = await readSession(db, STAFF_SESSION_KIND, id);
  const key = s ? activityKey(s.data) : undefined;
  if (key) await staffDb(db).deleteFrom('staff_session_activity').where('key', '=', key).execute();
  await deleteSession(db, id);
}

/** Logs one account out everywhere (disabled, password reset). */
export async function endAllStaffSessions(db: Db, staffId: string): Promise<void> {
  await deleteSessionsOf(db, STAFF_SESSION_KIND, staffId);
  await staffDb(db).deleteFrom('staff_session_activity').where('staff_id', '=', staffId).execute();
}
