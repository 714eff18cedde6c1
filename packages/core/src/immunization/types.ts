import type { Antigen } from './antigens.ts';
import type { Age } from './dates.ts';
import type { Sourced } from './sources.ts';

/** One dose of a series: when the programme gives it and when a recorded dose counts. */
export interface DoseRule {
  readonly dose: number;
  /** Age the programme gives it at (the recommended date is the later of this and recommendedInterval). */
  readonly recommendedAge?: Sourced<Age>;
  /** Interval after the previous counted dose of the series at which the programme gives it. */
  readonly recommendedInterval?: Sourced<Age>;
  /** A dose before this age does not count (status `invalid`, rule `min_age`). */
  readonly minAge: Sourced<Age>;
  /** A dose sooner than this after the previous counted dose does not count (rule `min_interval`). */
  readonly minInterval?: Sourced<Age>;
  /** Exclusive: the programme gives the dose only before the person reaches this age (no catch-up after). */
  readonly maxAge?: Sourced<Age>;
  /** A due dose becomes overdue this long after its recommended date; null: never overdue. */
  readonly grace: Sourced<Age | null>;
}

/** Who a series is for (a person outside it gets `not_applicable`). */
export interface Eligibility {
  readonly sex?: 'female';
  readonly minAge?: Sourced<Age>;
  /** Exclusive upper age. */
  readonly maxAge?: Sourced<Age>;
  /** A pregnant person is eligible whatever her age. */
  readonly pregnantOverridesAge?: boolean;
}

export interface SeriesRule {
  readonly id: string;
  readonly name_vi: string;
  readonly name_en: string;
  /**
   * Series sharing a chain take doses in order: a dose goes to the first series of the chain that
   * accepts it and still has a dose open (the DTP chain: 5-in-1 primary → 18-month booster → Td at 7).
   */
  readonly chain: string;
  /** Alternatives: a dose (or the doses of one day together) counts when it covers every antigen of one. */
  readonly accepts: readonly (readonly Antigen[])[];
  /** Doses given outside this age window are not this series' doses at all (the hepatitis B birth dose). */
  readonly window?: { readonly beforeAge?: Sourced<Age>; readonly fromAge?: Sourced<Age> };
  readonly eligibility?: Eligibility;
  /** For dose 1: minimum interval after the last counted dose of the earlier series of the chain. */
  readonly minIntervalAfterChain?: Sourced<Age>;
  /** What the programme uses for this series (planning counts vaccine needs by it). */
  readonly programmeProduct: string;
  readonly doses: readonly DoseRule[];
}

export interface ScheduleVersion {
  readonly id: string;
  /** First day this version applies ('yyyy-mm-dd'). */
  readonly validFrom: Sourced<string>;
  readonly title_vi: string;
  readonly title_en: string;
  readonly series: readonly SeriesRule[];
}

export type Sex = 'male' | 'female' | 'unknown';

export interface Person {
  readonly birthDate: string;
  readonly sex: Sex;
  /** Pregnant on the evaluation date (tetanus for women). */
  readonly pregnant?: boolean;
}

/** A dose as recorded by some source. Antigens are taken as given, or from the product name/code. */
export interface DoseRecord {
  readonly date: string;
  readonly product?: string;
  readonly code?: string;
  readonly antigens?: readonly Antigen[];
  readonly personId?: string;
  readonly id?: string;
}

export type DoseStatus = 'done' | 'due' | 'overdue' | 'not_yet_due' | 'invalid' | 'not_applicable';

export type InvalidRule = 'min_age' | 'min_interval' | 'min_interval_after_chain';

export type NotApplicableReason =
  | 'sex'
  | 'age_not_eligible'
  | 'max_age_passed'
  | 'window_passed'
  /** The dose could not be given before the maximum age even on its earliest date. */
  | 'cannot_complete_before_max_age';

export interface DoseEvaluation {
  readonly series: string;
  readonly dose: number;
  readonly status: DoseStatus;
  /** done / invalid: the date the dose was given and which input record (index) it was. */
  readonly date?: string;
  readonly record?: number;
  /** done: given after recommended date + grace. */
  readonly late?: boolean;
  /** done: given after the programme's maximum age (still counted: it protects). */
  readonly afterMaxAge?: boolean;
  /** invalid: the rule that failed and the first date the dose would have counted. */
  readonly rule?: InvalidRule;
  readonly validFrom?: string;
  /** open doses: earliest valid date, recommended date, first overdue date, last date the programme gives it. */
  readonly earliestDate?: string;
  readonly recommendedDate?: string;
  readonly overdueFrom?: string;
  readonly lastDate?: string;
  /** not_yet_due: whether a catch-up session could already give it validly. */
  readonly canGiveNow?: boolean;
  readonly reason?: NotApplicableReason;
}

export interface SeriesEvaluation {
  readonly series: string;
  readonly name_vi: string;
  readonly name_en: string;
  /** complete, or the status of the next open dose. */
  readonly status: 'complete' | 'due' | 'overdue' | 'not_yet_due' | 'not_applicable';
  /** Every dose slot in order; invalid attempts appear before the slot's current state. */
  readonly doses: readonly DoseEvaluation[];
  /** The next open dose, if any. */
  readonly next?: DoseEvaluation;
  /** When to give the next dose: today for due/overdue, the recommended date for not_yet_due. */
  readonly nextDate?: string;
}

export type UnusedReason =
  | 'bad_date'
  | 'before_birth'
  | 'after_as_of'
  | 'unrecognized_product'
  | 'duplicate'
  /** Matched no open dose of any series (extra dose, outside a window, not in the schedule). */
  | 'not_counted';

export interface UnusedDose {
  readonly record: number;
  readonly reason: UnusedReason;
  /** duplicate: the record the group kept. */
  readonly duplicateOf?: number;
}

export interface NextDue {
  readonly series: string;
  readonly dose: number;
  readonly status: 'due' | 'overdue' | 'not_yet_due';
  readonly date: string;
}

export interface ScheduleEvaluation {
  readonly scheduleId: string;
  readonly asOf: string;
  readonly series: readonly SeriesEvaluation[];
  /** Open doses of every series, soonest first (overdue and due dated today). */
  readonly nextDue: readonly NextDue[];
  readonly unused: readonly UnusedDose[];
}
