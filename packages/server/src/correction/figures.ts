import { vietnamToday } from '@openhssk/core';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

export interface CorrectionFigures {
  /** Requests not yet answered (mới or đang xử lý), whenever made. */
  open: number;
  /** Open requests past their due date (10 working days). */
  overdue: number;
  /** Requests made in the period. */
  received: number;
  /** Requests resolved / refused in the period. */
  resolved: number;
  rejected: number;
}

export const NO_CORRECTIONS: CorrectionFigures = { open: 0, overdue: 0, received: 0, resolved: 0, rejected: 0 };

/**
 * Figures per unit, each over itself and every unit below it (a request counts in the person's
 * commune, or the sending facility's unit when the person has none). Requests about a sensitive
 * visit are left out: the department's figures must not hint that one exists.
 */
export async function correctionFigures(db: Db, roots: readonly string[], period: { from: string; to: string }, today = vietnamToday()): Promise<Map<string, CorrectionFigures>> {
  const out = new Map<string, CorrectionFigures>(roots.map((c) => [c, { ...NO_CORRECTIONS }]));
  if (roots.length === 0) return out;
  const r = await sql<{ root: string; open: number; overdue: number; received: number; resolved: number; rejected: number }>`
    with recursive tree as (
      select code as root, code from admin_unit where code = any(${[...roots]}::text[])
      union all
      select t.root, a.code from admin_unit a join tree t on a.parent_code = t.code
    )
    select t.root,
           count(*) filter (where c.status in ('new', 'in_progress'))::int as open,
           count(*) filter (where c.status in ('new', 'in_progress') and c.due_on < ${today}::date)::int as overdue,
           count(*) filter (where vn_day(c.created_at) between ${period.from}::date and ${period.to}::date)::int as received,
           count(*) filter (where c.status = 'resolved' and vn_day(c.closed_at) between ${period.from}::date and ${period.to}::date)::int as resolved,
           count(*) filter (where c.status = 'rejected' and vn_day(c.closed_at) between ${period.from}::date and ${period.to}::date)::int as rejected
      from tree t join correction_request c on c.unit_code = t.code
     where not c.sensitive
     group by t.root`.execute(db);
  for (const row of r.rows) {
    out.set(row.root, { open: Number(row.open), overdue: Number(row.overdue), received: Number(row.received), resolved: Number(row.resolved), rejected: Number(row.rejected) });
  }
  return out;
}
