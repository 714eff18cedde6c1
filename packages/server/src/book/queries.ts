import { isoDay, searchKey, vietnamToday } from '@openhssk/core';
import { type CareGroup, type EpisodeSummary, groupServiceLines } from '@openhssk/core/api';
import { diagnosisCodes, icd10Name, isChronic, labFlag, referenceRange, sensitivityOf } from '@openhssk/core/codes';
import { codeLabel } from '@openhssk/core/xml130';
import { type Selectable, sql } from 'kysely';
import { cardStatus } from '../bhyt/index.ts';
import type { Db, Schema } from '../db/index.ts';
import { anyVersionSensitive } from '../ingest/index.ts';
import { realDoses } from '../immunization/index.ts';

export type { CareGroup, EpisodeSummary };

import { bookDb } from './tables.ts';


/**
 * Care type filter groups over MA_LOAI_KCB. The 130/4750/3176 code set has no telehealth code;
 * teleconsultations arrive as '10' (Khác) until the Ministry adds one, so they fall under 'other'.
 */
const CARE_GROUP: Readonly<Record<string, CareGroup>> = {
  '01': 'outpatient',
  '02': 'outpatient',
  '05': 'outpatient',
  '07': 'outpatient',
  '08': 'outpatient',
  '03': 'inpatient',
  '06': 'inpatient',
  '09': 'inpatient',
  '04': 'day_care',
};
export const careGroupOf = (maLoaiKcb: string): CareGroup => CARE_GROUP[maLoaiKcb] ?? 'other';

export const isSensitiveEpisode = (e: { sensitivity: string[] }) => e.sensitivity.length > 0;

/**
 * Ids of every version of this person's sensitive episodes: a version that was not sensitive is
 * withheld too when another version of the same visit is, so no old id names what the new one hides.
 */
