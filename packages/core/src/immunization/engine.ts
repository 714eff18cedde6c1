import { invalid } from '../errors.ts';
import { antigenMask } from './antigens.ts';
import { type Anchor, addAge, addAgeToDay, anchorOf, type CompiledAge, compileAge, formatDay, parseDay } from './dates.ts';
import { groupDuplicateItems, keptItem } from './duplicates.ts';
import { recordMask } from './products.ts';
import { CURRENT_SCHEDULE } from './schedule-vn.ts';
import type {
  DoseEvaluation,
  DoseRecord,
  NextDue,
  NotApplicableReason,
  Person,
  ScheduleEvaluation,
  ScheduleVersion,
  SeriesEvaluation,
  SeriesRule,
  UnusedDose,
} from './types.ts';

/**
 * Evaluates one person's recorded doses against a schedule version. Rules (docs/immunization.md):
 *
 * 1. Records with a bad date, dated before birth or after `asOf`, or naming no known product are
 *    set aside with a reason. Duplicates (same antigen within ±1 day) count once.
 * 2. Records of the same day are taken together: a 4-in-1 plus a Hib and a hepatitis B dose on one
 *    day cover the 5-in-1 series like one pentavalent dose.
 * 3. Each chain of series (the DTP chain: 5-in-1 primary → 18-month booster → Td at 7) takes the
 *    days in date order: a day goes to the first series of the chain that accepts its antigens, is
 *    inside its age window and still has a dose open. Chains are independent, so one 5-in-1 dose
 *    counts for the DTP chain and nowhere else, and an OPV given the same day for the OPV chain.
 * 4. A day taken for dose k is `invalid` when it is before the dose's minimum age, sooner than the
 *    minimum interval after the previous counted dose, or (dose 1) sooner than the interval after
 *    the earlier series of the chain; it does not count and dose k stays open. Otherwise `done`,
 *    flagged `late` (after recommended date + grace) or `afterMaxAge` (after the programme's age).
 * 5. The first open dose is `due` from its recommended date (never before its earliest valid date)
 *    until recommended date + grace, then `overdue`, until the maximum age, after which it is
 *    `not_applicable`; before the recommended date it is `not_yet_due`. Later doses are projected
 *    from the open dose being given at its recommended date (or today if already due).
 */

interface CompiledDose {
  readonly dose: number;
  readonly recommendedAge?: CompiledAge;
  readonly recommendedInterval?: CompiledAge;
  readonly minAge: CompiledAge;
  readonly minInterval?: CompiledAge;
  readonly maxAge?: CompiledAge;
  readonly grace: CompiledAge | null;
}

interface CompiledSeries {
  readonly rule: SeriesRule;
  readonly order: number;
  readonly accepts: readonly number[];
  readonly windowFrom?: CompiledAge;
  readonly windowBefore?: CompiledAge;
  readonly sex?: 'female';
  readonly eligibleFrom?: CompiledAge;
  readonly eligibleBefore?: CompiledAge;
  readonly pregnantOverridesAge: boolean;
  readonly afterChain?: CompiledAge;
  readonly doses: readonly CompiledDose[];
}

interface CompiledSchedule {
  readonly version: ScheduleVersion;
  readonly series: readonly CompiledSeries[];
  readonly chains: readonly (readonly CompiledSeries[])[];
}

const opt = (age: { value: { years?: number; months?: number; days?: number } } | undefined): CompiledAge | undefined =>
  age ? compileAge(age.value) : undefined;

function compileSeries(rule: SeriesRule, order: number): CompiledSeries {
  const doses = rule.doses.map(
    (d): CompiledDose => ({
      dose: d.dose,
      recommendedAge: opt(d.recommendedAge),
      recommendedInterval: opt(d.recommendedInterval),
      minAge: compileAge(d.minAge.value),
      minInterval: opt(d.minInterval),
      maxAge: opt(d.maxAge),
      grace: d.grace.value === null ? null : compileAge(d.grace.value),
    }),
  );
  return {
    rule,
    order,
    accepts: rule.accepts.map((alt) => antigenMask(alt)),
    windowFrom: opt(rule.window?.fromAge),
    windowBefore: opt(rule.window?.beforeAge),
    sex: rule.eligibility?.sex,
    eligibleFrom: opt(rule.eligibility?.minAge),
    eligibleBefore: opt(rule.eligibility?.maxAge),
    pregnantOverridesAge: rule.eligibility?.pregnantOverridesAge === true,
    afterChain: opt(rule.minIntervalAfterChain),
    doses,
  };
}

