import { invalid, stripDiacritics, viDate, vietnamToday, viNumber } from '@openhssk/core';
import {
  type Age, ANTIGEN_LABELS, type Antigen, addMonthsClamped, civilFromDay, formatDay, type MonthPlan, monthPlanner, monthRange, planMonth, productById,
  type ScheduleEvaluation, type ScheduleVersion, scheduleInForce,
} from '@openhssk/core/immunization';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { pdfTable, vietnamesePdf } from '../pdf/index.ts';
import { evaluatePerson, fullBirthDate } from './history.ts';
import { engineDosesOf } from './store.ts';
import { immDb } from './tables.ts';

/**
 * Planning per commune and month: who is due or overdue for which dose (core engine, evaluated on
 * the first day of the month as core planMonth expects), the session list for reminders, and the
 * vaccine needed (core monthPlanner). Only persons whose age puts them inside some series' window
 * during the month are read and evaluated: the bands come from the schedule's own data, so a new
 * schedule version changes them without code.
 */

export interface AgeBand {
  /** Only this sex (the tetanus series for women). */
  sex?: 'female';
  /** Born strictly after this date… */
  bornAfter: string;
  /** …and on or before this one ('yyyy-mm-dd'; birth dates are stored as text in this form). */
  bornOnOrBefore: string;
}

const months = (a: Age | undefined) => (a ? (a.years ?? 0) * 12 + (a.months ?? 0) : 0);
const longer = (a: Age, b: Age) => months(a) > months(b) || (months(a) === months(b) && (a.days ?? 0) > (b.days ?? 0));

/** The day an age before `day` begins: the birth date of someone reaching `age` on `day`. */
function birthFor(day: number, age: Age): number {
  const c = civilFromDay(day);
  return addMonthsClamped(c.year, c.month, c.day, -months(age)) - (age.days ?? 0);
}

// The bands are a pre-filter: a few days more on each side cost nothing, the engine decides.
const SLACK_DAYS = 3;

/**
 * Birth-date bands of the persons any series of the schedule could have a dose open for during the
 * month: from the youngest age a series starts (its eligibility or window) to the oldest age it
 * still offers a dose (the largest maximum age of its doses, capped by eligibility and window).
 */
export function planningBands(schedule: ScheduleVersion, month: string): AgeBand[] {
  const range = monthRange(month);
  if (!range) throw invalid('IMMUNIZATION_BAD_MONTH', `Tháng "${month}" không hợp lệ (cần dạng yyyy-mm).`, `Month "${month}" is not a valid yyyy-mm month.`);
  const bySex = new Map<string, { from: Age; to: Age }>();
  for (const s of schedule.series) {
    const from = s.eligibility?.minAge?.value ?? s.window?.fromAge?.value ?? {};
    let to: Age | undefined;
    for (const d of s.doses) {
      const max = d.maxAge?.value ?? s.eligibility?.maxAge?.value ?? s.window?.beforeAge?.value;
      if (!max) throw new Error(`immunization planning: series ${s.id} has a dose without any upper age`);
      if (!to || longer(max, to)) to = max;
    }
    if (!to) continue;
    for (const cap of [s.eligibility?.maxAge?.value, s.window?.beforeAge?.value]) if (cap && longer(to, cap)) to = cap;
    const sex = s.eligibility?.sex ?? 'any';
    const seen = bySex.get(sex);
    if (!seen) bySex.set(sex, { from, to });
    else bySex.set(sex, { from: longer(seen.from, from) ? from : seen.from, to: longer(to, seen.to) ? to : seen.to });
  }
  return [...bySex.entries()].map(([sex, b]) => ({
    ...(sex === 'female' ? { sex: 'female' as const } : {}),
    bornAfter: formatDay(birthFor(range.first, b.to) - SLACK_DAYS),
    bornOnOrBefore: formatDay(birthFor(range.last, b.from) + SLACK_DAYS),
  }));
}