export async function sensitiveEpisodeIds(db: Db, personId: string): Promise<Set<number>> {
  const rows = await db
    .selectFrom('episode as e')
    .select('e.id')
    .where('e.person_id', '=', personId)
    .where(anyVersionSensitive('e'))
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Current version of each episode of one person, newest first. */
export async function listEpisodes(db: Db, personId: string, limit = 500): Promise<EpisodeSummary[]> {
  const rows = await db
    .selectFrom('episode as e')
    .leftJoin('facility as f', 'f.code', 'e.facility_code')
    .select([
      'e.id',
      'e.facility_code',
      'f.name as facility_name',
      'e.ma_lk',
      'e.version',
      'e.ma_loai_kcb',
      'e.ngay_vao',
      'e.ngay_ra',
      'e.ma_benh_chinh',
      'e.ma_benh_kt',
      'e.chan_doan_rv',
      'e.ket_qua_dtri',
      'e.sensitivity',
    ])
    .where('e.person_id', '=', personId)
    .where('e.is_current', '=', true)
    .orderBy('e.ngay_vao', 'desc')
    .limit(limit)
    .execute();
  return rows.map(({ ma_benh_kt: _kt, ...r }) => ({
    ...r,
    care_group: careGroupOf(r.ma_loai_kcb),
    ten_benh_chinh: r.ma_benh_chinh ? (icd10Name(r.ma_benh_chinh) ?? null) : null,
  }));
}

export interface EpisodeFilter {
  year?: number | undefined;
  facility?: string | undefined;
  type?: CareGroup | undefined;
  /** Matches facility, diagnoses (codes, ICD-10 names, free text) and medicine names, with or without diacritics. */
  q?: string | undefined;
}

/** Filters the list in memory: a person has at most a few hundred episodes, and facets come from the full list. */
export async function filterEpisodes(db: Db, episodes: EpisodeSummary[], f: EpisodeFilter): Promise<EpisodeSummary[]> {
  let out = episodes.filter(
    (e) =>
      (f.year === undefined || e.ngay_vao.slice(0, 4) === String(f.year)) &&
      (f.facility === undefined || e.facility_code === f.facility) &&
      (f.type === undefined || e.care_group === f.type),
  );
  const key = f.q ? searchKey(f.q) : '';
  const words = key.split(' ').filter((w) => w.length > 0);
  if (words.length > 0 && out.length > 0) {
    const drugs = await db
      .selectFrom('episode_row')
      .select(['episode_id', sql<string | null>`fields->>'TEN_THUOC'`.as('ten')])
      .where(
        'episode_id',
        'in',
        out.map((e) => e.id),
      )
      .where('tbl', '=', 'XML2')
      .execute();
    const drugText = new Map<number, string>();
    for (const d of drugs) drugText.set(d.episode_id, `${drugText.get(d.episode_id) ?? ''} ${d.ten ?? ''}`);
    out = out.filter((e) => {
      const text = [e.facility_name, e.ma_benh_chinh, e.ten_benh_chinh, e.chan_doan_rv, drugText.get(e.id)].join(' ');
      const hay = searchKey(text);
      // Every word, in any order ("tram y te nghia" finds "Trạm Y tế xã Nghĩa Kỳ").
      return words.every((w) => hay.includes(w));
    });
  }
  return out;
}

export async function getEpisodeForPerson(db: Db, personId: string, episodeId: number) {
  return (await getEpisodesForPerson(db, personId, [episodeId]))[0];
}

/** Several of one person's episodes in full, in the order asked (the whole-book PDF prints each visit). */
export async function getEpisodesForPerson(db: Db, personId: string, episodeIds: readonly number[]) {
  if (episodeIds.length === 0) return [];
  const found = await db
    .selectFrom('episode as e')
    .leftJoin('facility as f', 'f.code', 'e.facility_code')
    .selectAll('e')
    .select('f.name as facility_name')
    .where('e.id', 'in', [...episodeIds])
    .where('e.person_id', '=', personId)
    .execute();
  if (found.length === 0) return [];
  const rows = await db
    .selectFrom('episode_row')
    .select(['episode_id', 'tbl', 'row_no', 'fields'])
    .where(
      'episode_id',
      'in',
      found.map((e) => e.id),
    )
    .orderBy('episode_id')
    .orderBy('tbl')
    .orderBy('row_no')
    .execute();
  const tablesOf = new Map<number, Record<string, Array<Record<string, string>>>>();
  for (const r of rows) {
    const tables = tablesOf.get(r.episode_id) ?? {};
    const list = tables[r.tbl] ?? [];
    list.push(r.fields);
    tables[r.tbl] = list;
    tablesOf.set(r.episode_id, tables);
  }
  const names = await facilityNames(db, [...tablesOf.values()].flatMap((t) => (t.XML13 ?? []).map(referralDestination)));
  const byId = new Map(found.map((e) => [e.id, e]));
  return episodeIds.flatMap((id) => {
    const e = byId.get(id);
    return e ? [episodeDetail(e, tablesOf.get(e.id) ?? {}, names)] : [];
  });
}

/** Names of facilities by code, for the codes a paper names (a referral's destination). */
export async function facilityNames(db: Db, codes: ReadonlyArray<string | null | undefined>): Promise<Map<string, string>> {
  const wanted = [...new Set(codes.filter((c): c is string => !!c))];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('facility').select(['code', 'name']).where('code', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.code, r.name]));
}

/** Where an XML13 paper sends the patient (3176 name MA_CSKCB_DEN, 4750 name MA_NOI_DEN). */
export const referralDestination = (r: Record<string, string>): string | null => r.MA_CSKCB_DEN || r.MA_NOI_DEN || null;

/** "Bệnh viện X (51002)", or the code alone when the facility is not in the registry. */
export const facilityLabel = (code: string | null, names: ReadonlyMap<string, string>): string | null =>
  code ? (names.has(code) ? `${names.get(code)} (${code})` : code) : null;

/** An XML 130 date or instant (yyyyMMdd…) as yyyy-mm-dd; null when it is not one. */
export const xmlDay = (v: string | undefined) => (v && /^\d{8}/.test(v) ? isoDay(v) : null);

/**
 * The record summary (XML8, "tóm tắt hồ sơ bệnh án") in the doctor's own words, the part QĐ 2733
 * puts in the health book (items 41–45). XML8 has no plan element: the plan is what the other papers
 * of the same visit say comes next (the discharge paper's advice, the referral's direction).
 * Null when the facility sent no XML8, so the screens never present anything else as the doctor's summary.
 */
