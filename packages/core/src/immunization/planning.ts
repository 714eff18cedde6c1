import { invalid } from '../errors.ts';
import { type Antigen, antigenMask, antigensOfMask } from './antigens.ts';
import { formatDay, monthRange } from './dates.ts';
import { CURRENT_SCHEDULE } from './schedule-vn.ts';
import { type Sourced, sourced } from './sources.ts';
import type { ScheduleEvaluation, ScheduleVersion, SeriesRule } from './types.ts';

/**
 * Monthly planning from many persons' evaluations: how many doses are due or overdue per series
 * and antigen, and how much vaccine to order per product once multi-dose vials waste some.
 *
 * Evaluate each person as of the FIRST day of the month: a dose counts as due when it is due or
 * overdue then, or becomes due (its recommended date falls) within the month. Only each series'
 * next dose is counted (JE dose 2 a week after dose 1 in the same month is left to next month).
 */

/** How a programme product is supplied. All values UNVERIFIED (docs/immunization.md). */
export interface Presentation {
  readonly dosesPerVial: Sourced<number>;
  /** Share of doses lost (0..1): the wastage factor is 1 / (1 − rate). */
  readonly wastageRate: Sourced<number>;
}

const vial = (n: number) => sourced(n, 'project', false, 'Vial size of the programme product not verified.');
const rate = (r: number, what: string) => sourced(r, 'who_wastage', false, `WHO indicative maximum for ${what}.`);

export const PRESENTATIONS: Readonly<Record<string, Presentation>> = {
  VGB: { dosesPerVial: vial(1), wastageRate: rate(0.05, 'single-dose vials') },
  BCG: { dosesPerVial: vial(20), wastageRate: rate(0.5, 'lyophilised 10-20 dose vials') },
  'DPT-VGB-Hib': { dosesPerVial: vial(1), wastageRate: rate(0.05, 'single-dose vials') },
  bOPV: { dosesPerVial: vial(20), wastageRate: rate(0.25, 'liquid 10-20 dose vials') },
  IPV: { dosesPerVial: vial(5), wastageRate: rate(0.1, 'liquid 2-6 dose vials') },
  Measles: { dosesPerVial: vial(10), wastageRate: rate(0.5, 'lyophilised 10-20 dose vials') },
  MR: { dosesPerVial: vial(10), wastageRate: rate(0.5, 'lyophilised 10-20 dose vials') },
  DPT: { dosesPerVial: vial(10), wastageRate: rate(0.25, 'liquid 10-20 dose vials') },
  Td: { dosesPerVial: vial(10), wastageRate: rate(0.25, 'liquid 10-20 dose vials') },
  TT: { dosesPerVial: vial(10), wastageRate: rate(0.25, 'liquid 10-20 dose vials') },
  JE: { dosesPerVial: vial(1), wastageRate: rate(0.05, 'single-dose vials') },
};

export const wastageFactor = (wastageRate: number): number => 1 / (1 - wastageRate);

export interface SeriesCount {
  readonly series: string;
  readonly dose: number;
  readonly due: number;
  readonly overdue: number;
}

export interface ProductNeed {
  readonly product: string;
  /** Doses to give (due + overdue). */
  readonly doses: number;
  readonly wastageFactor: number;
  /** Doses to supply: doses × wastage factor, rounded up. */
  readonly supplyDoses: number;
  readonly dosesPerVial: number;
  readonly vials: number;
  /** False while any presentation value behind it is UNVERIFIED. */
  readonly verified: boolean;
}

export interface MonthPlan {
  readonly month: string;
  readonly scheduleId: string;
  readonly persons: number;
  readonly bySeries: readonly SeriesCount[];
  readonly byAntigen: Readonly<Partial<Record<Antigen, { due: number; overdue: number }>>>;
  readonly byProduct: readonly ProductNeed[];
}

export interface MonthPlanner {
  add(evaluation: ScheduleEvaluation): void;
  result(): MonthPlan;
}

