import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findDuplicateDoses } from './duplicates.ts';
import type { DoseRecord } from './types.ts';

describe('findDuplicateDoses', () => {
  const cases: { name: string; doses: DoseRecord[]; want: { keep: number; duplicates: number[]; antigens: string[]; personId?: string }[] }[] = [
    {
      name: 'same product reported by two sources a day apart',
      doses: [
        { date: '2025-03-10', product: 'DPT-VGB-Hib' },
        { date: '2025-03-11', product: 'Quinvaxem' },
      ],
      want: [{ keep: 0, duplicates: [1], antigens: ['hepb', 'diphtheria', 'tetanus', 'pertussis', 'hib'] }],
    },
    {
      name: 'MR and "Sởi" for one dose: the record naming more antigens is kept',
      doses: [
        { date: '2026-07-10', product: 'Sởi' },
        { date: '2026-07-09', product: 'MR' },
      ],
      want: [{ keep: 1, duplicates: [0], antigens: ['measles'] }],
    },
    {
      name: 'two days apart are two doses',
      doses: [
        { date: '2025-03-10', product: 'OPV' },
        { date: '2025-03-12', product: 'OPV' },
      ],
      want: [],
    },
    {
      name: 'different antigens the same day are given together, not duplicates',
      doses: [
        { date: '2025-03-10', product: 'DPT-VGB-Hib' },
        { date: '2025-03-10', product: 'bOPV' },
        { date: '2025-03-10', product: 'PCV13' },
      ],
      want: [],
    },
    {
      name: 'another person the same day is not a duplicate',
      doses: [
        { personId: 'a', date: '2025-03-10', product: 'BCG' },
        { personId: 'b', date: '2025-03-10', product: 'BCG' },
        { personId: 'a', date: '2025-03-10', product: 'Lao' },
      ],
      want: [{ personId: 'a', keep: 0, duplicates: [2], antigens: ['bcg'] }],
    },
    {
      name: 'a group spans one day at most (three daily records: first two grouped)',
      doses: [
        { date: '2025-03-10', product: 'TT' },
        { date: '2025-03-11', product: 'TT' },
        { date: '2025-03-12', product: 'TT' },
      ],
      want: [{ keep: 0, duplicates: [1], antigens: ['tetanus'] }],
    },
    {
      name: 'records with a bad date or an unknown product are ignored',
      doses: [
        { date: '2025-02-30', product: 'BCG' },
        { date: '2025-03-01', product: 'thuốc bổ' },
        { date: '2025-03-01', product: 'BCG' },
      ],
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(findDuplicateDoses(c.doses), c.want));
  }
});
