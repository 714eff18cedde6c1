import { addDays, invalid, isoDay } from '@openhssk/core';
import type { DayList, DayListPerson } from '@openhssk/core/api';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { followUpsDue } from '../primary-care/index.ts';
import { STATION_FACILITY_LEVEL } from '../staff/index.ts';
import type { StationArea } from './scope.ts';

/** Each section of the start page lists at most this many rows (the station works through them daily). */
const SECTION_LIMIT = 200;

const compact = (iso: string) => iso.replace(/-/g, '');
/** XML 130 'yyyyMMdd[HHmm]' → 'YYYY-MM-DD'. */
const isoOf = (v: string | null | undefined) => (v && /^\d{8}/.test(v) ? isoDay(v) : null);

// A resident: the golden record's commune, or a current member of one of its households (moved in,
// not yet on the lists). Written once, used by every section.
const isResident = (person: string, commune: string) =>
  sql`(${sql.ref(`${person}.ma_xa`)} = ${commune} or exists (select 1 from station_member m
        where m.person_id = ${sql.ref(`${person}.id`)} and m.commune_code = ${commune} and m.closed_at is null))`;

export type { DayList, DayListPerson };

export function dayWindow(on: string | undefined, days: number | undefined, today: string): { on: string; days: number } {
  const day = on ?? today;
  const d = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== day) throw invalid('DATE_INVALID', 'Ngày «on» không hợp lệ.', "The date 'on' is not valid.");
  return { on: day, days: days ?? 7 };
}

/**
 * The start page of a station user: re-exam appointments of residents in the coming days (XML14 of
 * any hospital), residents discharged from inpatient care elsewhere in the last days (XML1 + XML7),
 * referrals addressed to the commune's station (XML13), births recorded at the station, and the
 * chronic-disease follow-ups due today or overdue (primary-care registers). Sensitive
 * episodes (HIV, TB, mental health) never appear: they stay with the treating facility.
 */
