import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope } from '@openhssk/core/xml130';
import { signEnvelope, type TestCertificate } from '@openhssk/core/xmldsig';
import { sql } from 'kysely';
import type { Db } from '../src/db/index.ts';
import type { PortalChild } from './portal-child.ts';

/** `n` one-episode envelopes of the facility, signed with its certificate (episode numbers from `first`). */
export function signedEnvelopes(facility: string, signer: TestCertificate, n: number, first: number): Array<{ xml: string; maLks: string[] }> {
  return Array.from({ length: n }, (_, i) => {
    const ep = sampleEpisode(first + i, facility, { drugs: 2, services: 2 });
    const xml = signEnvelope(buildEnvelope({ facilityCode: facility, createdDate: '20240305', episodes: [ep] }), signer.privateKeyPem, signer.certPem);
    return { xml, maLks: [ep.XML1![0]!.MA_LK!] };
  });
}

export interface RelayScenarioResult {
  /** Envelopes the portal never received. */
  missing: number;
  /** Receipts beyond the first for one envelope hash at the portal. */
  portalDuplicates: number;
  /** Local messages whose maGiaoDich is not the portal's receipt for their envelope. */
  mismatchedIds: number;
  /** Delivery attempts that failed while the portal was down. */
  failedDuringOutage: number;
  /** Attempts in all, and answers "already received" (a send whose first answer was lost). */
  attempts: number;
  duplicateAnswers: number;
  drainSeconds: number;
  totalSeconds: number;
  ingestSeconds: number;
}

/**
 * Submits `envelopes` signed envelopes to the relaying server (4 clients in parallel); once a fifth of
 * them reached the portal, the portal process is killed (SIGKILL) and started again after
 * `outageSeconds`; waits until every message is sent, then reads the portal's own database.
 */
export async function relayScenario(o: {
  db: Db;
  portal: PortalChild;
  submit: (xml: string) => Promise<{ sha256: string }>;
  facility: string;
  signer: TestCertificate;
  envelopes: number;
  outageSeconds: number;
  firstNumber: number;
  drainTimeoutSeconds?: number;
}): Promise<RelayScenarioResult> {
  const envs = signedEnvelopes(o.facility, o.signer, o.envelopes, o.firstNumber);
  const t0 = performance.now();
  const shas: string[] = [];
  const sentOf = async () =>
    shas.length === 0 ? 0 : Number((await sql<{ n: string }>`select count(*) as n from relay_message where sha256 = any(${shas}::text[]) and status = 'sent'`.execute(o.db)).rows[0]!.n);

  let next = 0;
  const submitting = Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < envs.length) {
        const e = envs[next++]!;
        shas.push((await o.submit(e.xml)).sha256);
      }
    }),
  );
  let ingestSeconds = 0;
  void submitting.then(() => {
    ingestSeconds = (performance.now() - t0) / 1000;
  });

  // The outage: once a fifth has reached the portal.
  const killAt = Math.max(1, Math.floor(o.envelopes / 5));
  for (;;) {
    if ((await sentOf()) >= killAt) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await o.portal.kill();
  await new Promise((r) => setTimeout(r, o.outageSeconds * 1000));
  await o.portal.restart();
  const back = performance.now();
  await submitting;

  const deadline = Date.now() + (o.drainTimeoutSeconds ?? 900) * 1000;
  while ((await sentOf()) < o.envelopes) {
    const stuck = await sql<{ status: string; n: string }>`select status, count(*) as n from relay_message where sha256 = any(${shas}::text[]) group by status`.execute(o.db);
    if (Date.now() > deadline) throw new Error(`relay did not drain: ${JSON.stringify(stuck.rows)}`);
    if (stuck.rows.some((r) => r.status === 'error')) throw new Error(`messages in error: ${JSON.stringify(stuck.rows)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const drainSeconds = (performance.now() - back) / 1000;
  const totalSeconds = (performance.now() - t0) / 1000;

  const local = await sql<{ id: string; sha256: string; ma_giao_dich: string | null; attempts: number }>`
    select id, sha256, ma_giao_dich, attempts from relay_message where sha256 = any(${shas}::text[])`.execute(o.db);
  const answers = await sql<{ outcome: string; message: string | null }>`select a.outcome, a.message from relay_attempt a join relay_message m on m.id = a.message_id
    where m.sha256 = any(${shas}::text[])`.execute(o.db);
  const received = (await o.portal.stopAndReadSubmissions()).filter((s) => shas.includes(s.sha256));
  const bySha = new Map<string, string[]>();
  for (const s of received) bySha.set(s.sha256, [...(bySha.get(s.sha256) ?? []), s.id]);
  return {
    missing: shas.filter((s) => !bySha.has(s)).length,
    portalDuplicates: [...bySha.values()].reduce((n, ids) => n + ids.length - 1, 0),
    mismatchedIds: local.rows.filter((m) => bySha.get(m.sha256)?.[0] !== m.ma_giao_dich).length,
    failedDuringOutage: answers.rows.filter((a) => a.outcome === 'transient').length,
    attempts: local.rows.reduce((n, m) => n + m.attempts, 0),
    duplicateAnswers: answers.rows.filter((a) => a.outcome === 'sent' && /trước đó/.test(a.message ?? '')).length,
    drainSeconds,
    totalSeconds,
    ingestSeconds,
  };
}
