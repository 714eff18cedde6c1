import { createHash } from 'node:crypto';
import { viDate, vietnamNow, vietnamToday } from '@openhssk/core';
import { childAppointmentsPath } from '@openhssk/core/api';
import { type Kysely, sql, type Transaction } from 'kysely';
import { guardiansOf } from '../book/index.ts';
import type { Db, Schema } from '../db/index.ts';
import { anyVersionSensitive } from '../ingest/index.ts';
import { defineQueue, enqueue, type JobInfo } from '../jobs/index.ts';
import type { ReminderChannels } from './channels.ts';
import { notifyCitizen } from './notify.ts';

export type ReminderChannel = 'in_app' | 'email' | 'sms';
const CHANNELS: readonly ReminderChannel[] = ['in_app', 'email', 'sms'];

export const REMINDER_QUEUE = defineQueue<{ reminderId: number; dueAt: string }>({ name: 'appointment.reminder', retryLimit: 6, retryDelaySeconds: 60, expireInSeconds: 300 });

/** Days before the appointment a reminder goes out, at 08:00 Vietnam time. */
export const REMIND_DAYS_BEFORE = 1;
const REMIND_HOUR = 8;
/** No SMS or e-mail from 21:00 to 07:00 Vietnam time; such a reminder waits for 07:00. */
export const QUIET_FROM = 21;
export const QUIET_UNTIL = 7;

const PLAN_BATCH = 2000;

/** The instant of a Vietnam wall-clock time 'YYYY-MM-DD' + hour. */
const vnInstant = (day: string, hour: number) => new Date(Date.parse(`${day}T${String(hour).padStart(2, '0')}:00:00Z`) - 7 * 3600_000);

/** The end of quiet hours when `at` falls in them, else null. */
export function quietUntil(at: Date): Date | null {
  const hour = Number(vietnamNow(at).slice(11, 13));
  if (hour >= QUIET_UNTIL && hour < QUIET_FROM) return null;
  const day = vietnamToday(at);
  const next = hour >= QUIET_FROM ? new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10) : day;
  return vnInstant(next, QUIET_UNTIL);
}

export function reminderDue(appointmentDay: string, now = new Date()): Date {
  const due = vnInstant(new Date(Date.parse(`${appointmentDay}T00:00:00Z`) - REMIND_DAYS_BEFORE * 86_400_000).toISOString().slice(0, 10), REMIND_HOUR);
  return due < now ? now : due;
}

interface AppointmentRow {
  facility_code: string;
  tbl: string;
  fields: Record<string, string>;
  ngay_ra: string | null;
}

/** The appointment an XML14 or XML13 row names (kind, day, where), or null when it names no usable day or place. */
function appointmentOfRow(r: AppointmentRow): { kind: 're_exam' | 'referral'; day: string; target: string } | null {
  const re = r.tbl === 'XML14';
  const day8 = re ? (r.fields.NGAY_HEN_KL ?? '').slice(0, 8) : (r.fields.NGAY_RA || (r.ngay_ra ?? '').replace(/[- :]/g, '')).slice(0, 8);
  if (!/^\d{8}$/.test(day8)) return null;
  const target = re ? r.fields.MA_CSKCB || r.facility_code : r.fields.MA_CSKCB_DEN || r.fields.MA_NOI_DEN;
  if (!target) return null;
  return { kind: re ? 're_exam' : 'referral', day: `${day8.slice(0, 4)}-${day8.slice(4, 6)}-${day8.slice(6, 8)}`, target };
}

/**
 * Plans a reminder per channel for the appointments of the episodes queued since the last run, enqueued
 * in the same transaction. Episodes are queued by the transaction that stores their XML14/XML13 rows
 * (migration 082), so an ingest that commits late is planned when it commits, not passed over. A
 * re-sent episode version with another date or place moves its reminders (the old job, whose due time
 * no longer matches, does nothing).
 */
