/**
 * Book summary API latency on PostgreSQL: one person with 300 episodes in a database of 1,000,000
 * persons (and 200,000 other episodes), printed beside a baseline measured in the same run: the
 * summary's SQL alone (same queries, no HTTP, no session/consent check, no audit write, no JSON shaping).
 * Data is generated with SQL generate_series, not through ingest. Usage:
 *   npx tsx bench/book/summary.ts [--persons 1000000] [--episodes 300] [--iterations 500]
 */
import { parseArgs } from 'node:util';
import { buildApp, loadConfig } from '@openhssk/server';
import { createSession, SESSION_COOKIE } from '@openhssk/server/auth';
import { summaryRows } from '@openhssk/server/book';
import { migrate, openDatabase } from '@openhssk/server/db';
import { createScratchPostgres } from '@openhssk/server/test-support';
import { sql } from 'kysely';

const { values } = parseArgs({
  options: {
    persons: { type: 'string', default: '1000000' },
    episodes: { type: 'string', default: '300' },
    others: { type: 'string', default: '200000' },
    iterations: { type: 'string', default: '500' },
    keep: { type: 'boolean', default: false },
  },
});
const persons = Number(values.persons);
const perTarget = Number(values.episodes);
const others = Number(values.others);
const iterations = Number(values.iterations);
const adminUrl = process.env.BENCH_DATABASE_URL;
const TARGET = 'P0000500000';

const scratch = await createScratchPostgres('hssk_bench', adminUrl);
const handle = await openDatabase({ url: scratch.url, poolSize: 4 });
await migrate(handle);
const db = handle.db;

const t0 = Date.now();
await sql`insert into facility(code, name) select lpad((79000 + g)::text, 5, '0'), 'Bệnh viện thử nghiệm ' || g from generate_series(1, 20) g`.execute(db);
await sql`insert into person(id, ho_ten, name_key, ngay_sinh, birth_year, gioi_tinh, so_cccd, so_bhyt, bhyt_valid_from, bhyt_valid_to, bhyt_facility_code)
  select 'P' || lpad(g::text, 10, '0'), 'Nguyễn Văn ' || g, 'NGUYEN VAN ' || g, (1940 + g % 80)::text || '-06-15', 1940 + g % 80, 1 + g % 2,
         lpad(g::text, 12, '0'), 'DN479' || lpad(g::text, 10, '0'), date '2025-01-01', date '2099-12-31', '79001'
  from generate_series(1, ${persons}::int) g`.execute(db);
await sql`analyze person`.execute(db);
const t1 = Date.now();
await sql`insert into submission(id, facility_code, channel, sha256, size_bytes, status, episode_count, accepted_count, warning_count, rejected_count, receipt)
  values ('bench', '79001', 'bench', 'x', 0, 'accepted', 0, 0, 0, 0, '{}')`.execute(db);
// Codes cycle through chronic, acute and one sensitive code, so filtering and derivation do real work.
const episodeInsert = (personExpr: string, n: number, prefix: string) => sql`
  insert into episode(facility_code, ma_lk, version, is_current, submission_id, person_id, patient_source_id, status, ma_bn, ho_ten,
                      ma_loai_kcb, ngay_vao, ngay_ra, ma_benh_chinh, ma_benh_kt, chan_doan_vao, chan_doan_rv, ket_qua_dtri, sensitivity, content_sha256, xml1)
  select lpad((79001 + g % 20)::text, 5, '0'), ${prefix} || g, 1, true, 'bench', ${sql.raw(personExpr)}, 'src' || g, 'accepted', 'BN' || g, 'Nguyễn Văn',
         (array['01','02','03','04'])[1 + g % 4], timestamp '2015-01-01' + (g % 3650) * interval '1 day', timestamp '2015-01-01' + (g % 3650) * interval '1 day' + interval '3 hours',
         (array['I10','E11.9','J18.9','K29.7','F32.9','J20.9'])[1 + g % 6], case when g % 3 = 0 then 'E78.5;I25.1' else null end, 'Chẩn đoán sơ bộ', 'Chẩn đoán ra viện', 1,
         case when g % 6 = 4 then array['mental'] else '{}'::text[] end, md5(g::text), '{}'::jsonb
  from generate_series(1, ${n}::int) g`;
await episodeInsert(`'${TARGET}'`, perTarget, 'T').execute(db);
await episodeInsert(`'P' || lpad((1 + (g * 7919) % ${persons})::text, 10, '0')`, others, 'O').execute(db);
await sql`analyze episode`.execute(db);
const t2 = Date.now();
console.log(`setup: ${persons.toLocaleString('en')} persons in ${((t1 - t0) / 1000).toFixed(1)} s, ${(perTarget + others).toLocaleString('en')} episodes in ${((t2 - t1) / 1000).toFixed(1)} s`);

await db.insertInto('citizen_account').values({ subject: '000000500000', person_id: TARGET, consent_at: new Date() }).execute();
const sid = await createSession(db, 'citizen', '000000500000', { name: 'Bench' }, 3600);
const config = loadConfig({ port: 0, host: '127.0.0.1', publicUrl: 'http://localhost:1', demo: false, webDistDir: '/nonexistent' });
const app = await buildApp({ config, database: handle, logger: false });
await app.ready();

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
async function time(n: number, f: () => Promise<void>) {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await f();
    out.push(performance.now() - s);
  }
  return out;
}
const apiCall = async () => {
  const r = await app.inject({ method: 'GET', url: '/api/v1/book/summary', headers: { cookie: `${SESSION_COOKIE}=${sid}` } });
  if (r.statusCode !== 200) throw new Error(r.body);
};
const sqlCall = async () => {
  const r = await summaryRows(db, TARGET);
  if (r.episodes.length !== perTarget) throw new Error(`expected ${perTarget} episodes, got ${r.episodes.length}`);
};
await time(50, apiCall);
await time(50, sqlCall);
// Interleaved halves so drift on a shared machine hits both sides alike.
const api: number[] = [];
const base: number[] = [];
for (let k = 0; k < 2; k++) {
  api.push(...(await time(iterations / 2, apiCall)));
  base.push(...(await time(iterations / 2, sqlCall)));
}
const row = (name: string, xs: number[]) => `| ${name} | ${xs.length} | ${pct(xs, 50).toFixed(2)} | ${pct(xs, 95).toFixed(2)} | ${pct(xs, 99).toFixed(2)} |`;
console.log(`\n| measurement | calls | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|\n${row('GET /api/v1/book/summary', api)}\n${row('baseline: summary SQL alone', base)}`);
console.log(`\nratio p95 API / SQL: ${(pct(api, 95) / pct(base, 95)).toFixed(2)}; target p95 < 50 ms: ${pct(api, 95) < 50 ? 'met' : 'NOT met'}`);

await app.close();
await handle.close();
if (!values.keep) await scratch.drop();
