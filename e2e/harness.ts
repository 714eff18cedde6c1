import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

export const ROOT = new URL('..', import.meta.url).pathname;
export const ARTIFACTS = join(ROOT, 'artifacts');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
  output(): string;
}

/** Starts the real server (npm start's entry point) on a fresh embedded database with a small demo. */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'hssk-e2e-'));
  const url = `http://localhost:${port}`;
  let log = '';
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'packages/server/bin/hssk.mjs'), 'start'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', HSSK_PUBLIC_URL: url, HSSK_DATA_DIR: dataDir, HSSK_DEMO_PERSONS: '400', HSSK_DEMO_EPISODES: '1500', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${log}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    output: () => log,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    headless: true,
  });
}

interface AxeResult {
  violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown[] }> }>;
}

/**
 * axe-core with the WCAG 2.x A/AA rules: no critical, serious or moderate violation on the page as it
 * stands (the bar issue 20 sets for every screen the e2e tests visit).
 */
export async function assertAccessible(page: Page, name: string, opts: { moderate?: boolean } = {}): Promise<void> {
  // Evaluated through the DevTools protocol: a <script> tag with inline code is (rightly) refused by
  // the pages' Content-Security-Policy.
  await page.evaluate(readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8'));
  const r = await page.evaluate(
    async () =>
      (await (window as unknown as { axe: { run: (c: Document, o: unknown) => Promise<AxeResult> } }).axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      })) as AxeResult,
  );
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical' || (opts.moderate !== false && v.impact === 'moderate'));
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`),
    [],
    `axe on ${name}`,
  );
}

/**
 * A fresh data directory with the small demo district and the demo staff accounts, seeded through the
 * CLI (PGlite serves one process at a time, so this runs before the server starts on it; the server's
 * own demo seeding then sees the marker and skips).
 */
export function seedDemoDataDir(prefix: string): { dataDir: string; cli: string; env: NodeJS.ProcessEnv } {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const env = { ...process.env, HSSK_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  const cli = join(ROOT, 'packages/server/bin/hssk.mjs');
  execFileSync(process.execPath, [cli, 'demo', '--persons', '400', '--episodes', '1500'], { env, stdio: 'pipe' });
  execFileSync(process.execPath, [cli, 'staff', 'demo'], { env, stdio: 'pipe' });
  return { dataDir, cli, env };
}

/** A JSON API call from the page, with its session cookie. */
export const pageCall = (page: Page, method: string, path: string, body?: unknown) =>
  page.evaluate(
    async ([m, p, b]) => {
      const r = await fetch(p as string, { method: m as string, headers: { 'content-type': 'application/json' }, ...(b === undefined ? {} : { body: JSON.stringify(b) }) });
      return { status: r.status, body: (await r.json().catch(() => null)) as unknown };
    },
    [method, path, body] as const,
  );

/** Signs in the first identity-level-2 demo citizen through the development VNeID and gives consent. */
export async function loginCitizenAndConsent(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('link', { name: 'Đăng nhập bằng VNeID' }).click();
  await page.waitForURL(/\/idp\/interaction\//);
  const personalId = (await page.locator('li', { hasText: '(mức 2)' }).first().locator('code').getAttribute('data-personal-id')) ?? '';
  await page.getByLabel('Số định danh cá nhân').fill(personalId);
  await page.getByLabel('Mật khẩu').fill('demo');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByRole('button', { name: 'Tôi đồng ý sử dụng Sổ sức khỏe' }).click();
  await page.getByRole('heading', { name: 'Sổ sức khỏe của tôi' }).waitFor();
}
