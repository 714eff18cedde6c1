import { DomainError, vietnamToday } from '@openhssk/core';
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

/**
 * Which of a person's records a clinician of `facilityCode` may see. Cross-facility content needs
 * the citizen's active consent (the sharing setting of the health book: consent given and not
 * withdrawn) or a live break-glass grant. Without them a clinician sees their own facility's
 * episodes, and only when there is a care relationship: an episode there, or a referral to it.
 */
export async function accessFor(db: Db, staffId: string, facilityCode: string, personId: string): Promise<Access | undefined> {
  const sdb = staffDb(db);
  const [grant, consent] = await Promise.all([
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
      .executeTakeFirst(),
  ]);
  if (consent) return { basis: 'consent', crossFacility: true, breakGlassUntil: grant?.expires_at ?? null };
  if (grant) return { basis: 'break_glass', crossFacility: true, breakGlassUntil: grant.expires_at };
  const own = await db
    .selectFrom('episode')
    .select('id')
    .where('person_id', '=', personId)
    .where('facility_code', '=', facilityCode)
    .where('is_current', '=', true)
    .limit(1)
    .executeTakeFirst();
  if (own) return { basis: 'own_facility', crossFacility: false, breakGlassUntil: null };
  if ((await incomingReferrals(db, personId, facilityCode)).length > 0) return { basis: 'referral', crossFacility: false, breakGlassUntil: null };
  return undefined;
}

export const noCareRelationship = () =>
  new DomainError(
    'forbidden',
    'NO_CARE_RELATIONSHIP',
    'Người bệnh chưa có lượt khám tại cơ sở và chưa đồng ý chia sẻ hồ sơ. Chỉ xem được khi người bệnh đồng ý hoặc dùng truy cập khẩn cấp (có ghi lý do).',
    'No episode at this facility and no consent to share: use break-glass with a reason, or obtain consent.',
    { break_glass_available: true },
  );

/** XML13 transfers addressed to this facility (4750 name MA_NOI_DEN, 3176 name MA_CSKCB_DEN); never sensitive ones. */
export async function incomingReferrals(db: Db, personId: string, facilityCode: string) {
  return db
    .selectFrom('episode_row as r')
    .innerJoin('episode as e', 'e.id', 'r.episode_id')
    .leftJoin('facility as f', 'f.code', 'e.facility_code')
    .select(['e.id as episode_id', 'e.facility_code as from_facility_code', 'f.name as from_facility_name', 'e.ngay_ra', 'r.fields'])
    .where('e.person_id', '=', personId)
    .where('e.is_current', '=', true)
    .where('r.tbl', '=', 'XML13')
    .where((eb) => eb.or([eb(sql`r.fields->>'MA_NOI_DEN'`, '=', facilityCode), eb(sql`r.fields->>'MA_CSKCB_DEN'`, '=', facilityCode)]))
    .where(sql<boolean>`cardinality(e.sensitivity) = 0`)
    .orderBy('e.ngay_ra', 'desc')
    .limit(5)
    .execute();
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
    other_facility_episodes_hidden: hiddenCount?.n ?? 0,
  };
}
