import { completeness, personFacts, REGISTERS, type RegisterKey } from '@openhssk/core/primary-care';
import type { RegisterFigures } from '@openhssk/core/api';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { pcDb } from './tables.ts';


export interface CommuneFigures {
  commune: string;
  /** Persons whose golden record places them in the commune. */
  residents: number;
  /** Residents with at least one 831 entry by a station. */
  with_record: number;
  /** Residents whose 831 record is complete ("đủ") for their age and sex on the day. */
  complete: number;
  registers: Record<RegisterKey, RegisterFigures>;
}

const emptyRegister = (): RegisterFigures => ({ active: 0, proposed: 0, due: 0, overdue: 0, cohort: 0, controlled: 0, control_rate: null });

/**
 * Aggregates per commune on `onDate` (as things stand now: registers hold the last visit, not a
 * history): 831 completeness counts and, per register, the lists' sizes and the control rate
 * (controlled at a last visit within the window / enrolled for at least the cohort period, the WHO
 * HEARTS form of the indicator). No personal data leaves this function.
 */
export async function communeFigures(
  db: Db,
  communes: readonly string[],
  onDate: string,
  /** Resident counts per commune the caller already holds (the reports' summaries); counted from `person` when absent. */
  residentCounts?: ReadonlyMap<string, number>,
): Promise<CommuneFigures[]> {
  if (communes.length === 0) return [];
  const out = new Map<string, CommuneFigures>(
    communes.map((c) => [c, { commune: c, residents: 0, with_record: 0, complete: 0, registers: Object.fromEntries(REGISTERS.map((r) => [r.key, emptyRegister()])) as Record<RegisterKey, RegisterFigures> }]),
  );
  const list = [...communes];
  if (residentCounts) {
    for (const c of list) out.get(c)!.residents = residentCounts.get(c) ?? 0;
  } else {
    const residents = await db
      .selectFrom('person')
      .select(['ma_xa', (eb) => eb.fn.countAll<number>().as('n')])
      .where('ma_xa', 'in', list)
      .groupBy('ma_xa')
      .execute();
    for (const r of residents) out.get(r.ma_xa!)!.residents = Number(r.n);
  }
  const records = await pcDb(db)
    .selectFrom('pc_person_summary as s')
    .innerJoin('person as p', 'p.id', 's.person_id')
    .select(['p.ma_xa', 'p.ngay_sinh', 'p.birth_year', 'p.gioi_tinh', 's.filled_sections'])
    .where('p.ma_xa', 'in', list)
    .execute();
  for (const r of records) {
    const c = out.get(r.ma_xa!)!;
    c.with_record++;
    if (completeness(personFacts(r.ngay_sinh, r.birth_year, r.gioi_tinh, onDate), r.filled_sections).complete) c.complete++;
  }
  const defs = JSON.stringify(REGISTERS.map((r) => ({ register: r.key, grace: r.overdueGraceDays, win: r.controlWindowDays, cohort: r.cohortMinDays })));
  const figures = await sql<{ ma_xa: string; register: RegisterKey; active: number; proposed: number; due: number; overdue: number; cohort: number; controlled: number }>`
    select p.ma_xa, e.register,
           count(*) filter (where e.status = 'active')::int as active,
           count(*) filter (where e.status = 'proposed')::int as proposed,
           count(*) filter (where e.status = 'active' and e.next_due <= ${onDate}::date)::int as due,
           count(*) filter (where e.status = 'active' and e.next_due < ${onDate}::date - d.grace)::int as overdue,
           count(*) filter (where e.status = 'active' and e.enrolled_on <= ${onDate}::date - d.cohort)::int as cohort,
           count(*) filter (where e.status = 'active' and e.enrolled_on <= ${onDate}::date - d.cohort
                              and e.last_visit_date >= ${onDate}::date - d.win and e.last_control = 'controlled')::int as controlled
      from pc_enrolment e
      join person p on p.id = e.person_id
      join jsonb_to_recordset(${defs}::jsonb) as d(register text, grace int, win int, cohort int) on d.register = e.register
     where p.ma_xa = any(${list}::text[]) and e.status in ('active', 'proposed')
     group by p.ma_xa, e.register`.execute(db);
  for (const f of figures.rows) {
    const reg = out.get(f.ma_xa)?.registers[f.register];
    if (!reg) continue;
    Object.assign(reg, {
      active: Number(f.active),
      proposed: Number(f.proposed),
      due: Number(f.due),
      overdue: Number(f.overdue),
      cohort: Number(f.cohort),
      controlled: Number(f.controlled),
      control_rate: Number(f.cohort) > 0 ? Number(f.controlled) / Number(f.cohort) : null,
    });
  }
  return list.map((c) => out.get(c)!);
}

/** Sums of several communes (a district, a province): counts add up, the rate is recomputed. */
export function totalFigures(rows: readonly CommuneFigures[]): Omit<CommuneFigures, 'commune'> {
  const t = { residents: 0, with_record: 0, complete: 0, registers: Object.fromEntries(REGISTERS.map((r) => [r.key, emptyRegister()])) as Record<RegisterKey, RegisterFigures> };
  for (const r of rows) {
    t.residents += r.residents;
    t.with_record += r.with_record;
    t.complete += r.complete;
    for (const def of REGISTERS) {
      const a = t.registers[def.key];
      const b = r.registers[def.key];
      for (const k of ['active', 'proposed', 'due', 'overdue', 'cohort', 'controlled'] as const) a[k] += b[k];
    }
  }
  for (const def of REGISTERS) {
    const a = t.registers[def.key];
    a.control_rate = a.cohort > 0 ? a.controlled / a.cohort : null;
  }
  return t;
}
