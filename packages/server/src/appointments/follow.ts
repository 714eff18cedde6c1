import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { type IdentityFollower, moveRowsOfPersons, type PersonMove, returnRowsOfPersons } from '../person/index.ts';

/**
 * The book's notifications and the citizen's channel choices follow the MPI's decisions. Reminders
 * need nothing: they read the person from the current episode at delivery (migration 057).
 *
 * One row per person decides twice:
 * - a notification of the same event on both persons (same source_key, e.g. one reminder reached
 *   both records): the surviving person's stays, the other is removed and kept on the merge log;
 * - a channel choice on both persons: the later choice stays (the citizen's newest word), ties go to
 *   the surviving person's; the other is removed and kept on the merge log.
 * An undo puts removed rows back where their place is free; a choice made on the merged person since
 * the merge (updated_at changed) stays there.
 */
export interface MovedNotices {
  notifications: number[];
  droppedNotifications: NotificationCopy[];
  /** The moved persons' choices, by channel, as they were when moved. */
  preferences: Array<{ channel: string; updated_at: string }>;
  droppedPreferences: PreferenceCopy[];
}

/** Timestamps as PostgreSQL text: exact to the microsecond, which a JS Date is not. */
interface NotificationCopy {
  id: string;
  person_id: string;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  source_key: string | null;
  created_at: string;
  read_at: string | null;
}

interface PreferenceCopy {
  person_id: string;
  channel: string;
  opted_out: boolean;
  address: string | null;
  updated_at: string;
}

const movesJson = (moves: readonly PersonMove[]) => JSON.stringify(moves.map((m) => ({ f: m.from, t: m.to })));

async function moveNotifications(tx: Db, moves: readonly PersonMove[]): Promise<Pick<MovedNotices, 'notifications' | 'droppedNotifications'>> {
  const json = movesJson(moves);
  const dropped = await sql<NotificationCopy>`
    with m as (select * from jsonb_to_recordset(${json}::jsonb) as m(f text, t text)),
    cand as (select n.id, n.source_key, m.t from citizen_notification n join m on n.person_id = m.f where n.source_key is not null),
    dup as (
      select c.id from cand c
       where exists (select 1 from citizen_notification k where k.person_id = c.t and k.source_key = c.source_key)
          or exists (select 1 from cand o where o.t = c.t and o.source_key = c.source_key and o.id < c.id))
    delete from citizen_notification d using dup where d.id = dup.id
    returning d.id::text as id, d.person_id, d.kind, d.title, d.body, d.link, d.source_key, d.created_at::text as created_at, d.read_at::text as read_at`.execute(tx);
  return { notifications: await moveRowsOfPersons(tx, 'citizen_notification', moves), droppedNotifications: dropped.rows };
}

async function movePreferences(tx: Db, moves: readonly PersonMove[]): Promise<Pick<MovedNotices, 'preferences' | 'droppedPreferences'>> {
  const json = movesJson(moves);
  // Every choice competing for one (surviving person, channel) place; all but the latest are removed.
  const dropped = await sql<PreferenceCopy>`
    with m as (select * from jsonb_to_recordset(${json}::jsonb) as m(f text, t text)),
    cand as (
      select p.person_id, p.channel, p.updated_at, coalesce(m.t, p.person_id) as survivor, m.t is null as own
        from notification_preference p left join m on m.f = p.person_id
       where p.person_id in (select f from m union select t from m)),
    ranked as (select *, row_number() over (partition by survivor, channel order by updated_at desc, own desc, person_id) as n from cand)
    delete from notification_preference d using ranked r
     where r.n > 1 and d.person_id = r.person_id and d.channel = r.channel
    returning d.person_id, d.channel, d.opted_out, d.address, d.updated_at::text as updated_at`.execute(tx);
  const moved = await sql<{ channel: string; updated_at: string }>`
    update notification_preference x set person_id = m.t from jsonb_to_recordset(${json}::jsonb) as m(f text, t text)
     where x.person_id = m.f returning x.channel, x.updated_at::text as updated_at`.execute(tx);
  return { preferences: moved.rows, droppedPreferences: dropped.rows };
}

export const noticeFollower: IdentityFollower<MovedNotices> = {
  name: 'notices',
  tables: ['citizen_notification', 'notification_preference'],
  async move(tx, moves) {
    const real = moves.filter((m) => m.from !== m.to);
    if (real.length === 0) return { notifications: [], droppedNotifications: [], preferences: [], droppedPreferences: [] };
    return { ...(await moveNotifications(tx, real)), ...(await movePreferences(tx, real)) };
  },
  // When logins change person (an undo, a separation, a relink), an address set on the persons they
  // left or joined since `since` has no known author: a preference row does not say which citizen
  // typed it, and after a wrong merge is taken apart one person's reminders must not go to the
  // other's phone. Such addresses are cleared (the opt-out choice stays); reminders keep arriving in
  // the book until the citizen gives an address again. Rows older than `since` are the person's own.
  async followLogins(tx, logins, since) {
    const persons = [...new Set(logins.flatMap((l) => [l.from, l.to]))];
    if (persons.length === 0) return;
    await sql`update notification_preference set address = null
      where person_id = any(${persons}::text[]) and address is not null and updated_at >= ${since}`.execute(tx);
  },
  async giveBack(tx, moved, from, to) {
    await returnRowsOfPersons(tx, 'citizen_notification', moved.notifications, from, to);
    for (const p of moved.preferences ?? []) {
      await sql`update notification_preference set person_id = ${to}
        where person_id = ${from} and channel = ${p.channel} and updated_at = ${p.updated_at}::timestamptz
          and not exists (select 1 from notification_preference o where o.person_id = ${to} and o.channel = ${p.channel})`.execute(tx);
    }
    for (const n of moved.droppedNotifications ?? []) {
      await sql`insert into citizen_notification (id, person_id, kind, title, body, link, source_key, created_at, read_at)
        values (${n.id}::int8, ${n.person_id}, ${n.kind}, ${n.title}, ${n.body}, ${n.link}, ${n.source_key}, ${n.created_at}::timestamptz, ${n.read_at}::timestamptz)
        on conflict do nothing`.execute(tx);
    }
    for (const p of moved.droppedPreferences ?? []) {
      await sql`insert into notification_preference (person_id, channel, opted_out, address, updated_at)
        values (${p.person_id}, ${p.channel}, ${p.opted_out}, ${p.address}, ${p.updated_at}::timestamptz) on conflict do nothing`.execute(tx);
    }
  },
};
