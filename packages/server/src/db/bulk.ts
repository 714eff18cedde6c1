import { sql } from 'kysely';
import type { Db } from './database.ts';

/** SQL column types of a bulk-loaded table; names and types come from code, never from input. */
export type ColumnTypes = Readonly<Record<string, string>>;

const CHUNK = 2000;

/** The column list and the jsonb_to_recordset record definition of a set of typed columns. */
export function recordColumns(columns: ColumnTypes) {
  const names = Object.keys(columns);
  return {
    list: sql.raw(names.map((n) => `"${n}"`).join(', ')),
    def: sql.raw(names.map((n) => `"${n}" ${columns[n]}`).join(', ')),
  };
}

/**
 * Bulk insert as ONE jsonb parameter expanded by jsonb_to_recordset. PGlite serialises each bound
 * parameter in JavaScript, so hundreds of small parameters per row cost more than the insert
 * itself (measured: ~40 % of demo ingest time); one string per chunk is cheap on both drivers.
 */
export async function bulkInsert(
  db: Db,
  table: string,
  columns: ColumnTypes,
  rows: ReadonlyArray<Record<string, unknown>>,
  conflict?: string,
): Promise<void> {
  const { list: colList, def: recordDef } = recordColumns(columns);
  for (let i = 0; i < rows.length; i += CHUNK) {
    const json = JSON.stringify(rows.slice(i, i + CHUNK));
    await sql`insert into ${sql.table(table)} (${colList})
      select ${colList} from jsonb_to_recordset(${json}::jsonb) as x(${recordDef})
      ${conflict ? sql.raw(conflict) : sql``}`.execute(db);
  }
}

/** Reserves n ids of a bigserial column so parents and children can be written in bulk. */
export async function reserveIds(db: Db, sequence: string, n: number): Promise<number[]> {
  if (n === 0) return [];
  const r = await sql<{ id: number }>`select nextval(${sequence}::regclass)::int8 as id from generate_series(1, ${n})`.execute(db);
  return r.rows.map((x) => Number(x.id));
}

/**
 * Writes one batch at a time behind the caller: the next batch is built in JavaScript while the
 * database executes the previous one, so both cores work (bulk imports and relinks are otherwise
 * half idle). At most one write is in flight, in order; a failed write is thrown at the next
 * push or at done(), never left as an unhandled rejection.
 */
export function writeBehind() {
  let last: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;
  const done = async () => {
    await last;
    if (failure) throw failure.error;
  };
  return {
    done,
    async push(write: () => Promise<void>): Promise<void> {
      await done();
      last = write().catch((error: unknown) => {
        failure = { error };
      });
    },
  };
}
