import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createGunzip, createGzip } from 'node:zlib';
import { sql } from 'kysely';
import { createScratchPostgres } from '../../test-support/scratch-postgres.ts';
import { audit } from '../audit/index.ts';
import { type DatabaseHandle, migrate, openDatabase } from '../db/index.ts';
import { decryptingStream, encryptingStream } from './crypto.ts';
import { backupDatabase, restoreDatabase, verifyBackupFile } from './index.ts';

const KIND = process.env.HSSK_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
const PASS = 'correct horse battery staple';
const KDF = { N: 2 ** 14, r: 8, p: 1 };
const MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/hssk.mjs', import.meta.url));

type Handle = DatabaseHandle & { drop(): Promise<void> };

async function emptyDatabase(): Promise<Handle> {
  if (KIND === 'postgres') {
    const scratch = await createScratchPostgres('hssk_restore', process.env.TEST_DATABASE_URL);
    const h = await openDatabase({ url: scratch.url, poolSize: 2 });
    return { ...h, drop: async () => { await h.close(); await scratch.drop(); } };
  }
  const h = await openDatabase({ dataDir: 'memory://' });
  return { ...h, drop: () => h.close() };
}

/** Rows in tables other than what migrating creates (schema_migration, the audit chain head, the public holidays migration 065 seeds, the reminder planner's start row of 057). */
async function dataRows(h: DatabaseHandle): Promise<number> {
  const tables = (await sql<{ name: string }>`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind = 'r' and c.relname not in ('schema_migration', 'audit_chain_head', 'correction_holiday', 'appointment_planner_state')`.execute(h.db)).rows;
  let n = 0;
  for (const { name } of tables) n += (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(name)}`.execute(h.db)).rows[0]!.n;
  return n;
}

const hasSchema = async (h: DatabaseHandle) => (await sql<{ t: string | null }>`select to_regclass('schema_migration')::text as t`.execute(h.db)).rows[0]?.t != null;

/** Byte ranges of the sealed frames of a backup file (the container layout of crypto.ts). */
function frames(file: Buffer): Array<{ start: number; end: number }> {
  let at = 8 + 4 + file.readUInt32BE(8);
  const out = [];
  while (at < file.length) {
    const end = at + 4 + file.readUInt32BE(at) + 16;
    out.push({ start: at, end });
    at = end;
  }
  return out;
}

const code = (expected: string) => (e: unknown) => {
  assert.equal((e as { code?: string }).code, expected, String(e));
  assert.ok((e as { message_vi?: string }).message_vi, 'a Vietnamese reason');
  return true;
};

describe(`backup file and restore target protections (${KIND})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hssk-backup-sec-'));
  const withBlob = join(dir, 'migrations');
  const file = join(dir, 'source.hsskbak');
  let source: Handle;
  let bytes: Buffer;

  before(async () => {
    // A table of incompressible text so the file spans several frames: damage near the end is then
    // found only after earlier tables were already inserted, which the restore must roll back.
    mkdirSync(withBlob);
    for (const f of readdirSync(MIGRATIONS).filter((x) => x.endsWith('.sql'))) copyFileSync(join(MIGRATIONS, f), join(withBlob, f));
    writeFileSync(join(withBlob, '999_backup_blob.sql'), 'create table zz_backup_blob (id int primary key, data text not null);');
    source = await emptyDatabase();
    await migrate(source, withBlob);
    await sql`insert into facility (code, name) values ('51001', 'Trạm y tế Nghĩa Kỳ')`.execute(source.db);
    await audit(source.db, { actor: { type: 'system', id: 'sec-test' }, action: 'test.seed' });
    await sql`insert into zz_backup_blob values (1, ${randomBytes(3 * 1024 * 1024).toString('base64')})`.execute(source.db);
    await backupDatabase(source, file, PASS, { kdf: KDF });
    bytes = readFileSync(file);
    assert.ok(frames(bytes).length >= 3, 'several frames');
  });
  after(async () => {
    await source.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const restoreVariant = async (name: string, content: Buffer, expected: string, pass = PASS) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    const target = await emptyDatabase();
    try {
      await assert.rejects(restoreDatabase(target, path, pass, { migrationsDir: withBlob }), code(expected));
      await assert.rejects(verifyBackupFile(path, pass), code(expected));
      if (await hasSchema(target)) assert.equal(await dataRows(target), 0, 'nothing restored: the transaction rolled back');
      // The refused target is still a valid place for the good file.
      await restoreDatabase(target, file, PASS, { migrationsDir: withBlob });
      assert.ok((await dataRows(target)) > 0);
    } finally {
      await target.drop();
    }
  };

  it('refuses a wrong passphrase before touching the target', async () => {
    const target = await emptyDatabase();
    try {
      await assert.rejects(restoreDatabase(target, file, 'wrong horse battery staple', { migrationsDir: withBlob }), code('BACKUP_WRONG_PASSPHRASE'));
      assert.equal(await hasSchema(target), false, 'the target was not even migrated');
    } finally {
      await target.drop();
    }
  });

  it('refuses a file with one changed byte near its end and rolls back what it had restored', async () => {
    const last = frames(bytes).at(-1)!;
    const bad = Buffer.from(bytes);
    bad[last.start + 4 + 3]! ^= 0x01;
    await restoreVariant('flipped.hsskbak', bad, 'BACKUP_DAMAGED');
  });

  it('refuses a file with a changed byte in its first frame', async () => {
    const first = frames(bytes)[0]!;
    const bad = Buffer.from(bytes);
    bad[first.end - 1]! ^= 0x80; // the tag
    await restoreVariant('tag.hsskbak', bad, 'BACKUP_DAMAGED');
  });

  it('refuses a file whose preamble was edited (nonce prefix), though the passphrase is right', async () => {
    const len = bytes.readUInt32BE(8);
    const pre = JSON.parse(bytes.subarray(12, 12 + len).toString('utf8')) as { nonce_prefix: string };
    const other = Buffer.from(pre.nonce_prefix, 'base64');
    other[0]! ^= 0xff;
    const json = Buffer.from(bytes.subarray(12, 12 + len).toString('utf8').replace(pre.nonce_prefix, other.toString('base64')));
    assert.equal(json.length, len);
    await restoreVariant('preamble.hsskbak', Buffer.concat([bytes.subarray(0, 12), json, bytes.subarray(12 + len)]), 'BACKUP_DAMAGED');
  });

  it('refuses a file truncated at a frame boundary (last frame dropped)', async () => {
    await restoreVariant('cut-frame.hsskbak', bytes.subarray(0, frames(bytes).at(-1)!.start), 'BACKUP_TRUNCATED');
  });

  it('refuses a file truncated inside a frame', async () => {
    await restoreVariant('cut-mid.hsskbak', bytes.subarray(0, bytes.length - 100), 'BACKUP_TRUNCATED');
  });

  it('refuses a file with frames reordered', async () => {
    const [a, b] = frames(bytes);
    const swapped = Buffer.concat([bytes.subarray(0, a!.start), bytes.subarray(b!.start, b!.end), bytes.subarray(a!.start, a!.end), bytes.subarray(b!.end)]);
    await restoreVariant('swapped.hsskbak', swapped, 'BACKUP_DAMAGED');
  });

  it('refuses a file with bytes appended after its final frame', async () => {
    await restoreVariant('appended.hsskbak', Buffer.concat([bytes, Buffer.from([0, 0, 0, 1, 0x41])]), 'BACKUP_DAMAGED');
  });

  it('refuses to restore into a database that holds data, and leaves it unchanged', async () => {
    const target = await emptyDatabase();
    try {
      await restoreDatabase(target, file, PASS, { migrationsDir: withBlob });
      await sql`delete from zz_backup_blob`.execute(target.db);
      await sql`insert into facility (code, name) values ('51002', 'Cơ sở khác')`.execute(target.db);
      const before = await dataRows(target);
      await assert.rejects(restoreDatabase(target, file, PASS, { migrationsDir: withBlob }), (e: unknown) => {
        code('RESTORE_TARGET_NOT_EMPTY')(e);
        assert.match((e as { message_vi: string }).message_vi, /facility/);
        return true;
      });
      assert.equal(await dataRows(target), before);
      assert.equal((await sql<{ n: number }>`select count(*)::int as n from facility where code = '51002'`.execute(target.db)).rows[0]!.n, 1);
    } finally {
      await target.drop();
    }
  });

  it('refuses a backup from a newer schema (a migration this program does not have)', async () => {
    const target = await emptyDatabase();
    try {
      await assert.rejects(restoreDatabase(target, file, PASS), code('BACKUP_SCHEMA_NEWER'));
      assert.equal(await hasSchema(target), false);
    } finally {
      await target.drop();
    }
  });

  it('refuses a target already migrated past the backup', async () => {
    const older = await emptyDatabase();
    const target = await emptyDatabase();
    const olderFile = join(dir, 'older.hsskbak');
    try {
      await migrate(older);
      await backupDatabase(older, olderFile, PASS, { kdf: KDF });
      await migrate(target, withBlob);
      await assert.rejects(restoreDatabase(target, olderFile, PASS, { migrationsDir: withBlob }), code('RESTORE_TARGET_NEWER'));
    } finally {
      await older.drop();
      await target.drop();
    }
  });

  it('takes no SQL from the file: a validly encrypted file naming a table the target lacks is refused', async () => {
    // Whoever holds the passphrase could craft a file; identifiers must still come from the target's catalog.
    const plain: Buffer[] = [];
    for await (const c of createReadStream(file).pipe(decryptingStream(PASS)).pipe(createGunzip())) plain.push(c as Buffer);
    const evil = Buffer.concat(plain).toString('utf8').replaceAll('"zz_backup_blob"', '"zz_backup_blob\\" (id) values (1); drop table facility; --"');
    const path = join(dir, 'crafted.hsskbak');
    await pipeline(Readable.from([Buffer.from(evil)]), createGzip(), await encryptingStream(PASS, KDF), createWriteStream(path));
    const target = await emptyDatabase();
    try {
      await assert.rejects(restoreDatabase(target, path, PASS, { migrationsDir: withBlob }), code('RESTORE_SCHEMA_MISMATCH'));
      assert.notEqual((await sql<{ t: string | null }>`select to_regclass('facility')::text as t`.execute(target.db)).rows[0]?.t, null, 'facility still exists');
      assert.equal(await dataRows(target), 0);
    } finally {
      await target.drop();
    }
  });

  it('refuses a short passphrase and never overwrites an existing file', async () => {
    const out = join(dir, 'weak.hsskbak');
    await assert.rejects(backupDatabase(source, out, 'short', { kdf: KDF }), code('BACKUP_PASSPHRASE_WEAK'));
    assert.equal(existsSync(out), false);
    await assert.rejects(backupDatabase(source, file, PASS, { kdf: KDF }), code('BACKUP_OUT_EXISTS'));
    assert.ok(readFileSync(file).equals(bytes), 'the existing backup is untouched');
  });

  it('stores no readable content: no table name or value appears in the file', () => {
    for (const needle of ['zz_backup_blob', 'facility', 'Nghĩa Kỳ', 'schema_migration']) {
      assert.equal(bytes.includes(Buffer.from(needle)), false, needle);
    }
  });
});

