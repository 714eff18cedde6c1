import { copyFileSync, createReadStream, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { DomainError } from '@openhssk/core';
import { type Kysely, sql } from 'kysely';
import { type DatabaseHandle, migrate, openDatabase } from '../db/index.ts';
import { type Catalog, quoteIdent, readCatalog, rowJsonQuery, setDumpSettings, type TableInfo } from './catalog.ts';
import { decryptingStream, FRAME_BYTES } from './crypto.ts';
import { readRows } from './dump.ts';
import { type BackupHeader, damagedContent, lines, parseControl, parseHeader, RowDigest } from './format.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));
/** Rows per INSERT: one jsonb parameter each (like db/bulk.ts), bounded by bytes as well as rows. */
const BATCH_BYTES = 4 * 1024 * 1024;
const BATCH_ROWS = 2000;

// biome-ignore lint/suspicious/noExplicitAny: the restore writes every table, also ones Schema does not type
type AnyDb = Kysely<any>;

export interface RestoreOptions {
  log?: (message: string) => void;
  /** Migrations folder of this program (tests point it elsewhere). */
  migrationsDir?: string;
}

export interface RestoreSummary {
  header: BackupHeader;
  rows: number;
  seconds: number;
  /** Migrations of this program newer than the backup, applied after the restore. */
  upgradedWith: string[];
}

/** The plaintext lines of a backup file; fails on a wrong passphrase or any damage before yielding it. */
function openBackup(file: string, passphrase: string): AsyncGenerator<string> {
  const source = createReadStream(file, { highWaterMark: FRAME_BYTES + 64 });
  // Errors of any stage destroy the last one with that error, so the reader sees the first cause.
  const plain: Readable = pipeline(source, decryptingStream(passphrase), createGunzip(), () => {});
  return lines(plain);
}

/**
 * Walks the dump after its header: checks that sections come in header order, that every section
 * ends with its row count and that the file ends with its end marker, and hands rows on in batches.
 */
async function walkSections(
  it: AsyncIterator<string>,
  header: BackupHeader,
  on: { rows(table: string, batch: string[]): Promise<void> | void; end(table: string, rows: number, checksum: string): Promise<void> | void },
): Promise<number> {
  let total = 0;
  for (const entry of header.tables) {
    const start = await it.next();
    if (start.done) throw damagedContent(`missing table ${entry.name}`);
    const c = parseControl(start.value);
    if (!('table' in c) || c.table !== entry.name) throw damagedContent(`expected table ${entry.name}`);
    let batch: string[] = [];
    let bytes = 0;
    let count = 0;
    for (;;) {
      const next = await it.next();
      if (next.done) throw damagedContent(`table ${entry.name} not closed`);
      const line = next.value;
      if (line.startsWith('{')) {
        batch.push(line);
        bytes += line.length;
        count++;
        if (bytes >= BATCH_BYTES || batch.length >= BATCH_ROWS) {
          await on.rows(entry.name, batch);
          batch = [];
          bytes = 0;
        }
        continue;
      }
      const end = parseControl(line);
      if (!('end' in end) || end.end !== entry.name || end.rows !== count || end.rows !== entry.rows) {
        throw damagedContent(`table ${entry.name}: row count`);
      }
      if (batch.length) await on.rows(entry.name, batch);
      await on.end(entry.name, count, end.checksum);
      total += count;
      break;
    }
  }
  const last = await it.next();
  if (last.done || !('end_of_backup' in parseControl(last.value))) throw damagedContent('end marker');
  if (!(await it.next()).done) throw damagedContent('data after the end marker');
  return total;
}

/**
 * Reads the whole file, authenticating every frame and checking every table's row count and
 * checksum against the rows in the file, without touching a database: the nightly check of a backup.
 */
export async function verifyBackupFile(file: string, passphrase: string): Promise<{ header: BackupHeader; rows: number; seconds: number }> {
  const started = performance.now();
  const it = openBackup(file, passphrase);
  try {
    const header = parseHeader((await it.next()).value as string | undefined);
    let digest = new RowDigest();
    const rows = await walkSections(it, header, {
      rows(_t, batch) {
        for (const r of batch) digest.add(r);
      },
      end(table, _n, checksum) {
        if (digest.hex() !== checksum) throw damagedContent(`table ${table}: checksum`);
        digest = new RowDigest();
      },
    });
    return { header, rows, seconds: (performance.now() - started) / 1000 };
  } finally {
    await it.return(undefined);
  }
}

const migrationNames = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();

async function appliedMigrations(db: AnyDb): Promise<string[] | null> {
  const exists = (await sql<{ t: string | null }>`select to_regclass('schema_migration')::text as t`.execute(db)).rows[0]?.t;
  if (!exists) return null;
  return (await sql<{ name: string }>`select name from schema_migration order by name`.execute(db)).rows.map((r) => r.name);
}

/** Applies exactly `names` (those not applied yet) from `dir`, so the target reaches the backup's schema and no further. */
async function migrateTo(handle: DatabaseHandle, names: string[], dir: string): Promise<void> {
  const subset = mkdtempSync(join(tmpdir(), 'hssk-restore-migrations-'));
  try {
    for (const n of names) copyFileSync(join(dir, n), join(subset, n));
    await migrate(handle, subset);
  } finally {
    rmSync(subset, { recursive: true, force: true });
  }
}

/** Rows per table (up to a bound) other than schema_migration: what makes a database "not empty". */
async function occupiedTables(db: AnyDb, tables: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const t of tables) {
    if (t === 'schema_migration') continue;
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from (select 1 from only ${sql.raw(quoteIdent(t))} limit 100001) s`.execute(db);
    if (rows[0]!.n > 0) out.set(t, rows[0]!.n);
  }
  return out;
}

/**
 * Rows the migrations themselves create (seed rows), found by migrating a throw-away in-memory
 * database to the same schema. Only computed when the target is not bare, so usually never.
 */
async function migrationSeedRows(names: string[], dir: string): Promise<Map<string, number>> {
  const scratch = await openDatabase({ dataDir: 'memory://' });
  try {
    await migrateTo(scratch, names, dir);
    const tables = (await readCatalog(scratch.db)).tables.map((t) => t.name);
    return await occupiedTables(scratch.db, tables);
  } finally {
    await scratch.close();
  }
}

const notEmpty = (tables: string[]) =>
  new DomainError(
    'conflict',
    'RESTORE_TARGET_NOT_EMPTY',
    `Cơ sở dữ liệu đích đã có dữ liệu (bảng: ${tables.join(', ')}); chỉ khôi phục vào cơ sở dữ liệu trống. Hãy tạo cơ sở dữ liệu mới (PostgreSQL: createdb; PGlite: thư mục HSSK_DATA_DIR mới) và không khởi động máy chủ trên đó trước khi khôi phục.`,
    `The target database already holds data (tables: ${tables.join(', ')}); a backup is restored only into an empty database. Create a new one (PostgreSQL: createdb; PGlite: a new HSSK_DATA_DIR) and do not start the server on it before restoring.`,
    { tables },
  );

/** Refuses unless every table holds at most the rows the migrations create; returns those seeded tables. */
async function assertEmpty(db: AnyDb, tables: string[], seedRows: () => Promise<Map<string, number>>): Promise<string[]> {
  const occupied = await occupiedTables(db, tables);
  if (!occupied.size) return [];
  const seeds = await seedRows();
  const beyond = [...occupied].filter(([t, n]) => n > (seeds.get(t) ?? 0)).map(([t]) => t);
  if (beyond.length) throw notEmpty(beyond);
  return [...occupied.keys()];
}

function checkSchema(catalog: Catalog, header: BackupHeader): void {
  const problems: string[] = [];
  const target = new Map(catalog.tables.map((t) => [t.name, t]));
  for (const t of header.tables) {
    const mine = target.get(t.name);
    if (!mine) {
      problems.push(`${t.name}: missing`);
      continue;
    }
    const cols = new Map(mine.columns.map((c) => [c.name, c.type]));
    for (const c of t.columns) if (cols.get(c.name) !== c.type) problems.push(`${t.name}.${c.name}`);
    if (mine.columns.length !== t.columns.length) problems.push(`${t.name}: columns`);
  }
  for (const t of catalog.tables) if (!header.tables.some((h) => h.name === t.name)) problems.push(`${t.name}: not in backup`);
  for (const s of header.sequences) if (!catalog.sequences.includes(s.name)) problems.push(`sequence ${s.name}`);
  if (problems.length) {
    throw new DomainError(
      'unprocessable',
      'RESTORE_SCHEMA_MISMATCH',
      `Lược đồ của cơ sở dữ liệu đích khác với bản sao lưu dù cùng danh sách migration (${problems.slice(0, 10).join('; ')}).`,
      `The target's schema differs from the backup's although the migrations are the same (${problems.slice(0, 10).join('; ')}).`,
      { problems },
    );
  }
}

/** Dump order must put referenced tables first; a file we wrote always does, a foreign one may not. */
function checkOrder(catalog: Catalog, header: BackupHeader): void {
  const position = new Map(header.tables.map((t, i) => [t.name, i]));
  for (const [child, parents] of catalog.parents) {
    for (const p of parents) if ((position.get(p) ?? -1) > (position.get(child) ?? -1)) throw damagedContent(`table order ${p} → ${child}`);
  }
}

/**
 * One INSERT per batch: the row texts become one json parameter that json_to_recordset types by
 * the target's own column types; json/jsonb columns arrive as text and are cast back. All SQL
 * identifiers and types come from the target's catalog (the header's names were checked against
 * it), never from the file.
 */
function insertStatement(into: string, columns: TableInfo['columns']) {
  const list = columns.map((c) => quoteIdent(c.name)).join(', ');
  const defs = columns.map((c) => `${quoteIdent(c.name)} ${c.json ? 'text' : c.type}`).join(', ');
  const select = columns.map((c) => (c.json ? `r.${quoteIdent(c.name)}::${c.type}` : `r.${quoteIdent(c.name)}`)).join(', ');
  return (db: AnyDb, batch: string[]) =>
    sql`${sql.raw(`insert into ${into} (${list}) overriding system value select ${select} from json_to_recordset(`)}${`[${batch.join(',')}]`}${sql.raw(`::json) as r(${defs})`)}`.execute(db);
}

/**
 * Restores a backup into an EMPTY database (PGlite or PostgreSQL):
 * 1. refuses a backup whose migrations this program does not know (a newer schema), and a target
 *    that already went past the backup's migrations or holds rows other than migration seeds;
 * 2. migrates the target to exactly the backup's migrations;
 * 3. in ONE transaction (a failure leaves the target empty): locks every table, disables user
 *    triggers, inserts the tables parents-first with every foreign key checked, compares each
 *    restored table with the checksum the backup recorded, re-enables the triggers, sets sequences;
 * 4. applies this program's newer migrations, if any, to the restored data.
 *
 * User triggers are disabled during the copy (ALTER TABLE … DISABLE TRIGGER USER, as pg_dump
 * --disable-triggers does, but owner rights suffice): restored rows are history, not new events.
 * A BEFORE INSERT trigger that computes the audit hash chain must not recompute stored hashes,
 * and an AFTER trigger must not change other restored rows. It is safe because it happens inside
 * the restore transaction under an ACCESS EXCLUSIVE lock on every table: no other session can
 * write while triggers are off, a failure rolls the ALTER back too, and the checksums prove every
 * stored column — the audit hashes included — equals the backup before the commit.
 */
export async function restoreDatabase(handle: DatabaseHandle, file: string, passphrase: string, options: RestoreOptions = {}): Promise<RestoreSummary> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const dir = options.migrationsDir ?? MIGRATIONS_DIR;
  const it = openBackup(file, passphrase);
  try {
    const header = parseHeader((await it.next()).value as string | undefined);
    const known = new Set(migrationNames(dir));
    const unknown = header.schema_migrations.filter((m) => !known.has(m));
    if (unknown.length) {
      throw new DomainError(
        'unprocessable',
        'BACKUP_SCHEMA_NEWER',
        `Bản sao lưu có migration mà chương trình này không có (${unknown.join(', ')}): nó được tạo bởi phiên bản OpenHSSK mới hơn. Hãy khôi phục bằng phiên bản đó hoặc mới hơn.`,
        `The backup has migrations this program does not know (${unknown.join(', ')}): it comes from a newer OpenHSSK. Restore it with that version or a later one.`,
        { migrations: unknown },
      );
    }
    const appliedOrNull = await appliedMigrations(handle.db);
    const applied = appliedOrNull ?? [];
    const ahead = applied.filter((m) => !header.schema_migrations.includes(m));
    if (ahead.length) {
      throw new DomainError(
        'conflict',
        'RESTORE_TARGET_NEWER',
        `Cơ sở dữ liệu đích đã chạy migration không có trong bản sao lưu (${ahead.join(', ')}). Hãy khôi phục vào một cơ sở dữ liệu mới hoàn toàn trống (không chạy migrate hay khởi động máy chủ trước): lệnh khôi phục tự chạy đúng các migration cần thiết.`,
        `The target has migrations the backup lacks (${ahead.join(', ')}). Restore into a brand-new empty database (do not run migrate or start the server first): restore runs exactly the migrations it needs.`,
        { migrations: ahead },
      );
    }
    // Checked before migrating so a refused restore leaves a non-empty database untouched.
    const existing = (await readCatalog(handle.db)).tables.map((t) => t.name);
    if (!appliedOrNull && existing.length) throw notEmpty(existing);
    let seeds: Map<string, number> | null = null;
    const seedRows = async () => (seeds ??= await migrationSeedRows(header.schema_migrations, dir));
    if (applied.length) await assertEmpty(handle.db, existing, seedRows);
    if (header.schema_migrations.some((m) => !applied.includes(m))) {
      await migrateTo(handle, header.schema_migrations, dir);
      // Migrated from nothing by this call: whatever rows exist now are the migrations' own seeds.
      if (!applied.length) seeds = await occupiedTables(handle.db, (await readCatalog(handle.db)).tables.map((t) => t.name));
    }

    let rows = 0;
    await handle.db.transaction().execute(async (trx) => {
      await setDumpSettings(trx);
      await sql`set constraints all deferred`.execute(trx);
      await sql`select set_config('lock_timeout', '30s', true)`.execute(trx);
      const catalog = await readCatalog(trx);
      checkSchema(catalog, header);
      checkOrder(catalog, header);
      const names = catalog.tables.map((t) => t.name);
      await sql`${sql.raw(`lock table ${names.map((n) => `only ${quoteIdent(n)}`).join(', ')} in access exclusive mode`)}`.execute(trx);
      // Again under the lock: nothing can have slipped in since the first check.
      const seeded = await assertEmpty(trx, names, seedRows);
      const withTriggers = catalog.tables.filter((t) => t.hasUserTriggers).map((t) => t.name);
      for (const t of withTriggers) await sql`${sql.raw(`alter table ${quoteIdent(t)} disable trigger user`)}`.execute(trx);
      // The backup carries the authoritative copy of migration seeds and of schema_migration itself.
      const cleared = header.tables.map((t) => t.name).filter((t) => t === 'schema_migration' || seeded.includes(t));
      for (const t of cleared.reverse()) await sql`${sql.raw(`delete from only ${quoteIdent(t)}`)}`.execute(trx);

      const byName = new Map(catalog.tables.map((t) => [t.name, t]));
      const headerColumns = new Map(header.tables.map((t) => [t.name, t.columns.map((c) => byName.get(t.name)!.columns.find((x) => x.name === c.name)!)]));
      let current: { table: TableInfo; insert: ReturnType<typeof insertStatement>; stage: string | null } | null = null;
      const prepare = async (name: string) => {
        const table = byName.get(name)!;
        const columns = headerColumns.get(name)!;
        // A table that references itself with a per-statement check (admin_unit.parent_code): rows are
        // collected in a temporary table and moved with ONE statement, whose foreign-key checks run at
        // its end, so a child may come before its parent in the file.
        let stage: string | null = null;
        if (table.selfReferencing) {
          stage = quoteIdent(`hssk_restore_${name}`);
          await sql`${sql.raw(`create temp table ${stage} (like ${quoteIdent(name)}) on commit drop`)}`.execute(trx);
        }
        current = { table, insert: insertStatement(stage ?? quoteIdent(name), columns), stage };
        return current;
      };
      rows = await walkSections(it, header, {
        async rows(name, batch) {
          const c = current?.table.name === name ? current : await prepare(name);
          await c.insert(trx, batch);
        },
        async end(name, count, checksum) {
          const c = current?.table.name === name ? current : await prepare(name);
          const columns = headerColumns.get(name)!;
          if (c.stage) {
            const list = columns.map((x) => quoteIdent(x.name)).join(', ');
            await sql`${sql.raw(`insert into ${quoteIdent(name)} (${list}) overriding system value select ${list} from ${c.stage}`)}`.execute(trx);
            await sql`${sql.raw(`drop table ${c.stage}`)}`.execute(trx);
          }
          const digest = new RowDigest();
          for await (const page of readRows(trx, rowJsonQuery(c.table, columns, false))) for (const r of page) digest.add(r);
          if (digest.count !== count || digest.hex() !== checksum) {
            throw new DomainError(
              'internal',
              'RESTORE_VERIFY_FAILED',
              `Bảng ${name} sau khi khôi phục khác với bản sao lưu (${digest.count}/${count} dòng); đã hủy toàn bộ việc khôi phục.`,
              `Table ${name} differs from the backup after restoring (${digest.count}/${count} rows); the whole restore was rolled back.`,
            );
          }
          if (count) log(`${name}: ${count} rows restored and verified`);
          current = null;
        },
      });
      for (const t of withTriggers) await sql`${sql.raw(`alter table ${quoteIdent(t)} enable trigger user`)}`.execute(trx);
      for (const s of header.sequences) {
        await sql`select setval(${quoteIdent(s.name)}::regclass, ${s.last_value}::bigint, ${s.is_called})`.execute(trx);
      }
    });
    const upgradedWith = await migrate(handle, dir);
    return { header, rows, seconds: (performance.now() - started) / 1000, upgradedWith };
  } finally {
    await it.return(undefined);
  }
}