export function recordSummary(tables: Record<string, Array<Record<string, string>>>, episodeResult: number | null) {
  const s = tables.XML8?.[0];
  if (!s) return null;
  const text = (v: string | undefined) => v?.trim() || null;
  const result = text(s.KET_QUA_DTRI) ?? (episodeResult ? String(episodeResult) : null);
  const plan = [text(tables.XML7?.[0]?.GHI_CHU), text(tables.XML13?.[0]?.HUONG_DIEU_TRI)].filter((p): p is string => p !== null);
  return {
    course: text(s.QT_BENHLY),
    key_results: text(s.TOMTAT_KQ),
    treatment: text(s.PP_DIEUTRI),
    condition_at_discharge: result ? (codeLabel('KET_QUA_DTRI', result) ?? result) : null,
    plan: plan.length > 0 ? plan.join(' ') : null,
    written_on: xmlDay(s.NGAY_CT),
  };
}

export type RecordSummary = NonNullable<ReturnType<typeof recordSummary>>;

type EpisodeWithFacility = Selectable<Schema['episode']> & { facility_name: string | null };

/** One XML4 row as every screen reads it: value, reference range for the person's sex, high/low. */
export function labResult(r: Record<string, string>, sex: 'male' | 'female') {
  const code = r.MA_CHI_SO ?? '';
  const range = code ? referenceRange(code, sex) : undefined;
  const flag = code && r.GIA_TRI ? labFlag(code, r.GIA_TRI, sex) : null;
  return {
    code,
    name: r.TEN_CHI_SO ?? '',
    value: r.GIA_TRI ?? '',
    unit: r.DON_VI_DO ?? '',
    description: r.MO_TA ?? '',
    conclusion: r.KET_LUAN ?? '',
    at: r.NGAY_KQ ?? '',
    range: range ?? null,
    abnormal: flag !== null,
    flag,
  };
}

export const sexOf = (gioiTinh: number | null) => (gioiTinh === 2 ? 'female' : 'male');

function episodeDetail(e: EpisodeWithFacility, tables: Record<string, Array<Record<string, string>>>, names: ReadonlyMap<string, string>) {
  const sex = sexOf(e.gioi_tinh);
  const codes = diagnosisCodes(e.ma_benh_chinh, e.ma_benh_kt);
  const { xml1, ...episode } = e;
  const referral = tables.XML13?.[0];
  const appointment = tables.XML14?.[0];
  const labs = (tables.XML4 ?? []).map((r) => labResult(r, sex));
  return {
    episode: { ...episode, care_group: careGroupOf(e.ma_loai_kcb), ten_benh_chinh: e.ma_benh_chinh ? (icd10Name(e.ma_benh_chinh) ?? null) : null, xml1 },
    diagnoses: {
      /** CHAN_DOAN_VAO: written at admission, before tests; shown as preliminary. */
      preliminary: e.chan_doan_vao,
      final: codes.map((code, i) => ({ code, name: icd10Name(code) ?? null, main: i === 0, chronic: isChronic(code), sensitivity: sensitivityOf(code) })),
      final_text: e.chan_doan_rv,
    },
    record_summary: recordSummary(tables, e.ket_qua_dtri),
    medicines: (tables.XML2 ?? []).map((r) => ({
      name: r.TEN_THUOC ?? '',
      strength: r.HAM_LUONG ?? '',
      quantity: r.SO_LUONG ?? '',
      unit: r.DON_VI_TINH ?? '',
      dose: r.LIEU_DUNG ?? '',
      usage: r.CACH_DUNG ?? '',
      days: daysOf(r.LIEU_DUNG),
    })),
    /** XML3 with identical lines (a bed-day per day) once, counted. */
    services: groupServiceLines(tables.XML3 ?? []),
    labs,
    next_appointment: appointment?.NGAY_HEN_KL ? { date: xmlDay(appointment.NGAY_HEN_KL), number: appointment.SO_GIAYHEN_KL ?? null } : null,
    referral: referral
      ? {
          number: referral.GIAY_CHUYEN_TUYEN ?? referral.SO_CHUYENTUYEN ?? null,
          destination: facilityLabel(referralDestination(referral), names),
          direction: referral.HUONG_DIEU_TRI ?? null,
        }
      : null,
    tables,
  };
}

