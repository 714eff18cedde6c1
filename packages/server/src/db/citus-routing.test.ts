import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { citizenCookie } from '../../test-support/book-fixture.ts';
import { staffSession } from '../../test-support/staff.ts';
import { createFacility } from '../facility/index.ts';
import { upsertPersons } from '../person/index.ts';
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

const FAC = '51001';
const DML = /^\s*(with|select|insert|update|delete)\b/i;

describe(`queries that route to one shard on Citus (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let citus = false;
  let explain: pg.Client | undefined;
  let citizen: string;
  let reception: string;
  let doctor: string;
  let admin: string;

  before(async () => {
    // Rows written directly, not through ingest: ingest does not run on the cluster yet (docs/operations.md).
    // No report refresh in the background: the recorder sees every statement of the process, and the
    // refresher's walk over all episodes (a cross-shard job, not a request) ran beside the book request.
    ({ app, db, close } = await startTestApp({ config: { reportRefreshSeconds: 0 } }));
    citus = db.kind === 'postgres' && (await hasCitus(db));
    if (!citus) return;
    await createFacility(db.db, { code: FAC, name: 'Bệnh viện Thử' });
    await upsertPersons(db.db, [
      { id: 'PA', ho_ten: 'Nguyễn Văn An', so_cccd: '051090000001', ngay_sinh: '1985-06-15', birth_year: 1985, gioi_tinh: 1 },
      { id: 'PB', ho_ten: 'Trần Thị Bình', so_cccd: '051090000002', ngay_sinh: '1990-01-01', birth_year: 1990, gioi_tinh: 2 },
    ]);
    await episode(db, 'PA', 30, 'I10');
    await episode(db, 'PA', 3, 'E11.9');
    await episode(db, 'PB', 5, 'J18.9');
    citizen = await citizenCookie(db, '051090000001', 'PA', true);
    reception = (await staffSession(app, db.db, { username: 'letan', fullName: 'Lễ tân', role: 'receptionist', facilityCode: FAC })).cookie;
    doctor = (await staffSession(app, db.db, { username: 'bacsi', fullName: 'BS. Minh', role: 'clinician', facilityCode: FAC })).cookie;
    admin = (await staffSession(app, db.db, { username: 'quantri', fullName: 'Quản trị', role: 'system_admin' })).cookie;
    explain = new pg.Client({ connectionString: await databaseUrl(db) });
    await explain.connect();
  });
  after(async () => {
    pg.Client.prototype.query = originalQuery;
    await explain?.end();
    await close?.();
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
      const text = s.text.replace(/\s+/g, ' ').slice(0, 300);
      // A statement Citus cannot plan at all is reported with the others, as a failure of this test.
      const plan = await explain!.query<{ 'QUERY PLAN': string }>(`explain ${s.text}`, s.values).then(
        (r) => r.rows.map((x) => x['QUERY PLAN']).join('\n'),
        (e: Error) => `Custom Scan (Citus: not planned: ${e.message}) Task Count: 0`,
      );
      if (!plan.includes('Custom Scan (Citus')) continue;
      plans.push({ text: plan.startsWith('Custom Scan (Citus: not') ? `${plan} — ${text}` : text, tasks: [...plan.matchAll(/Task Count: (\d+)/g)].map((m) => Number(m[1])) });
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
    const summary = await routed(() => app.inject({ method: 'GET', url: '/api/v1/book/summary', headers: { cookie: citizen } }));
    assertOneShard(summary.plans);
    assert.equal(summary.response.statusCode, 200, summary.response.body);
    const list = await routed(() => app.inject({ method: 'GET', url: '/api/v1/book/episodes', headers: { cookie: citizen } }));
    assertOneShard(list.plans);
    assert.equal(list.response.statusCode, 200, list.response.body);
  });

  it('front-desk check-in lookup', async (t) => {
    if (!citus) return t.skip('not a Citus database');
    const r = await routed(() =>
      app.inject({ method: 'POST', url: '/api/v1/clinic/checkin', headers: { cookie: reception }, payload: { method: 'typed', value: '051090000001' } }),
    );
    assertOneShard(r.plans);
    assert.equal(r.response.statusCode, 201, r.response.body);
  });

  it('clinician summary', async (t) => {
    if (!citus) return t.skip('not a Citus database');
    const r = await routed(() => app.inject({ method: 'GET', url: '/api/v1/clinic/patients/PA/summary', headers: { cookie: doctor } }));
    assertOneShard(r.plans);
    assert.equal(r.response.statusCode, 200, r.response.body);
  });

  it('FHIR Patient/$everything', async (t) => {
    if (!citus) return t.skip('not a Citus database');
    const r = await routed(() => app.inject({ method: 'GET', url: '/fhir/R4/Patient/PA/$everything', headers: { cookie: admin } }));
    assertOneShard(r.plans);
    assert.equal(r.response.statusCode, 200, r.response.body);
  });
});

/**
 * One episode with a medicine row, as ingest stores it but without test-support's insertEpisode,
 * whose closeVisits() joins visit and episode on MA_LK rather than person_id (not run on the cluster).
 */
async function episode(db: TestDatabase, personId: string, daysAgo: number, benh: string) {
  const id = `SUB-${personId}-${daysAgo}`;
  const ngayVao = new Date(Date.now() - daysAgo * 86400_000).toISOString().slice(0, 19).replace('T', ' ');
  await db.db
    .insertInto('submission')
    .values({ id, facility_code: FAC, channel: 'rest', sha256: id, size_bytes: 1, status: 'accepted', episode_count: 1, accepted_count: 1, warning_count: 0, rejected_count: 0, receipt: '{}' })
    .execute();
  const ep = await db.db
    .insertInto('episode')
    .values({
      facility_code: FAC, ma_lk: id, version: 1, is_current: true, submission_id: id, person_id: personId, patient_source_id: `${FAC}:${id}`,
      status: 'accepted', ma_bn: id, ho_ten: 'Người bệnh', ma_loai_kcb: '01', ngay_vao: ngayVao, ngay_ra: ngayVao, ma_benh_chinh: benh,
      content_sha256: id, xml1: JSON.stringify({ fields: {} }), issues: '[]',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.db
    .insertInto('episode_row')
    .values({ episode_id: ep.id, person_id: personId, tbl: 'XML2', row_no: 1, fields: JSON.stringify({ TEN_THUOC: 'Metformin 500mg' }), extra: null })
    .execute();
}

/** The scratch database's URL: EXPLAIN gets a connection of its own beside the app's pool. */
async function databaseUrl(db: TestDatabase): Promise<string> {
  const r = await sql<{ db: string }>`select current_database() as db`.execute(db.db);
  const u = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  u.pathname = `/${r.rows[0]!.db}`;
  return u.toString();
}
