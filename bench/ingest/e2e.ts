/**
 * End-to-end ingest with the server in a CHILD PROCESS (packages/server/test-support/child-server.ts) on
 * PostgreSQL, so the load generator does not share the server's event loop. Printed beside a baseline
 * measured in the same run on the same PostgreSQL: COPY (pg-copy-streams) of the same parsed and
 * validated rows into the same tables of a second database with the real schema (submission, raw
 * envelope, episode, episode_row, KCB source record), one transaction per envelope. Also: submission
 * → visible in a current-episode select (p50/p99), CPU per episode of server, PostgreSQL and load
 * generator, and the server's peak RSS (VmHWM) while it ingests --rss-mb of XML.
 *   npx tsx bench/ingest/e2e.ts [--episodes 5000] [--per-envelope 100] [--concurrency 2] [--rss-mb 1000]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope, parseEnvelope, parseEpisodeFiles, validateEpisode } from '@openhssk/core/xml130';
import { createTestCertificate, signEnvelope } from '@openhssk/core/xmldsig';
import { migrate, openDatabase } from '@openhssk/server/db';
import { birthDateToIso, episodeColumns, episodeContentHash, sensitivityOfEpisode } from '@openhssk/server/ingest';
import { createScratchPostgres } from '@openhssk/server/test-support';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const { values } = parseArgs({
  options: {
    episodes: { type: 'string', default: '5000' },
    'per-envelope': { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '2' },
    'rss-mb': { type: 'string', default: '0' },
  },
});
const total = Number(values.episodes);
const per = Number(values['per-envelope']);
const concurrency = Number(values.concurrency);
const rssMb = Number(values['rss-mb']);
const adminUrl = process.env.BENCH_DATABASE_URL;
const FAC = '79001';
const FAC_RSS = '79002';
const CHILD = new URL('../../packages/server/test-support/child-server.ts', import.meta.url).pathname;
// A realistic episode (XML1–XML5: 3 drugs, 4 services/supplies, labs, clinical notes).
const episode = (i: number, fac: string) => sampleEpisode(i, fac);

const scratch = await createScratchPostgres('hssk_bench', adminUrl);
const url = scratch.url;

// The per-facility rate limit (600 envelopes/min by default) is lifted: one facility stands for all.
function startChild(env: Record<string, string>): Promise<{ proc: ChildProcess; port: number; credential: { clientId: string; clientSecret: string } }> {
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', CHILD], { env: { ...process.env, DATABASE_URL: url, HSSK_INGEST_RATE_LIMIT: '1000000', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let credential: { clientId: string; clientSecret: string } | undefined;
    proc.once('exit', (c) => reject(new Error(`server exited ${c}`)));
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      const m = JSON.parse(l) as { credential?: typeof credential; ready?: boolean; port?: number };
      if (m.credential) credential = m.credential;
      if (m.ready) resolve({ proc, port: m.port!, credential: credential! });
    });
  });
}

// CPU seconds (user + system) of a process, and of every PostgreSQL process, from /proc.
const CLK = 100;
const procCpu = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK;
};
const postgresCpu = () =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .reduce((s, d) => {
      try {
        return readFileSync(`/proc/${d}/comm`, 'utf8').startsWith('postgres') ? s + procCpu(Number(d)) : s;
      } catch {
        return s;
      }
    }, 0);
const vmHwm = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const copyText = (s: string) => s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

let server: ChildProcess | undefined;
try {
  const signer = createTestCertificate({ organization: FAC });
  const started = await startChild({ HSSK_CHILD_SETUP: JSON.stringify({ facility: FAC, certPem: signer.certPem }) });
  server = started.proc;
  const base = `http://127.0.0.1:${started.port}`;
  const tokenOf = async (cred: { clientId: string; clientSecret: string }) =>
    ((await (await fetch(`${base}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: cred.clientId, client_secret: cred.clientSecret }) })).json()) as { access_token: string }).access_token;
  const token = await tokenOf(started.credential);

  // Signed envelopes, built before anything is timed.
  const envelopes: Array<{ xml: string; lastMaLk: string }> = [];
  for (let i = 0; i < total; i += per) {
    const eps = Array.from({ length: Math.min(per, total - i) }, (_, k) => episode(i + k + 1, FAC));
    envelopes.push({ xml: signEnvelope(buildEnvelope({ facilityCode: FAC, createdDate: '20240305', episodes: eps }), signer.privateKeyPem, signer.certPem), lastMaLk: eps.at(-1)!.XML1![0]!.MA_LK! });
  }
  const bytes = envelopes.reduce((s, e) => s + Buffer.byteLength(e.xml), 0);

  // Baseline: COPY of the same parsed rows into the same tables (a second database migrated with the
  // real schema: same indexes, foreign keys and triggers): submission + raw envelope, episode,
  // episode_row, KCB source record. Parsing happens here, outside the timing; building the COPY text
  // and the writes are timed, one transaction per envelope.
  const parsed = envelopes.map((e) => ({ raw: e.xml, episodes: parseEnvelope(e.xml).episodes.map((ep) => {
      const p = parseEpisodeFiles(ep.files);
      return { files: ep.files, p, v: validateEpisode(p, { facilityCode: FAC }) };
    }),
  }));
  const rowCount = parsed.flatMap((e) => e.episodes).reduce((n, ep) => n + Object.entries(ep.p.tables).reduce((m, [t, rows]) => m + (t === 'XML1' ? 0 : rows.length), 0), 0);
  const baseDb = await createScratchPostgres('hssk_bench_copy', adminUrl);
  const baseHandle = await openDatabase({ url: baseDb.url });
  await migrate(baseHandle);
  await baseHandle.close();
  const client = new pg.Client({ connectionString: baseDb.url });
  await client.connect();
  await client.query(`insert into facility (code, name) values ($1, 'Cơ sở COPY')`, [FAC]);
  const copyRows = async (table: string, columns: string, lines: string[]) => {
    if (lines.length > 0) await pipeline(Readable.from([lines.join('')]), client.query(copyFrom(`copy ${table} (${columns}) from stdin`)));
  };
  const cell = (v: unknown) => (v === null || v === undefined ? '\\N' : Array.isArray(v) ? copyText(`{${v.join(',')}}`) : typeof v === 'object' ? copyText(JSON.stringify(v)) : copyText(String(v)));
  const line = (vals: unknown[]) => `${vals.map(cell).join('\t')}\n`;
  let nextId = 1;
  const c0 = performance.now();
  for (const [k, env] of parsed.entries()) {
    const subId = `COPY-${k}`;
    const episodeLines: string[] = [];
    const rowLines: string[] = [];
    const sourceLines: string[] = [];
    for (const { files, p, v } of env.episodes) {
      const id = nextId++;
      const x1 = p.tables.XML1?.[0];
      const f = x1?.fields ?? {};
      const sourceId = `${FAC}:${f.MA_BN ?? ''}`;
      episodeLines.push(line([id, FAC, p.maLk, 1, true, subId, null, sourceId, v.status, ...Object.values(episodeColumns(p)), sensitivityOfEpisode(p), episodeContentHash(files), { fields: f, extra: x1?.extra ?? {} }, v.issues]));
      for (const [t, rows] of Object.entries(p.tables)) {
        if (t === 'XML1') continue;
        rows.forEach((r, n) => {
          rowLines.push(line([id, null, t, n + 1, r.fields, Object.keys(r.extra).length > 0 ? r.extra : null]));
        });
      }
      const src = [f.HO_TEN, birthDateToIso(f.NGAY_SINH), f.GIOI_TINH, f.SO_CCCD, f.MA_THE_BHYT, f.DIEN_THOAI, f.DIA_CHI, f.MAXA_CU_TRU];
      sourceLines.push(line(['KCB', sourceId, ...src, createHash('sha256').update(JSON.stringify(src)).digest('hex')]));
    }
    await client.query('begin');
    await copyRows('submission', 'id, facility_code, channel, sha256, size_bytes, status, episode_count, accepted_count, warning_count, rejected_count, receipt', [
      line([subId, FAC, 'rest', createHash('sha256').update(env.raw).digest('hex'), Buffer.byteLength(env.raw), 'accepted', env.episodes.length, env.episodes.length, 0, 0, { receipt_id: subId }]),
    ]);
    await copyRows('submission_raw', 'submission_id, raw', [line([subId, env.raw])]);
    await copyRows('episode', `id, facility_code, ma_lk, version, is_current, submission_id, person_id, patient_source_id, status, ${Object.keys(episodeColumns(env.episodes[0]!.p)).join(', ')}, sensitivity, content_sha256, xml1, issues`, episodeLines);
    await copyRows('episode_row', 'episode_id, person_id, tbl, row_no, fields, extra', rowLines);
    await copyRows('source_record', 'source_system, source_id, ho_ten, ngay_sinh, gioi_tinh, so_cccd, so_bhyt, so_dien_thoai, dia_chi, ma_xa, content_hash', sourceLines);
    await client.query('commit');
  }
  const copyMs = performance.now() - c0;
  await client.end();
  await baseDb.drop();

  // Through HTTP into the child server; each receipt is followed by the read the health book does.
  let next = 0;
  let accepted = 0;
  const latencies: number[] = [];
  const visible: number[] = [];
  const reader = new pg.Client({ connectionString: url });
  await reader.connect();
  const cpu0 = { server: procCpu(server.pid!), pg: postgresCpu(), gen: process.cpuUsage() };
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < envelopes.length) {
        const env = envelopes[next++]!;
        const s = performance.now();
        const r = await fetch(`${base}/api/v1/xml130/submissions`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` }, body: env.xml });
        const j = (await r.json()) as { counts?: { accepted: number; accepted_with_warnings: number } };
        if (r.status >= 300) throw new Error(`HTTP ${r.status}: ${JSON.stringify(j).slice(0, 300)}`);
        latencies.push(performance.now() - s);
        accepted += (j.counts?.accepted ?? 0) + (j.counts?.accepted_with_warnings ?? 0);
        const q = await reader.query('select id from episode where facility_code = $1 and ma_lk = $2 and is_current', [FAC, env.lastMaLk]);
        if (q.rowCount !== 1) throw new Error('episode not visible after its receipt');
        visible.push(performance.now() - s);
      }
    }),
  );
  const httpMs = performance.now() - t0;
  const genCpu = process.cpuUsage(cpu0.gen);
  const cpuMsPerEp = {
    server: ((procCpu(server.pid!) - cpu0.server) * 1000) / total,
    pg: ((postgresCpu() - cpu0.pg) * 1000) / total,
    gen: (genCpu.user + genCpu.system) / 1000 / total,
  };
  await reader.end();
  const hwmThroughput = vmHwm(server.pid!);

  const eps = (total / httpMs) * 1000;
  const copyEps = (total / copyMs) * 1000;
  console.log(`episodes ${total} (${accepted} accepted) in ${envelopes.length} signed envelopes, ${(bytes / 1e6).toFixed(1)} MB (${(bytes / total / 1024).toFixed(1)} KB/episode), ${rowCount} rows XML2–XML5`);
  console.log('| measure | value |\n|---|---|');
  console.log(`| HTTP end to end (server in child process, concurrency ${concurrency}) | ${eps.toFixed(0)} episodes/s |`);
  console.log(`| baseline COPY of the same parsed rows into the same schema, same run | ${copyEps.toFixed(0)} episodes/s |`);
  console.log(`| ratio HTTP / COPY | ${(eps / copyEps).toFixed(2)} |`);
  console.log(`| latency per envelope p50 / p99 | ${pct(latencies, 0.5).toFixed(0)} / ${pct(latencies, 0.99).toFixed(0)} ms |`);
  console.log(`| submission → visible in current-episode select p50 / p99 | ${pct(visible, 0.5).toFixed(0)} / ${pct(visible, 0.99).toFixed(0)} ms |`);
  console.log(`| CPU ms per episode: server / PostgreSQL / load generator | ${cpuMsPerEp.server.toFixed(2)} / ${cpuMsPerEp.pg.toFixed(2)} / ${cpuMsPerEp.gen.toFixed(2)} |`);
  console.log(`| server VmHWM after the throughput run | ${hwmThroughput.toFixed(0)} MB |`);

  if (rssMb > 0) {
    // Memory under a long run: envelopes generated on the fly (unsigned, test-mode facility, so the
    // generator does not spend its time signing), concurrency as above, peak RSS from /proc.
    const second = await fetch(`${base}/healthz`);
    await second.text();
    const setup = await startChild({ HSSK_CHILD_SETUP: JSON.stringify({ facility: FAC_RSS, testMode: true }) });
    setup.proc.kill('SIGTERM');
    const tokRss = await tokenOf(setup.credential);
    let sent = 0;
    let n = 1_000_000;
    const r0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (sent < rssMb * 1e6) {
          const eps = Array.from({ length: per }, () => episode(n++, FAC_RSS));
          const xml = buildEnvelope({ facilityCode: FAC_RSS, createdDate: '20240305', episodes: eps });
          sent += Buffer.byteLength(xml);
          const r = await fetch(`${base}/api/v1/xml130/submissions`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${tokRss}` }, body: xml });
          await r.arrayBuffer();
          if (r.status >= 300) throw new Error(`HTTP ${r.status}`);
        }
      }),
    );
    console.log(`| server VmHWM after ${(sent / 1e9).toFixed(2)} GB more XML (${n - 1_000_000} episodes, ${((performance.now() - r0) / 1000).toFixed(0)} s incl. generation) | ${vmHwm(server.pid!).toFixed(0)} MB |`);
  }
} finally {
  server?.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await scratch.drop();
}
