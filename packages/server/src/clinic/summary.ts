import { addDays, DomainError, daysBetween, vietnamNow, vietnamToday } from '@openhssk/core';
import { diagnosisCodes, icd10Name, isChronic } from '@openhssk/core/codes';
import { sql } from 'kysely';
import {
  daysOf,
  facilityLabel,
  facilityNames,
  getEpisodeForPerson,
  labResult,
  listDeclarations,
  recordSummary,
  referralDestination,
  sensitiveEpisodeIds,
  sexOf,
  xmlDay,
} from '../book/index.ts';
import type { Db } from '../db/index.ts';
import { bookPrimaryCare } from '../primary-care/index.ts';
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
    // A row carries its episode's person (kept equal by person/source-records.ts); joining on it too
    // keeps the join on one shard when the tables are distributed by person_id (Citus, issue 21).
    .innerJoin('episode as e', (j) => j.onRef('e.id', '=', 'r.episode_id').onRef('e.person_id', '=', 'r.person_id'))
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
const dayOf = (t: string | Date | null) => (t === null ? null : wallClock(t).slice(0, 10));
const numeric = (v: string) => {
  const n = Number(v.trim().replace(',', '.'));
  return v.trim() !== '' && Number.isFinite(n) ? n : null;
};

/** How far back the summary reads results, procedures and papers: two years covers HbA1c, lipid and creatinine follow-up. */
const RESULTS_DAYS = 730;
const MAX_RESULT_EPISODES = 60;
const MAX_TESTS = 30;
const MAX_REPORTS = 20;

type Row = Record<string, string>;

