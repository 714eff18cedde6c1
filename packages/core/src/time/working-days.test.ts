import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addWorkingDays, isWorkingDay } from './working-days.ts';

describe('working days', () => {
  const none = new Set<string>();
  it('skips weekends', () => {
    // 2026-11-27 is a Friday.
    assert.equal(addWorkingDays('2026-11-27', 1, none), '2026-11-30');
    assert.equal(addWorkingDays('2026-11-27', 10, none), '2026-12-11');
    // A request made on a Saturday counts from Monday.
    assert.equal(addWorkingDays('2026-11-28', 1, none), '2026-11-30');
    assert.equal(isWorkingDay('2026-11-29', none), false);
  });
  it('skips holidays given as data', () => {
    const tet = new Set(['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20']);
    // Friday 13 February 2026 + 10 working days, Tết week excluded.
    assert.equal(addWorkingDays('2026-02-13', 10, tet), '2026-03-06');
    assert.equal(addWorkingDays('2026-02-13', 10, none), '2026-02-27');
  });
  it('zero days is the same day', () => {
    assert.equal(addWorkingDays('2026-02-13', 0, none), '2026-02-13');
  });
});
