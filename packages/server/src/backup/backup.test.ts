import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope } from '@openhssk/core/xml130';
import { createTestCertificate, signEnvelope } from '@openhssk/core/xmldsig';
import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { facilityWithToken, startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { createScratchPostgres } from '../../test-support/scratch-postgres.ts';
import { audit, verifyAuditChain } from '../audit/index.ts';
import { type DatabaseHandle, migrate, openDatabase } from '../db/index.ts';
import { addCertificate } from '../facility/index.ts';
import { importFile, relinkAll } from '../mpi/index.ts';
import { upsertPersons } from '../person/index.ts';
import { refreshReports } from '../reports/index.ts';
import { createStaff } from '../staff/index.ts';
import { backupDatabase, restoreDatabase, verifyBackupFile } from './index.ts';

const KIND = process.env.HSSK_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
const PASS = 'correct horse battery staple';
/** Cheaper scrypt for tests (the production default costs ~0.5 s per file). */
const KDF = { N: 2 ** 14, r: 8, p: 1 };
const MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url));
const FAC = '79001';

type Handle = DatabaseHandle & { drop(): Promise<void> };

/** A brand-new database with no schema at all: PGlite in memory or a new PostgreSQL database. */
async function emptyDatabase(kind: 'pglite' | 'postgres' = KIND): Promise<Handle> {
  if (kind === 'postgres') {
    const scratch = await createScratchPostgres('hssk_restore', process.env.TEST_DATABASE_URL);
    const h = await openDatabase({ url: scratch.url, poolSize: 2 });
    return { ...h, drop: async () => { await h.close(); await scratch.drop(); } };
  }
  const h = await openDatabase({ dataDir: 'memory://' });
  return { ...h, drop: () => h.close() };
}

// biome-ignore lint/suspicious/noExplicitAny: compares every table, typed or not
type AnyDb = Kysely<any>;

/**
 * Every table's row count and the md5 of its rows (row_to_json, sorted bytewise), plus every
 * sequence: computed independently of the backup module's own checksums.
 */
