import { type Antigen, antigenMask } from './antigens.ts';
import { addMonthsClamped, formatDay, parseDay } from './dates.ts';
import { evaluateSchedule } from './engine.ts';
import { matchProduct } from './products.ts';
import { scheduleInForce } from './schedule-vn.ts';
import type { DoseRecord, Sex } from './types.ts';

/**
 * Coverage indicators of one child (issue 16 item 7), read from the schedule engine so a dose counts
 * for coverage exactly when it counts for the child's schedule (valid age and interval):
 *
 * - `hepbBirth24h`: a hepatitis B-containing dose on the birth date or the next day (records carry
 *   no time: "within 24 hours" read on a date scale, as docs/immunization.md says).
 * - `fullyImmunizedU1`: before the first birthday, BCG, DPT-VGB-Hib doses 1–3, OPV doses 1–3, IPV
 *   dose 1 and measles dose 1 all done (project definition, UNVERIFIED against the programme's
 *   "tiêm chủng đầy đủ" indicator text); null while the child is under 1 year.
 * - `mrBy24m`: the MR series done before the second birthday; null while under 2 years.
 */
export interface ChildCoverage {
  readonly hepbBirth24h: boolean;
  readonly fullyImmunizedU1: boolean | null;
  readonly mrBy24m: boolean | null;
}

/** Series (and how many of their doses) the fully-immunized-under-1 indicator requires. */
export const FULLY_IMMUNIZED_U1: Readonly<Record<string, number>> = { bcg: 1, dpt_vgb_hib: 3, opv: 3, ipv: 1, measles: 1 };

const HEPB = antigenMask(['hepb'] as Antigen[]);

function birthday(birth: number, years: number): number {
  const d = formatDay(birth);
  return addMonthsClamped(Number(d.slice(0, 4)), Number(d.slice(5, 7)), Number(d.slice(8, 10)), years * 12);
}

const antigensOf = (d: DoseRecord): readonly Antigen[] => d.antigens ?? matchProduct(d.code ?? d.product ?? '')?.antigens ?? [];

/** The child's indicators as of `asOf` (doses after asOf are not seen). Undefined for a bad birth date. */
export function childCoverage(birthDate: string, sex: Sex, doses: readonly DoseRecord[], asOf: string): ChildCoverage | undefined {
  const birth = parseDay(birthDate);
  const today = parseDay(asOf);
  if (birth === undefined || today === undefined || today < birth) return undefined;
  const seen = doses.filter((d) => d.date <= asOf);
  const hepbBirth24h = seen.some((d) => {
    const day = parseDay(d.date);
    return day !== undefined && day >= birth && day <= birth + 1 && (antigenMask(antigensOf(d)) & HEPB) !== 0;
  });
  const evaluatedAt = (day: number) => evaluateSchedule({ birthDate, sex }, seen, formatDay(day), scheduleInForce(formatDay(day)));
  const doneIn = (e: ReturnType<typeof evaluatedAt>, series: string) => e.series.find((x) => x.series === series)?.doses.filter((d) => d.status === 'done').length ?? 0;
  const one = birthday(birth, 1);
  const two = birthday(birth, 2);
  let fullyImmunizedU1: boolean | null = null;
  if (today >= one) {
    const e = evaluatedAt(one - 1);
    fullyImmunizedU1 = Object.entries(FULLY_IMMUNIZED_U1).every(([series, count]) => doneIn(e, series) >= count);
  }
  const mrBy24m = today >= two ? doneIn(evaluatedAt(two - 1), 'mr') >= 1 : null;
  return { hepbBirth24h, fullyImmunizedU1, mrBy24m };
}