// Compiled once per schedule object: a batch of a million persons shares one compiled form.
const COMPILED = new WeakMap<ScheduleVersion, CompiledSchedule>();

export function compileSchedule(version: ScheduleVersion): CompiledSchedule {
  const cached = COMPILED.get(version);
  if (cached) return cached;
  const ids = new Set<string>();
  const series = version.series.map((rule, i) => {
    if (ids.has(rule.id)) throw new Error(`immunization: series id ${rule.id} appears twice in ${version.id}`);
    ids.add(rule.id);
    if (rule.doses.some((d, k) => d.dose !== k + 1)) throw new Error(`immunization: doses of ${rule.id} must be numbered 1..n`);
    return compileSeries(rule, i);
  });
  const byChain = new Map<string, CompiledSeries[]>();
  for (const s of series) {
    const list = byChain.get(s.rule.chain);
    if (list) list.push(s);
    else byChain.set(s.rule.chain, [s]);
  }
  const compiled = { version, series, chains: [...byChain.values()] };
  COMPILED.set(version, compiled);
  return compiled;
}

const badDate = (field: string, value: string) =>
  invalid(
    'IMMUNIZATION_BAD_DATE',
    `${field === 'asOf' ? 'Ngày đánh giá' : 'Ngày sinh'} "${value}" không hợp lệ (cần dạng yyyy-mm-dd).`,
    `${field === 'asOf' ? 'Evaluation date' : 'Birth date'} "${value}" is not a valid yyyy-mm-dd date.`,
    { field },
  );

/** Same-day records taken together. */
interface Visit {
  readonly day: number;
  mask: number;
  readonly records: number[];
  readonly masks: number[];
}

const acceptedBy = (s: CompiledSeries, mask: number): number => {
  for (const alt of s.accepts) if ((mask & alt) === alt) return alt;
  return 0;
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const max = (a: number, b: number | undefined) => (b !== undefined && b > a ? b : a);
const min = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : a < b ? a : b);

export function evaluateSchedule(
  person: Person,
  doses: readonly DoseRecord[],
  asOf: string,
  schedule: ScheduleVersion = CURRENT_SCHEDULE,
): ScheduleEvaluation {
  const compiled = compileSchedule(schedule);
  const birthDay = parseDay(person.birthDate);
  if (birthDay === undefined) throw badDate('birthDate', person.birthDate);
  const asOfDay = parseDay(asOf);
  if (asOfDay === undefined) throw badDate('asOf', asOf);
  if (asOfDay < birthDay)
    throw invalid(
      'IMMUNIZATION_AS_OF_BEFORE_BIRTH',
      `Ngày đánh giá ${asOf} trước ngày sinh ${person.birthDate}.`,
      `Evaluation date ${asOf} is before the birth date ${person.birthDate}.`,
    );
  const birth = anchorOf(birthDay);

  const unused: UnusedDose[] = [];
  const items: { index: number; day: number; mask: number }[] = [];
  for (let i = 0; i < doses.length; i++) {
    const rec = doses[i] as DoseRecord;
    const day = parseDay(rec.date);
    if (day === undefined) unused.push({ record: i, reason: 'bad_date' });
    else if (day < birthDay) unused.push({ record: i, reason: 'before_birth' });
    else if (day > asOfDay) unused.push({ record: i, reason: 'after_as_of' });
    else {
      const mask = recordMask(rec);
      if (mask === 0) unused.push({ record: i, reason: 'unrecognized_product' });
      else items.push({ index: i, day, mask });
    }
  }

  let kept = items;
  if (items.length > 1) {
    const dropped = new Set<number>();
    for (const members of groupDuplicateItems(items)) {
      const keep = keptItem(members);
      for (const m of members) {
        if (m === keep) continue;
        dropped.add(m.index);
        unused.push({ record: m.index, reason: 'duplicate', duplicateOf: keep.index });
      }
    }
    if (dropped.size > 0) kept = items.filter((it) => !dropped.has(it.index));
  }
  kept = kept.length > 1 ? [...kept].sort((a, b) => a.day - b.day || a.index - b.index) : kept;

  const visits: Visit[] = [];
  for (const it of kept) {
    const last = visits[visits.length - 1];
    if (last && last.day === it.day) {
      last.mask |= it.mask;
      last.records.push(it.index);
      last.masks.push(it.mask);
    } else visits.push({ day: it.day, mask: it.mask, records: [it.index], masks: [it.mask] });
  }

  const used = new Set<number>();
  const results: SeriesEvaluation[] = new Array(compiled.series.length);
  for (const chain of compiled.chains) {
    const taken = new Uint8Array(visits.length);
    let chainLast: number | undefined;
    let chainProjected: number | undefined;
    for (const s of chain) {
      const evaluation = evaluateSeries(s, person, birth, asOfDay, visits, taken, used, chainLast, chainProjected);
      results[s.order] = evaluation.result;
      if (evaluation.lastValid !== undefined) chainLast = evaluation.lastValid;
      const projected = evaluation.projectedLast ?? chainLast;
      chainProjected = projected === undefined ? undefined : max(projected, chainLast);
    }
  }

  for (const it of kept) if (!used.has(it.index)) unused.push({ record: it.index, reason: 'not_counted' });
  unused.sort((a, b) => a.record - b.record);

  const nextDue: NextDue[] = [];
  for (const r of results) {
    const next = r.next;
    if (!next || !r.nextDate) continue;
    if (next.status === 'due' || next.status === 'overdue' || next.status === 'not_yet_due')
      nextDue.push({ series: r.series, dose: next.dose, status: next.status, date: r.nextDate });
  }
  // Stable sort keeps schedule order among equal dates.
  nextDue.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));

  return { scheduleId: schedule.id, asOf, series: results, nextDue, unused };
}

