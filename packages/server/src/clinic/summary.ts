import { DomainError, vietnamNow, vietnamToday } from '@openhssk/core';
import { diagnosisCodes, icd10Name, isChronic } from '@openhssk/core/codes';
import { sql } from 'kysely';
import { listDeclarations } from '../book/index.ts';
import type { Db } from '../db/index.ts';
import { staffDb } from '../staff/index.ts';

export const BREAK_GLASS_MINUTES = 30;

export type AccessBasis = 'own_facility' | 'referral' | 'consent' | 'break_glass';

export interface Access {
  basis: AccessBasis;
  /** Episodes of other facilities are visible (never their sensitive ones). */
  crossFacility: boolean;
  breakGlassUntil: Date | null;
}

/** The windows that make a care relationship current (config: HSSK_CARE_RELATIONSHIP_DAYS, HSSK_CROSS_FACILITY_HOURS). */
export interface CareWindows {
  careRelationshipDays: number;
  crossFacilityHours: number;
}

/** Vietnam wall-clock time `ms` ago, comparable with the zone-less visit and episode times. */
const wallClockAgo = (ms: number) => vietnamNow(new Date(Date.now() - ms));

/**
 * Whether the facility is caring for the person now, and whether they arrived there just now.
 * Current care: an open hospital stay the facility announced in a SIGNED XML0 (its HIS closes it at
 * discharge; an unsigned one rests on a bearer token alone, which must not open anyone's record),
 * or a visit, an episode (admitted or discharged) or an incoming referral within the relationship
 * window. Old history at the facility alone is not care: person ids are sequential, and a clinician
 * must not be able to open everyone the hospital ever treated.
 * Arrival: a check-in (visit), admission or referral within the cross-facility window.
 */
export async function careRelationship(db: Db, personId: string, facilityCode: string, w: CareWindows) {
  const since = wallClockAgo(w.careRelationshipDays * 86400_000);
  const arrivedSince = wallClockAgo(w.crossFacilityHours * 3600_000);
  const [visit, episode, referral] = await Promise.all([
    db
      .selectFrom('visit')
      .select('ngay_vao')
      .where('person_id', '=', personId)
      .where('facility_code', '=', facilityCode)
      // A date the sender chose in the future must not keep a relationship alive.
      .where('ngay_vao', '<=', wallClockAgo(-86400_000))
      .where((eb) => eb.or([eb('id_method', '!=', 'xml0'), eb('signature_verified', '=', true)]))
      .where((eb) => eb.or([eb('ngay_vao', '>=', since), eb.and([eb('status', '=', 'open'), eb('id_method', '=', 'xml0')])]))
      .orderBy('ngay_vao', 'desc')
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom('episode')
      .select('ngay_vao')
      .where('person_id', '=', personId)
      .where('facility_code', '=', facilityCode)
      .where('is_current', '=', true)
      .where((eb) => eb.or([eb('ngay_vao', '>=', since), eb('ngay_ra', '>=', since)]))
      .orderBy('ngay_vao', 'desc')
      .limit(1)
      .executeTakeFirst(),
    incomingReferrals(db, personId, facilityCode, since),
  ]);
  const referredAt = referral[0] ? (referral[0].ngay_ra ?? referral[0].ngay_vao) : null;
  const basis: 'own_facility' | 'referral' | null = visit || episode ? 'own_facility' : referral.length > 0 ? 'referral' : null;
  const arrived = [visit?.ngay_vao, episode?.ngay_vao, referredAt].some((t) => !!t && wallClock(t) >= arrivedSince);
  return { basis, arrived };
}

/** Zone-less timestamps come back as strings or, depending on the driver, as Dates read in UTC. */
const wallClock = (t: string | Date) => (typeof t === 'string' ? t.replace('T', ' ').slice(0, 19) : t.toISOString().replace('T', ' ').slice(0, 19));

/**
 * Which of a person's records a clinician of `facilityCode` may see.
 * - Own-facility data needs a current care relationship (careRelationship above).
 * - Other facilities' history needs, together, the citizen's cross-facility choice (given apart from
 *   the book consent, and only while that stands) and the person's arrival at this facility within
 *   the cross-facility window — the choice reads "clinicians where I am being treated".
 * - Otherwise only a live break-glass grant of this clinician opens it.
 */
