import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../errors.ts';
import { compileSchedule, evaluateSchedule } from './engine.ts';
import { describeDose } from './explain.ts';
import { CURRENT_SCHEDULE, scheduleInForce, VN_TCMR_2024 } from './schedule-vn.ts';
import type { DoseEvaluation, DoseRecord, Person, ScheduleEvaluation, SeriesEvaluation } from './types.ts';

const girl = (birthDate: string, extra: Partial<Person> = {}): Person => ({ birthDate, sex: 'female', ...extra });
const boy = (birthDate: string): Person => ({ birthDate, sex: 'male' });
const dose = (date: string, product: string): DoseRecord => ({ date, product });

function seriesOf(e: ScheduleEvaluation, id: string): SeriesEvaluation {
  const s = e.series.find((x) => x.series === id);
  assert.ok(s, `series ${id} missing`);
  return s;
}

/** Each expected slot's fields must equal the actual slot's (other fields are not compared). */
function assertSlots(e: ScheduleEvaluation, id: string, want: Partial<DoseEvaluation>[]) {
  const got = seriesOf(e, id).doses;
  const shown = JSON.stringify(got, null, 1);
  assert.equal(got.length, want.length, `${id}: ${shown}`);
  want.forEach((w, i) => {
    for (const [k, v] of Object.entries(w)) assert.deepEqual((got[i] as unknown as Record<string, unknown>)[k], v, `${id}[${i}].${k}: ${shown}`);
  });
}

interface Case {
  name: string;
  person: Person;
  doses: DoseRecord[];
  asOf: string;
  expect: Record<string, Partial<DoseEvaluation>[]>;
  status?: Record<string, SeriesEvaluation['status']>;
  unused?: ScheduleEvaluation['unused'];
}

function runCases(cases: Case[]) {
  for (const c of cases) {
    it(c.name, () => {
      const e = evaluateSchedule(c.person, c.doses, c.asOf);
      for (const [id, want] of Object.entries(c.expect)) assertSlots(e, id, want);
      for (const [id, want] of Object.entries(c.status ?? {})) assert.equal(seriesOf(e, id).status, want, id);
      if (c.unused) assert.deepEqual(e.unused, c.unused);
    });
  }
}

const B = '2025-01-10';
const onTime: DoseRecord[] = [
  dose('2025-01-10', 'VGB sơ sinh'),
  dose('2025-01-20', 'BCG'),
  dose('2025-03-10', 'DPT-VGB-Hib'),
  dose('2025-03-10', 'bOPV'),
  dose('2025-04-10', 'DPT-VGB-Hib'),
  dose('2025-04-10', 'bOPV'),
  dose('2025-05-10', 'DPT-VGB-Hib'),
  dose('2025-05-10', 'bOPV'),
  dose('2025-06-10', 'IPV'),
  dose('2025-10-10', 'Sởi'),
];

