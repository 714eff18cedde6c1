/**
 * FHIR Bulk Data $export on PostgreSQL: resources per second and the server process's peak RSS while
 * the export runner streams a whole district to NDJSON, beside a baseline measured in the same run:
 * the same rows read by plain COPY (person, current non-sensitive episodes, their XML2/XML4 rows) as
 * JSON lines to nowhere — no mapping, no files, no access log. Data is generated with SQL
 * generate_series, not through ingest. Usage:
 *   npx tsx bench/fhir/export.ts [--persons 20000] [--episodes <3 × persons>]
 *   --keep leaves the generated database (its name is printed); --build-only builds it and stops;
 *   --reuse NAME measures on a database an earlier --keep run left (data built once, measured again
 *   after a code change or on a quieter machine; its jobs and access-log rows of earlier runs stay,
 *   each run counts only its own); --out DIR writes the NDJSON files under DIR and keeps them (to compare
 *   the output of two versions of the code, sorted, byte for byte).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { migrate, openDatabase } from '@openhssk/server/db';
import { createExportRunner, exportDir, kickOffExport } from '@openhssk/server/fhir';
import { sql } from 'kysely';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

const { values } = parseArgs({
  options: {
    persons: { type: 'string', default: '20000' },
    episodes: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'build-only': { type: 'boolean', default: false },
    reuse: { type: 'string' },
    out: { type: 'string' },
  },
});
const persons = Number(values.persons);
// About three visits per person: a year of a province's outpatient and inpatient care.
const episodes = values.episodes === undefined ? 3 * persons : Number(values.episodes);
const reuse = values.reuse;
if (reuse !== undefined && !/^hssk_bench_fhir_export_[0-9a-f]{8}$/.test(reuse)) throw new Error('--reuse takes the name of a database kept by --keep');
const keep = values.keep || values['build-only'];

const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = reuse ?? `hssk_bench_fhir_export_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
if (!reuse) await admin.query(`create database ${dbName}`);
const dbUrl = new URL(adminUrl);
dbUrl.pathname = `/${dbName}`;
const handle = await openDatabase({ url: dbUrl.toString(), poolSize: 4 });
await migrate(handle);
const db = handle.db;
const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

async function build() {
  const t0 = Date.now();
  await sql`insert into facility(code, name) select lpad((79000 + g)::text, 5, '0'), 'Bệnh viện thử nghiệm ' || g from generate_series(1, 20) g`.execute(db);
  await sql`insert into person(id, ho_ten, name_key, ngay_sinh, birth_year, gioi_tinh, so_cccd, so_bhyt, bhyt_valid_from, bhyt_valid_to, bhyt_facility_code)
    select 'P' || lpad(g::text, 10, '0'), 'Nguyễn Văn ' || g, 'NGUYEN VAN ' || g, (1940 + g % 80)::text || '-06-15', 1940 + g % 80, 1 + g % 2,
           lpad(g::text, 12, '0'), 'DN479' || lpad(g::text, 10, '0'), date '2025-01-01', date '2099-12-31', '79001'
    from generate_series(1, ${persons}::int) g`.execute(db);
  await sql`insert into submission(id, facility_code, channel, sha256, size_bytes, status, episode_count, accepted_count, warning_count, rejected_count, receipt)
    values ('bench', '79001', 'bench', 'x', 0, 'accepted', 0, 0, 0, 0, '{"signature": {"verified": true}}')`.execute(db);
  log(`${persons.toLocaleString('en')} persons`);
  // Statements of at most 500,000 episodes, so a 1,000,000-person build shows progress and no single
  // statement holds gigabytes of WAL.
  const CHUNK = 500_000;
  for (let a = 1; a <= episodes; a += CHUNK) {
    const b = Math.min(episodes, a + CHUNK - 1);
    await db.connection().execute(async (c) => {
      await sql`set synchronous_commit = off`.execute(c);
      const before = Number((await sql<{ n: string }>`select coalesce(max(id), 0)::text as n from episode`.execute(c)).rows[0]!.n);
      // One sensitive code in six: the export must leave those episodes out, as search does.
      await sql`
        insert into episode(facility_code, ma_lk, version, is_current, submission_id, person_id, patient_source_id, status, ma_bn, ho_ten,
                            ma_loai_kcb, ngay_vao, ngay_ra, ma_benh_chinh, ma_benh_kt, chan_doan_vao, chan_doan_rv, ket_qua_dtri, sensitivity, content_sha256, xml1)
        select lpad((79001 + g % 20)::text, 5, '0'), 'E' || g, 1, true, 'bench', 'P' || lpad((1 + (g::bigint * 7919) % ${persons})::text, 10, '0'), 'src' || g, 'accepted', 'BN' || g, 'Nguyễn Văn',
               (array['01','02','03','04'])[1 + g % 4], timestamp '2015-01-01' + (g % 3650) * interval '1 day', timestamp '2015-01-01' + (g % 3650) * interval '1 day' + interval '3 hours',
               (array['I10','E11.9','J18.9','K29.7','F32.9','J20.9'])[1 + g % 6], case when g % 3 = 0 then 'E78.5;I25.1' else null end, 'Chẩn đoán sơ bộ', 'Chẩn đoán ra viện', 1,
               case when g % 6 = 4 then array['mental'] else '{}'::text[] end, md5(g::text), '{"fields": {"MA_LOAI_KCB": "01", "MA_DOITUONG_KCB": "1.1"}}'::jsonb
        from generate_series(${a}::int, ${b}::int) g`.execute(c);
      await sql`insert into episode_row(episode_id, person_id, tbl, row_no, fields)
        select e.id, e.person_id, 'XML2', 1, jsonb_build_object('MA_THUOC', '40.17', 'TEN_THUOC', 'Amoxicilin', 'HAM_LUONG', '500mg', 'NGAY_YL', to_char(e.ngay_vao, 'YYYYMMDDHH24MI'), 'SO_LUONG', '10', 'DON_VI_TINH', 'viên', 'LIEU_DUNG', 'Ngày 2 lần')
        from episode e where e.id > ${before}`.execute(c);
      await sql`insert into episode_row(episode_id, person_id, tbl, row_no, fields)
        select e.id, e.person_id, 'XML4', 1, jsonb_build_object('MA_CHI_SO', 'GLU', 'TEN_CHI_SO', 'Glucose', 'GIA_TRI', '6.1', 'DON_VI_DO', 'mmol/L', 'NGAY_KQ', to_char(e.ngay_vao, 'YYYYMMDDHH24MI'))
        from episode e where e.id > ${before}`.execute(c);
    });
    log(`episodes ${a.toLocaleString('en')}–${b.toLocaleString('en')} with 2 rows each`);
  }
  await handle.execScript('vacuum analyze');
  log(`setup: ${persons.toLocaleString('en')} persons, ${episodes.toLocaleString('en')} episodes (2 rows each) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (reuse) log(`reusing ${reuse}: data as an earlier --keep run left it`);
else await build();
log(`database ${dbName}${keep ? ' (kept)' : ''}`);
if (values['build-only']) {
  await handle.close();
  await admin.end();
  process.exit(0);
}

// Baseline: the same rows by plain COPY, as JSON lines, to nowhere.
const client = new pg.Client({ connectionString: dbUrl.toString() });
await client.connect();
const visible = `e.is_current and cardinality(e.sensitivity) = 0`;
let copied = 0;
const tc = performance.now();
for (const q of [
  `select row_to_json(p) from person p where exists (select 1 from episode e where e.person_id = p.id and ${visible})`,
  `select row_to_json(e) from episode e where ${visible}`,
  `select row_to_json(r) from episode_row r join episode e on e.id = r.episode_id where ${visible} and r.tbl in ('XML2', 'XML4')`,
]) {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const b of chunk) if (b === 10) copied++;
      done();
    },
  });
  await pipeline(client.query(copyTo(`copy (${q}) to stdout`)), sink);
}
const copySeconds = (performance.now() - tc) / 1000;
await client.end();
log(`baseline: ${copied.toLocaleString('en')} rows by COPY in ${copySeconds.toFixed(1)} s (${Math.round(copied / copySeconds).toLocaleString('en')} rows/s)`);

// The export: kicked off as a system administrator would, run by the same runner the server starts.
const dir = values.out ?? mkdtempSync(`${tmpdir()}/hssk-bench-export-`);
const jobId = await kickOffExport({
  db,
  caller: { actor: { type: 'staff', id: 'bench', role: 'system_admin' }, facilities: 'all' },
  level: 'system',
  query: {},
  request: 'bench',
  prefer: 'respond-async',
});
const mb = (b: number) => (b / 1048576).toFixed(0);
const rssBefore = process.memoryUsage().rss;
let rssPeak = rssBefore;
/** Heap figures at the moment of the RSS peak: whether the peak is live objects, garbage not yet collected, or buffers. */
let atPeak = process.memoryUsage();
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  if (m.rss > rssPeak) {
    rssPeak = m.rss;
    atPeak = m;
  }
}, 50);
const te = performance.now();
const cpuBefore = process.cpuUsage();
// Progress once a minute from the job's checkpoint, so a long run tells its rate before it ends.
const progress = setInterval(() => {
  void sql<{ checkpoint: { phase?: string; counts?: Record<string, number> } }>`select checkpoint from fhir_export_job where id = ${jobId}`.execute(db).then((r) => {
    const cp = r.rows[0]?.checkpoint;
    const n = Object.values(cp?.counts ?? {}).reduce((a, b) => a + b, 0);
    const s = (performance.now() - te) / 1000;
    log(`${cp?.phase ?? 'queued'}: ${n.toLocaleString('en')} resources in ${s.toFixed(0)} s (${Math.round(n / s).toLocaleString('en')}/s), peak RSS ${mb(rssPeak)} MB`);
  });
}, 60_000);
await createExportRunner(db, exportDir(dir)).run();
const exportSeconds = (performance.now() - te) / 1000;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(sampler);
clearInterval(progress);
const job = (await sql<{ status: string; checkpoint: { counts: Record<string, number> } }>`select status, checkpoint from fhir_export_job where id = ${jobId}`.execute(db)).rows[0]!;
if (job.status !== 'completed') throw new Error(`export ${job.status}`);
const resources = Object.values(job.checkpoint.counts).reduce((a, b) => a + b, 0);
const audited = (await sql<{ n: string }>`select count(*)::text as n from audit_event where action = 'fhir.export' and resource = ${`$export/${jobId}`}`.execute(db)).rows[0]!.n;

