import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { childCoverage } from './coverage.ts';
import type { DoseRecord } from './types.ts';

const BORN = '2024-03-10';
const d = (date: string, product: string): DoseRecord => ({ date, product });
/** A child vaccinated on the programme's days. */
const FULL: DoseRecord[] = [
  d('2024-03-10', 'VGB'), d('2024-03-12', 'BCG'),
  d('2024-05-10', 'DPT-VGB-Hib'), d('2024-05-10', 'bOPV'),
  d('2024-06-10', 'DPT-VGB-Hib'), d('2024-06-10', 'bOPV'),
  d('2024-07-10', 'DPT-VGB-Hib'), d('2024-07-10', 'bOPV'),
  d('2024-08-10', 'IPV'), d('2024-12-10', 'Measles'),
  d('2025-09-10', 'MR'),
];

describe('childCoverage', () => {
  const cases: Array<{ name: string; doses: DoseRecord[]; asOf: string; want: ReturnType<typeof childCoverage> }> = [
    { name: 'complete on time', doses: FULL, asOf: '2026-04-01', want: { hepbBirth24h: true, fullyImmunizedU1: true, mrBy24m: true } },
    { name: 'birth dose the next day still counts', doses: [d('2024-03-11', 'VGB')], asOf: '2024-04-01', want: { hepbBirth24h: true, fullyImmunizedU1: null, mrBy24m: null } },
    { name: 'birth dose two days late does not', doses: [d('2024-03-12', 'VGB')], asOf: '2024-04-01', want: { hepbBirth24h: false, fullyImmunizedU1: null, mrBy24m: null } },
    { name: 'measles after the first birthday: not fully immunized under 1', doses: FULL.map((x) => (x.product === 'Measles' ? d('2025-03-10', 'Measles') : x)), asOf: '2026-04-01', want: { hepbBirth24h: true, fullyImmunizedU1: false, mrBy24m: true } },
    { name: 'a DPT-VGB-Hib dose too soon after the previous one does not count', doses: FULL.map((x, i) => (i === 6 ? d('2024-06-20', 'DPT-VGB-Hib') : x)), asOf: '2026-04-01', want: { hepbBirth24h: true, fullyImmunizedU1: false, mrBy24m: true } },
    { name: 'MR after the second birthday', doses: FULL.map((x) => (x.product === 'MR' ? d('2026-03-20', 'MR') : x)), asOf: '2026-04-01', want: { hepbBirth24h: true, fullyImmunizedU1: true, mrBy24m: false } },
    { name: 'doses after asOf are not seen', doses: FULL, asOf: '2025-03-10', want: { hepbBirth24h: true, fullyImmunizedU1: true, mrBy24m: null } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(childCoverage(BORN, 'male', c.doses, c.asOf), c.want));
  it('a bad birth date gives nothing', () => assert.equal(childCoverage('2024', 'male', FULL, '2026-01-01'), undefined));
});
