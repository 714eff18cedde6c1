/**
 * Reports dashboard on PostgreSQL at national-pilot scale, in a fresh database:
 *  1. bulk-generates --persons residents and --episodes episodes (insert … select generate_series),
 *     then runs the refresher once to build the summaries (timed);
 *  2. p50/p95 of GET /api/v1/reports/kpis (province with all its communes, a district, a commune)
 *     through the real app, beside a baseline measured in the same run (GET /healthz, and one direct
 *     sum over report_episode_day) and beside the direct count over episode the summaries replace;
 *  3. ingest slowdown: envelopes through ingestEnvelope with and without the refresher running
 *     (every --refresh-every seconds, far more often than the server's 60 s), alternating rounds.
 *   npx tsx bench/reports/dashboard.ts [--episodes 10000000] [--persons 1000000] [--requests 200]
 *   --keep leaves the generated database; --reuse NAME measures parts 2 and 3 on such a database
 *   (give the --episodes/--persons it was made with), so a code change is measured on the same data.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope } from '@openhssk/core/xml130';
import { createTestCertificate, signEnvelope } from '@openhssk/core/xmldsig';
import { buildApp, loadConfig } from '@openhssk/server';
import { migrate } from '@openhssk/server/db';
import { addCertificate } from '@openhssk/server/facility';
import { ingestEnvelope } from '@openhssk/server/ingest';
import { refreshReports } from '@openhssk/server/reports';
import { createStaff } from '@openhssk/server/staff';
import { sql } from 'kysely';
import { benchDatabase, log, timed } from '../shared/scratch.ts';

const { values } = parseArgs({
  options: {
    episodes: { type: 'string', default: '10000000' },
    persons: { type: 'string', default: '1000000' },
    requests: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    'round-envelopes': { type: 'string', default: '15' },
    'refresh-every': { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
  },
});
const EPISODES = Number(values.episodes);
const PERSONS = Number(values.persons);
const REQUESTS = Number(values.requests);
const COMMUNES = 150;
const DISTRICTS = 10;
const FACILITIES = 1000;
process.env.HSSK_REPORT_REFRESH_SECONDS = '0';

const bench = await benchDatabase('reports', { reuse: values.reuse, poolSize: 8 });
const { handle, db } = bench;
const reuse = bench.reused;
await migrate(handle);

/** Part 1: the data, then the refresher's first full build (timed). */
async function generate() {
  await timed('units, facilities', async () => {
    await sql`insert into admin_unit (code, level, name, parent_code, valid_to) values ('51', 'province', 'Tỉnh Quảng Ngãi', null, null)`.execute(db);
    await sql`insert into admin_unit (code, level, name, parent_code, valid_to)
              select '5' || lpad(d::text, 2, '0'), 'district', 'Huyện ' || d, '51', date '2025-06-30' from generate_series(0, ${DISTRICTS - 1}::int) d`.execute(db);
    await sql`insert into admin_unit (code, level, name, parent_code)
              select '2' || lpad(c::text, 4, '0'), 'commune', 'Xã ' || c, '5' || lpad((c % ${DISTRICTS}::int)::text, 2, '0') from generate_series(0, ${COMMUNES - 1}::int) c`.execute(db);
    await sql`insert into facility (code, name, admin_unit_code, bhyt_contract)
              select '1' || lpad(f::text, 4, '0'), 'Cơ sở ' || f, '2' || lpad((f % ${COMMUNES}::int)::text, 4, '0'), f % 10 <> 0 from generate_series(0, ${FACILITIES - 1}::int) f`.execute(db);
    await sql`insert into submission (id, facility_code, channel, received_at, sha256, size_bytes, status, episode_count, accepted_count, warning_count, rejected_count, receipt)
              select 'SUB' || code, code, 'bench', now() - (random() * 20) * interval '1 day', code, 1, 'done', 1, 1, 0, 0, '{}' from facility`.execute(db);
  });
  await timed(`${PERSONS} persons + MIS2022 source records`, async () => {
    await sql`insert into person (id, ho_ten, name_key, ngay_sinh, gioi_tinh, so_cccd, so_bhyt, dia_chi, so_dien_thoai, ma_xa, updated_at)
      select 'P' || g, 'Nguyễn Văn ' || g, 'nguyen van ' || g, case when g % 20 = 0 then null else '1980-01-01' end, 1 + g % 2,
             case when g % 10 = 0 then null else '0510' || lpad((g % 100000000)::text, 8, '0') end,
             case when g % 7 = 0 then null else 'DN451' || lpad(g::text, 10, '0') end,
             case when g % 15 = 0 then null else 'Thôn ' || (g % 9) end, null,
             '2' || lpad((g % ${COMMUNES}::int)::text, 4, '0'), now() - (g % 700) * interval '1 day'
        from generate_series(1, ${PERSONS}::int) g`.execute(db);
    await sql`insert into source_record (source_system, source_id, ho_ten, content_hash, person_id, ma_xa)
      select 'MIS2022', 'P' || g, 'x', 'h', 'P' || g, '2' || lpad((g % ${COMMUNES}::int)::text, 4, '0') from generate_series(1, ${PERSONS}::int) g`.execute(db);
    await sql`insert into citizen_account (subject, person_id, consent_at) select 'S' || g, 'P' || g, now() from generate_series(1, ${PERSONS}::int, 3) g`.execute(db);
  });
  // Bulk load without the episode table's secondary indexes, then build them once: maintaining 14
  // indexes row by row made each million episodes slower than the last (6 → 21 min under load). The
  // schema the measurements see is the same, index for index.
  const { rows: indexDefs } = await sql<{ name: string; def: string }>`
    select i.indexname as name, i.indexdef as def from pg_indexes i
     where i.schemaname = current_schema() and i.tablename = 'episode'
       and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`.execute(db);
  for (const ix of indexDefs) await sql`drop index ${sql.id(ix.name)}`.execute(db);
  const CHUNK = 1_000_000;
  for (let a = 1; a <= EPISODES; a += CHUNK) {
    const b = Math.min(EPISODES, a + CHUNK - 1);
    await timed(`episodes ${a}–${b}`, async () => {
      await db.connection().execute(async (c) => {
        await sql`set synchronous_commit = off`.execute(c);
        // Discharge over two years; received 0–99 h after discharge (wall-clock VN time → UTC).
        await sql`insert into episode (facility_code, ma_lk, version, is_current, submission_id, patient_source_id, status, ma_bn, ho_ten,
                                       ma_loai_kcb, ngay_vao, ngay_ra, content_sha256, xml1, received_at)
          select f, 'LK' || g, 1, true, 'SUB' || f, 'KCB' || g, 'accepted', 'BN', 'x', '01', ts - interval '2 days', ts, 'h', '{}',
                 ((ts - interval '7 hours') at time zone 'UTC') + (g % 100) * interval '1 hour'
            from (select g, '1' || lpad((g % ${FACILITIES}::int)::text, 4, '0') f,
                         timestamp '2024-07-01' + (g % 730) * interval '1 day' + (g % 86400) * interval '1 second' ts
                    from generate_series(${a}::int, ${b}::int) g) s`.execute(c);
        await sql`insert into episode_row (episode_id, tbl, row_no, fields)
          select id, case when id % 2 = 0 then 'XML13' else 'XML14' end, 1, '{}' from episode where id between ${a}::int and ${b}::int and id % 50 = 0`.execute(c);
      });
    });
  }
  await timed(`episode indexes rebuilt (${indexDefs.length})`, () =>
    db.connection().execute(async (c) => {
      await sql`set maintenance_work_mem = '1GB'`.execute(c);
      for (const ix of indexDefs) await sql.raw(ix.def).execute(c);
    }),
  );
  await timed('visits (1 per 10 episodes)', async () => {
    await sql`insert into visit (facility_code, ma_lk, patient_source_id, ho_ten, ngay_vao, id_method, status, checkin)
      select '1' || lpad((g % ${FACILITIES}::int)::text, 4, '0'), 'V' || g, 'X', 'A', timestamp '2024-07-01' + (g % 730) * interval '1 day',
             (array['xml0', 'vneid_qr', 'chip_cccd', 'vneid_qr', 'bhyt_card', 'typed'])[1 + g % 6], 'closed', '{}'
        from generate_series(1, ${Math.floor(EPISODES / 10)}::int) g`.execute(db);
  });
  await timed('vacuum analyze', () => handle.execScript('vacuum analyze'));
  const built = await timed('refresher, first full build', () => refreshReports(db, { holdbackSeconds: 0 }));
  log(`  folded: ${JSON.stringify(built)}`);
  return built;
}