export async function patientSummary(db: Db, personId: string, facilityCode: string, access: Access) {
  const today = vietnamToday();
  const daysAgo = (n: number) => addDays(today, -n);
  const since90 = daysAgo(90);
  const sinceResults = daysAgo(RESULTS_DAYS);
  // Sensitive episodes (HIV, TB, mental health) only ever from the treating facility itself.
  const visible = db
    .selectFrom('episode as e')
    .where('e.person_id', '=', personId)
    .where('e.is_current', '=', true)
    .where((eb) => (access.crossFacility ? eb.or([eb('e.facility_code', '=', facilityCode), eb(sql<number>`cardinality(e.sensitivity)`, '=', 0)]) : eb('e.facility_code', '=', facilityCode)));

  const [episodes, diagnosisRows, recent, hiddenCount, declarations, professional] = await Promise.all([
    visible
      .leftJoin('facility as f', 'f.code', 'e.facility_code')
      .select(['e.id', 'e.facility_code', 'f.name as facility_name', 'e.ma_lk', 'e.ma_loai_kcb', 'e.ngay_vao', 'e.ngay_ra', 'e.ma_benh_chinh', 'e.chan_doan_rv', 'e.sensitivity'])
      .orderBy('e.ngay_vao', 'desc')
      .limit(5)
      .execute(),
    visible.select(['e.ma_benh_chinh', 'e.ma_benh_kt', 'e.ngay_vao', 'e.facility_code']).orderBy('e.ngay_vao', 'desc').limit(1000).execute(),
    // The episodes whose results, medicines and papers the summary reads.
    visible
      .leftJoin('facility as f', 'f.code', 'e.facility_code')
      .select(['e.id', 'e.facility_code', 'f.name as facility_name', 'e.ngay_ra', 'e.ngay_vao', 'e.gioi_tinh', 'e.ket_qua_dtri'])
      .where((eb) => eb.or([eb('e.ngay_ra', '>=', `${sinceResults} 00:00:00`), eb('e.ngay_vao', '>=', `${sinceResults} 00:00:00`)]))
      .orderBy('e.ngay_vao', 'desc')
      .limit(MAX_RESULT_EPISODES)
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
    listDeclarations(db, personId),
    // The commune station's record is another facility's data: shown on the same terms as other facilities' episodes.
    access.crossFacility ? bookPrimaryCare(db, personId, { includeSensitive: false }) : Promise.resolve(undefined),
  ]);

  const chronic = new Map<string, { code: string; name: string | null; last_seen: string; facility_code: string }>();
  for (const d of diagnosisRows) {
    const codes = diagnosisCodes(d.ma_benh_chinh, d.ma_benh_kt);
    for (const code of codes) {
      if (!isChronic(code) || chronic.has(code)) continue;
      chronic.set(code, { code, name: icd10Name(code) ?? null, last_seen: d.ngay_vao.slice(0, 10), facility_code: d.facility_code });
    }
  }

  const byEpisode = new Map(recent.map((e) => [e.id, e]));
  const [paperRows, appointmentRows, referrals] = await Promise.all([
    byEpisode.size
      ? db
          .selectFrom('episode_row')
          .select(['episode_id', 'tbl', 'fields'])
          .where('person_id', '=', personId)
          .where('episode_id', 'in', [...byEpisode.keys()])
          .where('tbl', 'in', ['XML2', 'XML3', 'XML4', 'XML7', 'XML8', 'XML13'])
          .orderBy('episode_id')
          .orderBy('tbl')
          .orderBy('row_no')
          .execute()
      : Promise.resolve([]),
    visible
      .innerJoin('episode_row as r', (j) => j.onRef('r.episode_id', '=', 'e.id').onRef('r.person_id', '=', 'e.person_id'))
      .leftJoin('facility as f', 'f.code', 'e.facility_code')
      .select(['e.id as episode_id', 'e.facility_code', 'f.name as facility_name', 'r.fields'])
      .where('r.tbl', '=', 'XML14')
      .where(sql`substr(r.fields->>'NGAY_HEN_KL', 1, 8)`, '>=', yyyymmdd(today))
      .execute(),
    incomingReferrals(db, personId, facilityCode),
  ]);
  const tablesOf = new Map<number, Record<string, Row[]>>();
  for (const r of paperRows) {
    const t = tablesOf.get(r.episode_id) ?? {};
    t[r.tbl] = [...(t[r.tbl] ?? []), r.fields];
    tablesOf.set(r.episode_id, t);
  }
  const outgoing = recent.flatMap((e) => (tablesOf.get(e.id)?.XML13 ?? []).map((f) => ({ e, f })));
  const names = await facilityNames(db, outgoing.map((o) => referralDestination(o.f)));
  const shown = new Set<number>(episodes.map((e) => e.id));
  const use = (id: number) => shown.add(id);
  const episodeDay = (e: (typeof recent)[number]) => dayOf(e.ngay_ra ?? e.ngay_vao) ?? today;

  const medicines = recent
    .flatMap((e) =>
      (tablesOf.get(e.id)?.XML2 ?? []).map((f) => {
        // Order time when given, else the episode's discharge (or admission) day.
        const date = xmlDay(f.NGAY_YL) ?? episodeDay(e);
        const days = daysOf(f.LIEU_DUNG);
        const left = days === null ? null : Math.max(0, days - daysBetween(date, today));
        return {
          episode_id: e.id, facility_code: e.facility_code, facility_name: e.facility_name, date, ma_thuoc: f.MA_THUOC ?? null, ten_thuoc: f.TEN_THUOC ?? null,
          ham_luong: f.HAM_LUONG ?? null, lieu_dung: f.LIEU_DUNG ?? null, so_luong: f.SO_LUONG ?? null, don_vi_tinh: f.DON_VI_TINH ?? null,
          /** Days of supply from LIEU_DUNG ("… * n ngày"); null when the dose does not say. */
          days_supply: days,
          days_left: left,
        };
      }),
    )
    .filter((m) => m.date >= since90)
    .sort((a, b) => b.date.localeCompare(a.date));
  for (const m of medicines) use(m.episode_id);

  // Results with a value, grouped by test so repeated ones (HbA1c, creatinine, lipids) read as a trend.
  const tests = new Map<string, { code: string; name: string; unit: string; range: { low: number; high: number } | null; history: Array<{ date: string; value: string; flag: string | null; episode_id: number; facility_name: string | null }> }>();
  const reports: Array<{ kind: 'result' | 'procedure'; name: string; code: string | null; description: string | null; conclusion: string | null; date: string; episode_id: number; facility_code: string; facility_name: string | null }> = [];
  for (const e of recent) {
    const t = tablesOf.get(e.id) ?? {};
    for (const r of t.XML4 ?? []) {
      const l = labResult(r, sexOf(e.gioi_tinh));
      const date = xmlDay(l.at) ?? episodeDay(e);
      if (numeric(l.value) !== null) {
        const key = l.code || l.name;
        const test = tests.get(key) ?? { code: l.code, name: l.name, unit: l.unit, range: l.range, history: [] };
        test.history.push({ date, value: l.value, flag: l.flag, episode_id: e.id, facility_name: e.facility_name });
        tests.set(key, test);
      } else if (l.description || l.conclusion || l.value) {
        reports.push({ kind: 'result', name: l.name, code: l.code || null, description: l.description || l.value || null, conclusion: l.conclusion || null, date, episode_id: e.id, facility_code: e.facility_code, facility_name: e.facility_name });
      }
    }
    for (const r of t.XML3 ?? []) {
      // A line with an ICD-9-CM code is a procedure or operation, not a bed day or a supply.
      if (!r.MA_PTTT_QT?.trim()) continue;
      reports.push({ kind: 'procedure', name: r.TEN_DICH_VU ?? '', code: r.MA_PTTT_QT, description: null, conclusion: null, date: xmlDay(r.NGAY_TH_YL) ?? xmlDay(r.NGAY_YL) ?? episodeDay(e), episode_id: e.id, facility_code: e.facility_code, facility_name: e.facility_name });
    }
  }
  const labResults = [...tests.values()]
    .map((t) => {
      const history = t.history.sort((a, b) => a.date.localeCompare(b.date));
      const latest = history.at(-1)!;
      const previous = history.at(-2);
      const change = previous ? Math.sign((numeric(latest.value) ?? 0) - (numeric(previous.value) ?? 0)) : null;
      return { ...t, history, latest, change: change === null ? null : change > 0 ? ('up' as const) : change < 0 ? ('down' as const) : ('same' as const) };
    })
    .sort((a, b) => b.latest.date.localeCompare(a.latest.date) || a.name.localeCompare(b.name, 'vi'))
    .slice(0, MAX_TESTS);
  for (const t of labResults) for (const h of t.history) use(h.episode_id);
  const imaging = reports.sort((a, b) => b.date.localeCompare(a.date)).slice(0, MAX_REPORTS);
  for (const r of imaging) use(r.episode_id);

  const discharged = recent.find((e) => tablesOf.get(e.id)?.XML8?.length);
  const lastSummary = discharged ? recordSummary(tablesOf.get(discharged.id) ?? {}, discharged.ket_qua_dtri) : null;
  if (discharged) use(discharged.id);

  const outgoingReferrals = outgoing
    .filter(({ e }) => episodeDay(e) >= since90)
    .map(({ e, f }) => {
      const to = referralDestination(f);
      const day = episodeDay(e);
      // Pending until a visit at the destination (among those this view may show) follows the referral.
      const arrived = to !== null && diagnosisRows.some((d) => d.facility_code === to && d.ngay_vao.slice(0, 10) >= day);
      return { episode_id: e.id, from_facility_code: e.facility_code, from_facility_name: e.facility_name, to_facility_code: to, to_facility: facilityLabel(to, names), date: day, number: f.GIAY_CHUYEN_TUYEN ?? f.SO_CHUYENTUYEN ?? null, direction: f.HUONG_DIEU_TRI ?? null, chan_doan: f.CHAN_DOAN_RV ?? null, pending: !arrived };
    })
    .filter((r) => r.pending);
  for (const r of outgoingReferrals) use(r.episode_id);
  for (const a of appointmentRows) use(a.episode_id);
  for (const r of referrals) use(r.episode_id);

  // XML 130 has no allergy table: the citizen's declarations (self-declared) and, where other
  // facilities' data may be shown, the commune station's record (professional), marked apart.
  const sectionOf = (key: string) => professional?.sections.find((s) => s.key === key);
  const fieldText = (fields: ReadonlyArray<{ label_vi: string; text: string }>) => fields.map((f) => `${f.label_vi}: ${f.text}`).join('; ');
  const allergies = [
    ...declarations
      .filter((d) => d.kind === 'allergy')
      .sort((a, b) => new Date(b.updated_at).getTime() - new Date(a.updated_at).getTime())
      .map((a) => ({ agent: a.title, detail: a.detail, since: a.since, source: 'self_declared' as const, self_declared: true, recorded_by: null, facility_name: null, updated_at: a.updated_at })),
    ...(sectionOf('allergies')?.items ?? []).map((i) => ({
      agent: fieldText(i.fields),
      detail: null,
      since: null,
      source: 'professional' as const,
      self_declared: false,
      recorded_by: i.fields[0]?.recorded_by ?? null,
      facility_name: i.fields[0]?.facility_name ?? null,
      updated_at: i.fields[0]?.recorded_at ?? null,
    })),
  ];
  const risk = sectionOf('risk_factors');
  const riskFactors = [
    ...declarations
      .filter((d) => d.kind === 'risk_factor' || d.kind === 'family_history')
      .map((d) => ({ kind: d.kind, text: d.relation ? `${d.title} (${d.relation})` : d.title, detail: d.detail, source: 'self_declared' as const, recorded_by: null, facility_name: null })),
    ...(risk?.fields ?? []).map((f) => ({ kind: 'risk_factor' as const, text: `${f.label_vi}: ${f.text}`, detail: null, source: 'professional' as const, recorded_by: f.recorded_by, facility_name: f.facility_name })),
  ];

  return {
    access: { basis: access.basis, cross_facility: access.crossFacility, break_glass_expires_at: access.breakGlassUntil },
    allergies,
    risk_factors: riskFactors,
    chronic_conditions: [...chronic.values()],
    medicines_90d: medicines,
    lab_results: labResults,
    imaging_procedures: imaging,
    last_discharge_summary: discharged && lastSummary ? { episode_id: discharged.id, facility_code: discharged.facility_code, facility_name: discharged.facility_name, date: episodeDay(discharged), ...lastSummary } : null,
    recent_episodes: episodes.map((e) => ({ ...e, own_facility: e.facility_code === facilityCode })),
    pending_appointments: appointmentRows.map((r) => ({
      episode_id: r.episode_id,
      facility_code: r.facility_code,
      facility_name: r.facility_name,
      ngay_hen_kl: r.fields.NGAY_HEN_KL ?? null,
      chan_doan: r.fields.CHAN_DOAN_RV ?? null,
    })),
    outgoing_referrals: outgoingReferrals,
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
    /** Every episode whose data the summary shows, for the access log. */
    shown_episode_ids: [...shown].sort((a, b) => a - b),
  };
}

/**
 * One episode for the clinician, on the summary's rules: the facility's own, or another facility's
 * non-sensitive one when the access opens other facilities (any version sensitive counts, so an old
 * id cannot show what a newer version hides). Anything else answers like a missing episode.
 */
export async function clinicianEpisode(db: Db, personId: string, facilityCode: string, access: Access, episodeId: number) {
  const found = await getEpisodeForPerson(db, personId, episodeId);
  if (!found?.episode.is_current) return undefined;
  if (found.episode.facility_code === facilityCode) return found;
  if (!access.crossFacility || (await sensitiveEpisodeIds(db, personId)).has(episodeId)) return undefined;
  return found;
}