/** Accumulates evaluations batch by batch, so a province never holds all of them at once. */
export function monthPlanner(
  month: string,
  options: { schedule?: ScheduleVersion; presentations?: Readonly<Record<string, Presentation>> } = {},
): MonthPlanner {
  const range = monthRange(month);
  if (!range)
    throw invalid('IMMUNIZATION_BAD_MONTH', `Tháng "${month}" không hợp lệ (cần dạng yyyy-mm).`, `Month "${month}" is not a valid yyyy-mm month.`);
  const schedule = options.schedule ?? CURRENT_SCHEDULE;
  const presentations = options.presentations ?? PRESENTATIONS;
  const lastDay = formatDay(range.last);
  const seriesById = new Map<string, SeriesRule>(schedule.series.map((s) => [s.id, s]));
  const counts = new Map<string, { series: string; dose: number; due: number; overdue: number }>();
  let persons = 0;

  return {
    add(e) {
      if (e.scheduleId !== schedule.id)
        throw invalid(
          'IMMUNIZATION_SCHEDULE_MISMATCH',
          `Kết quả đánh giá theo lịch ${e.scheduleId}, không phải ${schedule.id}.`,
          `The evaluation used schedule ${e.scheduleId}, not ${schedule.id}.`,
        );
      if (e.asOf > lastDay)
        throw invalid(
          'IMMUNIZATION_PLAN_AS_OF_AFTER_MONTH',
          `Ngày đánh giá ${e.asOf} sau tháng kế hoạch ${month}.`,
          `Evaluation date ${e.asOf} is after the planned month ${month}.`,
        );
      persons++;
      for (const s of e.series) {
        const next = s.next;
        if (!next) continue;
        const overdue = next.status === 'overdue';
        const due =
          next.status === 'due' || (next.status === 'not_yet_due' && next.recommendedDate !== undefined && next.recommendedDate <= lastDay);
        if (!overdue && !due) continue;
        const key = `${s.series}#${next.dose}`;
        let c = counts.get(key);
        if (!c) {
          c = { series: s.series, dose: next.dose, due: 0, overdue: 0 };
          counts.set(key, c);
        }
        if (overdue) c.overdue++;
        else c.due++;
      }
    },
    result() {
      const order = new Map(schedule.series.map((s, i) => [s.id, i]));
      const bySeries = [...counts.values()].sort((a, b) => (order.get(a.series) ?? 0) - (order.get(b.series) ?? 0) || a.dose - b.dose);
      const byAntigen: Partial<Record<Antigen, { due: number; overdue: number }>> = {};
      const perProduct = new Map<string, number>();
      for (const c of bySeries) {
        const rule = seriesById.get(c.series);
        if (!rule) continue;
        for (const a of antigensOfMask(antigenMask(rule.accepts[0] ?? []))) {
          const t = byAntigen[a] ?? { due: 0, overdue: 0 };
          t.due += c.due;
          t.overdue += c.overdue;
          byAntigen[a] = t;
        }
        perProduct.set(rule.programmeProduct, (perProduct.get(rule.programmeProduct) ?? 0) + c.due + c.overdue);
      }
      const byProduct: ProductNeed[] = [];
      for (const [product, doses] of perProduct) {
        const p = presentations[product];
        const wf = p ? wastageFactor(p.wastageRate.value) : 1;
        const perVial = p ? p.dosesPerVial.value : 1;
        // Tolerance for float error: 100 doses × 1.25 must not round up to 126.
        const supplyDoses = Math.ceil(doses * wf - 1e-9);
        byProduct.push({
          product,
          doses,
          wastageFactor: wf,
          supplyDoses,
          dosesPerVial: perVial,
          vials: Math.ceil(supplyDoses / perVial),
          verified: p ? p.dosesPerVial.verified && p.wastageRate.verified : false,
        });
      }
      return { month, scheduleId: schedule.id, persons, bySeries, byAntigen, byProduct };
    },
  };
}

/** The plan of a month from evaluations already in hand. */
export function planMonth(
  evaluations: Iterable<ScheduleEvaluation>,
  month: string,
  options: { schedule?: ScheduleVersion; presentations?: Readonly<Record<string, Presentation>> } = {},
): MonthPlan {
  const planner = monthPlanner(month, options);
  for (const e of evaluations) planner.add(e);
  return planner.result();
}
