import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { type IdentityFollower, moveRowsOfPersons, type PersonMove, rehomePersonRows, returnRowsOfPersons } from '../person/index.ts';

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
  // Which moving notifications a target already has (same source_key), or another moving one with a
  // lower id does: read first and decided here, as one statement with correlated sub-selects did (on
  // a cluster the persons are on different shards, which such a statement may not join).
  const to = new Map(moves.map((m) => [m.from, m.to]));
  const rows = (
    await sql<{ id: string; person_id: string; source_key: string }>`select id::text as id, person_id, source_key from citizen_notification
      where person_id = any(${[...new Set([...to.keys(), ...to.values()])]}::text[]) and source_key is not null order by id`.execute(tx)
  ).rows;
  const held = new Set(rows.map((r) => JSON.stringify([r.person_id, r.source_key])));
  const seen = new Set<string>();
  const dup: string[] = [];
  for (const r of rows) {
    const t = to.get(r.person_id);
    if (t === undefined) continue;
    const k = JSON.stringify([t, r.source_key]);
    if (held.has(k) || seen.has(k)) dup.push(r.id);
    seen.add(k);
  }
  const dropped =
    dup.length === 0
      ? { rows: [] as NotificationCopy[] }
      : await sql<NotificationCopy>`delete from citizen_notification d where d.person_id = any(${[...to.keys()]}::text[]) and d.id = any(${dup}::int8[])
    returning d.id::text as id, d.person_id, d.kind, d.title, d.body, d.link, d.source_key, d.created_at::text as created_at, d.read_at::text as read_at`.execute(tx);
  return { notifications: await moveRowsOfPersons(tx, 'citizen_notification', moves), droppedNotifications: dropped.rows };
}

async function movePreferences(tx: Db, moves: readonly PersonMove[]): Promise<Pick<MovedNotices, 'preferences' | 'droppedPreferences'>> {
  const json = movesJson(moves);
  // Every choice competing for one (surviving person, channel) place; all but the latest are removed.
  // Read, then deleted by key: a cluster allows no stable function (the time as text) in a RETURNING.
  const dropped = await sql<PreferenceCopy>`
    with m as (select * from jsonb_to_recordset(${json}::jsonb) as m(f text, t text)),
    cand as (
      select p.person_id, p.channel, p.opted_out, p.address, p.updated_at, coalesce(m.t, p.person_id) as survivor, m.t is null as own
        from notification_preference p left join m on m.f = p.person_id
       where p.person_id = any(${[...new Set(moves.flatMap((m) => [m.from, m.to]))]}::text[])),
    ranked as (select *, row_number() over (partition by survivor, channel order by updated_at desc, own desc, person_id) as n from cand)
    select person_id, channel, opted_out, address, updated_at::text as updated_at from ranked where n > 1`.execute(tx);
  if (dropped.rows.length > 0) {
    await sql`delete from notification_preference d using jsonb_to_recordset(${JSON.stringify(dropped.rows.map((r) => ({ p: r.person_id, c: r.channel })))}::jsonb) as k(p text, c text)
      where d.person_id = k.p and d.channel = k.c`.execute(tx);
  }
  const moved = await rehomePersonRows<{ channel: string; updated_at: string }>(tx, 'notification_preference', moves, {
    returning: sql`x.channel, x.updated_at::text as updated_at`,
  });
  return { preferences: moved, droppedPreferences: dropped.rows };
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
      // Only where the place is free: read first (on a cluster the two persons are two shards).
      const taken = await sql`select 1 from notification_preference where person_id = ${to} and channel = ${p.channel}`.execute(tx);
      if (taken.rows.length > 0) continue;
      // The table's key is (person_id, channel): no id column to report.
      await rehomePersonRows(tx, 'notification_preference', [{ from, to }], {
        where: sql`x.channel = ${p.channel} and x.updated_at = ${p.updated_at}::timestamptz`,
        returning: sql`x.channel`,
      });
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