export async function accessFor(db: Db, staffId: string, facilityCode: string, personId: string, w: CareWindows): Promise<Access | undefined> {
  const sdb = staffDb(db);
  const [grant, consent, care] = await Promise.all([
    sdb
      .selectFrom('break_glass_grant')
      .select('expires_at')
      .where('person_id', '=', personId)
      .where('staff_id', '=', staffId)
      .where('facility_code', '=', facilityCode)
      .where('expires_at', '>', new Date())
      .orderBy('expires_at', 'desc')
      .executeTakeFirst(),
    db
      .selectFrom('citizen_account')
      .select('subject')
      .where('person_id', '=', personId)
      .where('consent_at', 'is not', null)
      .where('consent_withdrawn_at', 'is', null)
      .where(sql<boolean>`cross_facility_consent_at is not null and cross_facility_withdrawn_at is null`)
      .executeTakeFirst(),
    careRelationship(db, personId, facilityCode, w),
  ]);
  if (consent && care.basis && care.arrived) return { basis: 'consent', crossFacility: true, breakGlassUntil: grant?.expires_at ?? null };
  if (grant) return { basis: 'break_glass', crossFacility: true, breakGlassUntil: grant.expires_at };
  if (care.basis) return { basis: care.basis, crossFacility: false, breakGlassUntil: null };
  return undefined;
}

export const noCareRelationship = () =>
  new DomainError(
    'forbidden',
    'NO_CARE_RELATIONSHIP',
    'Người bệnh không đang khám, chữa bệnh tại cơ sở (không có lượt tiếp đón, lượt khám hay giấy chuyển tuyến gần đây). Chỉ xem được khi người bệnh được tiếp đón tại cơ sở, hoặc dùng truy cập khẩn cấp (có ghi lý do).',
    'The person is not currently in care at this facility (no recent check-in, visit or referral): check the person in, or use break-glass with a reason.',
    { break_glass_available: true },
  );

/** XML13 transfers addressed to this facility (4750 name MA_NOI_DEN, 3176 name MA_CSKCB_DEN); never sensitive ones. */
export async function incomingReferrals(db: Db, personId: string, facilityCode: string, since?: string) {
  let q = db
    .selectFrom('episode_row as r')
    .innerJoin('episode as e', 'e.id', 'r.episode_id')
    .leftJoin('facility as f', 'f.code', 'e.facility_code')
    .select(['e.id as episode_id', 'e.facility_code as from_facility_code', 'f.name as from_facility_name', 'e.ngay_vao', 'e.ngay_ra', 'r.fields'])
    .where('e.person_id', '=', personId)
    .where('e.is_current', '=', true)
    .where('r.tbl', '=', 'XML13')
    .where((eb) => eb.or([eb(sql`r.fields->>'MA_NOI_DEN'`, '=', facilityCode), eb(sql`r.fields->>'MA_CSKCB_DEN'`, '=', facilityCode)]))
    .where(sql<boolean>`cardinality(e.sensitivity) = 0`);
  // A referral is dated by the referring facility's discharge (XML13 carries no date of its own).
  if (since) q = q.where((eb) => eb.or([eb('e.ngay_ra', '>=', since), eb.and([eb('e.ngay_ra', 'is', null), eb('e.ngay_vao', '>=', since)])]));
  return q.orderBy('e.ngay_ra', 'desc').limit(5).execute();
}

const yyyymmdd = (iso: string) => iso.slice(0, 10).replace(/-/g, '');