describe('infant series: on time, too early, too soon, catch-up, maximum age', () => {
  runCases([
    {
      name: 'on-time infant: every dose counted, IPV2 due, MR, booster and JE not yet due',
      person: girl(B),
      doses: onTime,
      asOf: '2025-11-01',
      expect: {
        hepb_birth: [{ status: 'done', date: '2025-01-10', record: 0, late: undefined }],
        bcg: [{ status: 'done', date: '2025-01-20', record: 1 }],
        dpt_vgb_hib: [
          { status: 'done', date: '2025-03-10', record: 2 },
          { status: 'done', date: '2025-04-10', record: 4, late: undefined },
          { status: 'done', date: '2025-05-10', record: 6 },
        ],
        opv: [
          { status: 'done', record: 3 },
          { status: 'done', record: 5 },
          { status: 'done', record: 7 },
        ],
        ipv: [
          { status: 'done', date: '2025-06-10' },
          { status: 'due', recommendedDate: '2025-10-10', earliestDate: '2025-07-08', overdueFrom: '2025-11-11', lastDate: '2026-01-09' },
        ],
        measles: [{ status: 'done', date: '2025-10-10' }],
        mr: [{ status: 'not_yet_due', recommendedDate: '2026-07-10', earliestDate: '2025-11-07', canGiveNow: false, lastDate: '2027-01-09' }],
        dtp_booster: [{ status: 'not_yet_due', recommendedDate: '2026-07-10', earliestDate: '2026-01-10' }],
        td_7y: [{ status: 'not_yet_due', recommendedDate: '2032-01-10' }],
        je: [
          { status: 'not_yet_due', recommendedDate: '2026-01-10' },
          { status: 'not_yet_due', recommendedDate: '2026-01-17' },
          { status: 'not_yet_due', recommendedDate: '2027-01-17' },
        ],
      },
      status: { hepb_birth: 'complete', dpt_vgb_hib: 'complete', ipv: 'due', mr: 'not_yet_due', tetanus_women: 'not_yet_due' },
      unused: [],
    },
    {
      name: '5-in-1 dose 1 at 5 weeks is before the minimum age: invalid, dose 1 due again',
      person: girl(B),
      doses: [dose('2025-02-14', 'DPT-VGB-Hib')],
      asOf: '2025-03-20',
      expect: {
        dpt_vgb_hib: [
          { status: 'invalid', dose: 1, date: '2025-02-14', rule: 'min_age', validFrom: '2025-02-21', record: 0 },
          { status: 'due', dose: 1, recommendedDate: '2025-03-10', overdueFrom: '2025-04-11' },
          { status: 'not_yet_due', dose: 2, earliestDate: '2025-04-17', recommendedDate: '2025-04-17', canGiveNow: false },
          { status: 'not_yet_due', dose: 3, earliestDate: '2025-05-15' },
        ],
      },
    },
    {
      name: '5-in-1 dose 2 only 15 days after dose 1 is too soon: invalid; the next dose counts as dose 2',
      person: girl(B),
      doses: [dose('2025-03-10', 'DPT-VGB-Hib'), dose('2025-03-25', 'DPT-VGB-Hib'), dose('2025-04-10', 'DPT-VGB-Hib')],
      asOf: '2025-04-20',
      expect: {
        dpt_vgb_hib: [
          { status: 'done', dose: 1 },
          { status: 'invalid', dose: 2, date: '2025-03-25', rule: 'min_interval', validFrom: '2025-04-07' },
          { status: 'done', dose: 2, date: '2025-04-10', record: 2 },
          { status: 'not_yet_due', dose: 3, earliestDate: '2025-05-08', recommendedDate: '2025-05-10' },
        ],
      },
    },
    {
      name: 'child first seen at 7 months with no record: catch-up dates from today',
      person: boy(B),
      doses: [],
      asOf: '2025-08-10',
      expect: {
        hepb_birth: [{ status: 'not_applicable', reason: 'window_passed', lastDate: '2025-01-17' }],
        bcg: [{ status: 'overdue', recommendedDate: '2025-01-10', overdueFrom: '2025-02-11', lastDate: '2026-01-09' }],
        dpt_vgb_hib: [
          { status: 'overdue', recommendedDate: '2025-03-10' },
          { status: 'not_yet_due', earliestDate: '2025-09-07', recommendedDate: '2025-09-07' },
          { status: 'not_yet_due', earliestDate: '2025-10-05', recommendedDate: '2025-10-05' },
        ],
        opv: [{ status: 'overdue' }, { status: 'not_yet_due', earliestDate: '2025-09-07' }, { status: 'not_yet_due', earliestDate: '2025-10-05' }],
        ipv: [
          { status: 'overdue', recommendedDate: '2025-06-10' },
          { status: 'not_yet_due', earliestDate: '2025-09-07', recommendedDate: '2025-10-10' },
        ],
        measles: [{ status: 'not_yet_due', recommendedDate: '2025-10-10', canGiveNow: false }],
        tetanus_women: [
          { status: 'not_applicable', reason: 'sex' },
          { status: 'not_applicable', reason: 'sex' },
          { status: 'not_applicable', reason: 'sex' },
          { status: 'not_applicable', reason: 'sex' },
          { status: 'not_applicable', reason: 'sex' },
        ],
      },
    },
    {
      name: 'child first seen at 11 months: dose 3 cannot be given before the first birthday',
      person: girl(B),
      doses: [],
      asOf: '2025-12-10',
      expect: {
        dpt_vgb_hib: [
          { status: 'overdue' },
          { status: 'not_yet_due', earliestDate: '2026-01-07', lastDate: '2026-01-09' },
          { status: 'not_applicable', reason: 'cannot_complete_before_max_age', earliestDate: '2026-02-04', lastDate: '2026-01-09' },
        ],
      },
    },
    {
      name: 'past the maximum age: infant doses no longer offered; a late BCG still counts',
      person: girl(B),
      doses: [dose('2026-02-01', 'BCG')],
      asOf: '2026-02-10',
      expect: {
        bcg: [{ status: 'done', date: '2026-02-01', afterMaxAge: true, late: true }],
        dpt_vgb_hib: [
          { status: 'not_applicable', reason: 'max_age_passed', lastDate: '2026-01-09' },
          { status: 'not_applicable', reason: 'max_age_passed' },
          { status: 'not_applicable', reason: 'max_age_passed' },
        ],
        ipv: [{ status: 'not_applicable', reason: 'max_age_passed' }, { status: 'not_applicable', reason: 'max_age_passed' }],
        measles: [{ status: 'overdue', lastDate: '2027-01-09' }],
      },
    },
  ]);
});

