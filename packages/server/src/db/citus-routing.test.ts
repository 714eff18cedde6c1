import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { type BookFixture, bookFixture } from '../../test-support/book-fixture.ts';
import { staffSession } from '../../test-support/staff.ts';
import { hasCitus } from './migrate.ts';

/**
 * Issue 21: on a Citus cluster the four reads a person's care depends on each run on one shard.
 * The statements are the ones the real routes send (recorded at the pg driver while the request
 * runs); each is explained on the coordinator, and every Citus scan in its plan must have
 * `Task Count: 1`. Skipped on PGlite and plain PostgreSQL (npm run test:citus runs it).
 */
interface Statement {
  text: string;
  values: unknown[];
}

let recording: Statement[] | null = null;
const originalQuery = pg.Client.prototype.query;
// Recording only: the statement still runs unchanged through the original method.
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const [config, values] = args as [string | { text?: string; values?: unknown[] }, unknown];
  if (recording) {
    const text = typeof config === 'string' ? config : config?.text;
    const params = Array.isArray(values) ? values : typeof config === 'object' ? (config?.values ?? []) : [];
    if (text) recording.push({ text, values: params });
  }
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

const DML = /^\s*(with|select|insert|update|delete)\b/i;

describe(`queries that route to one shard on Citus (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let f: BookFixture;
  let app: FastifyInstance;
  let citus = false;
  let explain: pg.Client;
  let reception: string;
  let doctor: string;
  let admin: string;

  before(async () => {
    f = await bookFixture();
    app = f.app;
    citus = f.db.kind === 'postgres' && (await hasCitus(f.db));
    if (!citus) return;
    reception = (await staffSession(app, f.db.db, { username: 'letan', fullName: 'Lễ tân', role: 'receptionist', facilityCode: '51001' })).cookie;
    doctor = (await staffSession(app, f.db.db, { username: 'bacsi', fullName: 'BS. Minh', role: 'clinician', facilityCode: '51001' })).cookie;
    admin = (await staffSession(app, f.db.db, { username: 'quantri', fullName: 'Quản trị', role: 'system_admin' })).cookie;
    explain = new pg.Client({ connectionString: await scratchUrl(f) });
    await explain.connect();
  });
  after(async () => {
    pg.Client.prototype.query = originalQuery;
    await explain?.end();
    await f?.close();
  });

  /** Runs one request, returns every statement of it that reads or writes a distributed table, with its task counts. */
  async function routed(request: () => Promise<{ statusCode: number; body: string }>) {
    const statements: Statement[] = [];
    recording = statements;
    const response = await request().finally(() => {
      recording = null;
    });
    const plans: { text: string; tasks: number[] }[] = [];
    for (const s of statements) {
      if (!DML.test(s.text)) continue;
      const plan = (await explain.query<{ 'QUERY PLAN': string }>(`explain ${s.text}`, s.values)).rows.map((r) => r['QUERY PLAN']).join('\n');
      if (!plan.includes('Custom Scan (Citus')) continue;
      plans.push({ text: s.text.replace(/\s+/g, ' ').slice(0, 160), tasks: [...plan.matchAll(/Task Count: (\d+)/g)].map((m) => Number(m[1])) });
    }
    return { response, plans };
  }

  const assertOneShard = (plans: { text: string; tasks: number[] }[]) => {
    assert.ok(plans.length > 0, 'the request read distributed tables');
    const wide = plans.filter((p) => p.tasks.some((n) => n !== 1));
    assert.deepEqual(wide, [], 'statements that ran on more than one shard');
  };

  it('citizen book summary and episode list', async (t) => {
    if (!citus) return t.skip('not a Citus database');
    const summary = await routed(() => app.inject({ method: 'GET', url: '/api/v1/book/summary', headers: { cookie: f.cookies.A } }));
    assert.equal(summary.response.statusCode, 200, summary.response.body);
    assertOneShard(summary.plans);
    const list = await routed(() => app.inject({ method: 'GET', url: '/api/v1/book/episodes', headers: { cookie: f.cookies.A } }));
    assert.equal(list.response.statusCode, 200, list.response.body);
    assertOneShard(list.plans);
  });

  it('front-desk check-in lookup', async (t) => {
    if (!citus) return t.skip('not a Citus database');
    const r = await routed(() =>
      app.inject({ method: 'POST', url: '/api/v1/clinic/checkin', headers: { cookie: reception }, payload: { method: 'typed', value: '051090000001' } }),
    );
    assert.equal(r.response.statusCode, 201, r.response.body);
    assertOneShard(r.plans);
  });

  it('clinician summary', async (t) => {
    if (!citus) return t.skip('not a Citus database');
    const r = await routed(() => app.inject({ method: 'GET', url: '/api/v1/clinic/patients/PA/summary', headers: { cookie: doctor } }));
    assert.equal(r.response.statusCode, 200, r.response.body);
    assertOneShard(r.plans);
  });

  it('FHIR Patient/$everything', async (t) => {
    if (!citus) return t.skip('not a Citus database');
    const r = await routed(() => app.inject({ method: 'GET', url: '/fhir/R4/Patient/PA/$everything', headers: { cookie: admin } }));
    assert.equal(r.response.statusCode, 200, r.response.body);
    assertOneShard(r.plans);
  });
});

/** The scratch database's URL: the fixture's own pool is in use by the app, so EXPLAIN gets a connection of its own. */
async function scratchUrl(f: BookFixture): Promise<string> {
  const r = await sql<{ db: string }>`select current_database() as db`.execute(f.db.db);
  const u = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  u.pathname = `/${r.rows[0]!.db}`;
  return u.toString();
}