export interface PlannedDose {
  series: string;
  name_vi: string;
  name_en: string;
  dose: number;
  status: 'due' | 'overdue';
  /** When to give it: the first of the month for a dose already due, else its recommended date. */
  date: string;
}

/** A person the month's plan counts, as the engine saw them. */
export interface PlannedPerson {
  person_id: string;
  ngay_sinh: string;
  gioi_tinh: number | null;
  group: 'child' | 'woman';
  doses: PlannedDose[];
}

/** The same with what a list or a reminder shows (read only for the persons shown). */
export interface ListedPerson extends PlannedPerson {
  ho_ten: string;
  dia_chi: string | null;
  so_dien_thoai: string | null;
  ma_ho_gia_dinh: string | null;
  guardian: { person_id: string; ho_ten: string; so_dien_thoai: string | null; relation: string } | null;
}

export interface CommunePlan {
  commune: string;
  month: string;
  as_of: string;
  schedule_id: string;
  /** Persons of the commune in the bands, evaluated; those whose birth date is known only to the month or year cannot be. */
  population: { evaluated: number; birth_date_incomplete: number };
  plan: MonthPlan;
  /** Children first, then anyone with an overdue dose, then the oldest first (they reach maximum ages first). */
  persons: PlannedPerson[];
}

const CHILD_UNTIL_YEARS = 15;

type Candidate = { id: string; ngay_sinh: string | null; gioi_tinh: number | null };

/** Persons of the commune inside the bands, read from the index alone (person_commune_birth, migration 023). */
async function candidates(db: Db, commune: string, bands: readonly AgeBand[]): Promise<Candidate[]> {
  return db
    .selectFrom('person')
    .select(['id', 'ngay_sinh', 'gioi_tinh'])
    .where('ma_xa', '=', commune)
    // A death the station recorded (station/, migration 021): no reminder goes to a bereaved family.
    .where(sql<boolean>`not exists (select 1 from station_event e where e.kind = 'death' and e.person_id = person.id)`)
    .where((eb) =>
      eb.or(
        bands.map((b) =>
          eb.and([eb('ngay_sinh', '>', b.bornAfter), eb('ngay_sinh', '<=', b.bornOnOrBefore), ...(b.sex === 'female' ? [eb('gioi_tinh', '=', 2)] : [])]),
        ),
      ),
    )
    .execute();
}

/** Parents or guardians to remind, best evidence first; a relation staff removed is not one. */
async function guardiansOf(db: Db, childIds: readonly string[]): Promise<Map<string, ListedPerson['guardian']>> {
  const out = new Map<string, ListedPerson['guardian']>();
  if (childIds.length === 0) return out;
  const rows = await sql<{ child: string; id: string; ho_ten: string; so_dien_thoai: string | null; relation: string; rank: number }>`
    select r.person_id as child, p.id, p.ho_ten, p.so_dien_thoai, r.relation,
           case r.source when 'staff_confirmed' then 0 when 'population_relation' then 1 when 'demo' then 2 else 3 end as rank
      from person_relation r join person p on p.id = r.related_person_id
     where r.person_id = any(${childIds as string[]}::text[]) and r.removed_at is null
     order by r.person_id, (p.so_dien_thoai is null), rank, p.id`.execute(db);
  for (const r of rows.rows) if (!out.has(r.child)) out.set(r.child, { person_id: r.id, ho_ten: r.ho_ten, so_dien_thoai: r.so_dien_thoai, relation: r.relation });
  return out;
}