export async function dayList(db: Db, area: StationArea, q: { on: string; days: number }): Promise<DayList> {
  const { on, days } = q;
  const c = area.commune;
  const from = addDays(on, -days);
  const next = addDays(on, 1);
  // The commune's own stations (not a hospital that stands in the commune): their discharges are
  // their own work, referrals to them are theirs. An array computed once per statement (an init plan),
  // so the destination index is used as with a literal list, without a round trip of its own first.
  const stationList = sql`array(select code from facility where admin_unit_code = ${c} and level = ${STATION_FACILITY_LEVEL})`;

  // Every section at once: on PostgreSQL each runs on its own pooled connection.
  const hospital = area.clinical
    ? Promise.all([
        // The district's appointments of the window (by date index), narrowed to residents through the
        // row's own person_id before any episode is read: a commune is about 1 % of them.
        sql<{ person_id: string; ho_ten: string; ngay_sinh: string | null; so_dien_thoai: string | null; ngay_hen: string | null; facility_code: string; facility_name: string | null; episode_id: number; diagnosis: string | null; icd10: string | null }>`
          with hits as materialized (
            select r.episode_id, r.fields from episode_row r join person p on p.id = r.person_id
             where r.tbl = 'XML14' and substr(r.fields->>'NGAY_HEN_KL', 1, 8) between ${compact(on)} and ${compact(addDays(on, days))} and ${isResident('p', c)})
          select p.id as person_id, p.ho_ten, p.ngay_sinh, p.so_dien_thoai, h.fields->>'NGAY_HEN_KL' as ngay_hen, e.facility_code, f.name as facility_name,
                 e.id as episode_id, coalesce(h.fields->>'CHAN_DOAN_RV', e.chan_doan_rv) as diagnosis, coalesce(h.fields->>'MA_BENH_CHINH', e.ma_benh_chinh) as icd10
            from hits h
            join episode e on e.id = h.episode_id
            join person p on p.id = e.person_id
            left join facility f on f.code = e.facility_code
           where e.is_current and cardinality(e.sensitivity) = 0
           order by substr(h.fields->>'NGAY_HEN_KL', 1, 8), p.name_key, p.id
           limit ${SECTION_LIMIT}`.execute(db),
        sql<{ person_id: string; ho_ten: string; ngay_sinh: string | null; so_dien_thoai: string | null; discharged_at: string | null; facility_code: string; facility_name: string | null; episode_id: number; diagnosis: string | null; outcome: number | null }>`
          select p.id as person_id, p.ho_ten, p.ngay_sinh, p.so_dien_thoai, e.ngay_ra as discharged_at, e.facility_code, f.name as facility_name, e.id as episode_id,
                 coalesce((select x.fields->>'CHAN_DOAN_RV' from episode_row x where x.episode_id = e.id and x.tbl = 'XML7' order by x.row_no limit 1), e.chan_doan_rv) as diagnosis,
                 e.ket_qua_dtri as outcome
            from episode e
            join person p on p.id = e.person_id
            left join facility f on f.code = e.facility_code
           where e.is_current and e.ma_loai_kcb in ('03', '04', '06', '09')
             and e.ngay_ra >= ${from}::timestamp and e.ngay_ra < ${next}::timestamp
             and cardinality(e.sensitivity) = 0 and e.facility_code <> all(${stationList}) and ${isResident('p', c)}
           order by e.ngay_ra desc, p.id
           limit ${SECTION_LIMIT}`.execute(db),
        // Referrals to the station dated by their own NGAY_RA (indexed with the destination), and the few
        // without one by their episode.
        sql<{ person_id: string; ho_ten: string; ngay_sinh: string | null; so_dien_thoai: string | null; discharged_at: string | null; facility_code: string; facility_name: string | null; episode_id: number; diagnosis: string | null; plan: string | null; referral_no: string | null }>`
          with refs as (
            select r.episode_id, r.fields from episode_row r
             where r.tbl = 'XML13' and coalesce(r.fields->>'MA_CSKCB_DEN', r.fields->>'MA_NOI_DEN') = any(${stationList})
               and substr(r.fields->>'NGAY_RA', 1, 8) between ${compact(from)} and ${compact(on)}
            union all
            select r.episode_id, r.fields from episode_row r join episode e on e.id = r.episode_id
             where r.tbl = 'XML13' and coalesce(r.fields->>'MA_CSKCB_DEN', r.fields->>'MA_NOI_DEN') = any(${stationList})
               and substr(r.fields->>'NGAY_RA', 1, 8) is null
               and coalesce(e.ngay_ra, e.ngay_vao) >= ${from}::timestamp and coalesce(e.ngay_ra, e.ngay_vao) < ${next}::timestamp)
          select p.id as person_id, p.ho_ten, p.ngay_sinh, p.so_dien_thoai, coalesce(e.ngay_ra, e.ngay_vao) as discharged_at, e.facility_code, f.name as facility_name,
                 e.id as episode_id, coalesce(r.fields->>'CHAN_DOAN_RV', e.chan_doan_rv) as diagnosis, r.fields->>'HUONG_DIEU_TRI' as plan,
                 coalesce(r.fields->>'SO_CHUYENTUYEN', r.fields->>'GIAY_CHUYEN_TUYEN') as referral_no
            from refs r
            join episode e on e.id = r.episode_id
            join person p on p.id = e.person_id
            left join facility f on f.code = e.facility_code
           where e.is_current and cardinality(e.sensitivity) = 0
           order by coalesce(e.ngay_ra, e.ngay_vao) desc, p.id
           limit ${SECTION_LIMIT}`.execute(db),
      ])
    : Promise.resolve([undefined, undefined, undefined] as const);

  // Chronic-disease follow-ups due today or overdue (primary-care registers); which register is clinical.
  // Their contacts are read as soon as they are known, while the hospital sections still run.
  const due = area.clinical
    ? followUpsDue(db, c, on).then(async (rows) => {
        const shown = rows.slice(0, SECTION_LIMIT);
        const ids = [...new Set(shown.map((f) => f.personId))];
        const people = ids.length > 0 ? await db.selectFrom('person').select(['id', 'ngay_sinh', 'so_dien_thoai']).where('id', 'in', ids).execute() : [];
        return { shown, contacts: new Map(people.map((p) => [p.id, p])) };
      })
    : Promise.resolve(null);

  const birthRows = sql<{ person_id: string; ho_ten: string; ngay_sinh: string | null; so_dien_thoai: string | null; date: string; household_id: number | null; household_code: string | null; recorded_by_name: string | null; weight: number | null }>`
    select p.id as person_id, p.ho_ten, p.ngay_sinh, p.so_dien_thoai, ev.occurred_on as date, ev.household_id, h.household_code, ev.recorded_by_name,
           (ev.payload->'child'->>'birth_weight_grams')::int as weight
      from station_event ev
      join person p on p.id = ev.person_id
      left join station_household h on h.id = ev.household_id
     where ev.commune_code = ${c} and ev.kind = 'birth' and ev.occurred_on >= ${from}::date and ev.occurred_on <= ${on}::date
     order by ev.occurred_on desc, ev.id desc
     limit ${SECTION_LIMIT}`.execute(db);
  const [[appointments, discharges, referrals], dueRows, births] = await Promise.all([hospital, due, birthRows]);
  const followUps = dueRows?.shown ?? null;
  const contacts = dueRows?.contacts ?? new Map<string, { ngay_sinh: string | null; so_dien_thoai: string | null }>();

  return {
    commune_code: c,
    on,
    days,
    clinical: area.clinical,
    appointments: appointments ? appointments.rows.map(({ ngay_hen, ...r }) => ({ ...r, date: isoOf(ngay_hen) })) : null,
    discharges: discharges ? discharges.rows : null,
    referrals: referrals ? referrals.rows : null,
    births: births.rows.map(({ weight, ...b }) => ({ ...b, birth_weight_grams: area.clinical ? weight : null })),
    follow_ups: followUps
      ? followUps.map((f) => ({
          person_id: f.personId, ho_ten: f.hoTen, ngay_sinh: contacts.get(f.personId)?.ngay_sinh ?? null, so_dien_thoai: contacts.get(f.personId)?.so_dien_thoai ?? null,
          register: f.register, due_on: f.dueOn,
        }))
      : null,
  };
}

/** Every person a day list shows (each is audited). */
export function dayListPersons(d: DayList): string[] {
  const ids = new Set<string>();
  for (const section of [d.appointments, d.discharges, d.referrals, d.births, d.follow_ups]) for (const r of section ?? []) ids.add(r.person_id);
  return [...ids];
}
