import { addDays, DomainError, viDate, viDateTime, vietnamNow, vietnamToday, viNumber } from '@openhssk/core';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { childUnits, computeKpis, type Period, type UnitRef } from './kpis.ts';

/**
 * The weekly Đề án 06 progress table. The plans ask for it by Thursday 15:00, so a week runs
 * Friday–Thursday and its snapshot is taken at (or, after a stop, the first check after) Thursday
 * 15:00 Viet Nam time. Figures come from computeKpis with the same definitions as the dashboard;
 * the week is read at day granularity (the summaries are per day), so a snapshot taken on the
 * Thursday holds what had arrived by then, and one taken later holds the whole Thursday.
 */

const THURSDAY = 4;
const CUTOFF_HOUR = 15;

const weekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay();

/** The Thursday that ends the Friday–Thursday week containing `day`. */
export const weekOf = (day: string): string => addDays(day, (THURSDAY - weekday(day) + 7) % 7);

/** The last week whose Thursday 15:00 (Viet Nam) has passed at `at`. */
export function lastDueWeek(at: Date = new Date()): string {
  const now = vietnamNow(at);
  const day = now.slice(0, 10);
  const back = (weekday(day) - THURSDAY + 7) % 7;
  const thursday = addDays(day, -back);
  return back === 0 && Number(now.slice(11, 13)) < CUTOFF_HOUR ? addDays(thursday, -7) : thursday;
}

export const weekPeriod = (weekEnd: string): Period => ({ from: addDays(weekEnd, -6), to: weekEnd });

export interface WeeklyRow {
  unit: UnitRef;
  insuredFacilities: number;
  integratedFacilities: number;
  episodes: number;
  episodesWithCccd: number;
  /** Episodes with a personal ID / episodes of the week (the dashboard's "identified" proxy). */
  identifiedRate: number | null;
  residents: number | null;
  /** Residents whose book has health data ("có dữ liệu sức khỏe"). */
  withHealthData: number | null;
  /** Against the stored snapshot of the week before; null when there is none. */
  change: { integratedFacilities: number; identifiedRate: number | null; withHealthData: number | null } | null;
}

export interface WeeklyTable {
  unit: UnitRef;
  weekEnd: string;
  period: Period;
  takenAt: Date | null;
  previousWeekEnd: string;
  rows: WeeklyRow[];
}

/**
 * Stores the snapshot of one week, unless it is already stored (the first snapshot stands): a table
 * for every province and every district (an ended one too: its officers still report), each with the
 * units listed under it for the week. Returns how many rows were written.
 */
export async function takeWeeklySnapshot(db: Db, weekEnd: string): Promise<{ weekEnd: string; rows: number; existed: boolean }> {
  if (weekOf(weekEnd) !== weekEnd) throw new DomainError('invalid', 'WEEK_NOT_THURSDAY', 'Tuần báo cáo kết thúc vào thứ Năm.', 'A report week ends on a Thursday.');
  const stored = await sql<{ n: number }>`select count(*)::int n from report_weekly where week_end = ${weekEnd}::date`.execute(db);
  if (Number(stored.rows[0]?.n ?? 0) > 0) return { weekEnd, rows: 0, existed: true };
  const period = weekPeriod(weekEnd);
  const roots = await db.selectFrom('admin_unit').select(['code', 'name', 'level']).where('level', 'in', ['province', 'district']).orderBy('code').execute();
  let rows = 0;
  for (const p of roots) {
    const units: UnitRef[] = [p, ...(await childUnits(db, p.code, period))];
    const codes = units.map((u) => u.code);
    const k = await computeKpis(db, codes, period);
    // Books with data are a count "as of" the week's end: the daily copy of that day. A platform
    // installed during the week, or a snapshot of a week before any copy, has none: then the count
    // as of the snapshot itself (taken minutes after Thursday 15:00 when on schedule).
    const today = vietnamToday();
    const asOf = [...k.values()].some((f) => f.withHealthData === null) && period.to < today ? await computeKpis(db, codes, { from: period.from, to: today }) : k;
    for (const u of units) {
      const f = k.get(u.code)!;
      const persons = f.withHealthData === null ? asOf.get(u.code)! : f;
      await sql`
        insert into report_weekly (week_end, unit_code, root_code, unit_name, unit_level, insured_facilities, integrated_facilities,
                                   episodes, episodes_with_cccd, residents, with_health_data)
        values (${weekEnd}::date, ${u.code}, ${p.code}, ${u.name}, ${u.level}, ${f.insuredFacilities}, ${f.integratedFacilities},
                ${f.episodes}, ${f.episodesWithCccd}, ${persons.residents}, ${persons.withHealthData})
        on conflict (root_code, week_end, unit_code) do nothing`.execute(db);
      rows++;
    }
  }
  return { weekEnd, rows, existed: false };
}

/** The background job: the last due week, once. */
export const snapshotDueWeek = (db: Db, at: Date = new Date()) => takeWeeklySnapshot(db, lastDueWeek(at));

interface StoredRow {
  unit_code: string;
  unit_name: string;
  unit_level: UnitRef['level'];
  insured_facilities: number;
  integrated_facilities: number;
  episodes: number;
  episodes_with_cccd: number;
  residents: number | null;
  with_health_data: number | null;
  taken_at: Date;
}

