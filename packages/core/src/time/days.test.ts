import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays, daysBetween, isoDay } from './days.ts';

describe('calendar days', () => {
  it('adds days across month, leap-day and year ends, and back', () => {
    assert.equal(addDays('2024-02-28', 1), '2024-02-29');
    assert.equal(addDays('2023-02-28', 1), '2023-03-01');
    assert.equal(addDays('2026-12-31', 1), '2027-01-01');
    assert.equal(addDays('2026-01-01', -1), '2025-12-31');
    assert.equal(addDays('2026-03-15', 0), '2026-03-15');
  });

  it('counts whole days between two days, negative backwards', () => {
    assert.equal(daysBetween('2024-02-01', '2024-03-01'), 29);
    assert.equal(daysBetween('2026-03-01', '2026-02-01'), -28);
    assert.equal(daysBetween('2026-05-05', addDays('2026-05-05', 400)), 400);
  });

  it('reads the day of an XML 130 compact date or date-time', () => {
    assert.equal(isoDay('20260314'), '2026-03-14');
    assert.equal(isoDay('202603140830'), '2026-03-14');
  });
});