export async function patientSummary(db: Db, personId: string, facilityCode: string, access: Access) {
  const today = vietnamToday();
  const since90 = new Date(Date.parse(`${today}T00:00:00Z`) - 90 * 86400_000).toISOString().slice(0, 10);
  // Sensitive episodes (HIV, TB, mental health) only ever from the treating facility itself.
  const visible = db
    .selectFrom('episode as e')
    .where('e.person_id', '=', personId)
    .where('e.is_current', '=', true)
    .where((eb) => (access.crossFacility ? eb.or([eb('e.facility_code', '=', facilityCode), eb(sql<number>`cardinality(e.sensitivity)`, '=', 0)]) : eb('e.facility_code', '=', facilityCode)));

  const [episodes, diagnosisRows, recentIds, hiddenCount] = await Promise.all([
    visible
      .leftJoin('facility as f', 'f.code', 'e.facility_code')
      .select(['e.id', 'e.facility_code', 'f.name as facility_name', 'e.ma_lk', 'e.ma_loai_kcb', 'e.ngay_vao', 'e.ngay_ra', 'e.ma_benh_chinh', 'e.chan_doan_rv', 'e.sensitivity'])
      .orderBy('e.ngay_vao', 'desc')
      .limit(5)
      .execute(),
    visible.select(['e.ma_benh_chinh', 'e.ma_benh_kt', 'e.ngay_vao', 'e.facility_code']).orderBy('e.ngay_vao', 'desc').limit(1000).execute(),
    visible
      .select(['e.id', 'e.facility_code', 'e.ngay_ra', 'e.ngay_vao'])
      .where((eb) => eb.or([eb('e.ngay_ra', '>=', `${since90} 00:00:00`), eb('e.ngay_vao', '>=', `${since90} 00:00:00`)]))
      .execute(),
    access.crossFacility
      ? Promise.resolve(undefined)
      : db
          .selectFrom('episode')
          .select(db.fn.countAll<number>().as('n'))
          .where('person_id', '=', personId)
          .where('is_current', '=', true)
          .where('facility_code', '!=', facilityCode)
          // Sensitive episodes elsewhere are never shown, not even by break-glass: counting them
          // would tell the clinician that they exist.
          .where(sql<boolean>`cardinality(sensitivity) = 0`)
          .executeTakeFirst(),
  ]);

  const chronic = new Map<string, { code: string; name: string | null; last_seen: string; facility_code: string }>();
  for (const d of diagnosisRows) {
    const codes = diagnosisCodes(d.ma_benh_chinh, d.ma_benh_kt);
    for (const code of codes) {
      if (!isChronic(code) || chronic.has(code)) continue;
      chronic.set(code, { code, name: icd10Name(code) ?? null, last_seen: d.ngay_vao.slice(0, 10), facility_code: d.facility_code });
    }
  }

  const byEpisode = new Map(recentIds.map((e) => [e.id, e]));
  const [drugRows, appointmentRows, referrals] = await Promise.all([
    byEpisode.size
      ? db.selectFrom('episode_row').select(['episode_id', 'fields']).where('episode_id', 'in', [...byEpisode.keys()]).where('tbl', '=', 'XML2').execute()
      : Promise.resolve([]),
    visible
      .innerJoin('episode_row as r', 'r.episode_id', 'e.id')
      .select(['e.id as episode_id', 'e.facility_code', 'r.fields'])
      .where('r.tbl', '=', 'XML14')
      .where(sql`substr(r.fields->>'NGAY_HEN_KL', 1, 8)`, '>=', yyyymmdd(today))
      .execute(),
    incomingReferrals(db, personId, facilityCode),
  ]);
  const medicines = drugRows
    .map((r) => {
      const e = byEpisode.get(r.episode_id)!;
      const f = r.fields;
      // Order time when given, else the episode's discharge (or admission) day.
      const when = f.NGAY_YL && /^\d{8}/.test(f.NGAY_YL) ? `${f.NGAY_YL.slice(0, 4)}-${f.NGAY_YL.slice(4, 6)}-${f.NGAY_YL.slice(6, 8)}` : (e.ngay_ra ?? e.ngay_vao).slice(0, 10);
      return { episode_id: r.episode_id, facility_code: e.facility_code, date: when, ma_thuoc: f.MA_THUOC ?? null, ten_thuoc: f.TEN_THUOC ?? null, ham_luong: f.HAM_LUONG ?? null, lieu_dung: f.LIEU_DUNG ?? null, so_luong: f.SO_LUONG ?? null, don_vi_tinh: f.DON_VI_TINH ?? null };
    })
    .filter((m) => m.date >= since90)
    .sort((a, b) => b.date.localeCompare(a.date));

  // XML 130 has no allergy table: the citizen's own declarations in the health book are the source,
  // shown as self-declared. They are safety information, so every clinician with access sees them.
  const allergies = (await listDeclarations(db, personId))
    .filter((d) => d.kind === 'allergy')
    .sort((a, b) => new Date(b.updated_at).getTime() - new Date(a.updated_at).getTime());

  return {
    access: { basis: access.basis, cross_facility: access.crossFacility, break_glass_expires_at: access.breakGlassUntil },
    allergies: allergies.map((a) => ({ agent: a.title, detail: a.detail, since: a.since, self_declared: true, updated_at: a.updated_at })),
    chronic_conditions: [...chronic.values()],
    medicines_90d: medicines,
    recent_episodes: episodes,
    pending_appointments: appointmentRows.map((r) => ({ episode_id: r.episode_id, facility_code: r.facility_code, ngay_hen_kl: r.fields.NGAY_HEN_KL ?? null, chan_doan: r.fields.CHAN_DOAN_RV ?? null })),
    incoming_referrals: referrals.map((r) => ({
      episode_id: r.episode_id,
      from_facility_code: r.from_facility_code,
      from_facility_name: r.from_facility_name,
      ngay_ra: r.ngay_ra,
      so_chuyen_tuyen: r.fields.SO_CHUYENTUYEN ?? r.fields.SO_HOSO ?? null,
      chan_doan: r.fields.CHAN_DOAN_RV ?? null,
      ly_do: r.fields.MA_LYDO_CT ?? null,
    })),
    /** Episodes elsewhere that this view leaves out: tells the clinician consent/break-glass would show more. */
    other_facility_episodes_hidden: Number(hiddenCount?.n ?? 0),
  };
}
