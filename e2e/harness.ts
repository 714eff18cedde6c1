import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { stripDiacritics } from '@openhssk/core';
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

/** The demo server and a browser of one describe block: started before its tests, stopped after them. */
export interface DemoRun {
  readonly server: RunningServer;
  readonly browser: Browser;
}

/** Registers the block's before/after hooks; `server` and `browser` are there once the tests run. */
export function useDemoServer(env: Record<string, string> = {}): DemoRun {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    server = await startServer(env);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
  const ready = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`the demo ${what} is not started: use it inside a test`);
    return v;
  };
  return {
    get server() {
      return ready(server, 'server');
    },
    get browser() {
      return ready(browser, 'browser');
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

/** Password of every demo staff account (packages/server/src/staff/demo.ts). */
export const DEMO_STAFF_PASSWORD = 'demo-Staff1';

/**
 * npm start serves the built web app: build it when missing or older than its sources, so an e2e run
 * after a source change never tests yesterday's screens.
 */
export function ensureWebBuilt(): void {
  const web = join(ROOT, 'packages/web');
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir).map((n) => (statSync(join(dir, n)).isDirectory() ? newest(join(dir, n)) : statSync(join(dir, n)).mtimeMs)));
  const built = join(web, 'dist/station-sw.js');
  const pages = readdirSync(web).filter((n) => n.endsWith('.html') || n === 'vite.config.ts');
  const sources = Math.max(newest(join(web, 'src')), newest(join(ROOT, 'packages/core/src')), ...pages.map((n) => statSync(join(web, n)).mtimeMs));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  const r = spawnSync('npm', ['run', 'build', '--workspace', '@openhssk/web'], { cwd: ROOT, stdio: 'pipe', encoding: 'utf8' });
  assert.equal(r.status, 0, `web build failed:\n${r.stdout}\n${r.stderr}`);
}

