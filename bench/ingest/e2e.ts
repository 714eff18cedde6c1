/**
 * End-to-end ingest with the server in a CHILD PROCESS (packages/server/src/ingest/child-server.ts) on
 * PostgreSQL, so the load generator does not share the server's event loop. Printed beside a baseline
 * measured in the same run on the same database: COPY (pg-copy-streams) of the same parsed rows into
 * equivalent tables (one typed row + XML1 jsonb per episode, one jsonb row per XML2..15 row), one
 * transaction per envelope. Also: submission → visible in a current-episode select (p50/p99), and the
 * server's peak RSS (VmHWM) while it ingests --rss-mb of XML.
 *   npx tsx bench/ingest/e2e.ts [--episodes 5000] [--per-envelope 100] [--concurrency 2] [--rss-mb 1000]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { buildEnvelope } from '@openhssk/core/xml130/build';
import { parseEnvelope } from '@openhssk/core/xml130/envelope';
import { parseEpisodeFiles } from '@openhssk/core/xml130/parse';
import { sampleEpisode } from '@openhssk/core/xml130/testdata';
import { signEnvelope } from '@openhssk/core/xmldsig/sign';
import { createTestCertificate } from '@openhssk/core/xmldsig/testcert';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createScratchPostgres } from '@openhssk/server/db/scratch-postgres';

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
const CHILD = new URL('../../packages/server/src/ingest/child-server.ts', import.meta.url).pathname;
// A realistic episode (XML1–XML5: 3 drugs, 4 services/supplies, labs, clinical notes).
const episode = (i: number, fac: string) => sampleEpisode(i, fac);

const scratch = await createScratchPostgres('hssk_bench', adminUrl);
const url = scratch.url;
const client = new pg.Client({ connectionString: url });

function startChild(env: Record<string, string>): Promise<{ proc: ChildProcess; port: number; credential: { clientId: string; clientSecret: string } }> {
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', CHILD], { env: { ...process.env, DATABASE_URL: url, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
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

const vmHwm = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const copyText = (s: string) => s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

let server: ChildProcess | undefined;
try {
  await client.connect();
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

  // Baseline: COPY of the same parsed rows (parsing done here, outside the timing).
  const parsed = envelopes.map((e) => parseEnvelope(e.xml).episodes.map((ep) => parseEpisodeFiles(ep.files)));
  const rowCount = parsed.flat().reduce((n, ep) => n + Object.entries(ep.tables).reduce((m, [t, rows]) => m + (t === 'XML1' ? 0 : rows.length), 0), 0);
  await client.query(`create table bench_episode (id bigint primary key, facility_code text, ma_lk text, ma_bn text, ho_ten text, so_cccd text, ngay_vao text, ma_benh_chinh text, t_tongchi_bv numeric, xml1 jsonb)`);
  await client.query(`create table bench_row (episode_id bigint, tbl text, row_no int, fields jsonb, primary key (episode_id, tbl, row_no))`);
  await client.query('create index on bench_episode (facility_code, ma_lk)');
  let nextId = 1;
  const c0 = performance.now();
  for (const env of parsed) {
    let epText = '';
    let rowText = '';
    for (const ep of env) {
      const id = nextId++;
      const x1 = ep.tables.XML1?.[0]?.fields ?? {};
      const num = Number(x1.T_TONGCHI_BV);
      epText += [id, FAC, ep.maLk ?? '', x1.MA_BN ?? '', x1.HO_TEN ?? '', x1.SO_CCCD ?? '\\N', x1.NGAY_VAO ?? '', x1.MA_BENH_CHINH ?? '', Number.isFinite(num) ? num : '\\N', copyText(JSON.stringify(x1))].join('\t') + '\n';
      for (const [t, rows] of Object.entries(ep.tables)) {
        if (t === 'XML1') continue;
        rows.forEach((r, k) => {
          rowText += `${id}\t${t}\t${k + 1}\t${copyText(JSON.stringify(r.fields))}\n`;
        });
      }
    }
    await client.query('begin');
    await pipeline(Readable.from([epText]), client.query(copyFrom('copy bench_episode from stdin')));
    await pipeline(Readable.from([rowText]), client.query(copyFrom('copy bench_row from stdin')));
    await client.query('commit');
  }
  const copyMs = performance.now() - c0;

  // Through HTTP into the child server; each receipt is followed by the read the health book does.
  let next = 0;
  let accepted = 0;
  const latencies: number[] = [];
  const visible: number[] = [];
  const reader = new pg.Client({ connectionString: url });
  await reader.connect();
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
  await reader.end();
  const hwmThroughput = vmHwm(server.pid!);

  const eps = (total / httpMs) * 1000;
  const copyEps = (total / copyMs) * 1000;
  console.log(`episodes ${total} (${accepted} accepted) in ${envelopes.length} signed envelopes, ${(bytes / 1e6).toFixed(1)} MB (${(bytes / total / 1024).toFixed(1)} KB/episode), ${rowCount} rows XML2–XML5`);
  console.log('| measure | value |\n|---|---|');
  console.log(`| HTTP end to end (server in child process, concurrency ${concurrency}) | ${eps.toFixed(0)} episodes/s |`);
  console.log(`| baseline COPY of the same parsed rows, same run | ${copyEps.toFixed(0)} episodes/s |`);
  console.log(`| ratio HTTP / COPY | ${(eps / copyEps).toFixed(2)} |`);
  console.log(`| latency per envelope p50 / p99 | ${pct(latencies, 0.5).toFixed(0)} / ${pct(latencies, 0.99).toFixed(0)} ms |`);
  console.log(`| submission → visible in current-episode select p50 / p99 | ${pct(visible, 0.5).toFixed(0)} / ${pct(visible, 0.99).toFixed(0)} ms |`);
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
  await client.end().catch(() => {});
  await scratch.drop();
}