describe('hepatitis B birth dose window', () => {
  const table: [string, SeriesEvaluation['status'], string | undefined][] = [
    ['2025-01-10', 'due', undefined],
    ['2025-01-11', 'due', undefined],
    ['2025-01-12', 'overdue', undefined],
    ['2025-01-17', 'overdue', undefined],
    ['2025-01-18', 'not_applicable', 'window_passed'],
  ];
  for (const [asOf, status, reason] of table) {
    it(`no dose, born ${B}, on ${asOf}: ${status}`, () => {
      const e = evaluateSchedule(girl(B), [], asOf);
      const s = seriesOf(e, 'hepb_birth');
      assert.equal(s.status, status);
      assert.equal(s.next?.reason, reason);
    });
  }
  runCases([
    {
      name: 'given on day 3: counted, flagged late (after 24 hours)',
      person: girl(B),
      doses: [dose('2025-01-13', 'Viêm gan B')],
      asOf: '2025-02-01',
      expect: { hepb_birth: [{ status: 'done', late: true }] },
    },
    {
      name: 'a hepatitis B dose on day 9 is no birth dose: window passed, record not counted',
      person: girl(B),
      doses: [dose('2025-01-19', 'Viêm gan B')],
      asOf: '2025-02-01',
      expect: { hepb_birth: [{ status: 'not_applicable', reason: 'window_passed' }] },
      unused: [{ record: 0, reason: 'not_counted' }],
    },
    {
      name: 'the 5-in-1 at 2 months carries hepatitis B but is not a birth dose',
      person: girl(B),
      doses: [dose('2025-03-10', 'DPT-VGB-Hib')],
      asOf: '2025-03-11',
      expect: { hepb_birth: [{ status: 'not_applicable', reason: 'window_passed' }], dpt_vgb_hib: [{ status: 'done' }, {}, {}] },
    },
  ]);
});

