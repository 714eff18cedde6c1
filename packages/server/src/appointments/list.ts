import { addDays, isoDay, vietnamToday } from '@openhssk/core';
import type { AppointmentItem, AppointmentKind, NoShowFigure } from '@openhssk/core/api';
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { anyVersionSensitive } from '../ingest/index.ts';

export type { AppointmentKind, NoShowFigure } from '@openhssk/core/api';

/** An appointment with the person it is for (the routes drop person_id before answering). */
export interface Appointment extends AppointmentItem {
  person_id: string;
}

interface Row {
  kind: AppointmentKind;
  day: string;
  target: string;
  target_name: string | null;
  issuer: string;
  issuer_name: string | null;
  episode_id: number;
  person_id: string;
  fields: Record<string, string>;
}

/** 'yyyyMMdd…' → 'YYYY-MM-DD' (both the 12- and 8-character forms of 4750 and 3176). */
const compactDay = (iso: string) => iso.replaceAll('-', '');

function whatToBring(r: Row): string[] {
  const f = r.fields;
  const out: string[] = [];
  if (r.kind === 're_exam') out.push(f.SO_GIAYHEN_KL ? `Giấy hẹn khám lại số ${f.SO_GIAYHEN_KL}` : 'Giấy hẹn khám lại');
  else out.push(f.GIAY_CHUYEN_TUYEN ? `Giấy chuyển tuyến số ${f.GIAY_CHUYEN_TUYEN}` : 'Giấy chuyển tuyến');
  if (f.MA_THE_BHYT) out.push('Thẻ BHYT (hoặc ứng dụng VssID)');
  out.push('Căn cước công dân (hoặc tài khoản VNeID mức 2)');
  if (r.kind === 'referral' && f.TOMTAT_KQ) out.push('Kết quả xét nghiệm, chẩn đoán hình ảnh đã làm');
  out.push('Thuốc đang dùng và đơn thuốc gần nhất');
  return out;
}

const toAppointment = (r: Row): Appointment => ({
  kind: r.kind,
  date: r.day,
  facility_code: r.target,
  facility_name: r.target_name,
  issued_by_code: r.issuer,
  issued_by_name: r.issuer_name,
  episode_id: r.episode_id,
  person_id: r.person_id,
  number: (r.kind === 're_exam' ? r.fields.SO_GIAYHEN_KL : r.fields.GIAY_CHUYEN_TUYEN) || null,
  diagnosis: r.fields.CHAN_DOAN_RV || null,
  bring: whatToBring(r),
});

/**
 * Appointments of current episodes, from the XML14 and XML13 rows where they are stored (indexed by
 * migration 021: re-exam date; referral destination and date). A referral's day is its transfer day
 * (XML13 NGAY_RA, else the episode's): the receiving facility expects the person from then.
 * `sensitive: false` leaves out every appointment of a sensitive episode (any version of the visit).
 */
