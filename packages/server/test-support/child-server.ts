/**
 * The real server in its own process, for the crash test and the ingest benchmark (so a load
 * generator or test runner does not share its CPU). Prints one JSON line per event on stdout.
 *   DATABASE_URL | HSSK_CHILD_PGLITE_DIR   database (PostgreSQL or on-disk PGlite)
 *   HSSK_CHILD_SETUP = {"facility":"79001","testMode":true,"certPem":"…","portalPassword":true}   registers facility +
 *     credential (+ a password for the insurance-portal-compatible login, printed once)
 *   HSSK_CHILD_PORT   listen on this port (a restarted child keeps its address), else a free one
 */

import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { migrate, openDatabase } from '../src/db/index.ts';
import { addCertificate, createFacility, getFacility, issueCredential } from '../src/facility/index.ts';
import { warmPreparePool } from '../src/ingest/index.ts';
import { issuePortalPassword } from '../src/portal/index.ts';

const say = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);

const database = await openDatabase({ url: process.env.DATABASE_URL || undefined, dataDir: process.env.HSSK_CHILD_PGLITE_DIR, poolSize: 8 });
await migrate(database);
if (process.env.HSSK_CHILD_SETUP) {
  const s = JSON.parse(process.env.HSSK_CHILD_SETUP) as { facility: string; testMode?: boolean; certPem?: string; portalPassword?: boolean };
  if (!(await getFacility(database.db, s.facility))) await createFacility(database.db, { code: s.facility, name: `Cơ sở ${s.facility}`, testMode: s.testMode ?? false });
  if (s.certPem) await addCertificate(database.db, s.facility, s.certPem);
  const credential = await issueCredential(database.db, s.facility);
  say({ credential, ...(s.portalPassword ? { portalPassword: await issuePortalPassword(database.db, credential.clientId) } : {}) });
}
const config = loadConfig({ port: 0, host: '127.0.0.1', demo: false, webDistDir: '/nonexistent', logLevel: 'error', relayPollSeconds: 0 });
const app = await buildApp({ config, database, logger: false });
warmPreparePool();
await app.listen({ port: Number(process.env.HSSK_CHILD_PORT || 0), host: '127.0.0.1' });
const address = app.server.address();
say({ ready: true, port: typeof address === 'object' && address ? address.port : 0, pid: process.pid });

const stop = async () => {
  await app.close();
  await database.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
