import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { DatabaseHandle } from './database.ts';

const MIGRATIONS_DIR = new URL('../../migrations', import.meta.url).pathname;

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
  const applied: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    if (done.has(file)) continue;
    const body = readFileSync(join(dir, file), 'utf8');
    // The file name is from our own migrations folder, never user input.
    await handle.execScript(`begin;\n${body}\n;insert into schema_migration(name) values ('${file.replace(/'/g, "''")}');\ncommit;`);
    applied.push(file);
  }
  return applied;
}
