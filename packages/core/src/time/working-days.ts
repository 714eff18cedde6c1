/**
 * Working days in Vietnam: Monday to Friday, minus the public holidays the caller passes (they are
 * data, announced each year). Dates are 'YYYY-MM-DD' calendar days, so no time zone is involved.
 */
const dayOfWeek = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay();

const nextDay = (day: string) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
};

export function isWorkingDay(day: string, holidays: ReadonlySet<string>): boolean {
  const w = dayOfWeek(day);
  return w !== 0 && w !== 6 && !holidays.has(day);
}

/**
 * The day `n` working days after `from` (from itself not counted: a request made on Friday with n = 1
 * is due on Monday). The bound stops a holiday table that covers every day from looping forever.
 */
export function addWorkingDays(from: string, n: number, holidays: ReadonlySet<string>): string {
  let day = from;
  let left = n;
  for (let guard = 0; left > 0 && guard < 3660; guard++) {
    day = nextDay(day);
    if (isWorkingDay(day, holidays)) left--;
  }
  return day;
}
