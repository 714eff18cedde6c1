import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { createTestDatabase } from '../../test-support/database.ts';
import { createScratchPostgres, DEFAULT_ADMIN_URL } from '../../test-support/scratch-postgres.ts';
import { type DatabaseHandle, type Db, migrate, openDatabase } from '../db/index.ts';
import { exportLinks } from '../mpi/index.ts';
import { type Actor, audit, auditMany, verifyAuditChain } from './index.ts';

const KIND = process.env.HSSK_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? DEFAULT_ADMIN_URL;
const REPO = new URL('../../../..', import.meta.url).pathname;
const BIN = join(REPO, 'packages/server/bin/hssk.mjs');
const run = promisify(execFile);

const staff: Actor = { type: 'staff', id: 'st-1', name: 'Lê Thị Hoà', role: 'clinician', facilityCode: '79001' };

/** Some rows of everyday shapes: Vietnamese text, jsonb detail, nulls, break-glass. */
async function someEvents(db: Db, n: number, tag: string) {
  for (let i = 0; i < n; i++) {
    await audit(db, {
      actor: i % 2 ? staff : { type: 'citizen', id: `0790${i}`, name: 'Nguyễn Văn Ánh' },
      action: `${tag}.read`,
      personId: `P${i}`,
      resource: i % 3 ? `episode/${i}` : undefined,
      breakGlass: i % 5 === 0,
      requestId: `req-${tag}-${i}`,
      detail: i % 2 ? { reason: 'cấp cứu | "khẩn"', n: i, nested: { z: 1, a: [1.5, null, 'x'] } } : undefined,
    });
  }
}

const idsInOrder = async (db: Db) => (await sql<{ id: string }>`select id::text as id from audit_event order by audit_event.id`.execute(db)).rows.map((r) => r.id);

/**
 * A superuser edit that skips the append-only trigger: session_replication_role = replica on
 * PostgreSQL (triggers do not fire), the trigger disabled for the moment on PGlite.
 */
async function superuserTamper(db: Db, statement: ReturnType<typeof sql>) {
  if (KIND === 'postgres') {
    await db.transaction().execute(async (tx) => {
      await sql`set local session_replication_role = replica`.execute(tx);
      await statement.execute(tx);
    });
  } else {
    await sql`alter table audit_event disable trigger audit_event_no_change`.execute(db);
    try {
      await statement.execute(db);
    } finally {
      await sql`alter table audit_event enable trigger audit_event_no_change`.execute(db);
    }
  }
}

describe(`auditMany: a list read in one multi-row insert, chained like single rows (${KIND})`, () => {
  let h: Awaited<ReturnType<typeof createTestDatabase>>;
  before(async () => {
    h = await createTestDatabase();
  });
  after(async () => h.drop());

  it('writes the rows in the given order, chained, interleaved with concurrent single audits, across chunks of 1,000', async () => {
    await someEvents(h.db, 3, 'before');
    const many = (tag: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ actor: staff, action: `${tag}.list`, personId: `${tag}${i}`, resource: `station_member/${i}`, requestId: `r-${tag}`, detail: { purpose: 'search', i } }));
    // Two list reads and ten single reads at once: every row still follows its predecessor.
    await Promise.all([
      auditMany(h.db, many('A', 20)),
      auditMany(h.db, many('B', 2500)),
      ...Array.from({ length: 10 }, (_, i) => audit(h.db, { actor: staff, action: 'single.read', personId: `S${i}` })),
    ]);
    await h.db.transaction().execute((tx) => auditMany(tx, many('T', 5)));
    await auditMany(h.db, []);
    const r = await verifyAuditChain(h.db, { pageSize: 500 });
    assert.equal(r.broken, undefined, JSON.stringify(r.broken));
    assert.equal(r.verified, 3 + 20 + 2500 + 10 + 5);
    for (const tag of ['A', 'B', 'T']) {
      const rows = (await sql<{ person_id: string; i: number }>`select person_id, (detail->>'i')::int as i from audit_event where action = ${`${tag}.list`} order by id`.execute(h.db)).rows;
      assert.deepEqual(rows.map((x) => x.i), rows.map((_, k) => k), `${tag}: ids follow the given order`);
      assert.equal(rows[0]!.person_id, `${tag}0`);
    }
  });

  it('a failing list write leaves no row of its statement: a read is never served half-audited', async () => {
    const before = await idsInOrder(h.db);
    const bad = [{ actor: staff, action: 'ok.list', personId: 'X1' }, { actor: { ...staff, type: 'staff' as const, id: null as unknown as string }, action: 'bad.list', personId: 'X2' }];
    await assert.rejects(auditMany(h.db, bad));
    assert.deepEqual(await idsInOrder(h.db), before);
    assert.equal((await verifyAuditChain(h.db)).ok, true);
  });
});