/** Signs a staff member in through the portal's login form (the page then shows their first screen). */
export async function staffLogin(page: Page, url: string, username: string, password = DEMO_STAFF_PASSWORD, path = '/nhan-vien/'): Promise<void> {
  await page.goto(`${url}${path}`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

/**
 * On the development VNeID page (already open), signs in as a demo citizen whose line contains
 * `levelText` — the first such one, or the last (the demo parent of young children is the last level-2
 * account). Returns the personal id used.
 */
export async function idpLogin(page: Page, levelText = '(mức 2)', which: 'first' | 'last' = 'first'): Promise<string> {
  await page.waitForURL(/\/idp\/interaction\//);
  const lines = page.locator('li', { hasText: levelText });
  const personalId = (await (which === 'first' ? lines.first() : lines.last()).locator('code').getAttribute('data-personal-id')) ?? '';
  assert.match(personalId, /^\d{12}$/);
  await page.getByLabel('Số định danh cá nhân').fill(personalId);
  await page.getByLabel('Mật khẩu').fill('demo');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  return personalId;
}

/** Opens the health book and signs in through the development VNeID (see idpLogin). */
export async function citizenLogin(page: Page, url: string, levelText = '(mức 2)', which: 'first' | 'last' = 'first'): Promise<string> {
  await page.goto(url);
  await page.getByRole('link', { name: 'Đăng nhập bằng VNeID' }).click();
  return idpLogin(page, levelText, which);
}

// biome-ignore lint/suspicious/noExplicitAny: API answers are read field by field by the assertions that use them
export type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

/** A staff session from Node (its cookies), for setting up and checking through the API. */
export async function staffSession(url: string, username: string, password = DEMO_STAFF_PASSWORD): Promise<Call> {
  const r = await fetch(`${url}/api/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url }, body: JSON.stringify({ username, password }) });
  assert.equal(r.status, 200, await r.clone().text());
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return async (method, path, body) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { cookie, origin: url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  };
}

/** A JSON API call from the page, with the page's own session cookie. */
// biome-ignore lint/suspicious/noExplicitAny: API answers are read field by field by the assertions that use them
export const pageCall = (page: Page, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> =>
  page.evaluate(
    async ([m, p, b]) => {
      const r = await fetch(p as string, { method: m as string, credentials: 'same-origin', headers: { 'content-type': 'application/json' }, ...(b === undefined ? {} : { body: JSON.stringify(b) }) });
      return { status: r.status, body: await r.json().catch(() => null) };
    },
    [method, path, body] as const,
  );

/** Text as a user types it without diacritics ("vu minh khoi"). */
export const unaccented = (s: string) => stripDiacritics(s).toLowerCase();

/** A link of the citizen book's main menu. */
export const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Mục chính' }).getByRole('link', { name, exact: true }).click();

/** No sideways scrolling: the page is no wider than the viewport. */
export async function assertNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner, `${what}: page is ${scroll} px wide in a ${inner} px viewport (no sideways scrolling)`);
}

/** The screen at 360 and at 1280 px: no sideways scrolling, axe, a full-page screenshot `name-<width>.png` in artifacts/. */
export async function screenshotBoth(page: Page, name: string, opts: { axe?: boolean } = {}): Promise<void> {
  for (const [width, height] of [
    [360, 800],
    [1280, 900],
  ] as const) {
    await page.setViewportSize({ width, height });
    await assertNoSidewaysScroll(page, `${name} at ${width} px`);
    if (opts.axe !== false) await assertAccessible(page, `${name} at ${width} px`);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
  }
}

/** The station app's count of entries not yet sent. */
// 60 s: a sync that meets a busy server waits out one retry interval before the count settles.
export const pendingIs = (page: Page, n: number, timeout = 60_000) =>
  page.waitForFunction((want) => document.querySelector('[data-testid="pending-count"]')?.textContent === `Chưa đồng bộ (${want})`, n, { timeout });

/** The station app's outbox as stored in IndexedDB (what the device keeps and sends). */
export const outbox = <T = { entryId: string; status: string; body: Record<string, unknown>; personId: string | null }>(page: Page): Promise<T[]> =>
  page.evaluate(
    () =>
      new Promise<T[]>((resolve, reject) => {
        const open = indexedDB.open('openhssk-station');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const q = open.result.transaction('outbox').objectStore('outbox').getAll();
          q.onsuccess = () => resolve(q.result as T[]);
          q.onerror = () => reject(q.error);
        };
      }),
  );

interface AxeResult {
  violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown[] }> }>;
}

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * axe's best-practice rules about page structure, run on every screen beside WCAG: one <main>, no
 * nested or repeated landmarks, all content inside a landmark, one h1 (issue 20 found a second
 * <main> inside the portal's). They fail at any impact.
 */
export const LANDMARK_RULES = [
  'landmark-one-main',
  'landmark-no-duplicate-main',
  'landmark-no-duplicate-banner',
  'landmark-no-duplicate-contentinfo',
  'landmark-main-is-top-level',
  'landmark-banner-is-top-level',
  'landmark-contentinfo-is-top-level',
  'landmark-complementary-is-top-level',
  'landmark-unique',
  'region',
  'page-has-heading-one',
] as const;

/**
 * axe-core with the WCAG 2.x A/AA rules and the landmark rules above: no critical, serious or moderate
 * WCAG violation and no landmark violation on the page as it stands (the bar issue 20 sets for every
 * screen the e2e tests visit).
 */
export async function assertAccessible(page: Page, name: string, opts: { moderate?: boolean } = {}): Promise<void> {
  // Evaluated through the DevTools protocol: a <script> tag with inline code is (rightly) refused by
  // the pages' Content-Security-Policy.
  await page.evaluate(readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8'));
  const run = (options: unknown) =>
    page.evaluate(
      async (o) => (await (window as unknown as { axe: { run: (c: Document, o: unknown) => Promise<AxeResult> } }).axe.run(document, o)) as AxeResult,
      options,
    );
  const wcag = await run({ runOnly: { type: 'tag', values: WCAG_TAGS } });
  const landmarks = await run({ runOnly: { type: 'rule', values: LANDMARK_RULES } });
  const bad = [
    ...wcag.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical' || (opts.moderate !== false && v.impact === 'moderate')),
    ...landmarks.violations,
  ];
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