try {
  // --- 1. data -------------------------------------------------------------------------------
  const first = reuse ? undefined : await generate();
  log(reuse ? `reusing ${bench.name}: data and summaries as an earlier --keep run left them` : `database ${bench.name}${values.keep ? ' (kept)' : ''}`);
  await handle.execScript('analyze');

  // --- 2. dashboard latency --------------------------------------------------------------------
  const probe = (await import('node:net')).createServer();
  const port: number = await new Promise((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)));
  await new Promise((r) => probe.close(r));
  const config = loadConfig({ port, host: '127.0.0.1', publicUrl: `http://localhost:${port}`, demo: false, webDistDir: '/nonexistent' });
  const app = await buildApp({ config, database: handle, logger: false });
  await app.listen({ port, host: '127.0.0.1' });
  // A fresh name per run: a reused database already has the previous run's account.
  const username = `bench.${randomBytes(3).toString('hex')}`;
  await createStaff(db, { username, fullName: 'Bench', role: 'system_admin', password: 'bench-Pass-12345' });
  const login = await app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { username, password: 'bench-Pass-12345' } });
  const cookie = `hssk_staff=${login.cookies.find((c) => c.name === 'hssk_staff')?.value}`;

  const pct = (xs: number[], p: number) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
  async function measure(label: string, f: () => Promise<unknown>) {
    for (let i = 0; i < 5; i++) await f();
    const ts: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t0 = performance.now();
      await f();
      ts.push(performance.now() - t0);
    }
    return { label, p50: pct(ts, 0.5), p95: pct(ts, 0.95) };
  }
  const get = (u: string) => async () => {
    const r = await app.inject({ method: 'GET', url: u, headers: { cookie } });
    if (r.statusCode !== 200) throw new Error(`${u}: ${r.statusCode} ${r.body.slice(0, 200)}`);
  };
  const kpi = (unit: string, from: string, to: string) => `/api/v1/reports/kpis?unit=${unit}&from=${from}&to=${to}`;
  const rows = [
    await measure('baseline: GET /healthz', get('/healthz')),
    await measure('baseline: sum over report_episode_day (SQL)', () => sql`select sum(episodes) from report_episode_day where day between '2025-01-01' and '2025-12-31'`.execute(db)),
    await measure('KPI API: province, 12 months, 150 communes as children', get(kpi('51', '2025-07-01', '2026-06-30'))),
    await measure('KPI API: province, 3-level layout (2025 H1), 10 districts', get(kpi('51', '2025-01-01', '2025-06-30'))),
    await measure('KPI API: district, 24 months', get(kpi('500', '2024-07-01', '2026-06-30'))),
    await measure('KPI API: commune, 1 month', get(kpi('20003', '2025-03-01', '2025-03-31'))),
  ];
  const base = rows[0]!.p95;
  console.log('\n| query | p50 ms | p95 ms | p95 / healthz p95 |\n|---|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.label} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${(r.p95 / base).toFixed(1)}× |`);
  const t0 = performance.now();
  await sql`select count(*) from episode where received_at >= '2025-07-01' and received_at < '2026-07-01' and version = 1`.execute(db);
  console.log(`\nFor comparison, one direct count over episode (what the summaries avoid): ${(performance.now() - t0).toFixed(0)} ms`);

  // --- 3. ingest slowdown ----------------------------------------------------------------------
  const FAC = '10001';
  const cert = createTestCertificate({ commonName: 'Bench', organization: FAC });
  await addCertificate(db, FAC, cert.certPem);
  let seq = 0;
  const envelope = () => {
    const eps = Array.from({ length: 100 }, () => sampleEpisode(900_000_000 + ++seq, FAC));
    return Buffer.from(signEnvelope(buildEnvelope({ facilityCode: FAC, createdDate: '20260101', episodes: eps }), cert.privateKeyPem, cert.certPem), 'utf8');
  };
  const roundEnvelopes = Number(values['round-envelopes']);
  async function round(withRefresher: boolean): Promise<number> {
    const envs = Array.from({ length: roundEnvelopes }, envelope);
    let stop = false;
    let refreshes = 0;
    const loop = (async () => {
      while (withRefresher && !stop) {
        await refreshReports(db, { holdbackSeconds: 0 });
        refreshes++;
        await new Promise((r) => setTimeout(r, Number(values['refresh-every']) * 1000));
      }
    })();
    const t = performance.now();
    for (const raw of envs) await ingestEnvelope(db, { facilityCode: FAC, raw, channel: 'cli' });
    const secs = (performance.now() - t) / 1000;
    stop = true;
    await loop;
    const rate = (roundEnvelopes * 100) / secs;
    log(`  ingest round ${withRefresher ? 'with' : 'without'} refresher: ${rate.toFixed(0)} episodes/s${withRefresher ? ` (${refreshes} refreshes)` : ''}`);
    return rate;
  }
  await round(false); // warm-up
  const without: number[] = [];
  const withR: number[] = [];
  for (let i = 0; i < Number(values.rounds); i++) {
    without.push(await round(false));
    withR.push(await round(true));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const slowdown = (1 - mean(withR) / mean(without)) * 100;
  console.log(`\nIngest: ${mean(without).toFixed(0)} episodes/s without, ${mean(withR).toFixed(0)} with the refresher every ${values['refresh-every']} s → slowdown ${slowdown.toFixed(1)} %`);
  const inc = await refreshReports(db, { holdbackSeconds: 0 });
  await ingestEnvelope(db, { facilityCode: FAC, raw: envelope(), channel: 'cli' });
  const t1 = performance.now();
  const one = await refreshReports(db, { holdbackSeconds: 0 });
  console.log(`One incremental refresh after one 100-episode envelope: ${(performance.now() - t1).toFixed(0)} ms (${JSON.stringify(one)}; previous ${inc.ms} ms)`);
  console.log(`Scale: ${EPISODES} episodes, ${PERSONS} persons, ${COMMUNES} communes, ${FACILITIES} facilities; first full build ${first ? `${(first.ms / 1000).toFixed(1)} s` : 'not in this run (--reuse)'}`);
  await app.close();
} finally {
  await bench.close(values.keep);
}
