import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addAgeToDay, ageInMonths, anchorOf, compileAge, formatDay, monthRange, parseDay } from './dates.ts';

const day = (s: string) => {
  const d = parseDay(s);
  assert.ok(d !== undefined, s);
  return d;
};
const plus = (from: string, age: { years?: number; months?: number; days?: number }) => formatDay(addAgeToDay(day(from), compileAge(age)));

describe('immunization dates', () => {
  it('parses strict yyyy-mm-dd and round-trips', () => {
    for (const s of ['1970-01-01', '1900-03-01', '2000-02-29', '2024-12-31', '2099-07-15']) assert.equal(formatDay(day(s)), s);
    assert.equal(day('1970-01-02') - day('1970-01-01'), 1);
    assert.equal(day('2025-03-01') - day('2025-02-28'), 1);
    assert.equal(day('2024-03-01') - day('2024-02-28'), 2);
    for (const bad of ['2025-02-29', '2025-02-30', '2025-13-01', '2025-00-10', '2025-2-3', '20250101', '01/02/2025', '', '2025-01-01T00:00']) {
      assert.equal(parseDay(bad), undefined, bad);
    }
  });

  it('adds calendar months, clamping to the end of a shorter month', () => {
    const cases: [string, { years?: number; months?: number; days?: number }, string][] = [
      ['2025-01-31', { months: 1 }, '2025-02-28'],
      ['2024-01-31', { months: 1 }, '2024-02-29'],
      ['2025-03-31', { months: 1 }, '2025-04-30'],
      ['2024-12-31', { months: 2 }, '2025-02-28'],
      ['2024-02-29', { years: 1 }, '2025-02-28'],
      ['2024-02-29', { years: 4 }, '2028-02-29'],
      ['2025-01-15', { months: 18 }, '2026-07-15'],
      ['2025-01-31', { months: 9 }, '2025-10-31'],
      ['2024-05-31', { months: 9 }, '2025-02-28'],
      ['2025-01-10', { days: 42 }, '2025-02-21'],
      ['2025-01-31', { months: 1, days: 1 }, '2025-03-01'],
    ];
    for (const [from, age, want] of cases) assert.equal(plus(from, age), want, `${from} + ${JSON.stringify(age)}`);
  });

  it('counts completed months under the same rule (born 31 January is 1 month old on 28 February)', () => {
    const cases: [string, string, number][] = [
      ['2025-01-31', '2025-02-27', 0],
      ['2025-01-31', '2025-02-28', 1],
      ['2025-01-31', '2025-03-30', 1],
      ['2025-01-31', '2025-03-31', 2],
      ['2025-01-15', '2025-03-14', 1],
      ['2025-01-15', '2025-03-15', 2],
      ['2024-02-29', '2025-02-28', 12],
      ['2025-01-15', '2025-01-15', 0],
    ];
    for (const [birth, on, want] of cases) assert.equal(ageInMonths(anchorOf(day(birth)), day(on)), want, `${birth} on ${on}`);
  });

  it('gives the first and last day of a month', () => {
    const feb = monthRange('2024-02');
    assert.ok(feb);
    assert.equal(formatDay(feb.first), '2024-02-01');
    assert.equal(formatDay(feb.last), '2024-02-29');
    assert.equal(monthRange('2024-13'), undefined);
    assert.equal(monthRange('2024-1'), undefined);
  });
});
