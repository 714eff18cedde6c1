import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope } from '@openhssk/core/xml130';
import { createScratchPostgres } from '../../test-support/scratch-postgres.ts';
import { openDatabase } from '../db/index.ts';
import type { Receipt } from './receipt.ts';

const FAC = '79030';
const CHILD = new URL('../../test-support/child-server.ts', import.meta.url).pathname;
const usePostgres = process.env.HSSK_TEST_DB === 'postgres';

interface Child {
  proc: ChildProcess;
  port: number;
  credential?: { clientId: string; clientSecret: string };
}

function startChild(env: Record<string, string>): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let credential: Child['credential'];
    proc.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as { credential?: Child['credential']; ready?: boolean; port?: number };
      if (msg.credential) credential = msg.credential;
      if (msg.ready) resolve({ proc, port: msg.port!, ...(credential ? { credential } : {}) });
    });
  });
}

const exited = (p: ChildProcess) => new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : p.once('exit', r)));

describe(`kill -9 in the middle of a batch (${usePostgres ? 'postgres' : 'pglite'})`, () => {
  let dbEnv: Record<string, string>;
  let cleanup: () => Promise<void>;
  before(async () => {
    if (usePostgres) {
      const scratch = await createScratchPostgres('hssk_crash', process.env.TEST_DATABASE_URL);
      dbEnv = { DATABASE_URL: scratch.url };
      cleanup = () => scratch.drop();
    } else {
      const dir = await mkdtemp(join(tmpdir(), 'hssk-crash-'));
      dbEnv = { HSSK_CHILD_PGLITE_DIR: dir, DATABASE_URL: '' };
      cleanup = () => rm(dir, { recursive: true, force: true });
    }
  });
  after(async () => cleanup());

  it('keeps every acknowledged episode complete, writes nothing by halves, and resends create no duplicates', async () => {
    const batch = Array.from({ length: 40 }, (_, e) => {
      const episodes = Array.from({ length: 5 }, (_, k) => sampleEpisode(e * 5 + k + 1, FAC, { drugs: 3, services: 4 }));
      return { episodes, xml: buildEnvelope({ facilityCode: FAC, createdDate: '20240305', episodes }) };
    });
    const expectedRows = new Map<string, number>();
    for (const b of batch) {
      for (const ep of b.episodes) expectedRows.set(ep.XML1![0]!.MA_LK!, Object.entries(ep).reduce((n, [t, rows]) => n + (t === 'XML1' ? 0 : rows.length), 0));
    }

    let child = await startChild({ ...dbEnv, HSSK_CHILD_SETUP: JSON.stringify({ facility: FAC, testMode: true }) });
    const cred = child.credential!;
    const tokenFor = async (port: number) => {
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: cred.clientId, client_secret: cred.clientSecret }),
      });
      return ((await r.json()) as { access_token: string }).access_token;
    };
    const submit = async (port: number, token: string, xml: string) => {
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/xml130/submissions`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` }, body: xml });
      return { status: r.status, receipt: (await r.json()) as Receipt };
    };

    let token = await tokenFor(child.port);
    const acknowledged = new Map<number, string>();
    let next = 0;
    const victim = child;
    // Four clients in parallel; the server dies by SIGKILL once ten receipts have come back.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < batch.length) {
          const i = next++;
          try {
            const r = await submit(victim.port, token, batch[i]!.xml);
            if (r.status === 201) acknowledged.set(i, r.receipt.receipt_id);
            if (acknowledged.size >= 10 && victim.proc.exitCode === null && victim.proc.signalCode === null) victim.proc.kill('SIGKILL');
          } catch {
            // connection reset by the kill: this envelope was never acknowledged
          }
        }
      }),
    );
    await exited(victim.proc);
    assert.ok(acknowledged.size >= 10 && acknowledged.size < batch.length, `acknowledged ${acknowledged.size}`);

    child = await startChild(dbEnv);
    token = await tokenFor(child.port);
    for (const [i, b] of batch.entries()) {
      const r = await submit(child.port, token, b.xml);
      assert.ok(r.status === 200 || r.status === 201, `resend ${i}: ${r.status}`);
      const first = acknowledged.get(i);
      if (first) assert.equal(r.receipt.receipt_id, first, 'an acknowledged envelope keeps its receipt');
    }
    // A second full resend changes nothing.
    for (const b of batch) assert.equal((await submit(child.port, token, b.xml)).status, 200);
    child.proc.kill('SIGTERM');
    await exited(child.proc);

    const h = await openDatabase({ url: dbEnv.DATABASE_URL || undefined, dataDir: dbEnv.HSSK_CHILD_PGLITE_DIR, poolSize: 1 });
    try {
      const subs = await h.db.selectFrom('submission').select(['id', 'accepted_count']).execute();
      assert.equal(subs.length, batch.length, 'one submission per envelope');
      const perSub = await h.db.selectFrom('episode').select(['submission_id', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('submission_id').execute();
      const counts = new Map(perSub.map((r) => [r.submission_id, Number(r.n)]));
      for (const s of subs) assert.equal(counts.get(s.id) ?? 0, s.accepted_count, `submission ${s.id} has all its episodes`);
      const raws = await h.db.selectFrom('submission_raw').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(raws.n), batch.length);
      const eps = await h.db.selectFrom('episode').select(['id', 'ma_lk', 'version', 'is_current']).execute();
      assert.equal(eps.length, expectedRows.size, 'no duplicate episodes');
      assert.ok(eps.every((e) => e.version === 1 && e.is_current));
      const rows = await h.db.selectFrom('episode_row').select(['episode_id', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('episode_id').execute();
      const rowCount = new Map(rows.map((r) => [Number(r.episode_id), Number(r.n)]));
      for (const e of eps) assert.equal(rowCount.get(Number(e.id)) ?? 0, expectedRows.get(e.ma_lk), `rows of ${e.ma_lk}`);
    } finally {
      await h.close();
    }
  });
});
