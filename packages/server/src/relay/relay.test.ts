/**
 * "Send once": a facility's accepted envelopes and check-ins go on, unchanged and still signed, to a
 * second OpenHSSK process playing the insurance portal (real HTTP, real signatures verified there),
 * through the durable outbox. Covers the setting (password never shown), per-episode states, a portal
 * refusal with its message and the re-send, and the portal killed for a while in the middle of a batch:
 * after it returns the outbox drains, every envelope is received exactly once (the portal counts
 * receipts by envelope hash) and each local message carries the portal's transaction id for it.
 *
 * RELAY_E2E_ENVELOPES (default 100 on PostgreSQL, 50 on PGlite) and RELAY_E2E_OUTAGE_SECONDS (default 30) size the outage scenario;
 * bench/relay runs it with 1,000 envelopes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sampleCheckinRow } from '@openhssk/core/testing';
import { buildCheckin } from '@openhssk/core/xml130';
import { createTestCertificate, signEnvelope, type TestCertificate } from '@openhssk/core/xmldsig';
import { sql } from 'kysely';
import { startTestApp } from '../../test-support/app.ts';
import { type PortalChild, startPortalChild } from '../../test-support/portal-child.ts';
import { relayScenario, signedEnvelopes } from '../../test-support/relay-scenario.ts';
import { staffSession } from '../../test-support/staff.ts';
import { addCertificate, createFacility, issueCredential } from '../facility/index.ts';
import { JobRunner } from '../jobs/index.ts';
import { PortalClient, workRelay } from './index.ts';

const DB = process.env.HSSK_TEST_DB ?? 'pglite';
const FAC = '51011';
// PGlite serves the relaying server and the portal one connection each: a smaller batch keeps CI's wall time.
const ENVELOPES = Number(process.env.RELAY_E2E_ENVELOPES ?? (DB === 'postgres' ? 100 : 50));
const OUTAGE_SECONDS = Number(process.env.RELAY_E2E_OUTAGE_SECONDS ?? 30);

describe(`relay to the insurance portal (${DB})`, () => {
  let t: Awaited<ReturnType<typeof startTestApp>>;
  let portal: PortalChild;
  let signer: TestCertificate;
  let runner: JobRunner;
  let admin: string;
  let facilityToken: string;
  const savedRate = process.env.HSSK_INGEST_RATE_LIMIT;

  const overview = async (query = '') => {
    const r = await t.app.inject({ method: 'GET', url: `/api/v1/relay?facility=${FAC}${query}`, headers: { cookie: admin } });
    assert.equal(r.statusCode, 200, r.body);
    return r.json() as import('@openhssk/core/api').RelayOverview;
  };
  const setting = (body: Record<string, unknown>) => t.app.inject({ method: 'PUT', url: '/api/v1/relay/setting', headers: { cookie: admin }, payload: { facility: FAC, ...body } });
  const submit = async (xml: string) => {
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/xml130/submissions', headers: { 'content-type': 'application/xml', authorization: `Bearer ${facilityToken}` }, payload: xml });
    assert.equal(r.statusCode, 201, r.body);
    return r.json() as { receipt_id: string; sha256: string };
  };
  const waitFor = async (what: string, ok: () => Promise<boolean>, seconds: number) => {
    const end = Date.now() + seconds * 1000;
    while (!(await ok())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  before(async () => {
    // Both servers take the whole batch without their per-facility rate limit getting in the way.
    process.env.HSSK_INGEST_RATE_LIMIT = '1000000';
    signer = createTestCertificate({ commonName: 'BV gửi một lần', organization: FAC });
    portal = await startPortalChild({ facility: FAC, certPem: signer.certPem });
    t = await startTestApp({ config: { relayPollSeconds: 0 } });
    await createFacility(t.db.db, { code: FAC, name: 'Bệnh viện Gửi Một Lần', testMode: false });
    await addCertificate(t.db.db, FAC, signer.certPem);
    const cred = await issueCredential(t.db.db, FAC);
    const tok = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: cred.clientId, client_secret: cred.clientSecret } });
    facilityToken = (tok.json() as { access_token: string }).access_token;
    admin = (await staffSession(t.app, t.db.db, { username: 'qtcs-relay', fullName: 'Quản trị cơ sở', role: 'facility_admin', facilityCode: FAC })).cookie;
    // Short backoff so the test's outage is crossed in seconds, not minutes.
    runner = new JobRunner(t.db.db);
    workRelay(runner, { keysDir: undefined, kek: undefined }, new PortalClient({ timeoutMs: 10_000 }), {
      concurrency: DB === 'postgres' ? 4 : 1,
      pollSeconds: 0.5,
      backoff: { firstDelaySeconds: 1, maxDelaySeconds: 8 },
    });
    await runner.start();
  });
  after(async () => {
    await runner?.stop();
    await t?.close();
    await portal?.close();
    if (savedRate === undefined) delete process.env.HSSK_INGEST_RATE_LIMIT;
    else process.env.HSSK_INGEST_RATE_LIMIT = savedRate;
  });

  it('nothing is forwarded before the facility opts in; the setting keeps the password secret', async () => {
    const [before1] = signedEnvelopes(FAC, signer, 1, 9000);
    await submit(before1!.xml);
    const off = await overview();
    assert.equal(off.setting, null);
    assert.equal(off.episodes[0]?.status, 'not_sent');
    assert.equal(off.episodes[0]?.queued, false);

    const refused = await setting({ enabled: true, portal_url: portal.url, username: portal.username });
    assert.equal(refused.statusCode, 400, 'no password yet');
    assert.equal((await setting({ enabled: true, portal_url: 'ftp://x', username: 'u', password: 'p' })).statusCode, 400);
    const ok = await setting({ enabled: true, portal_url: portal.url, username: portal.username, password: 'sai-mat-khau' });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.body.includes('sai-mat-khau'), false, 'the password is never answered');
    assert.equal((ok.json() as { password_set: boolean }).password_set, true);
    const logged = await sql<{ detail: unknown }>`select detail from audit_event where action = 'relay.setting.update'`.execute(t.db.db);
    assert.equal(JSON.stringify(logged.rows).includes('sai-mat-khau'), false, 'nor written to the access log');
    // Another facility's admin cannot read or change it.
    await createFacility(t.db.db, { code: '51012', name: 'Cơ sở khác', testMode: true });
    const other = (await staffSession(t.app, t.db.db, { username: 'qtcs-khac', fullName: 'Quản trị khác', role: 'facility_admin', facilityCode: '51012' })).cookie;
    assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/relay?facility=${FAC}`, headers: { cookie: other } })).statusCode, 403);
  });

  it('a refusal by the portal shows its message; after the fix, re-send delivers and the episode reads "re-sent"', async () => {
    const [env] = signedEnvelopes(FAC, signer, 1, 9100);
    const receipt = await submit(env!.xml);
    await waitFor('the login refusal', async () => (await overview()).counts.error === 1, 60);
    const o = await overview('&status=error');
    const row = o.episodes.find((e) => e.ma_lk === env!.maLks[0]);
    assert.equal(row?.status, 'error');
    assert.match(row?.portal_message ?? '', /mật khẩu không đúng/);
    assert.equal(o.errors.length, 1);

    assert.equal((await setting({ enabled: true, portal_url: portal.url, username: portal.username, password: portal.password })).statusCode, 200);
    const resend = await t.app.inject({ method: 'POST', url: `/api/v1/relay/messages/${o.errors[0]!.id}/resend?facility=${FAC}`, headers: { cookie: admin } });
    assert.equal(resend.statusCode, 200, resend.body);
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/relay/messages/${o.errors[0]!.id}/resend?facility=${FAC}`, headers: { cookie: admin } })).statusCode, 409, 'only a message in error is re-sent');
    await waitFor('the re-send', async () => (await overview()).counts.error === 0 && (await overview()).counts.pending === 0, 60);
    const after1 = (await overview()).episodes.find((e) => e.ma_lk === env!.maLks[0]);
    assert.equal(after1?.status, 'resent');
    assert.match(after1?.ma_giao_dich ?? '', /^BN-/, "the portal's transaction id");
    assert.notEqual(after1?.ma_giao_dich, receipt.receipt_id, 'the portal’s id, not ours');
  });

  it('a check-in is forwarded as received', async () => {
    const row = { ...sampleCheckinRow(FAC), MA_LK: `${FAC}CHK0001` };
    const signed = signEnvelope(buildCheckin([row]), signer.privateKeyPem, signer.certPem);
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/xml130/checkins', headers: { 'content-type': 'application/xml', authorization: `Bearer ${facilityToken}` }, payload: signed });
    assert.ok(r.statusCode < 300, r.body);
    await waitFor('the check-in', async () => {
      const m = await sql<{ status: string }>`select status from relay_message where kind = 'checkin'`.execute(t.db.db);
      return m.rows[0]?.status === 'sent';
    }, 60);
  });

  it(`portal killed for ${OUTAGE_SECONDS} s in the middle of ${ENVELOPES} envelopes: all delivered exactly once`, { timeout: 15 * 60_000 }, async () => {
    const r = await relayScenario({ db: t.db.db, portal, submit, facility: FAC, signer, envelopes: ENVELOPES, outageSeconds: OUTAGE_SECONDS, firstNumber: 10_000 });
    console.log(`# relay: ${ENVELOPES} envelopes, outage ${OUTAGE_SECONDS} s, drained ${r.drainSeconds.toFixed(1)} s after the portal returned, total ${r.totalSeconds.toFixed(1)} s (ingest ${r.ingestSeconds.toFixed(1)} s); attempts ${r.attempts}, duplicate answers ${r.duplicateAnswers}`);
    assert.equal(r.missing, 0, 'nothing lost');
    assert.equal(r.portalDuplicates, 0, 'nothing received twice by the portal');
    assert.equal(r.mismatchedIds, 0, "each message carries the portal's id for its envelope");
    assert.ok(r.failedDuringOutage > 0, 'the outage was felt');
  });
});