describe(`the chain head moves once per insert statement (migration 085) (${KIND})`, () => {
  let h: Awaited<ReturnType<typeof createTestDatabase>>;
  before(async () => {
    h = await createTestDatabase();
  });
  after(async () => h.drop());

  const many = (tag: string, n: number) => Array.from({ length: n }, (_, i) => ({ actor: staff, action: `${tag}.list`, personId: `${tag}${i}`, detail: { i } }));
  /** Updates of audit_chain_head made by the current transaction (backend-local statistics, no delay). */
  const headUpdates = async (tx: Db) => Number((await sql<{ n: string }>`select pg_stat_get_xact_tuples_updated('audit_chain_head'::regclass)::text as n`.execute(tx)).rows[0]!.n);

  it('a 2,500-row auditMany updates the head once per statement (3 chunks), single audits once each', async () => {
    await h.db.transaction().execute(async (tx) => {
      const before = await headUpdates(tx);
      await auditMany(tx, many('H', 2500));
      assert.equal((await headUpdates(tx)) - before, 3);
      await audit(tx, { actor: staff, action: 'one.read', personId: 'H-1' });
      assert.equal((await headUpdates(tx)) - before, 4);
    });
    const r = await verifyAuditChain(h.db, { pageSize: 700 });
    assert.equal(r.broken, undefined, JSON.stringify(r.broken));
    assert.equal(r.verified, 2501);
    const head = (await sql<{ last_id: string }>`select last_id::text as last_id from audit_chain_head`.execute(h.db)).rows[0]!;
    assert.equal(head.last_id, r.lastId);
  });

  it('refuses a statement whose running hash was changed mid-statement, and keeps none of its rows', async () => {
    const before = await idsInOrder(h.db);
    // The second row's own values overwrite the transaction-local running hash before its trigger reads it.
    const forged = sql`insert into audit_event (actor_type, actor_id, action, person_id, request_id)
      select 'staff', 'st-x', 'forge.read', 'F' || g,
             case when g = 2 then set_config('hssk.audit_chain_hash', repeat('a', 64), true) else 'r' end
      from generate_series(1, 3) g`;
    await assert.rejects(forged.execute(h.db), (e: { code?: string; message?: string }) => e.code === '42501' && /does not follow the chain head/.test(e.message ?? ''));
    assert.deepEqual(await idsInOrder(h.db), before);
    // A value set before the statement is overwritten by the statement trigger: no effect.
    await h.db.connection().execute(async (c) => {
      await sql`select set_config('hssk.audit_chain_hash', repeat('b', 64), false)`.execute(c);
      await auditMany(c, many('AfterSet', 3));
      await sql`reset hssk.audit_chain_hash`.execute(c);
    });
    const r = await verifyAuditChain(h.db);
    assert.equal(r.broken, undefined, JSON.stringify(r.broken));
    assert.equal(r.verified, before.length + 3);
  });

  it('two connections interleaving multi-row inserts in open transactions: ids follow the chain, verify passes (PostgreSQL)', { skip: KIND !== 'postgres' && 'embedded PGlite has one connection' }, async () => {
    const scratch = await createScratchPostgres('hssk_test_chain', ADMIN_URL);
    const owner = await openDatabase({ url: scratch.url, poolSize: 1 });
    const a = new pg.Client({ connectionString: scratch.url });
    const b = new pg.Client({ connectionString: scratch.url });
    try {
      await migrate(owner);
      await Promise.all([a.connect(), b.connect()]);
      const insert = (c: pg.Client, tag: string, n: number) =>
        c.query(
          `insert into audit_event (actor_type, actor_id, action, person_id, detail)
           select 'staff', 'st-1', $1, $1 || g, jsonb_build_object('g', g) from generate_series(1, $2::int) g`,
          [tag, n],
        );
      const lockWaits = async () =>
        Number((await sql<{ n: string }>`select count(*)::text as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(owner.db)).rows[0]!.n);
      for (let round = 0; round < 3; round++) {
        await a.query('begin');
        await b.query('begin');
        await insert(a, `a${round}.1`, 400);
        // B's statement waits on the head row A holds; it must not draw ids meanwhile.
        const bFirst = insert(b, `b${round}.1`, 300);
        for (let i = 0; i < 100 && (await lockWaits()) === 0; i++) await new Promise((r) => setTimeout(r, 20));
        assert.equal(await lockWaits(), 1, 'B waits for the head lock');
        await insert(a, `a${round}.2`, 250);
        await a.query(round === 1 ? 'rollback' : 'commit');
        await bFirst;
        await insert(b, `b${round}.2`, 150);
        await b.query('commit');
      }
      // And small and large statements racing in autocommit, one after another on each connection.
      const race = async (c: pg.Client, tag: string, size: (i: number) => number) => {
        for (let i = 0; i < 20; i++) await insert(c, `${tag}${i}`, size(i));
      };
      await Promise.all([race(a, 'ra', (i) => 1 + (i % 7) * 90), race(b, 'rb', (i) => 1 + (i % 5) * 130)]);
      const r = await verifyAuditChain(owner.db, { pageSize: 999 });
      assert.equal(r.broken, undefined, JSON.stringify(r.broken));
      const rows = (await sql<{ action: string; g: number }>`select action, (detail->>'g')::int as g from audit_event order by id`.execute(owner.db)).rows;
      assert.equal(r.verified, rows.length);
      // Per round: A's committed statements, then B's (B drew no id before A ended); A's second round rolled back.
      const expected = [0, 1, 2].flatMap((k) => [...(k === 1 ? [] : [`a${k}.1`, `a${k}.2`]), `b${k}.1`, `b${k}.2`]);
      const seen: string[] = [];
      for (const x of rows.slice(0, 2 * 650 + 3 * 450)) if (seen.at(-1) !== x.action) seen.push(x.action);
      assert.deepEqual(seen, expected);
      // Within each statement the rows keep their order; statements never interleave.
      const byAction = new Map<string, number[]>();
      for (const x of rows) byAction.set(x.action, [...(byAction.get(x.action) ?? []), x.g]);
      for (const [action, gs] of byAction) assert.deepEqual(gs, gs.map((_, i) => i + 1), action);
      const runs = rows.reduce((n, x, i) => (i > 0 && rows[i - 1]!.action === x.action ? n : n + 1), 0);
      assert.equal(runs, byAction.size, 'each statement is one contiguous run of ids');
    } finally {
      await Promise.all([a.end().catch(() => undefined), b.end().catch(() => undefined)]);
      await owner.close();
      await scratch.drop();
    }
  });
});

describe(`tamper-evident audit log (${KIND})`, () => {
  let h: Awaited<ReturnType<typeof createTestDatabase>>;
  before(async () => {
    h = await createTestDatabase();
  });
  after(async () => h.drop());

  it('chains every row, including 50 concurrent audit() calls and rows written under odd session settings', async () => {
    await someEvents(h.db, 7, 'seq');
    await Promise.all(Array.from({ length: 50 }, (_, i) => audit(h.db, { actor: staff, action: 'concurrent.read', personId: `C${i}`, requestId: `c-${i}` })));
    // Concurrent transactions that also write other rows before their audit row, as visits.ts does.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        h.db.transaction().execute(async (tx) => {
          await sql`select pg_sleep(0.002)`.execute(tx);
          await audit(tx, { actor: staff, action: 'tx.read', personId: `T${i}` });
        }),
      ),
    );
    // The hash must not depend on the writer's session: time zone, date style, float digits.
    await h.db.transaction().execute(async (tx) => {
      await sql`set local timezone = 'Pacific/Chatham'`.execute(tx);
      await sql`set local datestyle = 'SQL, DMY'`.execute(tx);
      await sql`set local extra_float_digits = 0`.execute(tx);
      await audit(tx, { actor: staff, action: 'odd.session', detail: { v: 0.1 + 0.2, at: 'x' } });
    });
    const r = await verifyAuditChain(h.db, { pageSize: 16 });
    assert.equal(r.broken, undefined, JSON.stringify(r.broken));
    assert.equal(r.ok, true);
    const ids = await idsInOrder(h.db);
    assert.equal(r.verified, 7 + 50 + 10 + 1);
    assert.equal(r.verified, ids.length);
    assert.equal(r.lastId, ids.at(-1));
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit rows from the application connection', async () => {
    const before = await idsInOrder(h.db);
    const target = before[3]!;
    await assert.rejects(sql`update audit_event set action = 'edited' where id = ${target}::bigint`.execute(h.db), { code: '42501' });
    await assert.rejects(sql`update audit_event set hash = hash`.execute(h.db), { code: '42501' });
    await assert.rejects(sql`delete from audit_event where id = ${target}::bigint`.execute(h.db), { code: '42501' });
    await assert.rejects(sql`truncate audit_event`.execute(h.db), { code: '42501' });
    // Nor can the chain head be moved to cover a deletion.
    await assert.rejects(sql`update audit_chain_head set last_id = 1`.execute(h.db), { code: '42501' });
    assert.deepEqual(await idsInOrder(h.db), before);
    const action = (await sql<{ action: string }>`select action from audit_event where id = ${target}::bigint`.execute(h.db)).rows[0]?.action;
    assert.notEqual(action, 'edited');
    assert.equal((await verifyAuditChain(h.db)).ok, true);
  });

  it('a superuser edit that bypasses the trigger breaks the chain at that row', async () => {
    const ids = await idsInOrder(h.db);
    const target = ids[10]!;
    await superuserTamper(h.db, sql`update audit_event set person_id = 'SOMEONE-ELSE' where id = ${target}::bigint`);
    const r = await verifyAuditChain(h.db, { pageSize: 7 });
    assert.equal(r.ok, false);
    assert.equal(r.broken?.id, target);
    assert.equal(r.broken?.problem, 'hash');
    assert.equal(r.verified, 10, 'every row before the edited one still verifies');
    assert.match(r.broken?.message_en ?? '', new RegExp(`Row ${target}: .*edited`));
  });

  it('rewriting the edited row’s own hash only moves the break to the next row', async () => {
    const ids = await idsInOrder(h.db);
    const target = ids[10]!;
    await superuserTamper(h.db, sql`update audit_event set hash = audit_event_hash(audit_event) where id = ${target}::bigint`);
    const r = await verifyAuditChain(h.db);
    assert.equal(r.ok, false);
    assert.equal(r.broken?.id, ids[11]);
    assert.equal(r.broken?.problem, 'prev_hash');
  });

  it('deleting the newest row, or a row in the middle, breaks the chain', async () => {
    const db2 = await createTestDatabase();
    try {
      await someEvents(db2.db, 6, 'del');
      const ids = await idsInOrder(db2.db);
      await superuserTamper(db2.db, sql`delete from audit_event where id = ${ids.at(-1)!}::bigint`);
      const tail = await verifyAuditChain(db2.db);
      assert.equal(tail.ok, false);
      assert.equal(tail.broken?.problem, 'head');
      assert.equal(tail.broken?.id, ids.at(-2));

      await superuserTamper(db2.db, sql`delete from audit_event where id = ${ids[2]!}::bigint`);
      const middle = await verifyAuditChain(db2.db);
      assert.equal(middle.ok, false);
      assert.equal(middle.broken?.id, ids[3]);
      assert.equal(middle.broken?.problem, 'prev_hash');
    } finally {
      await db2.drop();
    }
  });

  it('records hssk mpi export as an export event before any row is written, and its extent after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hssk-audit-export-'));
    try {
      const out = join(dir, 'links.csv');
      const { rows } = await exportLinks(h.db, out);
      const events = (
        await sql<{ action: string; actor_type: string; actor_id: string; detail: { file: string; rows?: number } }>`
          select action, actor_type, actor_id, detail from audit_event where action like 'mpi.export%' order by id`.execute(h.db)
      ).rows;
      assert.deepEqual(
        events.map((e) => e.action),
        ['mpi.export', 'mpi.export.complete'],
      );
      assert.equal(events[0]?.actor_type, 'system');
      assert.match(events[0]?.actor_id ?? '', /^cli:/);
      assert.equal(events[0]?.detail.file, out);
      assert.equal(events[1]?.detail.rows, rows);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps UPDATE, DELETE and TRUNCATE away from a separate application role (PostgreSQL)', { skip: KIND !== 'postgres' && 'embedded PGlite has a single role' }, async () => {
    const role = `hssk_app_${Math.random().toString(36).slice(2, 10)}`;
    const scratch = await createScratchPostgres('hssk_test_role', ADMIN_URL);
    const admin = async (url: string, statement: string) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(statement);
      } finally {
        await c.end();
      }
    };
    let owner: DatabaseHandle | undefined;
    let app: DatabaseHandle | undefined;
    try {
      await admin(ADMIN_URL, `create role ${role} login`);
      // The usual way an operator grants an application role everything: default privileges, set
      // before the migrations create the tables.
      await admin(scratch.url, `alter default privileges in schema public grant all on tables to ${role}; alter default privileges in schema public grant all on sequences to ${role}; grant usage on schema public to ${role}`);
      owner = await openDatabase({ url: scratch.url, poolSize: 1 });
      await migrate(owner);
      const appUrl = new URL(scratch.url);
      appUrl.username = role;
      app = await openDatabase({ url: appUrl.toString(), poolSize: 2 });
      await audit(app.db, { actor: staff, action: 'role.read', personId: 'R1' });
      const grants = (
        await sql<{ update: boolean; delete: boolean; truncate: boolean; insert: boolean }>`
          select has_table_privilege(current_user, 'audit_event', 'UPDATE') as update,
                 has_table_privilege(current_user, 'audit_event', 'DELETE') as delete,
                 has_table_privilege(current_user, 'audit_event', 'TRUNCATE') as truncate,
                 has_table_privilege(current_user, 'audit_event', 'INSERT') as insert`.execute(app.db)
      ).rows[0];
      assert.deepEqual(grants, { update: false, delete: false, truncate: false, insert: true });
      await assert.rejects(sql`update audit_event set action = 'x'`.execute(app.db), /permission denied/);
      await assert.rejects(sql`delete from audit_event`.execute(app.db), /permission denied/);
      await assert.rejects(sql`update audit_chain_head set last_id = 0`.execute(app.db), /permission denied/);
      const r = await verifyAuditChain(app.db);
      assert.equal(r.ok, true);
      assert.deepEqual(r.warnings, [], 'the application role is neither owner nor allowed to change rows');
    } finally {
      await app?.close();
      await owner?.close();
      await scratch.drop();
      await admin(ADMIN_URL, `drop role if exists ${role}`);
    }
  });

  it('hssk audit verify exits 0 on a whole chain and non-zero at the first broken row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hssk-audit-cli-'));
    const scratch = KIND === 'postgres' ? await createScratchPostgres('hssk_test_cli', ADMIN_URL) : undefined;
    const env = { ...process.env, HSSK_DATA_DIR: join(dir, 'data'), HSSK_DEMO: '0', DATABASE_URL: scratch?.url ?? '' };
    const hssk = (...args: string[]) => run(process.execPath, [BIN, ...args], { env, cwd: dir });
    const open = () => openDatabase({ url: scratch?.url, dataDir: join(dir, 'data', 'pglite'), poolSize: 2 });
    try {
      let d = await open();
      await migrate(d);
      await someEvents(d.db, 5, 'cli');
      const ids = await idsInOrder(d.db);
      await d.close();

      const ok = await hssk('audit', 'verify', '--page-size', '2');
      assert.match(ok.stdout, /verified: 5 /);
      assert.match(ok.stdout, /intact/);

      d = await open();
      await superuserTamper(d.db, sql`update audit_event set actor_id = 'nobody' where id = ${ids[3]!}::bigint`);
      await d.close();
      const broken = await hssk('audit', 'verify').then(
        () => assert.fail('verify must exit non-zero'),
        (e: { code: number; stdout: string }) => e,
      );
      assert.equal(broken.code, 1);
      assert.match(broken.stdout, new RegExp(`AUDIT CHAIN BROKEN at row ${ids[3]} \\(hash\\)`));
      assert.match(broken.stdout, /verified: 3 /);
    } finally {
      await scratch?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