async function storedRows(db: Db, unit: string, weekEnd: string): Promise<StoredRow[]> {
  const select = (where: ReturnType<typeof sql>) => sql<StoredRow>`
    select unit_code, unit_name, unit_level, insured_facilities, integrated_facilities, episodes, episodes_with_cccd,
           residents, with_health_data, taken_at
      from report_weekly where week_end = ${weekEnd}::date and ${where}
     order by unit_code <> ${unit}, unit_code`.execute(db);
  // The unit's own table: its total row first, then the units listed under it.
  const own = (await select(sql`root_code = ${unit}`)).rows;
  if (own.length > 0) return own;
  // A commune has no table of its own: its row from a table above it (the same figures in each).
  return (await select(sql`unit_code = ${unit}`)).rows.slice(0, 1);
}

const rate = (a: number, b: number) => (b === 0 ? null : a / b);

/** The stored table of a week for a unit (a province: itself and the units under it). */
export async function weeklyTable(db: Db, unit: UnitRef, weekEnd: string): Promise<WeeklyTable> {
  const previousWeekEnd = addDays(weekEnd, -7);
  const [cur, prev] = await Promise.all([storedRows(db, unit.code, weekEnd), storedRows(db, unit.code, previousWeekEnd)]);
  const before = new Map(prev.map((r) => [r.unit_code, r]));
  const rows = cur.map((r): WeeklyRow => {
    const p = before.get(r.unit_code);
    const identifiedRate = rate(r.episodes_with_cccd, r.episodes);
    const pRate = p ? rate(p.episodes_with_cccd, p.episodes) : null;
    return {
      unit: { code: r.unit_code, name: r.unit_name, level: r.unit_level },
      insuredFacilities: r.insured_facilities,
      integratedFacilities: r.integrated_facilities,
      episodes: r.episodes,
      episodesWithCccd: r.episodes_with_cccd,
      identifiedRate,
      residents: r.residents,
      withHealthData: r.with_health_data,
      change: p
        ? {
            integratedFacilities: r.integrated_facilities - p.integrated_facilities,
            identifiedRate: identifiedRate === null || pRate === null ? null : identifiedRate - pRate,
            withHealthData: r.with_health_data === null || p.with_health_data === null ? null : r.with_health_data - p.with_health_data,
          }
        : null,
    };
  });
  return { unit, weekEnd, period: weekPeriod(weekEnd), takenAt: cur[0]?.taken_at ?? null, previousWeekEnd, rows };
}

/** Weeks stored for a unit, newest first (the screen's week picker). */
export async function storedWeeks(db: Db, unit: string, limit = 26): Promise<string[]> {
  const r = await sql<{ week_end: string }>`
    select distinct to_char(week_end, 'YYYY-MM-DD') week_end from report_weekly
     where root_code = ${unit} or unit_code = ${unit} order by 1 desc limit ${limit}`.execute(db);
  return r.rows.map((x) => x.week_end);
}

const signed = (n: number | null, f: (n: number) => string) => (n === null ? '—' : `${n > 0 ? '+' : n < 0 ? '−' : '±'}${f(Math.abs(n))}`);

/** The table as XLSX (sheet "Tiến độ tuần"), Vietnamese headers, shares as percent cells. */
export async function weeklyWorkbook(t: WeeklyTable): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'OpenHSSK';
  const ws = wb.addWorksheet('Tiến độ tuần');
  ws.addRow([`Tiến độ Đề án 06 — ${t.unit.name}, tuần ${viDate(t.period.from)}–${viDate(t.period.to)} (chốt 15:00 thứ Năm)`]).font = { bold: true, size: 13 };
  ws.addRow([t.takenAt ? `Số liệu chốt lúc ${viDateTime(t.takenAt)}; so sánh với tuần kết thúc ${viDate(t.previousWeekEnd)}.` : 'Chưa có số liệu chốt cho tuần này.']);
  const header = ws.addRow([
    'Mã', 'Đơn vị', 'Cơ sở KCB BHYT', 'Cơ sở đã liên thông', 'Hồ sơ KCB trong tuần', 'Tỷ lệ hồ sơ có số định danh cá nhân',
    'Sổ sức khỏe có dữ liệu (người thường trú)', 'Thay đổi: cơ sở liên thông', 'Thay đổi: tỷ lệ định danh (điểm %)', 'Thay đổi: sổ có dữ liệu',
  ]);
  header.font = { bold: true };
  header.alignment = { wrapText: true, vertical: 'top' };
  for (const r of t.rows) {
    const row = ws.addRow([
      r.unit.code, r.unit.name, r.insuredFacilities, r.integratedFacilities, r.episodes, r.identifiedRate, r.withHealthData,
      r.change?.integratedFacilities ?? null,
      r.change?.identifiedRate === null || r.change?.identifiedRate === undefined ? null : Math.round(r.change.identifiedRate * 1000) / 10,
      r.change?.withHealthData ?? null,
    ]);
    row.getCell(6).numFmt = '0.0%';
    row.getCell(9).numFmt = '+0.0;-0.0;0.0';
    for (const c of [8, 10]) row.getCell(c).numFmt = '+#,##0;-#,##0;0';
  }
  ws.getColumn(2).width = 30;
  for (let c = 3; c <= 10; c++) ws.getColumn(c).width = 16;
  ws.views = [{ state: 'frozen', xSplit: 2, ySplit: 3 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Screen and CLI wording of a change, e.g. "+2", "−1,5 điểm %". */
export const changeText = {
  count: (n: number | null) => signed(n, (x) => viNumber(x, 0)),
  points: (n: number | null) => signed(n, (x) => `${viNumber(x * 100, 1)} điểm %`),
};