/** Days of treatment from LIEU_DUNG "per dose * times/day * days" (the last factor, when it says "ngày"). */
export function daysOf(lieuDung: string | undefined): number | null {
  const last = (lieuDung ?? '').split('*').at(-1) ?? '';
  const m = /(\d+)\s*ngày/i.exec(last);
  return m ? Number(m[1]) : null;
}

/** Visits checked in whose episode has not arrived yet: shown as awaiting the facility's data. */
export async function listOpenVisits(db: Db, personId: string) {
  return db
    .selectFrom('visit as v')
    .leftJoin('facility as f', 'f.code', 'v.facility_code')
    .select(['v.id', 'v.facility_code', 'f.name as facility_name', 'v.ma_lk', 'v.ngay_vao', 'v.ma_loai_kcb'])
    .where('v.person_id', '=', personId)
    .where('v.status', '=', 'open')
    .orderBy('v.ngay_vao', 'desc')
    .execute();
}

export async function getPersonInfo(db: Db, personId: string) {
  const p = await db
    .selectFrom('person as p')
    .leftJoin('facility as f', 'f.code', 'p.bhyt_facility_code')
    .select([
      'p.id',
      'p.ho_ten',
      'p.ngay_sinh',
      'p.birth_year',
      'p.gioi_tinh',
      'p.so_cccd',
      'p.so_bhyt',
      'p.bhyt_valid_from',
      'p.bhyt_valid_to',
      'p.bhyt_facility_code',
      'f.name as bhyt_facility_name',
      'p.so_dien_thoai',
      'p.dia_chi',
    ])
    .where('p.id', '=', personId)
    .executeTakeFirst();
  if (!p) return undefined;
  const day = (d: Date | string | null) => (d === null ? null : typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10));
  const from = day(p.bhyt_valid_from);
  const to = day(p.bhyt_valid_to);
  const today = vietnamToday();
  return {
    person: { id: p.id, ho_ten: p.ho_ten, ngay_sinh: p.ngay_sinh ?? (p.birth_year ? String(p.birth_year) : null), gioi_tinh: p.gioi_tinh, so_cccd: p.so_cccd, so_dien_thoai: p.so_dien_thoai, dia_chi: p.dia_chi },
    bhyt: p.so_bhyt
      ? {
          so_bhyt: p.so_bhyt,
          valid_from: from,
          valid_to: to,
          facility_code: p.bhyt_facility_code,
          facility_name: p.bhyt_facility_name,
          // null = validity never received ("chưa rõ"), never "valid" by default.
          status: cardStatus({ so_bhyt: p.so_bhyt, valid_from: from, valid_to: to }, today),
          valid_now: !from && !to ? null : (!from || from <= today) && (!to || to >= today),
        }
      : null,
  };
}

export async function listDeclarations(db: Db, personId: string) {
  return bookDb(db)
    .selectFrom('citizen_declaration')
    .select(['id', 'kind', 'title', 'detail', 'relation', 'since', 'updated_at'])
    .where('person_id', '=', personId)
    .orderBy('kind')
    .orderBy('id')
    .execute();
}

/** Doses as the immunization registry counts them (one per real dose, newest first). */
export async function listVaccinations(db: Db, personId: string) {
  return (await realDoses(db, personId)).map((v) => ({
    id: v.id, vaccine_code: v.vaccine_code, vaccine_name: v.vaccine_name, dose_no: v.dose_no, given_on: v.given_on, facility_code: v.facility_code,
    facility_name: v.facility_name, reaction: v.reaction, source: v.source,
  }));
}

export interface ChronicCondition {
  code: string;
  name: string | null;
  first_seen: string;
  last_seen: string;
  episodes: number;
}

