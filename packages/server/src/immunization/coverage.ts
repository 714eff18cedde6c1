import { invalid, vietnamToday, viNumber } from '@openhssk/core';
import type { ImmCoverage } from '@openhssk/core/api';
import { addMonthsClamped, childCoverage, formatDay, monthRange } from '@openhssk/core/immunization';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { communeDueRows, lockCommunesForDue, writeCommuneDue } from './due.ts';
import { sexOf } from './history.ts';
import { doseRecord, engineDosesOf } from './store.ts';

/**
 * Coverage per commune, district and province (issue 16 item 7). Each commune's living children
 * under 3 (the MPI population by age: the denominator) are evaluated once by core childCoverage into
 * counts per birth month (imm_coverage_cohort, migration 028); a report sums rows over the communes
 * under a unit, so a province costs a few thousand row reads, not an evaluation of every child.
 * A commune is rebuilt when marked dirty (a dose recorded or imported for its residents) and by the
 * scheduled refresh, which also takes the communes rebuilt longest ago (MPI changes: births, moves).
 */

const COHORT_MONTHS = 36;
/** The scheduled refresh rebuilds a commune at least this often even when nothing marked it. */
export const COVERAGE_MAX_AGE_HOURS = 24;

const monthsBack = (month: string, n: number) => {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return formatDay(addMonthsClamped(y, m, 1, -n)).slice(0, 7);
};

/** Marks communes for rebuilding (in the caller's transaction: a dose and its mark commit together). */
export async function markCoverageDirty(db: Db, communes: readonly (string | null | undefined)[]): Promise<void> {
  const codes = [...new Set(communes.filter((c): c is string => !!c))];
  if (codes.length === 0) return;
  await sql`insert into imm_coverage_dirty (commune_code) select unnest(${codes}::text[]) on conflict (commune_code) do nothing`.execute(db);
}

/** Rebuilds one commune's rows from its children and their doses, as of `asOf`, and its due state (imm_due). */
export async function rebuildCommuneCoverage(db: Db, commune: string, asOf: string): Promise<number> {
  const oldest = `${monthsBack(asOf.slice(0, 7), COHORT_MONTHS - 1)}-01`;
  const children = (
    await sql<{ id: string; ngay_sinh: string; gioi_tinh: number | null }>`
      select p.id, p.ngay_sinh, p.gioi_tinh from person p
       where p.ma_xa = ${commune} and p.ngay_sinh >= ${oldest} and p.ngay_sinh <= ${asOf} and length(p.ngay_sinh) = 10
         and not exists (select 1 from station_event e where e.kind = 'death' and e.person_id = p.id)`.execute(db)
  ).rows;
  const rows = new Map<string, { children: number; hepb_24h: number; reached_1y: number; full_u1: number; reached_2y: number; mr_u2: number }>();
  for (let i = 0; i < children.length; i += 5000) {
    const chunk = children.slice(i, i + 5000);
    const doses = await engineDosesOf(db, chunk.map((c) => c.id));
    for (const c of chunk) {
      const cov = childCoverage(c.ngay_sinh, sexOf(c.gioi_tinh), (doses.get(c.id) ?? []).map(doseRecord), asOf);
      if (!cov) continue;
      const month = c.ngay_sinh.slice(0, 7);
      const r = rows.get(month) ?? { children: 0, hepb_24h: 0, reached_1y: 0, full_u1: 0, reached_2y: 0, mr_u2: 0 };
      r.children++;
      if (cov.hepbBirth24h) r.hepb_24h++;
      if (cov.fullyImmunizedU1 !== null) r.reached_1y++;
      if (cov.fullyImmunizedU1) r.full_u1++;
      if (cov.mrBy24m !== null) r.reached_2y++;
      if (cov.mrBy24m) r.mr_u2++;
      rows.set(month, r);
    }
  }
  await db.transaction().execute(async (tx) => {
    // Two refreshes of one commune (the scheduled job and a request, two servers) run one after the
    // other, and a dose recorded for a resident meanwhile waits (due.ts): the cached due state is
    // computed and written under the lock, so it cannot be older than a dose committed before it.
    await lockCommunesForDue(tx, [commune]);
    const due = await communeDueRows(tx, commune, asOf);
    await writeCommuneDue(tx, commune, due, asOf);
    await sql`delete from imm_coverage_cohort where commune_code = ${commune}`.execute(tx);
    const list = [...rows.entries()];
    if (list.length > 0) {
      await sql`insert into imm_coverage_cohort (commune_code, birth_month, children, hepb_24h, reached_1y, full_u1, reached_2y, mr_u2)
        select ${commune}, x.m, x.c, x.h, x.r1, x.f, x.r2, x.mr
          from unnest(${list.map(([m]) => m)}::text[], ${list.map(([, r]) => r.children)}::int[], ${list.map(([, r]) => r.hepb_24h)}::int[],
                      ${list.map(([, r]) => r.reached_1y)}::int[], ${list.map(([, r]) => r.full_u1)}::int[], ${list.map(([, r]) => r.reached_2y)}::int[],
                      ${list.map(([, r]) => r.mr_u2)}::int[]) as x(m, c, h, r1, f, r2, mr)`.execute(tx);
    }
    await sql`insert into imm_coverage_refresh (commune_code, refreshed_at, as_of) values (${commune}, now(), ${asOf}::date)
      on conflict (commune_code) do update set refreshed_at = excluded.refreshed_at, as_of = excluded.as_of`.execute(tx);
  });
  return children.length;
}

