import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { createScratchPostgres, createTestDatabase, startTestApp } from '../../test-support/index.ts';
import { type Config, loadConfig } from '../config.ts';
import { openDatabase } from '../db/index.ts';
import { createStaff, resetPassword } from '../staff/index.ts';
import { configRefusals, productionRefusals, recordStart, staffPasswordFacts, staffRefusals, startFacts, startLine } from './index.ts';

const BIN = new URL('../../bin/hssk.mjs', import.meta.url).pathname;
const run = promisify(execFile);

/** loadConfig() with these environment variables only (the others of this process removed). */
function configWithEnv(env: Record<string, string>, overrides: Partial<Config> = {}): Config {
  const names = ['DATABASE_URL', 'HSSK_DEMO', 'HSSK_DEV_IDP', 'HSSK_ENV', 'OIDC_ISSUER', 'HSSK_KEYS_DIR', 'HSSK_KEK', 'HSSK_PUBLIC_URL'];
  const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
  try {
    for (const n of names) delete process.env[n];
    Object.assign(process.env, env);
    return loadConfig(overrides);
  } finally {
    for (const n of names) {
      if (saved[n] === undefined) delete process.env[n];
      else process.env[n] = saved[n];
    }
  }
}

const noDemo = { objects: {}, legacyState: [], total: 0 };

describe('modes and defaults', () => {
  it('with DATABASE_URL the demo and the development identity provider are off unless asked for', () => {
    const pg = configWithEnv({ DATABASE_URL: 'postgres://app@db.example/hssk' });
    assert.equal(pg.demo, false);
    assert.equal(pg.devIdp, false);
    const asked = configWithEnv({ DATABASE_URL: 'postgres://app@db.example/hssk', HSSK_DEMO: '1', HSSK_DEV_IDP: '1' });
    assert.equal(asked.demo, true);
    assert.equal(asked.devIdp, true);
    const embedded = configWithEnv({});
    assert.equal(embedded.demo, true, 'npm start on the embedded database keeps its demo');
    assert.equal(embedded.devIdp, true);
    assert.equal(embedded.production, false);
  });

  it('a mistyped mode or switch is refused, not read as development', () => {
    assert.throws(() => configWithEnv({ HSSK_ENV: 'prod' }), /HSSK_ENV/);
    assert.throws(() => configWithEnv({ HSSK_DEMO: 'maybe' }), /HSSK_DEMO/);
    assert.throws(() => configWithEnv({ HSSK_KEK: 'c2hvcnQ=' }), /HSSK_KEK/);
  });

  it('production refuses the development identity provider, the demo, plain http and development keys', () => {
    const codes = configRefusals(configWithEnv({ HSSK_ENV: 'production' })).map((r) => r.code);
    assert.deepEqual(codes.sort(), ['DEMO_ENABLED', 'DEV_IDP_ENABLED', 'KEYS_DEVELOPMENT', 'PUBLIC_URL_NOT_HTTPS']);
    const safe = configWithEnv({
      HSSK_ENV: 'production',
      DATABASE_URL: 'postgres://app@db.example/hssk',
      OIDC_ISSUER: 'https://vneid.example',
      HSSK_PUBLIC_URL: 'https://hssk.example',
      HSSK_KEYS_DIR: '/etc/hssk/keys',
    });
    assert.deepEqual(configRefusals(safe), []);
    // The development provider asked for explicitly is refused as well.
    assert.deepEqual(configRefusals({ ...safe, oidcIssuer: undefined, devIdp: true }).map((r) => r.code), ['DEV_IDP_ENABLED']);
  });

  it('without an issuer or the development provider, citizen login answers 503 LOGIN_NOT_CONFIGURED and /idp does not exist', async () => {
    const t = await startTestApp({ config: { devIdp: false } });
    try {
      const host = new URL(t.url).host;
      const login = await t.app.inject({ method: 'GET', url: '/auth/login', headers: { host } });
      assert.equal(login.statusCode, 503);
      const body = login.json() as { code: string; message_vi: string; message_en: string };
      assert.equal(body.code, 'LOGIN_NOT_CONFIGURED');
      assert.ok(body.message_vi && body.message_en);
      const idp = await t.app.inject({ method: 'GET', url: '/idp/.well-known/openid-configuration', headers: { host } });
      assert.equal(idp.statusCode, 404);
    } finally {
      await t.close();
    }
  });
});

