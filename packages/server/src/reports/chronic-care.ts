import type { ChronicCare } from '@openhssk/core/api';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { communeFigures, totalFigures } from '../primary-care/index.ts';
import type { UnitRef } from './kpis.ts';

/**
 * Hypertension and diabetes control rates (and 831 completeness) of each unit, summed over its
 * communes from the primary-care registers; residents are the KPI block's (population list, as of the
 * last refresh). Live figures as of `on` (the registers hold each
 * patient's last visit, not a history), whatever the report period.
 */
export async function chronicCare(db: Db, units: readonly UnitRef[], on: string): Promise<ChronicCare> {
  // One recursive look-up for every unit on the page: per unit it cost a handful of round trips,
  // 150 communes × ~5 queries dominated the province dashboard (bench/reports, issue 19 re-run).
  const rows = await sql<{ root: string; code: string }>`
    with recursive tree as (
      select code as root, code, level from admin_unit where code = any(${units.map((u) => u.code)})
      union all
      select t.root, a.code, a.level from admin_unit a join tree t on a.parent_code = t.code
    )
    select root, code from tree where level = 'commune' order by root, code`.execute(db);
  const communesOf = new Map<string, string[]>(units.map((u) => [u.code, []]));
  for (const r of rows.rows) communesOf.get(r.root)?.push(r.code);
  const communes = [...new Set([...communesOf.values()].flat())];
  // Residents as the KPI block counts them (the population list, kept per commune by the refresher):
  // counting `person` per commune here scanned the whole population of a province or the country.
  const residents = await sql<{ ma_xa: string; n: number }>`
    select ma_xa, sum(persons)::int as n from report_person_agg where ma_xa = any(${communes}::text[]) group by ma_xa`.execute(db);
  const counts = new Map(residents.rows.map((r) => [r.ma_xa, Number(r.n)]));
  const figures = new Map((await communeFigures(db, communes, on, counts)).map((f) => [f.commune, f]));
  return {
    as_of: on,
    units: units.map((u) => {
      const t = totalFigures((communesOf.get(u.code) ?? []).flatMap((c) => figures.get(c) ?? []));
      return { unit: u.code, residents: t.residents, with_831: t.with_record, complete_831: t.complete, hypertension: t.registers.hypertension, diabetes: t.registers.diabetes };
    }),
  };
}