async function fingerprint(db: AnyDb): Promise<Record<string, string>> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('TimeZone', 'UTC', true), set_config('extra_float_digits', '1', true)`.execute(trx);
    const tables = (await sql<{ name: string }>`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind = 'r' order by 1`.execute(trx)).rows;
    const out: Record<string, string> = {};
    for (const { name } of tables) {
      const r = (await sql<{ n: number; md5: string }>`select count(*)::int as n, md5(coalesce(string_agg(j, E'\n' order by j collate "C"), '')) as md5
        from (select row_to_json(t)::text as j from ${sql.table(name)} t) s`.execute(trx)).rows[0]!;
      out[name] = `${r.n} ${r.md5}`;
    }
    const seqs = (await sql<{ name: string }>`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind = 'S' order by 1`.execute(trx)).rows;
    for (const { name } of seqs) {
      const r = (await sql<{ v: string; c: boolean }>`select last_value::text as v, is_called as c from ${sql.table(name)}`.execute(trx)).rows[0]!;
      out[`seq ${name}`] = `${r.v} ${r.c}`;
    }
    return out;
  });
}

const rowsOf = (f: Record<string, string>, table: string) => Number(f[table]?.split(' ')[0]);

/** A varied district in miniature, written through the real paths (HTTP ingest, person, MPI, staff, audit). */
async function seed(app: FastifyInstance, db: TestDatabase, dir: string) {
  // Administrative units, children first in key order ('5' < '52' < '528' sorts them so): admin_unit
  // references itself, which the restore must handle whatever the order of the rows.
  await sql`insert into admin_unit (code, level, name, parent_code) values
    ('52', 'province', 'Tỉnh Quảng Ngãi', null), ('528', 'district', 'Huyện Tư Nghĩa', '52'), ('21208', 'commune', 'Xã Nghĩa Kỳ', '528')`.execute(db.db);
  const { token } = await facilityWithToken(app, db, FAC);
  const signer = createTestCertificate({ commonName: 'Bệnh viện thử nghiệm', organization: FAC });
  // Registered by the operator (approved at once), as `hssk facility cert` does.
  await addCertificate(db.db, FAC, signer.certPem);

  const ep = sampleEpisode(1, FAC);
  await upsertPersons(db.db, [
    { id: 'P-BK-1', ho_ten: ep.XML1![0]!.HO_TEN!, so_cccd: ep.XML1![0]!.SO_CCCD!, ngay_sinh: '1980-02-29', quality_flags: ['no_phone', 'ghép "tay"'] },
    { id: 'P-BK-2', ho_ten: 'Nguyễn Thị Ánh Tuyết', ngay_sinh: '1975', birth_year: 1975, gioi_tinh: 2, dia_chi: 'Thôn 1\nxã Nghĩa Kỳ\t"A"' },
  ]);
  const envelope = signEnvelope(buildEnvelope({ facilityCode: FAC, createdDate: '20240305', episodes: [ep, sampleEpisode(2, FAC)] }), signer.privateKeyPem, signer.certPem);
  const r = await app.inject({ method: 'POST', url: '/api/v1/xml130/submissions', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` }, payload: envelope });
  assert.equal(r.statusCode, 201, r.body);
  // A corrected resend: a second version of the same episode.
  ep.XML1![0]!.CHAN_DOAN_RV = 'Chẩn đoán đã sửa — bản 2';
  const r2 = await app.inject({
    method: 'POST',
    url: '/api/v1/xml130/submissions',
    headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` },
    payload: signEnvelope(buildEnvelope({ facilityCode: FAC, createdDate: '20240306', episodes: [ep] }), signer.privateKeyPem, signer.certPem),
  });
  assert.equal(r2.statusCode, 201, r2.body);

  const csv = join(dir, 'population.csv');
  writeFileSync(
    csv,
    'source_system,source_id,ho_ten,ngay_sinh,gioi_tinh,so_cccd,so_bhyt,so_dien_thoai,dia_chi,ma_xa,ma_ho_gia_dinh\r\n' +
      'MIS2022,M1,Trần Văn Bình,1990-05-01,1,052090001234,,0905123456,Thôn 2,21208,HGD1\r\n' +
      'MIS2022,M2,Trần Thị Cúc,1992-07-15,2,,,,Thôn 2,21208,HGD1\r\n' +
      'MIS2022,M3,,1992-07-15,2,,,,,21208,\r\n',
  );
  await importFile(db.db, csv, {});
  await relinkAll(db.db);
  await createStaff(db.db, { username: 'bacsi.bk', fullName: 'Bác sĩ Sao Lưu', role: 'clinician', facilityCode: FAC, password: 'test-Passw0rd' });
  await audit(db.db, { actor: { type: 'system', id: 'backup-test' }, action: 'test.seed', personId: 'P-BK-1', detail: { note: 'dữ liệu thử', nothing: null, amount: 1.5e-7 } });
  await audit(db.db, { actor: { type: 'staff', id: 'x', name: 'Người | có "ký tự"', role: 'clinician', facilityCode: FAC }, action: 'person.read', personId: 'P-BK-2', breakGlass: true });
  await refreshReports(db.db, { holdbackSeconds: 0 });
}

describe(`backup and restore (${KIND})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), 'hssk-backup-test-'));
  let source: Record<string, string>;
  const file = join(dir, 'district.hsskbak');

  before(async () => {
    // The summaries are refreshed once, by the seed: a background refresh (or the weekly table's
    // snapshot, which a slow seed lets start) between the fingerprint and the backup would make them differ.
    process.env.HSSK_REPORT_REFRESH_SECONDS = '0';
    ({ app, db, close } = await startTestApp({ config: { weeklyReportCheckSeconds: 0 } }));
    await seed(app, db, dir);
    source = await fingerprint(db.db);
  });
  after(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one file with a header listing migrations, tables with row counts and sequences', async () => {
    const s = await backupDatabase(db, file, PASS, { kdf: KDF });
    assert.equal(s.header.source.kind, KIND);
    assert.deepEqual(s.header.schema_migrations, readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql')).sort());
    for (const t of ['schema_migration', 'app_state', 'audit_event', 'episode', 'submission_raw', 'admin_unit']) {
      assert.equal(s.header.tables.find((x) => x.name === t)?.rows, rowsOf(source, t), t);
    }
    assert.ok(rowsOf(source, 'episode') >= 3 && rowsOf(source, 'audit_event') >= 2 && rowsOf(source, 'source_record') >= 3, 'the seed is varied');
    assert.ok(s.header.sequences.some((q) => q.name === 'episode_id_seq'));
    assert.equal(statSync(file).mode & 0o777, 0o600, 'readable by its owner only');
    assert.ok(!readdirSync(dir).some((f) => f.includes('.partial-')), 'no partial file left');
    assert.deepEqual(await fingerprint(db.db), source, 'a backup changes nothing in its source');
    const v = await verifyBackupFile(file, PASS);
    assert.equal(v.rows, s.header.tables.reduce((n, t) => n + t.rows, 0));
  });

  it('restores into a fresh empty database: every table and sequence equal, audit chain intact', async () => {
    const target = await emptyDatabase();
    try {
      const r = await restoreDatabase(target, file, PASS);
      assert.deepEqual(r.upgradedWith, []);
      assert.deepEqual(await fingerprint(target.db), source);
      await assertAuditIntact(target, rowsOf(source, 'audit_event'));
    } finally {
      await target.drop();
    }
  });

  if (KIND === 'postgres') {
    it('crosses drivers: PostgreSQL → PGlite → PostgreSQL gives the same database', async () => {
      const lite = await emptyDatabase('pglite');
      const pg = await emptyDatabase('postgres');
      const liteFile = join(dir, 'from-pglite.hsskbak');
      try {
        await restoreDatabase(lite, file, PASS);
        assert.deepEqual(await fingerprint(lite.db), source);
        const s = await backupDatabase(lite, liteFile, PASS, { kdf: KDF });
        assert.equal(s.header.source.kind, 'pglite');
        await restoreDatabase(pg, liteFile, PASS);
        assert.deepEqual(await fingerprint(pg.db), source);
        await assertAuditIntact(pg, rowsOf(source, 'audit_event'));
      } finally {
        await lite.drop();
        await pg.drop();
      }
    });
  }
});

