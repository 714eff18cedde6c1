/**
 * Ingest throughput through the HTTP API on PostgreSQL, printed beside a baseline measured in the
 * same run on the same database: a plain multi-row INSERT of the same episode rows (no parsing,
 * no signature check, no validation). Usage:
 *   npx tsx bench/ingest/http.ts [--episodes 5000] [--per-envelope 100] [--tables xml1|full] [--concurrency 2]
 *     [--patients one|mix]
 * --patients one (the default, the worst case): every episode's patient is the same person under a new patient id.
 * --patients mix: patients drawn from a generated population, about two episodes each, with the population's
 * share of CCCD/BHYT numbers, names, birth dates and addresses — what a facility really sends.
 * After the run the growth of the database's size is printed per stored episode and per person (every table,
 * indexes and TOAST included, the empty schema's size subtracted; on a Citus coordinator the distributed tables' shards on every worker, reference tables once
 * per node), and with --json FILE the figures are also written as JSON (bench/citus/ingest.ts reads them).
 */
import { parseArgs } from 'node:util';
import { generatePopulation } from '@openhssk/core/mpi';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope } from '@openhssk/core/xml130';
import { createTestCertificate, signEnvelope } from '@openhssk/core/xmldsig';
import { buildApp, loadConfig } from '@openhssk/server';
import { bulkInsert, migrate, openDatabase } from '@openhssk/server/db';
import { addCertificate, createFacility, issueCredential } from '@openhssk/server/facility';
import { createScratchPostgres } from '@openhssk/server/test-support';
import { writeFileSync } from 'node:fs';
import { sql } from 'kysely';

const { values } = parseArgs({
  options: {
    episodes: { type: 'string', default: '5000' },
    'per-envelope': { type: 'string', default: '100' },
    tables: { type: 'string', default: 'xml1' },
    concurrency: { type: 'string', default: '2' },
    patients: { type: 'string', default: 'one' },
    json: { type: 'string' },
  },
});
if (values.patients !== 'one' && values.patients !== 'mix') throw new Error(`--patients must be one or mix, not ${values.patients}`);
const total = Number(values.episodes);
const per = Number(values['per-envelope']);
const full = values.tables === 'full';
const concurrency = Number(values.concurrency);
const adminUrl = process.env.BENCH_DATABASE_URL;
const FAC = '79001';

const scratch = await createScratchPostgres('hssk_bench', adminUrl);
const handle = await openDatabase({ url: scratch.url, poolSize: 8 });