export async function planReminders(db: Db, opts: { now?: Date } = {}): Promise<{ planned: number; scanned: number }> {
  const now = opts.now ?? new Date();
  let planned = 0;
  let scanned = 0;
  for (;;) {
    const batch = await db.transaction().execute(async (tx) => {
      // One planner at a time: two runs taking versions of one visit could otherwise write an older
      // version's date last.
      await sql`select id from appointment_planner_state where id = 1 for update`.execute(tx);
      const queued = (
        await sql<{ person_id: string | null; episode_id: string }>`select person_id, episode_id::text as episode_id from appointment_plan_queue
          order by episode_id limit ${PLAN_BATCH}`.execute(tx)
      ).rows;
      if (queued.length === 0) return 0;
      // Read by person: on a cluster the queue, the episode and its rows are distributed by person_id
      // (citus/090), so naming the persons keeps each read on their shards and the join co-located.
      // An entry whose episode moved to a person outside the batch after it was read is neither
      // removed nor found here; the next run plans it. Unlinked episodes (no person yet) exist only
      // on a single node: a cluster refuses a null distribution column.
      const persons = [...new Set(queued.flatMap((q) => (q.person_id === null ? [] : [q.person_id])))];
      const linked = queued.flatMap((q) => (q.person_id === null ? [] : [q.episode_id]));
      const unlinked = queued.flatMap((q) => (q.person_id === null ? [q.episode_id] : []));
      const rows: Array<AppointmentRow & { ma_lk: string }> = [];
      if (linked.length > 0) {
        await sql`delete from appointment_plan_queue where person_id = any(${persons}::text[]) and episode_id = any(${linked}::bigint[])`.execute(tx);
        const found = await sql<AppointmentRow & { ma_lk: string }>`
          select e.facility_code, e.ma_lk, r.tbl, r.fields, e.ngay_ra from episode_row r join episode e on e.person_id = r.person_id and e.id = r.episode_id
           where r.person_id = any(${persons}::text[]) and r.episode_id = any(${linked}::bigint[]) and r.tbl in ('XML14', 'XML13') and e.is_current`.execute(tx);
        rows.push(...found.rows);
      }
      if (unlinked.length > 0) {
        await sql`delete from appointment_plan_queue where person_id is null and episode_id = any(${unlinked}::bigint[])`.execute(tx);
        const found = await sql<AppointmentRow & { ma_lk: string }>`
          select e.facility_code, e.ma_lk, r.tbl, r.fields, e.ngay_ra from episode_row r join episode e on e.id = r.episode_id
           where r.person_id is null and r.episode_id = any(${unlinked}::bigint[]) and r.tbl in ('XML14', 'XML13') and e.is_current`.execute(tx);
        rows.push(...found.rows);
      }
      const today = vietnamToday(now);
      for (const r of rows) {
        const a = appointmentOfRow(r);
        if (!a || a.day < today) continue;
        const due = reminderDue(a.day, now);
        for (const channel of CHANNELS) {
          // A moved date plans the reminder again whatever became of the old one: a reminder sent or
          // failed for the old day says nothing about the new one.
          const up = await sql<{ id: number }>`
            insert into appointment_reminder (facility_code, ma_lk, kind, channel, appointment_date, target_facility, due_at)
            values (${r.facility_code}, ${r.ma_lk}, ${a.kind}, ${channel}, ${a.day}, ${a.target}, ${due})
            on conflict (facility_code, ma_lk, kind, channel) do update
               set appointment_date = excluded.appointment_date, target_facility = excluded.target_facility, due_at = excluded.due_at,
                   status = 'pending', status_reason = null, delivered_keys = '{}', updated_at = now()
             where appointment_reminder.appointment_date <> excluded.appointment_date or appointment_reminder.target_facility <> excluded.target_facility
            returning id`.execute(tx);
          const id = up.rows[0]?.id;
          if (id === undefined) continue;
          await enqueue(tx, REMINDER_QUEUE, { reminderId: Number(id), dueAt: due.toISOString() }, { key: `${id}@${due.toISOString()}`, runAt: due });
          planned++;
        }
      }
      return queued.length;
    });
    scanned += batch;
    if (batch < PLAN_BATCH) return { planned, scanned };
  }
}

