import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { DatabaseHandle } from './database.ts';

const MIGRATIONS_DIR = new URL('../../migrations', import.meta.url).pathname;
/** Distribution on a Citus cluster (issue 21): applied after the plain files, only where citus is installed. */
const CITUS_SUBDIR = 'citus';

/**
 * Applies plain SQL files in name order, each once, each in its own transaction.
 * The same files run on PGlite and PostgreSQL, so they stick to PostgreSQL 15 SQL.
 */
export async function migrate(handle: DatabaseHandle, dir = MIGRATIONS_DIR): Promise<string[]> {
  // Checked first: PostgreSQL refuses even `create table if not exists` to an application role
  // without CREATE on the schema, and such a role must still be able to start the server.
  const exists = await sql<{ t: string | null }>`select to_regclass('schema_migration')::text as t`.execute(handle.db);
  if (!exists.rows[0]?.t) {
    await handle.execScript('create table schema_migration (name text primary key, applied_at timestamptz not null default now())');
  }
  const done = new Set(
    (await sql<{ name: string }>`select name from schema_migration`.execute(handle.db)).rows.map((r) => r.name),
  );
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  if (handle.kind === 'postgres' && (await hasCitus(handle)) && existsSync(join(dir, CITUS_SUBDIR))) {
    files.push(...readdirSync(join(dir, CITUS_SUBDIR)).filter((f) => f.endsWith('.sql')).sort().map((f) => `${CITUS_SUBDIR}/${f}`));
  }
  const applied: string[] = [];
  for (const file of files) {
    if (done.has(file)) continue;
    const body = readFileSync(join(dir, file), 'utf8');
    // The file name is from our own migrations folder, never user input.
    await handle.execScript(`begin;\n${body}\n;insert into schema_migration(name) values ('${file.replace(/'/g, "''")}');\ncommit;`);
    applied.push(file);
  }
  return applied;
}

/** The database is a Citus coordinator: the extension is installed in it (not merely available). */
export async function hasCitus(handle: DatabaseHandle): Promise<boolean> {
  const r = await sql<{ n: number }>`select count(*)::int as n from pg_extension where extname = 'citus'`.execute(handle.db);
  return (r.rows[0]?.n ?? 0) > 0;
}
