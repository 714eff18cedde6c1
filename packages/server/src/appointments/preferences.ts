import { DomainError } from '@openhssk/core';
import type { ReminderChannelSetting, ReminderStatusItem } from '@openhssk/core/api';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^0\d{9,10}$/;

export async function preferencesOf(db: Db, personId: string): Promise<ReminderChannelSetting[]> {
  const rows = await sql<ReminderChannelSetting>`select channel, opted_out, address from notification_preference where person_id = ${personId}`.execute(db);
  const by = new Map(rows.rows.map((r) => [r.channel, r]));
  return (['email', 'sms'] as const).map((channel) => by.get(channel) ?? { channel, opted_out: false, address: null });
}

export async function setPreference(db: Db, personId: string, channel: 'email' | 'sms', optedOut: boolean, address: string | null | undefined): Promise<void> {
  const a = address?.trim() || null;
  if (a && channel === 'email' && !EMAIL.test(a)) throw new DomainError('invalid', 'EMAIL_INVALID', 'Địa chỉ e-mail không hợp lệ.', 'Invalid e-mail address.');
  if (a && channel === 'sms' && !PHONE.test(a.replace(/[\s.]/g, ''))) throw new DomainError('invalid', 'PHONE_INVALID', 'Số điện thoại không hợp lệ (10–11 chữ số, bắt đầu bằng 0).', 'Invalid phone number.');
  await sql`insert into notification_preference (person_id, channel, opted_out, address) values (${personId}, ${channel}, ${optedOut}, ${channel === 'sms' ? (a?.replace(/[\s.]/g, '') ?? null) : a})
    on conflict (person_id, channel) do update set opted_out = excluded.opted_out, address = ${address === undefined ? sql`notification_preference.address` : sql`excluded.address`}, updated_at = now()`.execute(db);
}

/** The reminders of the person's current episodes whose appointment is today or later, with their delivery status. */
export async function citizenReminders(db: Db, personId: string): Promise<ReminderStatusItem[]> {
  const rows = await sql<ReminderStatusItem>`
    select r.id, e.id as episode_id, r.kind, r.channel, r.appointment_date::text as appointment_date,
           to_char((r.due_at at time zone 'UTC') + interval '7 hours', 'YYYY-MM-DD HH24:MI') as due_at, r.status, r.status_reason, r.attempts,
           to_char((r.sent_at at time zone 'UTC') + interval '7 hours', 'YYYY-MM-DD HH24:MI') as sent_at, r.sent_to
      from appointment_reminder r join episode e on e.facility_code = r.facility_code and e.ma_lk = r.ma_lk and e.is_current
     where e.person_id = ${personId} and r.appointment_date >= vn_day(now())
     order by r.appointment_date, r.id`.execute(db);
  return rows.rows.map((r) => ({ ...r, id: Number(r.id), episode_id: Number(r.episode_id) }));
}