/** Chronic conditions derived from the ICD-10 codes of episodes (facility data, not declarations). */
export function chronicConditions(episodes: ReadonlyArray<{ ngay_vao: string; ma_benh_chinh: string | null; ma_benh_kt?: string | null }>, includeSensitive: boolean) {
  const by = new Map<string, ChronicCondition>();
  for (const e of episodes) {
    for (const code of diagnosisCodes(e.ma_benh_chinh, e.ma_benh_kt ?? null)) {
      if (!isChronic(code) || (!includeSensitive && sensitivityOf(code))) continue;
      const day = e.ngay_vao.slice(0, 10);
      const c = by.get(code);
      if (!c) by.set(code, { code, name: icd10Name(code) ?? null, first_seen: day, last_seen: day, episodes: 1 });
      else {
        c.episodes++;
        if (day < c.first_seen) c.first_seen = day;
        if (day > c.last_seen) c.last_seen = day;
      }
    }
  }
  return [...by.values()].sort((a, b) => b.last_seen.localeCompare(a.last_seen));
}

/** Raw rows the summary is built from; the benchmark times these queries alone as its baseline. */
export async function summaryRows(db: Db, personId: string) {
  const [info, episodes, declarations, vaccinations, open] = await Promise.all([
    getPersonInfo(db, personId),
    db
      .selectFrom('episode as e')
      .leftJoin('facility as f', 'f.code', 'e.facility_code')
      .select(['e.id', 'e.facility_code', 'f.name as facility_name', 'e.ma_loai_kcb', 'e.ngay_vao', 'e.ngay_ra', 'e.ma_benh_chinh', 'e.ma_benh_kt', 'e.sensitivity'])
      .where('e.person_id', '=', personId)
      .where('e.is_current', '=', true)
      .orderBy('e.ngay_vao', 'desc')
      .execute(),
    listDeclarations(db, personId),
    listVaccinations(db, personId),
    db.selectFrom('visit').select((eb) => eb.fn.countAll<string>().as('n')).where('person_id', '=', personId).where('status', '=', 'open').executeTakeFirst(),
  ]);
  return { info, episodes, declarations, vaccinations, openVisits: Number(open?.n ?? 0) };
}

/**
 * The book's front page. Sensitive episodes (HIV, TB, mental health) are left out unless asked:
 * a summary is what gets shown or shared, and the citizen decides when those appear.
 */
export async function bookSummary(db: Db, personId: string, opts: { includeSensitive: boolean }) {
  const r = await summaryRows(db, personId);
  if (!r.info) return undefined;
  const shown = opts.includeSensitive ? r.episodes : r.episodes.filter((e) => !isSensitiveEpisode(e));
  const last = shown[0];
  return {
    ...r.info,
    episode_count: shown.length,
    hidden_sensitive: r.episodes.length - shown.length,
    open_visits: r.openVisits,
    last_episode: last
      ? { id: last.id, facility_name: last.facility_name ?? last.facility_code, ngay_vao: last.ngay_vao, ma_benh_chinh: last.ma_benh_chinh, ten_benh_chinh: last.ma_benh_chinh ? (icd10Name(last.ma_benh_chinh) ?? null) : null }
      : null,
    chronic: chronicConditions(shown, opts.includeSensitive),
    declarations: r.declarations,
    vaccinations: r.vaccinations,
  };
}

/**
 * Allergy declarations of many persons (or by declaration id), for the FHIR projection: `self` says
 * whether the person declared it themself (a parent declares for a child).
 */
export async function allergyDeclarations(db: Db, by: { personIds?: readonly string[]; ids?: readonly number[] }) {
  if (!by.personIds?.length && !by.ids?.length) return [];
  let q = bookDb(db)
    .selectFrom('citizen_declaration as d')
    .innerJoin('person as p', 'p.id', 'd.person_id')
    .select(['d.id', 'd.person_id', 'd.title', 'd.detail', 'd.since', 'd.updated_at'])
    .select(sql<boolean>`coalesce(p.so_cccd = d.declared_by, false)`.as('self'))
    .where('d.kind', '=', 'allergy');
  if (by.personIds?.length) q = q.where('d.person_id', 'in', [...by.personIds]);
  if (by.ids?.length) q = q.where('d.id', 'in', [...by.ids]);
  const rows = await q.orderBy('d.person_id').orderBy('d.id').execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}