describe('measles at 9 months and MR at 18 months', () => {
  runCases([
    {
      name: 'measles before 9 months does not count; measles then MR on time',
      person: girl(B),
      doses: [dose('2025-10-01', 'Sởi'), dose('2025-10-15', 'MVVac'), dose('2026-07-10', 'MR')],
      asOf: '2026-08-01',
      expect: {
        measles: [
          { status: 'invalid', rule: 'min_age', validFrom: '2025-10-10' },
          { status: 'done', date: '2025-10-15' },
        ],
        mr: [{ status: 'done', date: '2026-07-10' }],
      },
      status: { measles: 'complete', mr: 'complete' },
    },
    {
      name: 'MR 10 days after measles is too soon after the earlier measles dose',
      person: girl(B),
      doses: [dose('2025-10-10', 'Sởi'), dose('2025-10-20', 'Sởi - Rubella')],
      asOf: '2025-12-01',
      expect: {
        mr: [
          { status: 'invalid', rule: 'min_interval_after_chain', validFrom: '2025-11-07' },
          { status: 'not_yet_due', earliestDate: '2025-11-07', recommendedDate: '2026-07-10', canGiveNow: true },
        ],
      },
    },
    {
      name: 'an MR given at 9 months is the first measles dose; MR at 18 months is still needed',
      person: girl(B),
      doses: [dose('2025-10-10', 'MR')],
      asOf: '2025-11-01',
      expect: { measles: [{ status: 'done', record: 0 }], mr: [{ status: 'not_yet_due', recommendedDate: '2026-07-10' }] },
    },
    {
      name: 'no measles dose by 13 months: dose 1 overdue, MR waits at least 4 weeks after it',
      person: girl(B),
      doses: [],
      asOf: '2026-02-10',
      expect: {
        measles: [{ status: 'overdue' }],
        mr: [{ status: 'not_yet_due', earliestDate: '2026-03-10', recommendedDate: '2026-07-10' }],
      },
    },
  ]);
});

describe('Japanese encephalitis: 12 months, 1-2 weeks, 1 year', () => {
  const born = '2024-01-10';
  runCases([
    {
      name: 'too-early doses are invalid and the series completes on the valid ones',
      person: girl(born),
      doses: [
        dose('2024-12-20', 'VNNB'),
        dose('2025-01-10', 'Viêm não Nhật Bản'),
        dose('2025-01-15', 'JE'),
        dose('2025-01-20', 'Jevax'),
        dose('2025-12-20', 'VNNB mũi 3'),
        dose('2026-01-25', 'VNNB'),
      ],
      asOf: '2026-02-01',
      expect: {
        je: [
          { status: 'invalid', dose: 1, rule: 'min_age', validFrom: '2025-01-10' },
          { status: 'done', dose: 1, date: '2025-01-10' },
          { status: 'invalid', dose: 2, rule: 'min_interval', validFrom: '2025-01-17' },
          { status: 'done', dose: 2, date: '2025-01-20' },
          { status: 'invalid', dose: 3, rule: 'min_interval', validFrom: '2026-01-20' },
          { status: 'done', dose: 3, date: '2026-01-25' },
        ],
      },
      status: { je: 'complete' },
    },
  ]);
  const je2: [string, SeriesEvaluation['status']][] = [
    ['2025-01-15', 'not_yet_due'],
    ['2025-01-17', 'due'],
    ['2025-01-24', 'due'],
    ['2025-01-25', 'overdue'],
  ];
  for (const [asOf, status] of je2) {
    it(`dose 2 after dose 1 on 2025-01-10, on ${asOf}: ${status}`, () => {
      const e = evaluateSchedule(girl(born), [dose('2025-01-10', 'JE')], asOf);
      assert.equal(seriesOf(e, 'je').next?.dose, 2);
      assert.equal(seriesOf(e, 'je').status, status);
    });
  }
  const je3: [string, SeriesEvaluation['status']][] = [
    ['2026-01-19', 'not_yet_due'],
    ['2026-01-20', 'due'],
  ];
  for (const [asOf, status] of je3) {
    it(`dose 3 a year after dose 2 on 2025-01-20, on ${asOf}: ${status}`, () => {
      const e = evaluateSchedule(girl(born), [dose('2025-01-10', 'JE'), dose('2025-01-20', 'JE')], asOf);
      assert.equal(seriesOf(e, 'je').next?.dose, 3);
      assert.equal(seriesOf(e, 'je').status, status);
    });
  }
});

