import type { Db } from '../db/index.ts';
import { communeFigures, type RegisterFigures, totalFigures } from '../primary-care/index.ts';
import { unitDescendants } from '../staff/index.ts';
import type { UnitRef } from './kpis.ts';

export interface ChronicCareFigures {
  unit: string;
  residents: number;
  /** Residents with a station's 831 entry, and those whose 831 record is complete ("đủ"). */
  with_831: number;
  complete_831: number;
  hypertension: RegisterFigures;
  diabetes: RegisterFigures;
}

/**
 * Hypertension and diabetes control rates (and 831 completeness) of each unit, summed over its
 * communes from the primary-care registers. Live figures as of `on` (the registers hold each
 * patient's last visit, not a history), whatever the report period.
 */
export async function chronicCare(db: Db, units: readonly UnitRef[], on: string): Promise<{ as_of: string; units: ChronicCareFigures[] }> {
  const communesOf = new Map<string, string[]>();
  for (const u of units) {
    const below = await unitDescendants(db, u.code);
    const communes = await db.selectFrom('admin_unit').select('code').where('code', 'in', below).where('level', '=', 'commune').execute();
    communesOf.set(u.code, communes.map((c) => c.code));
  }
  const figures = new Map((await communeFigures(db, [...new Set([...communesOf.values()].flat())], on)).map((f) => [f.commune, f]));
  return {
    as_of: on,
    units: units.map((u) => {
      const t = totalFigures((communesOf.get(u.code) ?? []).flatMap((c) => figures.get(c) ?? []));
      return { unit: u.code, residents: t.residents, with_831: t.with_record, complete_831: t.complete, hypertension: t.registers.hypertension, diabetes: t.registers.diabetes };
    }),
  };
}