try {
  await migrate(handle);
  await createFacility(handle.db, { code: FAC, name: 'Bench' });
  const signer = createTestCertificate({ organization: FAC });
  await addCertificate(handle.db, FAC, signer.certPem);
  const cred = await issueCredential(handle.db, FAC);

  // About two episodes per patient, drawn in a fixed shuffled order so a patient's episodes land in different envelopes.
  const population = values.patients === 'mix' ? generatePopulation({ seed: 5, persons: Math.max(1, Math.ceil(total / 2)) }) : [];
  const dd = (n: number) => String(n).padStart(2, '0');
  const patientOf = (i: number) => population[(i * 7919) % population.length]!;

  // Build the signed envelopes before timing anything.
  const envelopes: string[] = [];
  const xml1Rows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < total; i += per) {
    const eps = Array.from({ length: Math.min(per, total - i) }, (_, k) => {
      const e = sampleEpisode(i + k + 1, FAC, full ? {} : { drugs: 0, services: 0 });
      // XML1-only mode: the episode summary alone (no drug or service lines, so totals are zero).
      if (!full) for (const t of Object.keys(e)) if (t !== 'XML1') delete e[t];
      if (population.length > 0) {
        const p = patientOf(i + k);
        const x1 = e.XML1![0]!;
        x1.MA_BN = p.id;
        x1.HO_TEN = `${p.family} ${p.middle} ${p.given}`.replace(/\s+/g, ' ').trim();
        x1.NGAY_SINH = `${p.year}${dd(p.month)}${dd(p.day)}0000`;
        x1.GIOI_TINH = p.sex === 'male' ? '1' : '2';
        x1.SO_CCCD = p.cccd ?? '';
        x1.MA_THE_BHYT = p.bhxh ? `DN4${p.bhxh.slice(0, 2)}${p.bhxh}` : '';
        x1.DIA_CHI = `${p.village}, xã ${p.communeName}, huyện ${p.districtName}, ${p.provinceName}`;
      }
      return e;
    });
    for (const e of eps) xml1Rows.push({ ma_lk: e.XML1![0]!.MA_LK, fields: e.XML1![0] });
    envelopes.push(signEnvelope(buildEnvelope({ facilityCode: FAC, createdDate: '20240305', episodes: eps }), signer.privateKeyPem, signer.certPem));
  }
  const bytes = envelopes.reduce((s, e) => s + Buffer.byteLength(e), 0);

  // Baseline: the same XML1 rows written with a plain multi-row INSERT, one transaction per envelope.
  await sql`create table bench_baseline (ma_lk text, fields jsonb)`.execute(handle.db);
  const b0 = performance.now();
  for (let i = 0; i < xml1Rows.length; i += per) {
    await handle.db.transaction().execute(async (tx) => {
      await bulkInsert(tx, 'bench_baseline', { ma_lk: 'text', fields: 'jsonb' }, xml1Rows.slice(i, i + per));
    });
  }
  const baselineMs = performance.now() - b0;

  const empty = await storageOf(handle.db);
  const config = loadConfig({ port: 0, host: '127.0.0.1', demo: false, webDistDir: '/nonexistent', logLevel: 'error' });
  const app = await buildApp({ config, database: handle, logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address() as { port: number };
  const base = `http://127.0.0.1:${addr.port}`;
  const tok = (await (
    await fetch(`${base}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: cred.clientId, client_secret: cred.clientSecret }) })
  ).json()) as { access_token: string };

  let next = 0;
  let accepted = 0;
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < envelopes.length) {
        const body = envelopes[next++]!;
        const s = performance.now();
        const r = await fetch(`${base}/api/v1/xml130/submissions`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${tok.access_token}` }, body });
        const j = (await r.json()) as { counts?: { accepted: number; accepted_with_warnings: number } };
        if (r.status >= 300) throw new Error(`HTTP ${r.status}: ${JSON.stringify(j).slice(0, 300)}`);
        accepted += (j.counts?.accepted ?? 0) + (j.counts?.accepted_with_warnings ?? 0);
        latencies.push(performance.now() - s);
      }
    }),
  );
  const httpMs = performance.now() - t0;
  await app.close();
  const storage = await storageOf(handle.db);
  latencies.sort((a, b) => a - b);
  const eps = (total / httpMs) * 1000;
  const baseEps = (total / baselineMs) * 1000;
  console.log(`patients: ${values.patients === 'mix' ? `mix of ${population.length} generated persons` : 'one person under a new patient id each time (worst case)'}`);
  console.log(`| mode | episodes | envelopes | MB | HTTP eps/s | baseline INSERT eps/s | ratio | p50 ms/envelope | p99 ms/envelope | RSS MB |`);
  console.log(`|---|---|---|---|---|---|---|---|---|---|`);
  console.log(
    `| ${full ? 'XML1–XML5' : 'XML1 only'} | ${total} (${accepted} accepted) | ${envelopes.length} | ${(bytes / 1e6).toFixed(1)} | ${eps.toFixed(0)} | ${baseEps.toFixed(0)} | ${(eps / baseEps).toFixed(2)} | ${latencies[Math.floor(latencies.length * 0.5)]!.toFixed(0)} | ${latencies[Math.floor(latencies.length * 0.99)]!.toFixed(0)} | ${(process.memoryUsage().rss / 1e6).toFixed(0)} |`,
  );
  // What the ingest added: the empty schema's pages (every table and index has some) are not per episode.
  const added = storage.bytes - empty.bytes;
  const perEpisode = added / Math.max(1, storage.episodes);
  const perPerson = added / Math.max(1, storage.persons);
  console.log(`storage${storage.citus ? ' (Citus: shards on every node)' : ''}: ${(empty.bytes / 1e6).toFixed(1)} MB empty, ${(storage.bytes / 1e6).toFixed(1)} MB after ${storage.episodes} episodes (${storage.rows} rows) of ${storage.persons} persons: ${perEpisode.toFixed(0)} B added per episode, ${perPerson.toFixed(0)} B per person`);
  console.log(`largest: ${storage.tables.slice(0, 6).map((t) => `${t.name} ${(t.bytes / 1e6).toFixed(1)} MB`).join(', ')}`);
  if (values.json) {
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!;
    writeFileSync(values.json, JSON.stringify({ episodes: total, accepted, envelopes: envelopes.length, bytes_sent: bytes, http_eps: eps, baseline_eps: baseEps, p50_ms: p(0.5), p99_ms: p(0.99), empty_bytes: empty.bytes, storage }, null, 2));
  }
} finally {
  await handle.close();
  await scratch.drop();
}

/**
 * Bytes the stored data takes, every table of the schema with its indexes and TOAST. On a Citus
 * coordinator a distributed or reference table's own relation is an empty shell; its shards are
 * summed by citus_total_relation_size (a reference table counts once per node holding it).
 */
async function storageOf(db: typeof handle.db) {
  const citus = (await sql<{ n: number }>`select count(*)::int as n from pg_extension where extname = 'citus'`.execute(db)).rows[0]!.n > 0;
  const tables = citus
    ? (await sql<{ name: string; bytes: string }>`
        select c.relname as name,
               case when exists (select 1 from pg_dist_partition d where d.logicalrelid = c.oid)
                    then citus_total_relation_size(c.oid) else pg_total_relation_size(c.oid) end as bytes
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'public' and c.relkind in ('r', 'p')`.execute(db)).rows
    : (await sql<{ name: string; bytes: string }>`
        select c.relname as name, pg_total_relation_size(c.oid) as bytes
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'public' and c.relkind in ('r', 'p')`.execute(db)).rows;
  const counts = (await sql<{ episodes: number; rows: number; persons: number }>`
    select (select count(*)::int from episode) as episodes, (select count(*)::int from episode_row) as rows, (select count(*)::int from person) as persons`.execute(db)).rows[0]!;
  const list = tables.map((t) => ({ name: t.name, bytes: Number(t.bytes) })).filter((t) => t.name !== 'bench_baseline').sort((a, b) => b.bytes - a.bytes);
  return { citus, bytes: list.reduce((s, t) => s + t.bytes, 0), tables: list, ...counts };
}