describe('the real start in production', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hssk-start-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses with one bilingual line per reason, exit 1, before creating keys or demo data', async () => {
    const postgres = process.env.HSSK_TEST_DB === 'postgres' ? await createScratchPostgres('hssk_start', process.env.TEST_DATABASE_URL) : undefined;
    try {
      // With PostgreSQL the demo and the dev IdP are off by default: ask for them, as a careless operator would.
      const database = postgres ? { DATABASE_URL: postgres.url, HSSK_DEMO: '1', HSSK_DEV_IDP: '1' } : { DATABASE_URL: '' };
      const env: NodeJS.ProcessEnv = { ...process.env, ...database, HSSK_ENV: 'production', HSSK_DATA_DIR: join(dir, 'data'), PORT: '0', HOST: '127.0.0.1' };
      for (const n of ['HSSK_PUBLIC_URL', 'OIDC_ISSUER', 'HSSK_KEYS_DIR', 'HSSK_KEK']) delete env[n];
      const r = await run(process.execPath, [BIN, 'start'], { env, cwd: dir, timeout: 120_000 }).then(
        () => ({ code: 0, stderr: '', stdout: '' }),
        (e: { code: number; stderr: string; stdout: string }) => e,
      );
      assert.equal(r.code, 1);
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('['));
      for (const code of ['DEV_IDP_ENABLED', 'DEMO_ENABLED', 'PUBLIC_URL_NOT_HTTPS', 'KEYS_DEVELOPMENT']) {
        const line = lines.find((l) => l.startsWith(`[${code}]`));
        assert.ok(line, `${code} in:\n${r.stderr}`);
        assert.match(line, /Không khởi động: .+ \| Not starting: .+/);
      }
      assert.doesNotMatch(r.stdout, /OpenHSSK ready/);
      const h = await openDatabase(postgres ? { url: postgres.url } : { dataDir: join(dir, 'data', 'pglite') });
      try {
        const state = await sql<{ n: number }>`select count(*)::int as n from app_state`.execute(h.db);
        assert.equal(state.rows[0]!.n, 0, 'no key was generated');
        const demo = await sql<{ n: number }>`select count(*)::int as n from demo_object`.execute(h.db);
        assert.equal(demo.rows[0]!.n, 0, 'no demo object was created');
      } finally {
        await h.close();
      }
    } finally {
      await postgres?.drop();
    }
  });
});

describe('staff one-time passwords', () => {
  it('a production start refuses one left unused past HSSK_ONE_TIME_PASSWORD_HOURS, not one just issued', async () => {
    const db = await createTestDatabase();
    try {
      const { id } = await createStaff(db.db, { username: 'quantri.moi', fullName: 'Quản trị mới', role: 'system_admin' });
      assert.deepEqual(await staffPasswordFacts(db.db, 72), { demoPassword: [], staleOneTime: [] });
      await sql`update staff_account set password_set_at = now() - interval '4 days' where id = ${id}`.execute(db.db);
      const stale = await staffPasswordFacts(db.db, 72);
      assert.deepEqual(stale.staleOneTime, ['quantri.moi']);
      assert.deepEqual(staffRefusals(stale, 72).map((r) => r.code), ['STAFF_ONE_TIME_PASSWORD']);
      const config = loadConfig({ production: true, demo: false, devIdp: false, oidcIssuer: 'https://vneid.example', publicUrl: 'https://hssk.example', keysDir: join(tmpdir(), 'none') });
      assert.deepEqual((await productionRefusals(db.db, config)).map((r) => r.code), ['STAFF_ONE_TIME_PASSWORD']);
      // A new one-time password starts a new period (the column follows every password change).
      await resetPassword(db.db, id);
      assert.deepEqual((await staffPasswordFacts(db.db, 72)).staleOneTime, []);
    } finally {
      await db.drop();
    }
  });
});

describe('start line and start event', () => {
  it('state mode, database without password, identity provider and demo; warn about a localhost URL on an open HOST', async () => {
    const config = configWithEnv({}, { databaseUrl: 'postgres://hssk:s3cret@db.example:5433/hssk?password=other', host: '0.0.0.0', publicUrl: 'http://localhost:8080', demo: false, devIdp: true });
    const facts = startFacts(config, noDemo);
    const line = startLine(facts);
    assert.doesNotMatch(line, /s3cret|password=other/);
    assert.match(line, /mode: development \| database: PostgreSQL hssk@db\.example:5433\/hssk \| identity provider: development provider http:\/\/localhost:8080\/idp \| demo: off/);
    assert.match(line, /WARNING: HSSK_PUBLIC_URL is http:\/\/localhost:8080 but HOST=0\.0\.0\.0/);
    assert.doesNotMatch(startLine(startFacts({ ...config, host: '127.0.0.1' }, noDemo)), /WARNING/);
    assert.match(startLine(startFacts({ ...config, devIdp: false }, { objects: { facility: 3 }, legacyState: [], total: 3 })), /identity provider: none, citizen login not configured .*demo: present-in-database/);

    const db = await createTestDatabase();
    try {
      await recordStart(db.db, facts);
      const row = (await sql<{ actor_type: string; detail: unknown }>`select actor_type, detail from audit_event where action = 'system.start'`.execute(db.db)).rows[0]!;
      assert.equal(row.actor_type, 'system');
      const detail = JSON.stringify(row.detail);
      assert.match(detail, /"mode":"development"/);
      assert.doesNotMatch(detail, /s3cret|password=other/);
    } finally {
      await db.drop();
    }
  });
});
