/**
 * One place decides how PostgreSQL values arrive in JavaScript, for both drivers:
 * bigint and numeric as numbers (counts and VND amounts fit a double), dates as 'YYYY-MM-DD'
 * strings and zone-less timestamps as 'YYYY-MM-DD HH:MM:SS' strings (a Date would shift with the
 * server's time zone), timestamptz as Date.
 */
export const TYPE_OIDS = { int8: 20, numeric: 1700, date: 1082, timestamp: 1114 } as const;

export const valueParsers: Record<number, (value: string) => unknown> = {
  [TYPE_OIDS.int8]: (v) => Number(v),
  [TYPE_OIDS.numeric]: (v) => Number(v),
  [TYPE_OIDS.date]: (v) => v,
  // XML 130 instants are Vietnam local wall-clock times without zone: keep them as text.
  [TYPE_OIDS.timestamp]: (v) => v,
};