async function appointments(db: Db, where: { person?: string; target?: string; commune?: string; from: string; to: string; sensitive: boolean }): Promise<Appointment[]> {
  const conds: RawBuilder<unknown>[] = [sql`e.is_current`, sql`e.person_id is not null`];
  if (where.person) conds.push(sql`e.person_id = ${where.person}`);
  if (where.commune) conds.push(sql`p.ma_xa = ${where.commune}`);
  if (!where.sensitive)
    conds.push(sql`not ${anyVersionSensitive('e')}`);
  const from = compactDay(where.from);
  const to = compactDay(where.to);
  const rows = await sql<Row>`
    with a as (
      select 're_exam' as kind, substr(r.fields->>'NGAY_HEN_KL', 1, 8) as day8, coalesce(nullif(r.fields->>'MA_CSKCB', ''), e.facility_code) as target, r.episode_id, r.fields
        from episode_row r join episode e on e.id = r.episode_id
       where r.tbl = 'XML14' and substr(r.fields->>'NGAY_HEN_KL', 1, 8) between ${from} and ${to}
         ${where.target ? sql`and coalesce(nullif(r.fields->>'MA_CSKCB', ''), e.facility_code) = ${where.target}` : sql``}
      union all
      select 'referral', substr(coalesce(nullif(r.fields->>'NGAY_RA', ''), to_char(e.ngay_ra, 'YYYYMMDD')), 1, 8), coalesce(r.fields->>'MA_CSKCB_DEN', r.fields->>'MA_NOI_DEN'), r.episode_id, r.fields
        from episode_row r join episode e on e.id = r.episode_id
       where r.tbl = 'XML13' and coalesce(r.fields->>'MA_CSKCB_DEN', r.fields->>'MA_NOI_DEN') is not null
         ${where.target ? sql`and coalesce(r.fields->>'MA_CSKCB_DEN', r.fields->>'MA_NOI_DEN') = ${where.target}` : sql``}
    )
    select a.kind, substr(a.day8, 1, 4) || '-' || substr(a.day8, 5, 2) || '-' || substr(a.day8, 7, 2) as day, a.target, tf.name as target_name,
           e.facility_code as issuer, f.name as issuer_name, e.id as episode_id, e.person_id, a.fields
      from a join episode e on e.id = a.episode_id
      left join person p on p.id = e.person_id
      left join facility f on f.code = e.facility_code
      left join facility tf on tf.code = a.target
     where a.day8 between ${from} and ${to} and ${sql.join(conds, sql` and `)}
     order by a.day8, e.id`.execute(db);
  return rows.rows.map(toAppointment);
}


/** The citizen's own upcoming appointments (today on); a sensitive visit's only when they chose to show those, as elsewhere in the book. */
export const citizenAppointments = (db: Db, personId: string, includeSensitive: boolean, today = vietnamToday()) =>
  appointments(db, { person: personId, from: today, to: addDays(today, 366), sensitive: includeSensitive });

/** Who a facility expects, day by day: re-exams it booked and referrals addressed to it; no sensitive episode of another facility. */
export async function facilityAppointments(db: Db, facility: string, from: string, to: string): Promise<Appointment[]> {
  const all = await appointments(db, { target: facility, from, to, sensitive: true });
  // A sensitive visit's appointment stays visible to the facility that treats it, never to a receiving one.
  const sensitive = new Set(
    (await sql<{ id: number }>`select e.id from episode e where e.id = any(${all.map((a) => a.episode_id)}::bigint[])
        and ${anyVersionSensitive('e')}`.execute(db)).rows.map((r) => Number(r.id)),
  );
  return all.filter((a) => !sensitive.has(a.episode_id) || a.issued_by_code === facility);
}

/** Residents' appointments for the commune station: cross-facility, so never a sensitive episode's. */
export const communeAppointments = (db: Db, commune: string, from: string, to: string) => appointments(db, { commune, from, to, sensitive: false });

/**
 * Appointments at the facility whose day fell in [from, to] (to ≤ yesterday): kept when the person has an
 * episode or a front-desk visit at that facility from three days before the day on (coming a little
 * early counts), otherwise a no-show.
 */
export async function noShowFigure(db: Db, facility: string, from: string, to: string): Promise<NoShowFigure> {
  const yesterday = addDays(vietnamToday(), -1);
  const until = to < yesterday ? to : yesterday;
  const due = from <= until ? await appointments(db, { target: facility, from, to: until, sensitive: true }) : [];
  let kept = 0;
  if (due.length > 0) {
    const r = await sql<{ n: number }>`
      select count(*)::int as n from unnest(${due.map((a) => a.person_id)}::text[], ${due.map((a) => a.date)}::date[]) as d(person_id, day)
       where exists (select 1 from episode e where e.person_id = d.person_id and e.facility_code = ${facility} and e.is_current
                       and e.ngay_vao::date >= d.day - 3)
          or exists (select 1 from visit v where v.person_id = d.person_id and v.facility_code = ${facility}
                       and v.ngay_vao::date >= d.day - 3)`.execute(db);
    kept = r.rows[0]?.n ?? 0;
  }
  return { facility_code: facility, from, to: until, due: due.length, kept, no_show: due.length - kept, rate: due.length ? (due.length - kept) / due.length : null };
}