/**
 * One scheduled run: dirty communes first, then communes never built or built more than
 * COVERAGE_MAX_AGE_HOURS ago (or on another day), at most `maxCommunes` per run so a run stays short.
 */
export async function refreshCoverage(db: Db, opts: { maxCommunes?: number; asOf?: string } = {}): Promise<{ communes: number; children: number }> {
  const asOf = opts.asOf ?? vietnamToday();
  const limit = opts.maxCommunes ?? 200;
  const picked = (
    await sql<{ code: string; dirty_since: Date | null }>`
      select u.code, d.since as dirty_since from admin_unit u
        left join imm_coverage_dirty d on d.commune_code = u.code
        left join imm_coverage_refresh r on r.commune_code = u.code
       where u.level = 'commune'
         and (d.commune_code is not null or r.commune_code is null or r.as_of <> ${asOf}::date or r.refreshed_at < now() - make_interval(hours => ${COVERAGE_MAX_AGE_HOURS}))
       order by (d.commune_code is null), r.refreshed_at nulls first, u.code
       limit ${limit}`.execute(db)
  ).rows;
  let children = 0;
  for (const p of picked) {
    children += await rebuildCommuneCoverage(db, p.code, asOf);
    // A mark set after this rebuild started stays for the next run.
    if (p.dirty_since) await sql`delete from imm_coverage_dirty where commune_code = ${p.code} and since <= ${p.dirty_since}`.execute(db);
  }
  return { communes: picked.length, children };
}

const pct = (num: number, den: number) => (den === 0 ? null : Math.round((num / den) * 1000) / 10);

/**
 * The report of a unit for a month: one row per unit directly under it (drill-down), and the total.
 * Cohorts: birth dose — born in the 12 months ending with the month; fully immunized under 1 — born
 * 12–23 months before; MR by 24 months — born 24–35 months before (every child in them has reached
 * the age, so the denominator is the whole cohort).
 */