interface ReminderRow {
  id: number;
  facility_code: string;
  ma_lk: string;
  kind: 're_exam' | 'referral';
  channel: ReminderChannel;
  appointment_date: string;
  target_facility: string;
  due_at: Date;
  status: string;
  delivered_keys: string[];
}

/** How the reminder row recognises an address it already reached (migration 097). */
const deliveredKey = (address: string) => createHash('sha256').update(address).digest('hex');

/**
 * Thrown when a multi-recipient delivery failed part-way: the attempt fails (and is retried) as any
 * other, but the addresses reached before the failure are carried to reminderAttemptFailed, which
 * records them after the rollback so the retry skips them.
 */
export class PartialDeliveryError extends Error {
  constructor(
    cause: Error,
    readonly deliveredKeys: readonly string[],
  ) {
    super(cause.message, { cause });
    this.name = 'PartialDeliveryError';
  }
}

const maskAddress = (channel: ReminderChannel, to: string) => (channel === 'email' ? to.replace(/^(.).*(@.*)$/, '$1***$2') : `***${to.slice(-3)}`);

/** The days the current version of the reminder's episode names for its kind of appointment (and place). */
async function currentAppointmentDays(tx: Kysely<Schema>, r: ReminderRow): Promise<string[]> {
  const rows = await sql<AppointmentRow>`
    select e.facility_code, r.tbl, r.fields, e.ngay_ra from episode_row r join episode e on e.id = r.episode_id
     where e.facility_code = ${r.facility_code} and e.ma_lk = ${r.ma_lk} and e.is_current and r.tbl = ${r.kind === 're_exam' ? 'XML14' : 'XML13'}`.execute(tx);
  return rows.rows.flatMap((row) => {
    const a = appointmentOfRow(row);
    return a && a.target === r.target_facility ? [a.day] : [];
  });
}

async function setStatus(tx: Kysely<Schema>, id: number, status: string, reason: string | null, extra: { sentTo?: string } = {}) {
  await sql`update appointment_reminder set status = ${status}, status_reason = ${reason}, updated_at = now(), attempts = attempts + ${status === 'sent' ? 1 : 0},
      sent_at = case when ${status} = 'sent' then now() else sent_at end, sent_to = coalesce(${extra.sentTo ?? null}, sent_to) where id = ${id}`.execute(tx);
}

interface Message {
  title: string;
  body: string;
  subject: string;
  message: string;
}

/**
 * The reminder's words, for the person's own book and for a parent of a child. A sensitive visit's
 * reminder names neither place nor kind (a message outside the book is read by whoever holds the phone).
 */
function messages(r: ReminderRow, sensitive: boolean, place: string): { own: Message; child: (name: string) => Message } {
  const day = viDate(r.appointment_date);
  const what = r.kind === 're_exam' ? 'lịch hẹn khám lại' : 'giấy chuyển tuyến đến';
  const own: Message = sensitive
    ? { title: `Nhắc lịch hẹn ngày ${day}`, body: `Bạn có một lịch hẹn ngày ${day}.`, subject: 'Nhắc lịch hẹn khám', message: `So suc khoe dien tu: ban co lich hen kham ngay ${day}. Xem chi tiet trong ung dung.` }
    : {
        title: r.kind === 're_exam' ? `Nhắc lịch hẹn khám lại ngày ${day}` : `Nhắc lịch chuyển tuyến ngày ${day}`,
        body: `Bạn có ${what} ${place} ngày ${day}.`,
        subject: `Nhắc ${what} ${place}`,
        message: `Sổ sức khỏe điện tử: bạn có ${what} ${place} ngày ${day}. Nhớ mang giấy hẹn/giấy chuyển tuyến, thẻ BHYT và CCCD.`,
      };
  const child = (name: string): Message => {
    if (sensitive) {
      const text = `Con ${name} có một lịch hẹn khám ngày ${day}.`;
      return { title: `Nhắc lịch hẹn của con ${name} ngày ${day}`, body: text, subject: 'Nhắc lịch hẹn khám', message: `Sổ sức khỏe điện tử: ${text} Xem chi tiết trong ứng dụng.` };
    }
    const label = r.kind === 're_exam' ? 'Lịch tái khám' : 'Lịch chuyển tuyến';
    const body = `${label} của con ${name}: ${what} ${place} ngày ${day}.`;
    return {
      title: `Nhắc ${label.toLowerCase()} của con ${name} ngày ${day}`,
      body: `${body} Mở sổ của con để xem chi tiết.`,
      subject: `${label} của con ${name}`,
      message: `Sổ sức khỏe điện tử: ${body} Nhớ mang giấy hẹn/giấy chuyển tuyến, thẻ BHYT của con và giấy khai sinh.`,
    };
  };
  return { own, child };
}

