import { vietnamToday } from '@openhssk/core';
import {
  ANTIGEN_LABELS, ANTIGENS, type Antigen, describeDose, evaluateSchedule, findDuplicateDoses, type NextDue, parseDay, productById, type ScheduleEvaluation,type Sex,
  scheduleInForce, 
} from '@openhssk/core/immunization';
import type { Db } from '../db/index.ts';
import { type DoseRow, doseRecord, dosesOf, type EngineDose } from './store.ts';

/** What the engine needs of a person (golden record). */
export interface SubjectPerson {
  id: string;
  ho_ten: string;
  ngay_sinh: string | null;
  gioi_tinh: number | null;
}

export const sexOf = (gioiTinh: number | null): Sex => (gioiTinh === 1 ? 'male' : gioiTinh === 2 ? 'female' : 'unknown');

/** A full birth date, or undefined: the schedule cannot be computed from a year alone. */
export const fullBirthDate = (ngaySinh: string | null): string | undefined => (ngaySinh && parseDay(ngaySinh) !== undefined ? ngaySinh : undefined);

/**
 * The schedule evaluation of one person's doses on a date (core engine, the schedule version in
 * force then). Undefined when the birth date is not known to the day.
 */
export function evaluatePerson(person: Pick<SubjectPerson, 'ngay_sinh' | 'gioi_tinh'>, doses: readonly EngineDose[], asOf: string): ScheduleEvaluation | undefined {
  const birthDate = fullBirthDate(person.ngay_sinh);
  if (!birthDate || asOf < birthDate) return undefined;
  return evaluateSchedule({ birthDate, sex: sexOf(person.gioi_tinh) }, doses.map(doseRecord), asOf, scheduleInForce(asOf));
}

/** Which record of a group of duplicates is counted, as the engine and the book see it now (index → kept index). */
export function duplicatesAmong(doses: readonly DoseRow[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const g of findDuplicateDoses(doses.map(doseRecord))) for (const i of g.duplicates) out.set(doses[i]!.id, doses[g.keep]!.id);
  return out;
}

const antigenLabel = (a: string) => ANTIGEN_LABELS[a as Antigen] ?? { vi: a, en: a };

function doseView(d: DoseRow, duplicateOf: number | undefined) {
  const product = d.product_id ? productById(d.product_id) : undefined;
  return {
    id: d.id,
    vaccine_code: d.vaccine_code,
    vaccine_name: d.vaccine_name,
    product: product ? { id: product.id, name_vi: product.name_vi, name_en: product.name_en } : null,
    antigens: d.antigens.map((a) => ({ code: a, name_vi: antigenLabel(a).vi, name_en: antigenLabel(a).en })),
    dose_no: d.dose_no,
    given_on: d.given_on,
    facility_code: d.facility_code,
    facility_name: d.facility_name ?? (d.facility_code ? null : d.facility_ref),
    lot_no: d.lot_no,
    route: d.route,
    body_site: d.body_site,
    reaction: d.reaction,
    source: d.source,
    /** Another record of the same real dose (another source, ±1 day): shown once, counted once. */
    duplicate_of: duplicateOf ?? null,
    /** False for a product the registry does not recognise: listed, not counted against the schedule. */
    recognised: d.antigens.length > 0,
  };
}

export type DoseView = ReturnType<typeof doseView>;