/** The chain verifies, the protecting triggers are on, and it goes on from where the backup ended. */
async function assertAuditIntact(h: DatabaseHandle, rows: number) {
  const v = await verifyAuditChain(h.db);
  assert.equal(v.ok, true, JSON.stringify(v.broken));
  assert.equal(v.verified, rows);
  assert.deepEqual(v.warnings.filter((w) => /trigger/i.test(w)), [], 'triggers present and enabled');
  await assert.rejects(sql`update audit_event set action = 'x'`.execute(h.db), /append-only/);
  await assert.rejects(sql`delete from audit_event`.execute(h.db), /append-only/);
  await audit(h.db, { actor: { type: 'system', id: 'after-restore' }, action: 'test.after' });
  const after = await verifyAuditChain(h.db);
  assert.equal(after.ok, true, JSON.stringify(after.broken));
  assert.equal(after.verified, rows + 1);
  assert.equal(Number(after.lastId), Number(v.lastId) + 1, 'ids continue after the restored sequence');
}

describe(`backup and restore of unusual values and schema versions (${KIND})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hssk-backup-probe-'));
  const withProbe = join(dir, 'migrations');
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(() => {
    // This program's migrations plus one more: a table of values a JSON round trip could bend.
    mkdirSync(withProbe);
    for (const f of readdirSync(MIGRATIONS).filter((x) => x.endsWith('.sql'))) copyFileSync(join(MIGRATIONS, f), join(withProbe, f));
    writeFileSync(
      join(withProbe, '999_backup_probe.sql'),
      `create table backup_probe (
         id bigint generated always as identity primary key,
         parent bigint references backup_probe(id),
         big bigint, amount numeric, ratio real, precise double precision,
         at timestamptz, local timestamp, day date, span interval,
         doc jsonb, doc_json json, tags text[], bytes bytea, note text,
         upper_note text generated always as (upper(note)) stored
       );`,
    );
  });

  it('keeps bigint, numeric, floats, instants, JSON null vs SQL NULL, arrays, bytea and generated columns exact', async () => {
    const src = await emptyDatabase();
    const dst = await emptyDatabase();
    const file = join(dir, 'probe.hsskbak');
    try {
      await migrate(src, withProbe);
      // Child rows first (ids 1, 2 reference 3): the self-reference must not depend on row order.
      await sql`insert into backup_probe (id, parent, big, amount, ratio, precise, at, local, day, span, doc, doc_json, tags, bytes, note) overriding system value values
        (1, 3, 9007199254740993, 12345678901234567890.123400, 0.1, 0.30000000000000004, '2024-02-29 23:59:59.999999+07', '2024-02-29 23:59:59.5', '2024-02-29', '1 day 02:03:04.5',
         'null'::jsonb, '{"b":1,  "a" : [1,2]}'::json, array['a', null, 'chữ "việt"'], '\\x00ff10'::bytea, e'dòng 1\\ndòng 2\\t\\\\'),
        (2, 3, -9223372036854775808, 'NaN', 'Infinity', -0.0, 'infinity', '-infinity', '0001-01-01', '-1 mon', '"chuỗi"'::jsonb, 'null'::json, '{}', '\\x'::bytea, ''),
        (3, null, null, null, null, null, null, null, null, null, null, null, null, null, null)`.execute(src.db);
      await sql`select setval('backup_probe_id_seq', 41)`.execute(src.db);
      const before = await fingerprint(src.db);
      await backupDatabase(src, file, PASS, { kdf: KDF });
      await restoreDatabase(dst, file, PASS, { migrationsDir: withProbe });
      assert.deepEqual(await fingerprint(dst.db), before);
      const nulls = (await sql<{ id: number; is_sql_null: boolean; is_json_null: boolean }>`
        select id, doc is null as is_sql_null, doc = 'null'::jsonb as is_json_null from backup_probe order by id`.execute(dst.db)).rows;
      assert.deepEqual(nulls.map((r) => [r.is_sql_null, r.is_json_null]), [[false, true], [false, false], [true, null]], 'JSON null stays JSON null');
      const next = (await sql<{ id: number }>`insert into backup_probe (note) values ('mới') returning id`.execute(dst.db)).rows[0]!;
      assert.equal(Number(next.id), 42, 'identity sequence restored');
    } finally {
      await src.drop();
      await dst.drop();
    }
  });

  it('restores a backup of an older schema, then applies the newer migrations', async () => {
    const older = join(dir, 'older');
    mkdirSync(older);
    const all = readdirSync(MIGRATIONS).filter((x) => x.endsWith('.sql')).sort();
    for (const f of all.slice(0, -1)) copyFileSync(join(MIGRATIONS, f), join(older, f));
    const src = await emptyDatabase();
    const dst = await emptyDatabase();
    const file = join(dir, 'older.hsskbak');
    try {
      await migrate(src, older);
      await sql`insert into facility (code, name) values ('51001', 'Trạm y tế cũ')`.execute(src.db);
      await backupDatabase(src, file, PASS, { kdf: KDF });
      const r = await restoreDatabase(dst, file, PASS);
      assert.deepEqual(r.upgradedWith, all.slice(-1));
      const names = (await sql<{ name: string }>`select name from schema_migration order by name`.execute(dst.db)).rows.map((x) => x.name);
      assert.deepEqual(names, all);
      assert.equal((await sql<{ n: number }>`select count(*)::int as n from facility where code = '51001'`.execute(dst.db)).rows[0]!.n, 1);
    } finally {
      await src.drop();
      await dst.drop();
    }
  });
});
