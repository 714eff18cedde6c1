import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../errors.ts';
import { evaluateSchedule } from './engine.ts';
import { monthPlanner, PRESENTATIONS, planMonth, wastageFactor } from './planning.ts';
import { sourced } from './sources.ts';
import type { DoseRecord, Person, ScheduleEvaluation, ScheduleVersion } from './types.ts';

const d = (date: string, product: string): DoseRecord => ({ date, product });
const asOf = '2025-09-01';

/** Four persons evaluated on the first day of September 2025. */
function evaluations(): ScheduleEvaluation[] {
  const people: [Person, DoseRecord[]][] = [
    // Born 2025-07-10: 5-in-1/OPV dose 1 due on 2025-09-10 (falls due in the month); BCG overdue.
    [{ birthDate: '2025-07-10', sex: 'male' }, [d('2025-07-10', 'VGB')]],
    // Born 2024-12-05: measles due on 2025-09-05 (in the month); IPV2 due on the same day.
    [
      { birthDate: '2024-12-05', sex: 'female' },
      [
        d('2024-12-05', 'VGB'),
        d('2024-12-10', 'BCG'),
        ...['2025-02-05', '2025-03-05', '2025-04-05'].flatMap((x) => [d(x, 'DPT-VGB-Hib'), d(x, 'bOPV')]),
        d('2025-05-05', 'IPV'),
      ],
    ],
    // Born 2024-01-20: MR overdue since 2025-07-20, DTP booster overdue, JE dose 1 overdue.
    [
      { birthDate: '2024-01-20', sex: 'male' },
      [
        d('2024-01-20', 'VGB'),
        d('2024-01-25', 'BCG'),
        ...['2024-03-20', '2024-04-20', '2024-05-20'].flatMap((x) => [d(x, 'DPT-VGB-Hib'), d(x, 'bOPV')]),
        d('2024-06-20', 'IPV'),
        d('2024-10-20', 'IPV'),
        d('2024-10-20', 'Sởi'),
      ],
    ],
    // A woman of 25 with no tetanus dose: dose 1 due.
    [{ birthDate: '2000-03-01', sex: 'female' }, []],
  ];
  return people.map(([p, doses]) => evaluateSchedule(p, doses, asOf));
}

describe('monthly planning', () => {
  it('counts due and overdue doses per series, antigen and product', () => {
    const plan = planMonth(evaluations(), '2025-09');
    assert.equal(plan.persons, 4);
    assert.deepEqual(
      plan.bySeries.map((c) => [c.series, c.dose, c.due, c.overdue]),
      [
        ['bcg', 1, 0, 1],
        ['dpt_vgb_hib', 1, 1, 0],
        ['opv', 1, 1, 0],
        ['ipv', 2, 1, 0],
        ['measles', 1, 1, 0],
        ['mr', 1, 0, 1],
        ['dtp_booster', 1, 0, 1],
        ['je', 1, 0, 1],
        ['tetanus_women', 1, 1, 0],
      ],
    );
    assert.deepEqual(plan.byAntigen.tetanus, { due: 2, overdue: 1 });
    assert.deepEqual(plan.byAntigen.measles, { due: 1, overdue: 1 });
    assert.deepEqual(plan.byAntigen.hib, { due: 1, overdue: 0 });
    const mr = plan.byProduct.find((p) => p.product === 'MR');
    // 1 dose at 50 % wastage: factor 2, 2 doses to supply, one 10-dose vial.
    assert.deepEqual(mr && [mr.doses, mr.wastageFactor, mr.supplyDoses, mr.dosesPerVial, mr.vials, mr.verified], [1, 2, 2, 10, 1, false]);
  });

  it('turns doses into vials with the wastage factor as data', () => {
    assert.equal(wastageFactor(0.25), 4 / 3);
    assert.equal(wastageFactor(0.05).toFixed(4), '1.0526');
    const many = Array.from({ length: 30 }, () => evaluations()[2] as ScheduleEvaluation);
    const presentations = {
      ...PRESENTATIONS,
      DPT: { dosesPerVial: sourced(20, 'project', false), wastageRate: sourced(0.2, 'project', false) },
    };
    const plan = planMonth(many, '2025-09', { presentations });
    const dpt = plan.byProduct.find((p) => p.product === 'DPT');
    // 30 boosters × 1.25 = 37.5 → 38 doses → 2 vials of 20.
    assert.deepEqual(dpt && [dpt.doses, dpt.supplyDoses, dpt.vials], [30, 38, 2]);
    const je = plan.byProduct.find((p) => p.product === 'JE');
    assert.deepEqual(je && [je.doses, je.supplyDoses, je.vials], [30, 32, 32]);
  });

  it('accumulates batch by batch to the same result', () => {
    const all = evaluations();
    const planner = monthPlanner('2025-09');
    for (const e of all.slice(0, 2)) planner.add(e);
    for (const e of all.slice(2)) planner.add(e);
    assert.deepEqual(planner.result(), planMonth(all, '2025-09'));
  });

  it('refuses a bad month, an evaluation after the month and another schedule', () => {
    assert.throws(() => planMonth([], '2025-9'), (e: unknown) => e instanceof DomainError && e.code === 'IMMUNIZATION_BAD_MONTH');
    const late = evaluateSchedule({ birthDate: '2025-01-01', sex: 'male' }, [], '2025-10-01');
    assert.throws(
      () => planMonth([late], '2025-09'),
      (e: unknown) => e instanceof DomainError && e.code === 'IMMUNIZATION_PLAN_AS_OF_AFTER_MONTH' && e.message_vi.includes('sau tháng kế hoạch'),
    );
    const other: ScheduleVersion = { id: 'other', validFrom: sourced('2030-01-01', 'project', false), title_vi: '', title_en: '', series: [] };
    assert.throws(() => planMonth(evaluations(), '2025-09', { schedule: other }), (e: unknown) => e instanceof DomainError && e.code === 'IMMUNIZATION_SCHEDULE_MISMATCH');
  });
});
