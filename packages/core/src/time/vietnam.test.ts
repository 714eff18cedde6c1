import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lastEndedHalfYear, vietnamCompact, vietnamNow, vietnamToday } from './vietnam.ts';

describe('Vietnam time (UTC+7, no daylight saving)', () => {
  const cases: Array<[string, string, string, string]> = [
    ['2026-01-31T18:30:00Z', '2026-02-01', '2026-02-01 01:30:00', '20260201013000'],
    ['2026-06-30T16:59:59Z', '2026-06-30', '2026-06-30 23:59:59', '20260630235959'],
    ['2026-12-31T17:00:00Z', '2027-01-01', '2027-01-01 00:00:00', '20270101000000'],
    ['2024-02-28T20:00:00Z', '2024-02-29', '2024-02-29 03:00:00', '20240229030000'],
  ];
  for (const [utc, day, wall, compact] of cases) {
    it(`${utc} is ${wall} in Vietnam`, () => {
      const at = new Date(utc);
      assert.equal(vietnamToday(at), day);
      assert.equal(vietnamNow(at), wall);
      assert.equal(vietnamCompact(at), compact);
    });
  }
});

describe('the last half-year that has ended', () => {
  it('is the first half of this year from July on (Viet Nam date), the second half of last year before', () => {
    assert.deepEqual(lastEndedHalfYear(new Date('2026-11-29T05:00:00Z')), { year: 2026, half: 1 });
    assert.deepEqual(lastEndedHalfYear(new Date('2026-06-30T16:59:00Z')), { year: 2025, half: 2 });
    assert.deepEqual(lastEndedHalfYear(new Date('2026-06-30T17:00:00Z')), { year: 2026, half: 1 });
    assert.deepEqual(lastEndedHalfYear(new Date('2027-01-01T02:00:00Z')), { year: 2026, half: 2 });
  });
});