describe('tetanus for women (TT/Td 1-5)', () => {
  const woman20 = '2005-06-01';
  const two = [dose('2025-01-10', 'TT'), dose('2025-02-10', 'Td')];
  runCases([
    {
      name: 'woman of 20 with two doses: dose 3 not before 6 months after dose 2',
      person: girl(woman20),
      doses: two,
      asOf: '2025-06-01',
      expect: {
        tetanus_women: [
          { status: 'done', dose: 1, date: '2025-01-10' },
          { status: 'done', dose: 2, date: '2025-02-10', record: 1 },
          { status: 'not_yet_due', dose: 3, earliestDate: '2025-08-10', recommendedDate: '2025-08-10', canGiveNow: false, lastDate: '2041-05-31' },
          { status: 'not_yet_due', dose: 4, earliestDate: '2026-08-10' },
          { status: 'not_yet_due', dose: 5, earliestDate: '2027-08-10' },
        ],
      },
    },
    {
      name: 'the same woman after 6 months: dose 3 due',
      person: girl(woman20),
      doses: two,
      asOf: '2025-09-01',
      expect: { tetanus_women: [{ status: 'done' }, { status: 'done' }, { status: 'due', dose: 3 }, {}, {}] },
    },
    {
      name: 'never overdue: five years later dose 3 is still simply due',
      person: girl(woman20),
      doses: two,
      asOf: '2030-09-01',
      expect: { tetanus_women: [{}, {}, { status: 'due', overdueFrom: undefined }, {}, {}] },
    },
    {
      name: 'dose 2 twenty days after dose 1 is too soon',
      person: girl(woman20),
      doses: [dose('2025-01-10', 'TT'), dose('2025-01-30', 'VAT')],
      asOf: '2025-02-01',
      expect: {
        tetanus_women: [
          { status: 'done', dose: 1 },
          { status: 'invalid', dose: 2, rule: 'min_interval', validFrom: '2025-02-07' },
          { status: 'not_yet_due', dose: 2, earliestDate: '2025-02-07' },
          { dose: 3 },
          { dose: 4 },
          { dose: 5 },
        ],
      },
    },
    {
      name: 'a man is not in the series',
      person: boy(woman20),
      doses: [],
      asOf: '2025-06-01',
      expect: { tetanus_women: Array.from({ length: 5 }, () => ({ status: 'not_applicable' as const, reason: 'sex' as const })) },
      status: { tetanus_women: 'not_applicable' },
    },
    {
      name: 'a woman of 40 is past the programme ages',
      person: girl('1985-01-01'),
      doses: [],
      asOf: '2025-06-01',
      expect: { tetanus_women: [{ status: 'not_applicable', reason: 'age_not_eligible' }, {}, {}, {}, {}] },
    },
    {
      name: 'a pregnant woman of 40 is eligible: dose 1 due',
      person: girl('1985-01-01', { pregnant: true }),
      doses: [],
      asOf: '2025-06-01',
      expect: { tetanus_women: [{ status: 'due', dose: 1 }, { status: 'not_yet_due' }, {}, {}, {}] },
    },
    {
      name: 'a girl of 10: dose 1 from her 15th birthday',
      person: girl('2015-03-31'),
      doses: [],
      asOf: '2025-06-01',
      expect: { tetanus_women: [{ status: 'not_yet_due', recommendedDate: '2030-03-31', earliestDate: '2030-03-31' }, {}, {}, {}, {}] },
    },
  ]);
});