if (KIND === 'pglite') {
  describe('hssk backup / restore command line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hssk-backup-cli-'));
    const run = promisify(execFile);
    const env = (data: string, extra: Record<string, string> = {}) => ({ ...process.env, HSSK_DATA_DIR: join(dir, data), HSSK_DEMO: '0', DATABASE_URL: '', ...extra });
    const hssk = (data: string, args: string[], extra: Record<string, string> = {}) => run(process.execPath, [BIN, ...args], { env: env(data, extra), cwd: dir });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('takes the passphrase from the environment or a file, never from an argument; refuses a non-empty target with exit 1', async () => {
      await hssk('a', ['facility', 'create', '--code', '51001', '--name', 'Trạm y tế thử']);
      const file = join(dir, 'a.hsskbak');
      await assert.rejects(hssk('a', ['backup', '--out', file, '--passphrase', PASS]), /passphrase/);
      assert.equal(existsSync(file), false);
      await assert.rejects(hssk('a', ['backup', '--out', file], { HSSK_BACKUP_PASSPHRASE: '' }), /BACKUP_PASSPHRASE_REQUIRED|Cần mật khẩu sao lưu/);
      const b = await hssk('a', ['backup', '--out', file], { HSSK_BACKUP_PASSPHRASE: PASS });
      assert.match(b.stdout, /backed up/);
      writeFileSync(join(dir, 'pass.txt'), `${PASS}\n`, { mode: 0o600 });
      const v = await hssk('none', ['restore', file, '--verify-only', '--passphrase-file', join(dir, 'pass.txt')]);
      assert.match(v.stdout, /backup verified/);
      assert.equal(existsSync(join(dir, 'none')), false, '--verify-only opens no database');
      const r = await hssk('b', ['restore', file], { HSSK_BACKUP_PASSPHRASE: PASS });
      assert.match(r.stdout, /restored and verified/);
      const again = await hssk('b', ['restore', file], { HSSK_BACKUP_PASSPHRASE: PASS }).then(
        () => assert.fail('a second restore into the same database must be refused'),
        (e: { code: number; stderr: string }) => e,
      );
      assert.equal(again.code, 1);
      assert.match(again.stderr, /đã có dữ liệu/);
      assert.match(again.stderr, /already holds data/);
    });
  });
}