/** The engine's result with the wording a screen shows (core describeDose), series by series. */
export function scheduleView(e: ScheduleEvaluation | undefined, asOf: string) {
  if (!e) {
    return {
      evaluable: false as const,
      as_of: asOf,
      reason: {
        code: 'BIRTH_DATE_INCOMPLETE',
        message_vi: 'Chưa có ngày sinh đầy đủ nên chưa tính được lịch tiêm.',
        message_en: 'The birth date is not known to the day, so the schedule cannot be computed.',
      },
    };
  }
  const schedule = scheduleInForce(asOf);
  const names = new Map(schedule.series.map((s) => [s.id, s]));
  const nextDue = (n: NextDue) => ({ series: n.series, name_vi: names.get(n.series)?.name_vi ?? n.series, name_en: names.get(n.series)?.name_en ?? n.series, dose: n.dose, status: n.status, date: n.date });
  return {
    evaluable: true as const,
    as_of: e.asOf,
    schedule_id: e.scheduleId,
    schedule_title_vi: schedule.title_vi,
    next_due: e.nextDue.map(nextDue),
    series: e.series.map((s) => ({
      series: s.series,
      name_vi: s.name_vi,
      name_en: s.name_en,
      status: s.status,
      next_date: s.nextDate ?? null,
      doses: s.doses.map((d) => {
        const text = describeDose(d, schedule);
        return {
          dose: d.dose,
          status: d.status,
          date: d.date ?? null,
          recommended_date: d.recommendedDate ?? null,
          earliest_date: d.earliestDate ?? null,
          last_date: d.lastDate ?? null,
          reason: d.reason ?? d.rule ?? null,
          text_vi: text.message_vi,
          text_en: text.message_en,
        };
      }),
    })),
  };
}

/**
 * The book's vaccination section for one person: every dose (newest first), the history grouped by
 * antigen (a dose two sources reported appears once), and what the schedule says is done and due.
 */
export async function vaccinationBook(db: Db, person: SubjectPerson, today: string = vietnamToday()) {
  return bookView(person, await dosesOf(db, [person.id]), today);
}

/** vaccinationBook from doses already read (the book reads the person and the doses side by side). */
export function bookView(person: SubjectPerson, doses: readonly DoseRow[], today: string = vietnamToday()) {
  const dup = duplicatesAmong(doses);
  const views = doses.map((d) => doseView(d, dup.get(d.id)));
  const byAntigen = ANTIGENS.map((a) => {
    const list = views.filter((v) => v.duplicate_of === null && v.antigens.some((x) => x.code === a));
    return { antigen: a, name_vi: ANTIGEN_LABELS[a].vi, name_en: ANTIGEN_LABELS[a].en, doses: list.map((v) => ({ id: v.id, given_on: v.given_on, vaccine_name: v.vaccine_name, dose_no: v.dose_no, facility_name: v.facility_name })) };
  }).filter((g) => g.doses.length > 0);
  return {
    vaccinations: [...views].reverse(),
    by_antigen: byAntigen,
    schedule: scheduleView(evaluatePerson(person, doses, today), today),
  };
}

/** The first few open doses of each person, for the family overview (one dose query for all of them). */
export async function nextDueOf(db: Db, persons: readonly SubjectPerson[], today: string = vietnamToday()) {
  const doses = await dosesOf(db, persons.map((p) => p.id));
  const byPerson = new Map<string, DoseRow[]>();
  for (const d of doses) {
    const list = byPerson.get(d.person_id);
    if (list) list.push(d);
    else byPerson.set(d.person_id, [d]);
  }
  return persons.map((p) => {
    const mine = byPerson.get(p.id) ?? [];
    const view = scheduleView(evaluatePerson(p, mine, today), today);
    const next = view.evaluable ? view.next_due : [];
    return {
      person_id: p.id,
      doses_recorded: mine.length - duplicatesAmong(mine).size,
      overdue: next.filter((n) => n.status === 'overdue').length,
      due: next.filter((n) => n.status === 'due').length,
      next_due: next.slice(0, 5),
      evaluable: view.evaluable,
    };
  });
}

/** One row per real dose of the person, newest first (a dose two sources reported appears once): the book's summary and PDF. */
export async function realDoses(db: Db, personId: string): Promise<DoseRow[]> {
  const doses = await dosesOf(db, [personId]);
  const dup = duplicatesAmong(doses);
  return doses.filter((d) => !dup.has(d.id)).reverse();
}