export async function coverageReport(db: Db, unitCode: string, month: string): Promise<ImmCoverage> {
  if (!monthRange(month)) throw invalid('IMMUNIZATION_BAD_MONTH', `Tháng "${month}" không hợp lệ (cần dạng yyyy-mm).`, `Month "${month}" is not a valid yyyy-mm month.`);
  const unit = await db.selectFrom('admin_unit').select(['code', 'name', 'level']).where('code', '=', unitCode).executeTakeFirst();
  if (!unit) throw invalid('UNIT_UNKNOWN', `Không có đơn vị hành chính mã ${unitCode}.`, `No administrative unit ${unitCode}.`);
  const c = (from: number, to: number) => [monthsBack(month, to), monthsBack(month, from)] as const;
  const [h0, h1] = c(0, 11);
  const [f0, f1] = c(12, 23);
  const [m0, m1] = c(24, 35);
  // Each commune under the unit, with the unit directly under it that contains it (itself for a commune).
  const rows = (
    await sql<{ code: string; name: string; level: string; h_num: number; h_den: number; f_num: number; f_den: number; m_num: number; m_den: number; communes: number; refreshed: Date | null; stale: number }>`
      with recursive tree(code, top) as (
        select code, code from admin_unit where parent_code = ${unitCode}
        union all
        select a.code, t.top from admin_unit a join tree t on a.parent_code = t.code
      ), communes as (
        select code, top from tree where code in (select code from admin_unit where level = 'commune')
        union all select ${unitCode}::text, ${unitCode}::text where ${unit.level} = 'commune'
      )
      select u.code, u.name, u.level,
             coalesce(sum(k.hepb_24h) filter (where k.birth_month between ${h0} and ${h1}), 0)::int as h_num,
             coalesce(sum(k.children) filter (where k.birth_month between ${h0} and ${h1}), 0)::int as h_den,
             coalesce(sum(k.full_u1) filter (where k.birth_month between ${f0} and ${f1}), 0)::int as f_num,
             coalesce(sum(k.children) filter (where k.birth_month between ${f0} and ${f1}), 0)::int as f_den,
             coalesce(sum(k.mr_u2) filter (where k.birth_month between ${m0} and ${m1}), 0)::int as m_num,
             coalesce(sum(k.children) filter (where k.birth_month between ${m0} and ${m1}), 0)::int as m_den,
             (select count(*) from communes x where x.top = u.code)::int as communes,
             (select min(r.refreshed_at) from communes x left join imm_coverage_refresh r on r.commune_code = x.code where x.top = u.code) as refreshed,
             (select count(*) from communes x where x.top = u.code
                and (x.code in (select commune_code from imm_coverage_dirty) or x.code not in (select commune_code from imm_coverage_refresh)))::int as stale
        from admin_unit u
        join communes cm on cm.top = u.code
        left join imm_coverage_cohort k on k.commune_code = cm.code and k.birth_month between ${m0} and ${h1}
       group by u.code, u.name, u.level
       order by u.code`.execute(db)
  ).rows;
  const indicator = (num: number, den: number) => ({ numerator: num, denominator: den, percent: pct(num, den) });
  const sum = (k: 'h_num' | 'h_den' | 'f_num' | 'f_den' | 'm_num' | 'm_den') => rows.reduce((n, r) => n + r[k], 0);
  const stamps = rows.map((r) => r.refreshed).filter((d): d is Date => d !== null);
  return {
    unit: { code: unit.code, name: unit.name, level: unit.level },
    month,
    cohorts: { hepb_birth_24h: [h0, h1], fully_immunized_u1: [f0, f1], mr_by_24m: [m0, m1] },
    total: { hepb_birth_24h: indicator(sum('h_num'), sum('h_den')), fully_immunized_u1: indicator(sum('f_num'), sum('f_den')), mr_by_24m: indicator(sum('m_num'), sum('m_den')) },
    rows: rows
      .filter((r) => r.code !== unitCode)
      .map((r) => ({
        code: r.code, name: r.name, level: r.level, communes: r.communes, stale_communes: r.stale,
        hepb_birth_24h: indicator(r.h_num, r.h_den), fully_immunized_u1: indicator(r.f_num, r.f_den), mr_by_24m: indicator(r.m_num, r.m_den),
      })),
    oldest_refresh: stamps.length ? new Date(Math.min(...stamps.map((d) => new Date(d).getTime()))).toISOString() : null,
    stale_communes: rows.reduce((n, r) => n + r.stale, 0),
  };
}

const pctText = (p: number | null) => (p === null ? '—' : `${viNumber(p, 1)} %`);

/** The report as XLSX: one row per unit, numerator, denominator and percentage of each indicator. */
export async function coverageXlsx(r: ImmCoverage): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'OpenHSSK';
  const ws = wb.addWorksheet('Tỷ lệ tiêm chủng');
  ws.addRow([`Tỷ lệ tiêm chủng — ${r.unit.name} (mã ${r.unit.code}), tháng ${r.month.slice(5, 7)}/${r.month.slice(0, 4)}`]).font = { bold: true, size: 13 };
  ws.addRow([
    `Viêm gan B sơ sinh trong 24 giờ: trẻ sinh ${r.cohorts.hepb_birth_24h.join(' – ')}; tiêm chủng đầy đủ dưới 1 tuổi: trẻ sinh ${r.cohorts.fully_immunized_u1.join(' – ')}; MR trước 24 tháng: trẻ sinh ${r.cohorts.mr_by_24m.join(' – ')}.`,
  ]);
  const header = ['Mã', 'Đơn vị', 'VGB sơ sinh 24 giờ: đã tiêm', 'Số trẻ', 'Tỷ lệ', 'Đầy đủ dưới 1 tuổi: đạt', 'Số trẻ', 'Tỷ lệ', 'MR trước 24 tháng: đã tiêm', 'Số trẻ', 'Tỷ lệ'];
  ws.addRow(header).font = { bold: true };
  const line = (code: string, name: string, x: ImmCoverage['total']) => [
    code, name, x.hepb_birth_24h.numerator, x.hepb_birth_24h.denominator, pctText(x.hepb_birth_24h.percent), x.fully_immunized_u1.numerator, x.fully_immunized_u1.denominator,
    pctText(x.fully_immunized_u1.percent), x.mr_by_24m.numerator, x.mr_by_24m.denominator, pctText(x.mr_by_24m.percent),
  ];
  for (const row of r.rows) ws.addRow(line(row.code, row.name, row));
  ws.addRow(line(r.unit.code, `Toàn ${r.unit.name}`, r.total)).font = { bold: true };
  for (const [i, w] of [8, 30, 14, 10, 10, 14, 10, 10, 14, 10, 10].entries()) ws.getColumn(i + 1).width = w;
  return Buffer.from(await wb.xlsx.writeBuffer());
}