console.log(`\n| measurement | items | seconds | items/s |\n|---|---|---|---|`);
console.log(`| $export runner → NDJSON (${Object.keys(job.checkpoint.counts).length} types, ${Number(audited).toLocaleString('en')} access-log rows) | ${resources.toLocaleString('en')} resources | ${exportSeconds.toFixed(1)} | ${Math.round(resources / exportSeconds).toLocaleString('en')} |`);
console.log(`| baseline: plain COPY of the same rows as JSON | ${copied.toLocaleString('en')} rows | ${copySeconds.toFixed(1)} | ${Math.round(copied / copySeconds).toLocaleString('en')} |`);
console.log(`\nper type: ${JSON.stringify(job.checkpoint.counts)}`);
console.log(`RSS before ${mb(rssBefore)} MB, peak during the export ${mb(rssPeak)} MB (target < 512 MB: ${rssPeak < 512 * 1048576 ? 'met' : 'NOT met'}); target ≥ 5,000 resources/s: ${resources / exportSeconds >= 5000 ? 'met' : 'NOT met'}`);

// Node CPU beside wall time: how much of the export is mapping and writing in this process, how much waiting.
console.log(`at the peak: heap used ${mb(atPeak.heapUsed)} MB of ${mb(atPeak.heapTotal)} MB, external ${mb(atPeak.external)} MB (array buffers ${mb(atPeak.arrayBuffers)} MB)`);
console.log(`node CPU during the export ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of ${exportSeconds.toFixed(1)} s wall (job ${jobId})`);

if (values.out === undefined) rmSync(dir, { recursive: true, force: true });
await handle.close();
if (!keep && !reuse) await admin.query(`drop database if exists ${dbName} with (force)`);
await admin.end();

