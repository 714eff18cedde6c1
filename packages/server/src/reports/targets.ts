import type { Kpis, Target, TargetIndicator, TargetStatus, TargetStatuses, Targets } from '@openhssk/core/api';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { Period } from './kpis.ts';

export const TARGET_INDICATORS: readonly TargetIndicator[] = ['withRecord', 'identified', 'integratedResidents', 'integratedFacilities'];

/** Screen and report wording of each indicator with a target. */
export const TARGET_TITLES: Record<TargetIndicator, string> = {
  withRecord: 'Người dân thường trú có hồ sơ sức khỏe điện tử',
  identified: 'Người đi KCB được tiếp nhận bằng định danh cá nhân (ước tính: hồ sơ KCB có số định danh)',
  integratedResidents: 'Công dân thường trú tích hợp BHYT và sổ sức khỏe trên VNeID',
  integratedFacilities: 'Cơ sở KCB BHYT đã liên thông dữ liệu',
};

/** Whether a figure must exceed its target (the plans say "trên 80 %") or only reach it. */
const STRICT: Record<TargetIndicator, boolean> = { withRecord: false, identified: true, integratedResidents: true, integratedFacilities: false };

/**
 * The plans' values, used where no unit has set its own: 95 % of permanent residents with a
 * record (Quảng Ngãi's plan asks 90 % for 2025, 95 % by 2030), over 80 % of visits by VNeID /
 * personal ID, over 80 % of permanent residents integrated on VNeID, all insured facilities sending.
 */
export function defaultTarget(indicator: TargetIndicator, year: number): number {
  switch (indicator) {
    case 'withRecord':
      return year === 2025 ? 0.9 : 0.95;
    case 'identified':
    case 'integratedResidents':
      return 0.8;
    case 'integratedFacilities':
      return 1;
  }
}

export const targetRate = (k: Kpis, indicator: TargetIndicator): number | null =>
  indicator === 'withRecord'
    ? k.rates.withRecord
    : indicator === 'identified'
      ? k.rates.identified
      : indicator === 'integratedResidents'
        ? k.rates.integratedResidents
        : k.rates.integrated;

export function status(value: number | null, t: Target): TargetStatus {
  if (value === null) return 'no_data';
  // Rounded to a tenth of a percent, as shown: 94.96 % shows as 95.0 % and must not read "not met".
  const shown = Math.round(value * 1000) / 1000;
  return (t.strict ? shown > t.value : shown >= t.value) ? 'met' : 'not_met';
}

export const statuses = (k: Kpis, t: Targets): TargetStatuses =>
  Object.fromEntries(TARGET_INDICATORS.map((i) => [i, status(targetRate(k, i), t[i])])) as TargetStatuses;

/**
 * The year and half-year whose targets apply to a period: the year of its end, and the half when
 * the period lies inside one half-year (the six-monthly report); otherwise the whole year.
 */
export function targetPeriod(p: Period): { year: number; half: 0 | 1 | 2 } {
  const year = Number(p.to.slice(0, 4));
  const halfOf = (d: string) => (Number(d.slice(5, 7)) <= 6 ? 1 : 2);
  const half = p.from.slice(0, 4) === p.to.slice(0, 4) && halfOf(p.from) === halfOf(p.to) ? halfOf(p.to) : 0;
  return { year, half };
}

/**
 * Targets in force for each unit: the unit's own row, else the nearest ancestor's; a half-year row
 * beats the whole-year row of the same unit. One query for all units of a dashboard page.
 */
export async function resolveTargets(db: Db, units: string[], year: number, half: 0 | 1 | 2): Promise<Map<string, Targets>> {
  const rows = units.length === 0
    ? []
    : (
        await sql<{ code: string; indicator: TargetIndicator; value: string; unit_code: string; unit_name: string; half: number; depth: number }>`
          with recursive up as (
            select code, code as anc, 0 as depth from admin_unit where code = any(${units})
            union all
            select up.code, a.parent_code, up.depth + 1 from up join admin_unit a on a.code = up.anc where a.parent_code is not null
          )
          select up.code, t.indicator, t.value, t.unit_code, setter.name as unit_name, t.half, up.depth
            from up join report_target t on t.unit_code = up.anc
            join admin_unit setter on setter.code = t.unit_code
           where t.year = ${year} and t.half in (0, ${half})
           order by up.code, t.indicator, up.depth, t.half desc`.execute(db)
      ).rows;
  const out = new Map<string, Targets>();
  for (const code of units) {
    out.set(
      code,
      Object.fromEntries(TARGET_INDICATORS.map((i) => [i, { value: defaultTarget(i, year), strict: STRICT[i], setBy: null }])) as Targets,
    );
  }
  const seen = new Set<string>();
  for (const r of rows) {
    // Rows come nearest unit first, then the half-year before the whole year: the first one wins.
    const key = `${r.code}|${r.indicator}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const t = out.get(r.code);
    if (t) t[r.indicator] = { value: Number(r.value), strict: STRICT[r.indicator], setBy: { unitCode: r.unit_code, unitName: r.unit_name, year, half: r.half as 0 | 1 | 2 } };
  }
  return out;
}

export interface TargetEdit {
  unit: string;
  indicator: TargetIndicator;
  year: number;
  half: 0 | 1 | 2;
  /** Share 0–1; null removes the unit's own value (it inherits again). */
  value: number | null;
  by: string;
}

/** Sets or removes one target; returns the value it replaced (for the audit log). */
export async function setTarget(db: Db, e: TargetEdit): Promise<number | null> {
  return db.transaction().execute(async (tx) => {
    const old = await sql<{ value: string }>`
      select value from report_target where unit_code = ${e.unit} and indicator = ${e.indicator} and year = ${e.year} and half = ${e.half}
      for update`.execute(tx);
    if (e.value === null) {
      await sql`delete from report_target where unit_code = ${e.unit} and indicator = ${e.indicator} and year = ${e.year} and half = ${e.half}`.execute(tx);
    } else {
      await sql`
        insert into report_target (unit_code, indicator, year, half, value, updated_by, updated_at)
        values (${e.unit}, ${e.indicator}, ${e.year}, ${e.half}, ${e.value}, ${e.by}, now())
        on conflict (unit_code, indicator, year, half) do update set value = excluded.value, updated_by = excluded.updated_by, updated_at = now()`.execute(tx);
    }
    const prev = old.rows[0];
    return prev ? Number(prev.value) : null;
  });
}