/**
 * Who a reminder reaches: the person themself, or, when the person has no account (a child has none
 * until the 14th birthday at the earliest), the parents and guardians the book lets open the child's
 * book, told whose appointment it is. Nobody else: a relation guessed from a household is not enough.
 */
async function recipientsOf(tx: Kysely<Schema>, personId: string, now: Date): Promise<{ personId: string; child: { id: string; name: string } | null }[]> {
  const own = [{ personId, child: null }];
  const account = await tx.selectFrom('citizen_account').select('subject').where('person_id', '=', personId).executeTakeFirst();
  if (account) return own;
  const family = await guardiansOf(tx, personId, now);
  return family && family.guardians.length > 0 ? family.guardians.map((g) => ({ personId: g, child: { id: family.child.id, name: family.child.ho_ten } })) : own;
}

/**
 * The reminder job's handler. Everything is decided at delivery time from the current data: the
 * episode's person (MPI merges followed), the appointment still ahead, the citizen's opt-outs and
 * addresses, quiet hours. A reminder already sent, or a job superseded by a new due time, does nothing.
 */
export function reminderHandler(channels: ReminderChannels, clock: () => Date = () => new Date()) {
  return async (data: { reminderId: number; dueAt: string }, tx: Transaction<Schema>, _job: JobInfo) => {
    const r = (await sql<ReminderRow>`select id, facility_code, ma_lk, kind, channel, appointment_date::text as appointment_date, target_facility, due_at, status, delivered_keys
        from appointment_reminder where id = ${data.reminderId} for update`.execute(tx)).rows[0];
    if (!r || !['pending', 'deferred'].includes(r.status) || r.due_at.toISOString() !== data.dueAt) return;
    const now = clock();
    if (r.appointment_date < vietnamToday(now)) return setStatus(tx, r.id, 'cancelled', 'appointment_passed');
    const ep = (await sql<{ person_id: string | null; sensitive: boolean; phone: string | null; facility_name: string | null }>`
        select e.person_id, ${anyVersionSensitive('e')} as sensitive,
               p.so_dien_thoai as phone, f.name as facility_name
          from episode e left join person p on p.id = e.person_id left join facility f on f.code = ${r.target_facility}
         where e.facility_code = ${r.facility_code} and e.ma_lk = ${r.ma_lk} and e.is_current`.execute(tx)).rows[0];
    if (!ep?.person_id) return setStatus(tx, r.id, 'skipped', 'no_person');
    // The facility may have re-sent the visit with another date (or none) since this reminder was
    // planned, and the planner may not have seen that version yet: the date is read from the current
    // version, and a reminder that no longer matches it is not sent (the planner moves it).
    const days = await currentAppointmentDays(tx, r);
    if (days.length === 0) return setStatus(tx, r.id, 'cancelled', 'appointment_removed');
    if (!days.includes(r.appointment_date)) return;
    const m = messages(r, ep.sensitive, ep.facility_name ?? r.target_facility);
    const recipients = await recipientsOf(tx, ep.person_id, now);
    if (r.channel === 'in_app') {
      // A sensitive visit's reminder names neither the place nor the kind: the notification list is
      // shown whether or not the citizen chose to show sensitive visits.
      for (const to of recipients) {
        const text = to.child === null ? m.own : m.child(to.child.name);
        // A guardian's link opens the child's book at its appointments (the book checks the child is still theirs).
        await notifyCitizen(tx, to.personId, { kind: 'appointment.reminder', title: text.title, body: text.body, link: to.child === null ? '/lich-hen' : childAppointmentsPath(to.child.id), key: `appointment-reminder:${r.id}` });
      }
      return setStatus(tx, r.id, 'sent', null);
    }
    const prefs = (
      await sql<{ person_id: string; opted_out: boolean; address: string | null }>`select person_id, opted_out, address from notification_preference
          where person_id = any(${recipients.map((x) => x.personId)}::text[]) and channel = ${r.channel}`.execute(tx)
    ).rows;
    const wanted = recipients.filter((x) => !prefs.find((p) => p.person_id === x.personId)?.opted_out);
    if (wanted.length === 0) return setStatus(tx, r.id, 'skipped', 'opted_out');
    // Only an address the citizen gave for reminders: a registry phone may be stale or a neighbour's.
    const targets = wanted.flatMap((x) => {
      const address = prefs.find((p) => p.person_id === x.personId)?.address;
      return address ? [{ ...x, address }] : [];
    });
    if (targets.length === 0) return setStatus(tx, r.id, 'skipped', 'no_address');
    const sender = r.channel === 'email' ? channels.mail : channels.text;
    if (!sender) return setStatus(tx, r.id, 'skipped', 'channel_not_configured');
    const quiet = quietUntil(now);
    if (quiet) {
      await setStatus(tx, r.id, 'deferred', 'quiet_hours');
      return { retryAt: quiet };
    }
    // A retry after a part-way failure skips the addresses already reached (recorded by reminderAttemptFailed).
    const reached = new Set(r.delivered_keys);
    const reachedNow: string[] = [];
    for (const to of targets) {
      const key = deliveredKey(to.address);
      if (reached.has(key)) continue;
      const text = to.child === null ? m.own : m.child(to.child.name);
      try {
        if (r.channel === 'email' && channels.mail) await channels.mail.send(to.address, text.subject, text.message);
        else if (channels.text) await channels.text.send(to.address, text.message);
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        throw reachedNow.length > 0 ? new PartialDeliveryError(error, reachedNow) : error;
      }
      reached.add(key);
      reachedNow.push(key);
    }
    try {
      await sql`update appointment_reminder set delivered_keys = ${[...reached]}::text[] where id = ${r.id}`.execute(tx);
      await setStatus(tx, r.id, 'sent', null, { sentTo: targets.map((x) => maskAddress(r.channel, x.address)).join(', ') });
    } catch (err) {
      // The messages went out but the record of it did not: the retry must not send them again.
      throw new PartialDeliveryError(err instanceof Error ? err : new Error(String(err)), reachedNow);
    }
  };
}

/**
 * Records a failed attempt (the handler's transaction was rolled back): attempts, last error, failed when
 * no retry is left, and the addresses a part-way delivery reached, so the retry does not send to them again.
 */
export async function reminderAttemptFailed(data: { reminderId: number }, error: Error, job: JobInfo & { final: boolean }, tx: Transaction<Schema>): Promise<void> {
  const reached = error instanceof PartialDeliveryError ? [...error.deliveredKeys] : [];
  await sql`update appointment_reminder set attempts = attempts + 1, last_error = ${error.message.slice(0, 500)}, updated_at = now(),
      delivered_keys = array(select distinct k from unnest(delivered_keys || ${reached}::text[]) as k),
      status = case when ${job.final} then 'failed' else status end where id = ${data.reminderId}`.execute(tx);
}