describe('combined products and the DTP chain', () => {
  runCases([
    {
      name: 'same-day 4-in-1 + Hib + hepatitis B cover the 5-in-1 series; the IPV part counts for IPV',
      person: girl(B),
      doses: ['2025-03-10', '2025-04-10', '2025-05-10'].flatMap((d) => [dose(d, 'Tetraxim'), dose(d, 'Hib'), dose(d, 'VGB')]),
      asOf: '2025-06-01',
      expect: {
        dpt_vgb_hib: [
          { status: 'done', date: '2025-03-10', record: 0 },
          { status: 'done', date: '2025-04-10', record: 3 },
          { status: 'done', date: '2025-05-10', record: 6 },
        ],
        ipv: [
          { status: 'done', date: '2025-03-10' },
          { status: 'done', date: '2025-04-10' },
        ],
        opv: [{ status: 'overdue' }, {}, {}],
      },
      unused: [],
    },
    {
      name: '6-in-1 primary, a DTP at 10 months is no booster, the 18-month DTP is, Td at 7',
      person: girl(B),
      doses: [
        dose('2025-03-10', 'Hexaxim'),
        dose('2025-04-10', 'Hexaxim'),
        dose('2025-05-10', 'Hexaxim'),
        dose('2025-11-15', 'DPT'),
        dose('2026-07-10', 'DPT'),
        dose('2032-01-20', 'Td'),
      ],
      asOf: '2032-02-01',
      expect: {
        dpt_vgb_hib: [{ status: 'done' }, { status: 'done' }, { status: 'done' }],
        dtp_booster: [
          { status: 'invalid', date: '2025-11-15', rule: 'min_age', validFrom: '2026-01-10' },
          { status: 'done', date: '2026-07-10' },
        ],
        td_7y: [{ status: 'done', date: '2032-01-20' }],
      },
      status: { dpt_vgb_hib: 'complete', dtp_booster: 'complete', td_7y: 'complete' },
    },
    {
      name: 'a booster under 6 months after a late third primary dose is too soon',
      person: girl(B),
      doses: [dose('2025-03-10', 'DPT-VGB-Hib'), dose('2025-04-10', 'DPT-VGB-Hib'), dose('2025-12-01', 'DPT-VGB-Hib'), dose('2026-02-01', 'DPT')],
      asOf: '2026-03-01',
      expect: {
        dpt_vgb_hib: [{ status: 'done' }, { status: 'done' }, { status: 'done', date: '2025-12-01', late: true }],
        dtp_booster: [
          { status: 'invalid', rule: 'min_interval_after_chain', validFrom: '2026-06-01' },
          { status: 'not_yet_due', earliestDate: '2026-06-01', recommendedDate: '2026-07-10' },
        ],
      },
    },
  ]);
});

describe('duplicates and records the engine sets aside', () => {
  runCases([
    {
      name: 'the birth dose reported by two sources a day apart counts once',
      person: girl(B),
      doses: [dose('2025-01-10', 'VGB'), dose('2025-01-11', 'Viêm gan B')],
      asOf: '2025-02-01',
      expect: { hepb_birth: [{ status: 'done', record: 0 }] },
      unused: [{ record: 1, reason: 'duplicate', duplicateOf: 0 }],
    },
    {
      name: 'MR and "Sởi" a day apart are one MR dose, not a second measles dose',
      person: girl(B),
      doses: [dose('2025-10-10', 'Sởi'), dose('2026-07-11', 'Sởi'), dose('2026-07-10', 'MR')],
      asOf: '2026-08-01',
      expect: { measles: [{ status: 'done', record: 0 }], mr: [{ status: 'done', record: 2, date: '2026-07-10' }] },
      unused: [{ record: 1, reason: 'duplicate', duplicateOf: 2 }],
    },
    {
      name: 'bad, early, future, unknown and surplus records are reported, not counted',
      person: girl(B),
      doses: [
        { date: '2025-13-01', product: 'BCG' },
        dose('2024-12-31', 'BCG'),
        dose('2026-01-01', 'BCG'),
        dose('2025-03-10', 'Vitamin A'),
        dose('2025-01-10', 'BCG'),
        dose('2025-03-10', 'BCG'),
      ],
      asOf: '2025-06-01',
      expect: { bcg: [{ status: 'done', record: 4 }] },
      unused: [
        { record: 0, reason: 'bad_date' },
        { record: 1, reason: 'before_birth' },
        { record: 2, reason: 'after_as_of' },
        { record: 3, reason: 'unrecognized_product' },
        { record: 5, reason: 'not_counted' },
      ],
    },
    {
      name: 'explicit antigens win over the product name',
      person: girl(B),
      doses: [{ date: '2025-01-10', product: 'lô 123 không rõ tên', antigens: ['hepb'] }],
      asOf: '2025-01-12',
      expect: { hepb_birth: [{ status: 'done' }] },
    },
  ]);
});