function evaluateSeries(
  s: CompiledSeries,
  person: Person,
  birth: Anchor,
  asOfDay: number,
  visits: readonly Visit[],
  taken: Uint8Array,
  used: Set<number>,
  chainBefore: number | undefined,
  /** chainBefore, or later when the earlier series still has doses to give (projected dates). */
  chainProjected: number | undefined,
): { result: SeriesEvaluation; lastValid: number | undefined; projectedLast: number | undefined } {
  const rule = s.rule;
  const entries: DoseEvaluation[] = [];
  const windowFrom = s.windowFrom ? addAge(birth, s.windowFrom) : undefined;
  const windowBefore = s.windowBefore ? addAge(birth, s.windowBefore) : undefined;
  let k = 0;
  let prev: number | undefined;

  for (let vi = 0; vi < visits.length && k < s.doses.length; vi++) {
    if (taken[vi]) continue;
    const v = visits[vi] as Visit;
    const alt = acceptedBy(s, v.mask);
    if (alt === 0) continue;
    if (windowFrom !== undefined && v.day < windowFrom) continue;
    if (windowBefore !== undefined && v.day >= windowBefore) continue;
    taken[vi] = 1;
    let record = -1;
    for (let r = 0; r < v.records.length; r++) {
      if (((v.masks[r] as number) & alt) === 0) continue;
      used.add(v.records[r] as number);
      if (record < 0) record = v.records[r] as number;
    }

    const d = s.doses[k] as CompiledDose;
    const minAgeDay = addAge(birth, d.minAge);
    const intervalDay = prev !== undefined && d.minInterval ? addAgeToDay(prev, d.minInterval) : undefined;
    const chainDay = k === 0 && s.afterChain && chainBefore !== undefined ? addAgeToDay(chainBefore, s.afterChain) : undefined;
    const validFrom = max(max(minAgeDay, intervalDay), chainDay);
    const date = formatDay(v.day);
    if (v.day < validFrom) {
      const failed = v.day < minAgeDay ? 'min_age' : intervalDay !== undefined && v.day < intervalDay ? 'min_interval' : 'min_interval_after_chain';
      entries.push({ series: rule.id, dose: d.dose, status: 'invalid', date, record, rule: failed, validFrom: formatDay(validFrom) });
      continue;
    }
    let recommended = d.recommendedAge ? addAge(birth, d.recommendedAge) : validFrom;
    if (prev !== undefined && d.recommendedInterval) recommended = max(recommended, addAgeToDay(prev, d.recommendedInterval));
    const late = d.grace !== null && v.day > addAgeToDay(recommended, d.grace);
    const afterMaxAge = d.maxAge !== undefined && v.day >= addAge(birth, d.maxAge);
    const done: Mutable<DoseEvaluation> = { series: rule.id, dose: d.dose, status: 'done', date, record };
    if (late) done.late = true;
    if (afterMaxAge) done.afterMaxAge = true;
    entries.push(done);
    prev = v.day;
    k++;
  }
  const lastValid = prev;

  // Who the series is for, on the evaluation date.
  let closed: NotApplicableReason | undefined;
  if (s.sex && person.sex !== s.sex) closed = 'sex';
  const ageFree = s.pregnantOverridesAge && person.pregnant === true;
  const eligibleFrom = s.eligibleFrom && !ageFree ? addAge(birth, s.eligibleFrom) : undefined;
  const eligibleBefore = s.eligibleBefore && !ageFree ? addAge(birth, s.eligibleBefore) : undefined;
  if (!closed && eligibleBefore !== undefined && asOfDay >= eligibleBefore) closed = 'age_not_eligible';

  let next: DoseEvaluation | undefined;
  let nextDate: string | undefined;
  let projectedPrev = prev;
  for (let j = k; j < s.doses.length; j++) {
    const d = s.doses[j] as CompiledDose;
    let earliest = max(max(addAge(birth, d.minAge), eligibleFrom), windowFrom);
    if (projectedPrev !== undefined && d.minInterval) earliest = max(earliest, addAgeToDay(projectedPrev, d.minInterval));
    const chainRef = chainProjected ?? chainBefore;
    if (j === 0 && s.afterChain && chainRef !== undefined) earliest = max(earliest, addAgeToDay(chainRef, s.afterChain));
    let recommended = d.recommendedAge ? addAge(birth, d.recommendedAge) : earliest;
    if (projectedPrev !== undefined && d.recommendedInterval) recommended = max(recommended, addAgeToDay(projectedPrev, d.recommendedInterval));
    recommended = max(recommended, earliest);
    const maxAgeDay = d.maxAge ? addAge(birth, d.maxAge) : undefined;
    const latest = min(min(maxAgeDay, windowBefore), eligibleBefore);

    // Built in place (no spreads): a batch creates millions of these.
    const entry: Mutable<DoseEvaluation> = { series: rule.id, dose: d.dose, status: 'not_applicable' };
    if (closed) {
      entry.reason = closed;
    } else if (latest !== undefined && asOfDay >= latest) {
      // The birth-dose window and its maximum age coincide: the window names the reason.
      closed = latest === windowBefore ? 'window_passed' : latest === eligibleBefore && latest !== maxAgeDay ? 'age_not_eligible' : 'max_age_passed';
      entry.reason = closed;
      entry.lastDate = formatDay(latest - 1);
    } else if (latest !== undefined && earliest >= latest) {
      closed = 'cannot_complete_before_max_age';
      entry.reason = closed;
      entry.earliestDate = formatDay(earliest);
      entry.lastDate = formatDay(latest - 1);
    } else {
      const overdueFrom = j === k && d.grace !== null ? addAgeToDay(recommended, d.grace) + 1 : undefined;
      if (j > k) entry.status = 'not_yet_due';
      else if (asOfDay < recommended) entry.status = 'not_yet_due';
      else if (overdueFrom === undefined || asOfDay < overdueFrom) entry.status = 'due';
      else entry.status = 'overdue';
      entry.earliestDate = formatDay(earliest);
      entry.recommendedDate = formatDay(recommended);
      if (overdueFrom !== undefined && (latest === undefined || overdueFrom < latest)) entry.overdueFrom = formatDay(overdueFrom);
      if (latest !== undefined) entry.lastDate = formatDay(latest - 1);
      if (entry.status === 'not_yet_due') entry.canGiveNow = j === k && asOfDay >= earliest;
      projectedPrev = max(asOfDay, recommended);
    }
    if (j === k) {
      next = entry;
      if (entry.status === 'due' || entry.status === 'overdue') nextDate = formatDay(asOfDay);
      else if (entry.status === 'not_yet_due') nextDate = entry.recommendedDate;
    }
    entries.push(entry);
  }

  const status = k === s.doses.length ? 'complete' : (next?.status as SeriesEvaluation['status']);
  const result: SeriesEvaluation = {
    series: rule.id,
    name_vi: rule.name_vi,
    name_en: rule.name_en,
    status,
    doses: entries,
    ...(next ? { next } : {}),
    ...(nextDate ? { nextDate } : {}),
  };
  // Open doses that can still be given push the next series of the chain back.
  return { result, lastValid, projectedLast: closed ? lastValid : projectedPrev };
}
