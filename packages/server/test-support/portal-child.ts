import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openDatabase } from '../src/db/index.ts';
import { createScratchPostgres } from './scratch-postgres.ts';

const CHILD = new URL('./child-server.ts', import.meta.url).pathname;

/**
 * A second OpenHSSK process playing the insurance portal (its portal-compatible endpoints), on a fixed
 * port so it can be killed and started again at the same address, with its own database (on-disk PGlite
 * or a scratch PostgreSQL database, per HSSK_TEST_DB). Used by the relay's end-to-end test and bench.
 */
export interface PortalChild {
  url: string;
  username: string;
  password: string;
  /** SIGKILL: the portal disappears mid-request, as in a crash or a network cut. */
  kill(): Promise<void>;
  /** Starts it again on the same port and database. */
  restart(): Promise<void>;
  /** Stops it and answers its submissions (id, sha256) read from its database. */
  stopAndReadSubmissions(): Promise<Array<{ id: string; sha256: string; channel: string }>>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  const port: number = await new Promise((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)));
  await new Promise((r) => probe.close(r));
  return port;
}

const exited = (p: ChildProcess) => new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : p.once('exit', r)));

export async function startPortalChild(o: { facility: string; certPem: string; env?: Record<string, string> }): Promise<PortalChild> {
  const usePostgres = process.env.HSSK_TEST_DB === 'postgres';
  let dbEnv: Record<string, string>;
  let cleanup: () => Promise<void>;
  if (usePostgres) {
    const scratch = await createScratchPostgres('hssk_portal', process.env.TEST_DATABASE_URL);
    dbEnv = { DATABASE_URL: scratch.url };
    cleanup = () => scratch.drop();
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'hssk-portal-'));
    dbEnv = { HSSK_CHILD_PGLITE_DIR: dir, DATABASE_URL: '' };
    cleanup = () => rm(dir, { recursive: true, force: true });
  }
  const port = await freePort();
  const spawnChild = (setup: boolean) =>
    new Promise<{ proc: ChildProcess; portalPassword?: string; clientId?: string }>((resolve, reject) => {
      const env: Record<string, string> = { ...(process.env as Record<string, string>), ...dbEnv, ...o.env, HSSK_CHILD_PORT: String(port) };
      if (setup) env.HSSK_CHILD_SETUP = JSON.stringify({ facility: o.facility, certPem: o.certPem, portalPassword: true });
      else delete env.HSSK_CHILD_SETUP;
      const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      let clientId: string | undefined;
      let portalPassword: string | undefined;
      proc.once('exit', (code) => reject(new Error(`portal child exited early (${code})`)));
      createInterface({ input: proc.stdout! }).on('line', (line) => {
        const msg = JSON.parse(line) as { credential?: { clientId: string }; portalPassword?: string; ready?: boolean };
        if (msg.credential) clientId = msg.credential.clientId;
        if (msg.portalPassword) portalPassword = msg.portalPassword;
        if (msg.ready) resolve({ proc, ...(clientId ? { clientId } : {}), ...(portalPassword ? { portalPassword } : {}) });
      });
    });
  const first = await spawnChild(true);
  let proc = first.proc;
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited(proc);
  };
  return {
    url: `http://127.0.0.1:${port}`,
    username: first.clientId!,
    password: first.portalPassword!,
    async kill() {
      proc.kill('SIGKILL');
      await exited(proc);
    },
    async restart() {
      proc = (await spawnChild(false)).proc;
    },
    async stopAndReadSubmissions() {
      await stop();
      const h = await openDatabase({ url: dbEnv.DATABASE_URL || undefined, dataDir: dbEnv.HSSK_CHILD_PGLITE_DIR, poolSize: 1 });
      try {
        return await h.db.selectFrom('submission').select(['id', 'sha256', 'channel']).execute();
      } finally {
        await h.close();
      }
    },
    async close() {
      await stop();
      await cleanup();
    },
  };
}
