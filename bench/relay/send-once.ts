/**
 * Issue 19 item 4, "send once": 1,000 signed one-episode envelopes submitted to OpenHSSK (in-process,
 * its database per HSSK_TEST_DB, default postgres) by 4 clients, relayed to a second OpenHSSK process playing
 * the insurance portal (real HTTP, signatures verified there); the portal is killed (SIGKILL) once a fifth
 * has arrived and started again after --outage seconds. Prints whether every envelope reached the portal
 * exactly once, the drain time after the portal came back, and, as the baseline measured in the same run,
 * the same kind of envelopes posted straight to the portal by the relay's HTTP client (no outbox).
 *   npx tsx bench/relay/send-once.ts [--envelopes 1000] [--outage 30] [--baseline 200]
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createTestCertificate } from '@openhssk/core/xmldsig';
import { addCertificate, createFacility, issueCredential } from '@openhssk/server/facility';
import { JobRunner } from '@openhssk/server/jobs';
import { PortalClient, workRelay } from '@openhssk/server/relay';
import { createStaff } from '@openhssk/server/staff';
import { relayScenario, signedEnvelopes, startPortalChild, startTestApp } from '@openhssk/server/test-support';
import { sql } from 'kysely';

const { values } = parseArgs({ options: { envelopes: { type: 'string', default: '1000' }, outage: { type: 'string', default: '30' }, baseline: { type: 'string', default: '200' } } });
const envelopes = Number(values.envelopes);
const outage = Number(values.outage);
const baselineCount = Number(values.baseline);
process.env.HSSK_TEST_DB ??= 'postgres';
process.env.HSSK_INGEST_RATE_LIMIT = '1000000';
const FAC = '51021';
const load = () => execFileSync('uptime', { encoding: 'utf8' }).trim();

const signer = createTestCertificate({ commonName: 'BV bench gửi một lần', organization: FAC });
const portal = await startPortalChild({ facility: FAC, certPem: signer.certPem });
const t = await startTestApp({ config: { relayPollSeconds: 0 } });
const runner = new JobRunner(t.db.db);
try {
  console.log(`database ${process.env.HSSK_TEST_DB}; load before: ${load()}`);
  // Baseline: the same kind of envelopes straight to the portal, 4 at a time, no outbox.
  const client = new PortalClient();
  const target = { url: portal.url, username: portal.username, password: portal.password, facilityCode: FAC, maTinh: '51' };
  const direct = signedEnvelopes(FAC, signer, baselineCount, 500_000);
  let next = 0;
  const b0 = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < direct.length) {
        const r = await client.send(target, 'envelope', Buffer.from(direct[next++]!.xml));
        if (r.kind !== 'sent') throw new Error(`baseline: ${r.message}`);
      }
    }),
  );
  const baselineRate = baselineCount / ((performance.now() - b0) / 1000);

  await createFacility(t.db.db, { code: FAC, name: 'Bệnh viện bench', testMode: false });
  await addCertificate(t.db.db, FAC, signer.certPem);
  const cred = await issueCredential(t.db.db, FAC);
  const tok = await fetch(`${t.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', client_id: cred.clientId, client_secret: cred.clientSecret }) });
  const token = ((await tok.json()) as { access_token: string }).access_token;
  // The setting as an admin saves it (the password goes to the secret store).
  await createStaff(t.db.db, { username: 'bench.qtcs', fullName: 'Quản trị', role: 'facility_admin', facilityCode: FAC, password: 'bench-Passw0rd' });
  const login = await fetch(`${t.url}/api/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench.qtcs', password: 'bench-Passw0rd' }) });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const saved = await fetch(`${t.url}/api/v1/relay/setting`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', cookie, origin: t.url },
    body: JSON.stringify({ enabled: true, portal_url: portal.url, username: portal.username, password: portal.password }),
  });
  if (saved.status !== 200) throw new Error(`setting: ${saved.status} ${await saved.text()}`);
  workRelay(runner, { keysDir: undefined, kek: undefined }, new PortalClient(), { concurrency: 4, pollSeconds: 0.5, backoff: { firstDelaySeconds: 1, maxDelaySeconds: 8 } });
  await runner.start();
  const submit = async (xml: string) => {
    const r = await fetch(`${t.url}/api/v1/xml130/submissions`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` }, body: xml });
    if (r.status !== 201) throw new Error(`submit: ${r.status} ${await r.text()}`);
    return (await r.json()) as { sha256: string };
  };
  const r = await relayScenario({ db: t.db.db, portal, submit, facility: FAC, signer, envelopes, outageSeconds: outage, firstNumber: 1 });
  const delivered = Number((await sql<{ n: string }>`select count(*) as n from relay_message where status = 'sent'`.execute(t.db.db)).rows[0]!.n);
  console.log(`relay: ${envelopes} envelopes, portal down ${outage} s after a fifth had arrived`);
  console.log(`  delivered ${delivered}, missing at the portal ${r.missing}, received twice by the portal ${r.portalDuplicates}, maGiaoDich not the portal's ${r.mismatchedIds}`);
  console.log(`  attempts ${r.attempts} (${r.failedDuringOutage} failed while down), "already received" answers ${r.duplicateAnswers}`);
  console.log(`  ingest of the batch ${r.ingestSeconds.toFixed(1)} s; drained ${r.drainSeconds.toFixed(1)} s after the portal returned; total ${r.totalSeconds.toFixed(1)} s`);
  console.log(`  relay end to end ${(envelopes / (r.totalSeconds - outage)).toFixed(1)} envelopes/s outside the outage; baseline (same envelopes straight to the portal, no outbox) ${baselineRate.toFixed(1)} envelopes/s`);
  console.log(`load after: ${load()}`);
} finally {
  await runner.stop();
  await t.close();
  await portal.close();
}