describe('calendar-month edge cases', () => {
  runCases([
    {
      name: 'born 31 January: 9 months is 31 October; a day earlier is too early',
      person: girl('2025-01-31'),
      doses: [dose('2025-10-30', 'Sởi')],
      asOf: '2025-11-05',
      expect: { measles: [{ status: 'invalid', validFrom: '2025-10-31' }, { status: 'due', recommendedDate: '2025-10-31' }] },
    },
    {
      name: 'born 31 January: measles on 31 October counts',
      person: girl('2025-01-31'),
      doses: [dose('2025-10-31', 'Sởi')],
      asOf: '2025-11-05',
      expect: { measles: [{ status: 'done', date: '2025-10-31' }] },
    },
    {
      name: 'records on 30 and 31 October are one dose: the earlier date is kept, so it does not count',
      person: girl('2025-01-31'),
      doses: [dose('2025-10-31', 'Sởi'), dose('2025-10-30', 'Sởi')],
      asOf: '2025-11-05',
      expect: { measles: [{ status: 'invalid', record: 1 }, { status: 'due' }] },
      unused: [{ record: 0, reason: 'duplicate', duplicateOf: 1 }],
    },
    {
      name: 'born 31 May: 9 months is 28 February (the month is shorter)',
      person: girl('2024-05-31'),
      doses: [dose('2025-02-28', 'Sởi')],
      asOf: '2025-03-01',
      expect: { measles: [{ status: 'done', date: '2025-02-28' }] },
    },
    {
      name: 'born 31 December: the 2-month dose is due on 28 February',
      person: girl('2024-12-31'),
      doses: [],
      asOf: '2025-02-28',
      expect: { dpt_vgb_hib: [{ status: 'due', recommendedDate: '2025-02-28' }, {}, {}] },
    },
    {
      name: 'born 29 February: first birthday on 28 February ends the infant series',
      person: girl('2024-02-29'),
      doses: [],
      asOf: '2025-02-28',
      expect: { bcg: [{ status: 'not_applicable', reason: 'max_age_passed', lastDate: '2025-02-27' }] },
    },
  ]);
});

