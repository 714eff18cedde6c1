import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Schema } from './tables.ts';
import { valueParsers } from './types.ts';

export type Db = Kysely<Schema>;

export interface DatabaseHandle {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Runs a multi-statement SQL script (migrations only: never with user input). */
  execScript(script: string): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… to use a real PostgreSQL; otherwise embedded PGlite. */
  url?: string | undefined;
  /** PGlite data directory; `memory://` for a throw-away database. */
  dataDir?: string | undefined;
  poolSize?: number | undefined;
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) return openPostgres(options.url, options.poolSize ?? 10);
  return openPGlite(options.dataDir ?? './data/pglite');
}

function openPostgres(url: string, poolSize: number): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Every query here is interactive or a bounded batch over indexed summaries. PostgreSQL's JIT
    // compiles whenever the planner's estimate passes jit_above_cost, and the estimates of the
    // reports' recursive unit trees always do: 70–180 ms of compilation for a query that runs in
    // 2 ms (the dashboard's integration figure, docs/benchmarks.md). Off for our sessions only.
    options: '-c jit=off',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        const custom = valueParsers[oid];
        return custom ?? pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection must not crash the server; the pool replaces it.
  pool.on('error', () => {});
  const db: Db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
    async execScript(script) {
      const client = await pool.connect();
      try {
        await client.query(script);
      } finally {
        client.release();
      }
    },
    async close() {
      await db.destroy();
    },
  };
}

async function openPGlite(dataDir: string): Promise<DatabaseHandle> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const pglite = new PGlite(dataDir, { parsers: valueParsers });
  await pglite.waitReady;
  const db: Db = new Kysely<Schema>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'pglite',
    async execScript(script) {
      await pglite.exec(script);
    },
    async close() {
      await db.destroy();
      await pglite.close();
    },
  };
}
