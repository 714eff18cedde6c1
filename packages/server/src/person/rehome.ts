import { type RawBuilder, sql } from 'kysely';
import { type Db, oneConnectionPerWorker } from '../db/index.ts';

/**
 * Rows change person by leaving and coming back, never by an update of their person_id: on a Citus
 * cluster person_id places the row on its shard and no statement may change it (issue 21). One code
 * path for one node and a cluster, so the tests on PostgreSQL and PGlite cover what the cluster runs.
 *
 * Sound on one node as long as nothing cascades from the moved table: foreign keys to it must be NO
 * ACTION (checked at the statement's end, when the row is back with the same key; a CASCADE would
 * take the referencing rows with the leaving row), and no trigger may act on its delete or insert
 * unless written for moves (identity-followers.test.ts checks both).
 *
 * What differs from an update in place, on one node too: until the moving transaction commits, a
 * concurrent writer that updates a moved row by id waits and then finds no row (the re-inserted row
 * is not in its snapshot), and a concurrent insert whose foreign key names a moved row fails its
 * check. MPI decisions are short and rare; such a writer answers "not found" or a conflict and the
 * user retries. Writers that may meet a merge often would need a retry of their own.
 */

/** One person id replaced by another (the shape of followers.ts's PersonMove). */
interface Move {
  from: string;
  to: string;
}

export interface RehomeOptions {
  /** Narrows the rows of each `from` person (a condition over alias `x`); all of them by default. */
  where?: RawBuilder<unknown>;
  /** What is reported of each moved row (over alias `x`, the row as it was); `x.id` by default. */
  returning?: RawBuilder<unknown>;
  /** Other columns the moved rows change, as a jsonb object (e.g. `jsonb_build_object('updated_at', now())`). */
  also?: RawBuilder<unknown>;
}

/**
 * The rows of `table` of each `from` person (narrowed by `where`) now carry its `to` person, in one
 * statement (as the update it replaces). Returns `returning` of each moved row.
 */
export async function rehomePersonRows<R = { id: string | number }>(tx: Db, table: string, moves: readonly Move[], opts: RehomeOptions = {}): Promise<R[]> {
  // One target per source person, as `update … from` picked one.
  const to = new Map<string, string>();
  for (const m of moves) if (m.from !== m.to && !to.has(m.from)) to.set(m.from, m.to);
  if (to.size === 0) return [];
  // A move touches several shards on a cluster; done over one connection per worker, it leaves the
  // transaction free to write reference tables afterwards (the MPI's logs, logins, households).
  await oneConnectionPerWorker(tx);
  const t = sql.table(table);
  const json = JSON.stringify([...to].map(([f, t2]) => ({ f, t: t2 })));
  // `back` is not read: PostgreSQL and Citus run a data-modifying CTE either way, after `gone`.
  const r = await sql<R>`with m as (select * from jsonb_to_recordset(${json}::jsonb) as m(f text, t text)),
    gone as (delete from ${t} x where x.person_id = any(${[...to.keys()]}::text[]) and ${opts.where ?? sql`true`} returning x.*),
    back as (insert into ${t} select r.* from gone g join m on m.f = g.person_id
      cross join lateral jsonb_populate_record(null::${t}, to_jsonb(g) || jsonb_build_object('person_id', m.t) || ${opts.also ?? sql`'{}'::jsonb`}) as r)
    select ${opts.returning ?? sql`x.id`} from gone x`.execute(tx);
  return r.rows;
}

/**
 * Re-homes rows one by one: the rows whose `key` column has each `id` leave and come back with
 * person_id `to`, in one statement per chunk, so foreign keys to them (checked at the statement's
 * end) and their unique keys see the same rows afterwards. Triggers on insert fire again.
 */
export async function rehomeRowsByKey(tx: Db, table: string, key: string, moves: ReadonlyArray<{ id: string; to: string }>): Promise<void> {
  if (moves.length === 0) return;
  await oneConnectionPerWorker(tx);
  const t = sql.table(table);
  // Chunks bound what one statement holds: every re-inserted row and every deleted referenced row
  // queues a foreign-key check until the statement ends. A chunk moves whole keys, so each check
  // still finds its row re-inserted by the same statement.
  for (let i = 0; i < moves.length; i += MOVE_CHUNK) await moveChunk(tx, t, key, moves.slice(i, i + MOVE_CHUNK));
}

const MOVE_CHUNK = 2000;

async function moveChunk(tx: Db, t: ReturnType<typeof sql.table>, key: string, moves: ReadonlyArray<{ id: string; to: string }>): Promise<void> {
  await sql`with m as (select * from jsonb_to_recordset(${JSON.stringify(moves)}::jsonb) as m(id int8, "to" text)),
    gone as (delete from ${t} x where ${sql.ref(`x.${key}`)} in (select id from m) returning x.*)
    insert into ${t} select r.*
      from gone g join m on m.id = ${sql.ref(`g.${key}`)}
      -- In FROM, not as (f(...)).* in the select list: PostgreSQL expands that form into one call per
      -- column, each serialising the whole row (episode: 36 columns, its XML1 jsonb among them).
      cross join lateral jsonb_populate_record(null::${t}, to_jsonb(g) || jsonb_build_object('person_id', m."to")) as r`.execute(tx);
}