/** Names, addresses, phones and the guardian to remind, for the persons a page or a file shows. */
export async function withDetails(db: Db, persons: readonly PlannedPerson[]): Promise<ListedPerson[]> {
  if (persons.length === 0) return [];
  const ids = persons.map((p) => p.person_id);
  const [rows, guardians] = await Promise.all([
    db.selectFrom('person').select(['id', 'ho_ten', 'dia_chi', 'so_dien_thoai', 'ma_ho_gia_dinh']).where('id', 'in', ids).execute(),
    guardiansOf(db, persons.filter((p) => p.group === 'child').map((p) => p.person_id)),
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return persons.map((p) => {
    const r = byId.get(p.person_id);
    return { ...p, ho_ten: r?.ho_ten ?? '', dia_chi: r?.dia_chi ?? null, so_dien_thoai: r?.so_dien_thoai ?? null, ma_ho_gia_dinh: r?.ma_ho_gia_dinh ?? null, guardian: guardians.get(p.person_id) ?? null };
  });
}

const ID_CHUNK = 5000;

/** The month's plan for one commune. */
export async function planCommune(db: Db, commune: string, month: string): Promise<CommunePlan> {
  const range = monthRange(month);
  if (!range) throw invalid('IMMUNIZATION_BAD_MONTH', `Tháng "${month}" không hợp lệ (cần dạng yyyy-mm).`, `Month "${month}" is not a valid yyyy-mm month.`);
  const asOf = formatDay(range.first);
  const lastDay = formatDay(range.last);
  const schedule = scheduleInForce(asOf);
  const planner = monthPlanner(month, { schedule });
  const names = new Map(schedule.series.map((s) => [s.id, s]));
  const people = await candidates(db, commune, planningBands(schedule, month));

  const persons: PlannedPerson[] = [];
  let evaluated = 0;
  let incomplete = 0;
  for (let i = 0; i < people.length; i += ID_CHUNK) {
    const chunk = people.slice(i, i + ID_CHUNK);
    const doses = await engineDosesOf(db, chunk.map((p) => p.id));
    for (const p of chunk) {
      const born = fullBirthDate(p.ngay_sinh);
      if (!born) {
        incomplete++;
        continue;
      }
      // Born during the month: evaluated from the birth date (the birth doses fall due then).
      if (born > lastDay) continue;
      const e = evaluatePerson(p, doses.get(p.id) ?? [], born > asOf ? born : asOf)!;
      evaluated++;
      planner.add(e);
      planned(p, born, e, persons, names, month, lastDay);
    }
  }
  persons.sort(
    (a, b) =>
      (a.group === b.group ? 0 : a.group === 'child' ? -1 : 1) ||
      Number(b.doses.some((d) => d.status === 'overdue')) - Number(a.doses.some((d) => d.status === 'overdue')) ||
      (a.ngay_sinh < b.ngay_sinh ? -1 : a.ngay_sinh > b.ngay_sinh ? 1 : 0) ||
      (a.person_id < b.person_id ? -1 : 1),
  );
  return { commune, month, as_of: asOf, schedule_id: schedule.id, population: { evaluated, birth_date_incomplete: incomplete }, plan: planner.result(), persons };
}

/**
 * The person's doses the month's plan counts, read from core planMonth over this one evaluation (the
 * same rule as the commune's totals: due or overdue on the first, or falling due within the month).
 */
function planned(p: Candidate, born: string, e: ScheduleEvaluation, out: PlannedPerson[], names: Map<string, { name_vi: string; name_en: string }>, month: string, lastDay: string) {
  // Nothing open before the month ends: core would count nothing (a pre-check, not the rule).
  if (e.nextDue.length === 0 || e.nextDue[0]!.date > lastDay) return;
  const counted = planMonth([e], month, { schedule: scheduleInForce(e.asOf) }).bySeries;
  if (counted.length === 0) return;
  const next = new Map(e.series.map((s) => [s.series, s]));
  const age = Number(e.asOf.slice(0, 4)) - Number(born.slice(0, 4));
  out.push({
    person_id: p.id,
    ngay_sinh: born,
    gioi_tinh: p.gioi_tinh,
    group: age < CHILD_UNTIL_YEARS ? 'child' : 'woman',
    doses: counted.map((c) => {
      const s = next.get(c.series);
      return {
        series: c.series,
        name_vi: names.get(c.series)?.name_vi ?? c.series,
        name_en: names.get(c.series)?.name_en ?? c.series,
        dose: c.dose,
        status: c.overdue > 0 ? ('overdue' as const) : ('due' as const),
        date: s?.next?.status === 'not_yet_due' ? (s.next.recommendedDate ?? e.asOf) : e.asOf,
      };
    }),
  });
}

/** Totals with names for screens: per series and dose, per antigen, and vaccine to order per product. */
export function planSummary(plan: MonthPlan, schedule: ScheduleVersion = scheduleInForce(`${plan.month}-01`)) {
  const names = new Map(schedule.series.map((s) => [s.id, s]));
  return {
    by_series: plan.bySeries.map((c) => ({ ...c, name_vi: names.get(c.series)?.name_vi ?? c.series, name_en: names.get(c.series)?.name_en ?? c.series })),
    by_antigen: Object.entries(plan.byAntigen).map(([a, t]) => ({ antigen: a, name_vi: ANTIGEN_LABELS[a as Antigen]?.vi ?? a, name_en: ANTIGEN_LABELS[a as Antigen]?.en ?? a, ...t })),
    vaccine_needs: plan.byProduct.map((p) => ({ ...p, name_vi: productById(p.product)?.name_vi ?? p.product, name_en: productById(p.product)?.name_en ?? p.product })),
  };
}

export type ListGroup = 'all' | 'children' | 'women';
export const inGroup = (p: PlannedPerson, g: ListGroup) => g === 'all' || (g === 'children' ? p.group === 'child' : p.group === 'woman');

/** Sessions the commune's station set in the month. */
export async function sessionsIn(db: Db, commune: string, month: string) {
  return immDb(db)
    .selectFrom('imm_session')
    .select(['id', 'session_on', 'place', 'note'])
    .where('commune_code', '=', commune)
    .where('session_on', '>=', `${month}-01`)
    .where('session_on', '<=', formatDay(monthRange(month)!.last))
    .orderBy('session_on')
    .execute();
}

const dmy = (iso: string | null | undefined) => viDate(iso, '');
const SEX_VI: Record<number, string> = { 1: 'Nam', 2: 'Nữ' };

/** The reminder text for one person ("Zalo" with diacritics; the SMS column drops them: 160 characters per part instead of 70). */
export function reminderText(p: ListedPerson, stationName: string, when: string): string {
  const who = p.group === 'child' ? `cháu ${p.ho_ten} (sinh ${dmy(p.ngay_sinh)})` : `chị ${p.ho_ten}`;
  const what = p.doses.map((d) => `${d.name_vi} mũi ${d.dose}`).join(', ');
  return `${stationName} nhắc: ${who} đến lịch tiêm ${what} ${when}. Vui lòng mang theo sổ tiêm chủng.`;
}

export interface SessionListHeader {
  communeName: string | null;
  commune: string;
  stationName: string;
  month: string;
  sessions: ReadonlyArray<{ session_on: string; place: string | null }>;
  printedBy: string;
}

const LIST_COLUMNS = [
  'STT', 'Họ và tên', 'Ngày sinh', 'Giới', 'Địa chỉ', 'Mã hộ', 'Người giám hộ', 'Điện thoại', 'Mũi cần tiêm', 'Tình trạng', 'Ngày hẹn', 'Tin nhắn (Zalo)', 'Tin nhắn SMS (không dấu)',
] as const;

function listRows(persons: readonly ListedPerson[], h: SessionListHeader): string[][] {
  const session = h.sessions[0];
  const when = session ? `ngày ${dmy(session.session_on)}${session.place ? ` tại ${session.place}` : ''}` : `trong tháng ${h.month.slice(5, 7)}/${h.month.slice(0, 4)}`;
  return persons.map((p, i) => {
    const text = reminderText(p, h.stationName, when);
    return [
      String(i + 1), p.ho_ten, dmy(p.ngay_sinh), p.gioi_tinh ? (SEX_VI[p.gioi_tinh] ?? '') : '', p.dia_chi ?? '', p.ma_ho_gia_dinh ?? '', p.guardian?.ho_ten ?? '',
      p.guardian?.so_dien_thoai ?? p.so_dien_thoai ?? '', p.doses.map((d) => `${d.name_vi} mũi ${d.dose}`).join('; '),
      p.doses.some((d) => d.status === 'overdue') ? 'Quá hạn' : 'Đến hạn', session ? dmy(session.session_on) : '', text, stripDiacritics(text),
    ];
  });
}

/** The session list as XLSX: a title block, then one row per person with the reminder texts ready to send. */
export async function sessionListXlsx(persons: readonly ListedPerson[], h: SessionListHeader): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'OpenHSSK';
  const ws = wb.addWorksheet('Danh sách tiêm chủng');
  ws.addRow([`Danh sách đối tượng tiêm chủng tháng ${h.month.slice(5, 7)}/${h.month.slice(0, 4)} — ${h.stationName}, ${h.communeName ?? 'xã'} (mã ${h.commune})`]).font = { bold: true, size: 13 };
  ws.addRow([`Buổi tiêm: ${h.sessions.length ? h.sessions.map((s) => `${dmy(s.session_on)}${s.place ? ` (${s.place})` : ''}`).join(', ') : 'chưa đặt lịch'}. Lập ngày ${dmy(vietnamToday())} bởi ${h.printedBy}.`]);
  ws.addRow([...LIST_COLUMNS]).font = { bold: true };
  for (const r of listRows(persons, h)) ws.addRow(r);
  for (const [i, w] of [5, 26, 11, 6, 40, 12, 24, 13, 40, 10, 11, 60, 60].entries()) ws.getColumn(i + 1).width = w;
  ws.views = [{ state: 'frozen', ySplit: 3 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * The session list as a PDF to print (A4 landscape, DejaVu embedded): the title block and the
 * columns a nurse ticks at the session; the reminder texts stay in the XLSX/CSV.
 */
export function sessionListPdf(persons: readonly ListedPerson[], h: SessionListHeader): Promise<Buffer> {
  const title = `DANH SÁCH ĐỐI TƯỢNG TIÊM CHỦNG THÁNG ${h.month.slice(5, 7)}/${h.month.slice(0, 4)}`;
  const { doc, done } = vietnamesePdf({ size: 'A4', layout: 'landscape', margin: 32, info: { Title: title, Author: 'OpenHSSK' } });
  doc.font('R').fontSize(9).text(h.stationName);
  doc.text(`${h.communeName ?? 'Xã'} (mã ${h.commune})`);
  doc.moveDown(0.5);
  doc.font('B').fontSize(14).text(title, { align: 'center' });
  doc.font('R').fontSize(10).moveDown(0.3);
  doc.text(`Buổi tiêm: ${h.sessions.length ? h.sessions.map((s) => `${dmy(s.session_on)}${s.place ? ` (${s.place})` : ''}`).join(', ') : 'chưa đặt lịch'}.`);
  doc.text(`Số người cần tiêm: ${viNumber(persons.length, 0)}. Lập ngày ${dmy(vietnamToday())} bởi ${h.printedBy}.`);
  doc.moveDown(0.5);
  const keep = [0, 1, 2, 3, 4, 6, 7, 8, 9, 10];
  pdfTable(
    doc,
    [...keep.map((i) => LIST_COLUMNS[i]!), 'Đã tiêm'],
    listRows(persons, h).map((r) => [...keep.map((i) => r[i]!), '']),
    [26, 110, 56, 30, 140, 96, 66, 134, 50, 52, 48],
  );
  doc.end();
  return done;
}

const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
// A formula-looking cell would run when the file is opened in a spreadsheet.
const safe = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

/** The same list as CSV (UTF-8 with BOM so Excel reads the diacritics), for bulk SMS/Zalo tools. */
export function sessionListCsv(persons: readonly ListedPerson[], h: SessionListHeader): string {
  const lines = [LIST_COLUMNS.join(','), ...listRows(persons, h).map((r) => r.map((c) => csvCell(safe(c))).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
