import type { FastifyInstance } from 'fastify';
import { type AppOptions, buildApp } from '../src/app.ts';
import { type Config, loadConfig } from '../src/config.ts';
import { createFacility, issueCredential } from '../src/facility/index.ts';
import { createTestDatabase } from './database.ts';

export type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

/** The real app on a fresh database (PGlite or PostgreSQL per HSSK_TEST_DB), listening on a free port. */
export async function startTestApp(options: { logger?: AppOptions['logger']; config?: Partial<Config> } = {}): Promise<{ app: FastifyInstance; db: TestDatabase; url: string; close(): Promise<void> }> {
  const db = await createTestDatabase();
  // The OIDC client fetches discovery over HTTP, so the app must really listen.
  const probe = (await import('node:net')).createServer();
  const port: number = await new Promise((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)));
  await new Promise((r) => probe.close(r));
  const url = `http://localhost:${port}`;
  // The relay's outbox worker runs only in the tests that start their own (relay/relay.test.ts).
  const config = loadConfig({ port, host: '127.0.0.1', publicUrl: url, demo: false, devIdp: true, webDistDir: '/nonexistent', relayPollSeconds: 0, ...options.config });
  const app = await buildApp({ config, database: db, logger: options.logger ?? false });
  await app.listen({ port, host: '127.0.0.1' });
  return {
    app,
    db,
    url,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

export async function facilityWithToken(app: FastifyInstance, db: TestDatabase, code: string, opts: { testMode?: boolean } = {}) {
  await createFacility(db.db, { code, name: `Cơ sở ${code}`, testMode: opts.testMode ?? false });
  const cred = await issueCredential(db.db, code);
  const r = await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: cred.clientId, client_secret: cred.clientSecret } });
  const token = (r.json() as { access_token: string }).access_token;
  return { token, ...cred };
}
