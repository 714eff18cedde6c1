import type { CitizenNotificationItem, CitizenNotifications } from '@openhssk/core/api';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
// Writers call this with their own transaction, of any schema view.
import type { AnyDb } from '../jobs/index.ts';

export interface CitizenNotice {
  /** What it is about, e.g. `appointment.reminder`, `correction.outcome`. */
  kind: string;
  title: string;
  body: string;
  /** A path in the book to open, e.g. `/luot-kham/123`. */
  link?: string | null;
  /** The same key for the same person adds nothing the second time (a retried job, a replayed request). */
  key?: string;
}

/**
 * Puts a notification in the citizen's book, in the caller's transaction (other modules use this for
 * their outcomes). Answers the notification's id, or null when the key was already used.
 */
export async function notifyCitizen(tx: AnyDb, personId: string, notice: CitizenNotice): Promise<number | null> {
  const r = await sql<{ id: number }>`insert into citizen_notification (person_id, kind, title, body, link, source_key)
    values (${personId}, ${notice.kind}, ${notice.title}, ${notice.body}, ${notice.link ?? null}, ${notice.key ?? null})
    on conflict (person_id, source_key) do nothing returning id`.execute(tx);
  return r.rows[0]?.id ?? null;
}

export type { CitizenNotificationItem as NotificationRow } from '@openhssk/core/api';

export async function listNotifications(db: Db, personId: string, limit = 50): Promise<CitizenNotifications> {
  const rows = await sql<CitizenNotificationItem>`select id, kind, title, body, link, to_char((created_at at time zone 'UTC') + interval '7 hours', 'YYYY-MM-DD HH24:MI') as created_at, read_at is not null as read
      from citizen_notification where person_id = ${personId} order by created_at desc, id desc limit ${limit}`.execute(db);
  const unread = await sql<{ n: number }>`select count(*)::int as n from citizen_notification where person_id = ${personId} and read_at is null`.execute(db);
  return { notifications: rows.rows, unread: unread.rows[0]?.n ?? 0 };
}

/** Marks the person's notifications read (the listed ids, or all); answers how many changed. */
export async function markNotificationsRead(db: Db, personId: string, ids: number[] | 'all'): Promise<number> {
  const r =
    ids === 'all'
      ? await sql`update citizen_notification set read_at = now() where person_id = ${personId} and read_at is null`.execute(db)
      : await sql`update citizen_notification set read_at = now() where person_id = ${personId} and read_at is null and id = any(${ids}::bigint[])`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}
