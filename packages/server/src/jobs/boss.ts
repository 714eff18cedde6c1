import { CompiledQuery, type Kysely } from 'kysely';
import PgBoss from 'pg-boss';

/** pg-boss's tables live in their own schema, created by migration 056 (pg-boss schema version 24). */
export const BOSS_SCHEMA = 'pgboss';

// biome-ignore lint/suspicious/noExplicitAny: the adapter runs pg-boss's own SQL on any Kysely executor (database or transaction)
export type AnyDb = Kysely<any>;

/**
 * pg-boss's `db` option: its SQL runs through our Kysely executor, so on PGlite it waits its turn in
 * the dialect's connection queue like every other query (pg-boss on the raw PGlite handle would run
 * inside whatever transaction the app has open), and a job sent with the caller's transaction commits
 * or rolls back with it. Parameterless multi-statement scripts (pg-boss's locked maintenance commands,
 * BEGIN … COMMIT) reach the simple protocol on both drivers; one that fails is rolled back on the same
 * connection, so a pooled connection (or PGlite's only one) is never left inside an aborted transaction.
 */
export function bossDb(executor: AnyDb): { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> } {
  return {
    async executeSql(text, values = []) {
      if (values.length === 0 && !executor.isTransaction && /\bBEGIN;/.test(text)) {
        return executor.connection().execute(async (conn) => {
          try {
            return { rows: (await conn.executeQuery(CompiledQuery.raw(text))).rows };
          } catch (err) {
            await conn.executeQuery(CompiledQuery.raw('rollback')).catch(() => {});
            throw err;
          }
        });
      }
      return { rows: (await executor.executeQuery(CompiledQuery.raw(text, values))).rows };
    },
  };
}

/**
 * A pg-boss instance that is never started: only its statements are used, each with an explicit
 * executor (`{ db: bossDb(tx) }`), so enqueueing needs no running worker (the CLI enqueues too).
 */
let client: PgBoss | undefined;
export function bossClient(): PgBoss {
  client ??= new PgBoss({
    schema: BOSS_SCHEMA,
    migrate: false,
    db: {
      executeSql: async () => {
        throw new Error('jobs: pg-boss statements need an explicit executor');
      },
    },
  });
  return client;
}