describe('person-level next-due list, messages, errors, schedule versions', () => {
  it('lists open doses soonest first, overdue and due dated today', () => {
    const e = evaluateSchedule(boy(B), [], '2025-08-10');
    assert.deepEqual(
      e.nextDue.slice(0, 5).map((n) => [n.series, n.dose, n.status, n.date]),
      [
        ['bcg', 1, 'overdue', '2025-08-10'],
        ['dpt_vgb_hib', 1, 'overdue', '2025-08-10'],
        ['opv', 1, 'overdue', '2025-08-10'],
        ['ipv', 1, 'overdue', '2025-08-10'],
        ['measles', 1, 'not_yet_due', '2025-10-10'],
      ],
    );
    const dates = e.nextDue.map((n) => n.date);
    assert.deepEqual(dates, [...dates].sort());
    assert.ok(!e.nextDue.some((n) => n.series === 'tetanus_women' || n.series === 'hepb_birth'));
  });

  it('explains each status in Vietnamese and English', () => {
    const e = evaluateSchedule(girl(B), [dose('2025-02-14', 'DPT-VGB-Hib')], '2025-03-20');
    const [bad, open] = seriesOf(e, 'dpt_vgb_hib').doses as DoseEvaluation[];
    const m = describeDose(bad as DoseEvaluation);
    assert.equal(m.code, 'IMMUNIZATION_DOSE_BEFORE_MIN_AGE');
    assert.equal(
      m.message_vi,
      'Mũi 1 DPT-VGB-Hib (5 trong 1) tiêm ngày 14/02/2025 khi chưa đủ tuổi tối thiểu (chỉ hợp lệ từ 21/02/2025): không được tính, cần tiêm lại.',
    );
    assert.match(m.message_en, /before the minimum age \(valid only from 2025-02-21\): not counted, the dose is due again/);
    assert.equal(describeDose(open as DoseEvaluation).message_vi, 'Mũi 1 DPT-VGB-Hib (5 trong 1): đến hạn tiêm (từ 10/03/2025).');
    const na = seriesOf(e, 'hepb_birth').doses[0] as DoseEvaluation;
    assert.equal(describeDose(na).message_vi, 'Mũi 1 Viêm gan B sơ sinh: không áp dụng (đã qua thời hạn tiêm liều sơ sinh).');
  });

  it('refuses bad dates with a bilingual validation error', () => {
    assert.throws(
      () => evaluateSchedule(girl('31/01/2025'), [], '2025-03-01'),
      (err: unknown) =>
        err instanceof DomainError &&
        err.kind === 'invalid' &&
        err.code === 'IMMUNIZATION_BAD_DATE' &&
        err.message_vi === 'Ngày sinh "31/01/2025" không hợp lệ (cần dạng yyyy-mm-dd).',
    );
    assert.throws(() => evaluateSchedule(girl(B), [], '2025-02-30'), (err: unknown) => err instanceof DomainError && err.code === 'IMMUNIZATION_BAD_DATE');
    assert.throws(
      () => evaluateSchedule(girl(B), [], '2025-01-09'),
      (err: unknown) => err instanceof DomainError && err.code === 'IMMUNIZATION_AS_OF_BEFORE_BIRTH',
    );
  });

  it('picks the version in force and compiles a schedule once', () => {
    assert.equal(scheduleInForce('2025-06-01'), VN_TCMR_2024);
    assert.equal(scheduleInForce('2020-01-01'), VN_TCMR_2024);
    assert.equal(CURRENT_SCHEDULE, VN_TCMR_2024);
    assert.equal(compileSchedule(CURRENT_SCHEDULE), compileSchedule(CURRENT_SCHEDULE));
    assert.equal(evaluateSchedule(girl(B), [], '2025-02-01').scheduleId, 'vn-tcmr-tt10-2024');
  });

  it('evaluates a batch of synthetic children without drifting (same input, same answer)', () => {
    const people: { person: Person; doses: DoseRecord[] }[] = [];
    for (let i = 0; i < 2000; i++) {
      const day = 1 + (i % 28);
      const birth = `2024-${String(1 + (i % 12)).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
      const doses = i % 3 === 0 ? [] : onTime.slice(0, 1 + (i % onTime.length)).map((d) => ({ ...d, date: birth }));
      people.push({ person: i % 2 ? boy(birth) : girl(birth), doses });
    }
    const first = people.map((p) => evaluateSchedule(p.person, p.doses, '2025-06-01'));
    const again = people.map((p) => evaluateSchedule(p.person, p.doses, '2025-06-01'));
    assert.deepEqual(first, again);
    assert.equal(first.length, 2000);
  });
});
