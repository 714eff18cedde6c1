import type { Transaction } from 'kysely';
import type { Db, Schema } from '../db/index.ts';
import type { Defer, JobInfo, JobRunner, WorkerOptions } from '../jobs/index.ts';
import type { PortalClient } from './portal-client.ts';
import { type DeliveryJob, relayQueue } from './queue.ts';
import { portalTarget, readSetting, type SecretConfig } from './settings.ts';
import { markError, messageById, messageBytes, recordOutcome } from './store.ts';

/** Attempts (including the first) before a message that keeps failing goes to the error list. */
export const MAX_ATTEMPTS = 12;

export interface RelayBackoff {
  /** Delay after the first failed attempt (s); doubled after each further one, with ±20 % jitter. */
  firstDelaySeconds: number;
  maxDelaySeconds: number;
}

export const DEFAULT_BACKOFF: RelayBackoff = { firstDelaySeconds: 5, maxDelaySeconds: 600 };

/** When the next attempt may run after `attempts` failed ones (5 s, 10 s, 20 s … up to 10 min by default). */
export function nextAttemptAt(attempts: number, b: RelayBackoff, now = Date.now()): Date {
  const base = Math.min(b.firstDelaySeconds * 2 ** Math.max(0, attempts - 1), b.maxDelaySeconds);
  return new Date(now + base * (0.8 + Math.random() * 0.4) * 1000);
}

/**
 * Handles one delivery job of the outbox (jobs module: the job completes in the handler's transaction).
 * A message is posted only while it is `pending`: a job that runs again after a crash between the
 * portal's answer and the commit finds it sent, or posts the same bytes again, which the portal must
 * recognise (OpenHSSK's own portal-compatible endpoint answers them with the first transaction id).
 * A portal that is down or overloaded gets the message again later: the attempt is recorded and the
 * job deferred by the backoff (the attempt history commits with it), until MAX_ATTEMPTS, when the
 * message joins the error list (the dead letters the facility re-sends from its screen).
 */
export function deliveryHandler(config: SecretConfig, client: PortalClient, backoff: RelayBackoff = DEFAULT_BACKOFF) {
  return async (job: DeliveryJob, tx: Transaction<Schema>, _info: JobInfo): Promise<undefined | Defer> => {
    const db: Db = tx;
    const m = await messageById(db, job.messageId);
    if (m?.status !== 'pending') return;
    const setting = await readSetting(db, m.facility_code);
    const target = setting?.enabled ? await portalTarget(db, config, m.facility_code) : undefined;
    const bytes = target ? await messageBytes(db, m) : undefined;
    if (!target || !bytes) {
      await markError(db, m.id, !target ? 'Chuyển tiếp lên cổng tiếp nhận đã tắt hoặc chưa cấu hình.' : 'Không còn dữ liệu gốc của bản tin.');
      return;
    }
    const outcome = await client.send(target, m.kind, bytes);
    const dead = outcome.kind === 'transient' && m.attempts + 1 >= MAX_ATTEMPTS;
    await recordOutcome(db, m.id, outcome, { dead });
    if (outcome.kind === 'transient' && !dead) return { retryAt: nextAttemptAt(m.attempts + 1, backoff) };
  };
}

/** Registers the relay's worker on the process's job runner (composition root). */
export function workRelay(runner: JobRunner, config: SecretConfig, client: PortalClient, opts: WorkerOptions & { backoff?: RelayBackoff } = {}): void {
  const { backoff, ...worker } = opts;
  runner.work(relayQueue, deliveryHandler(config, client, backoff), {
    batchSize: 10,
    ...worker,
    // The handler itself failed (the database, not the portal) on its last try: the message joins the
    // error list instead of staying "waiting" for ever.
    onAttemptFailed: async (job, error, info, tx) => {
      if (info.final && 'messageId' in job && typeof job.messageId === 'number') await markError(tx, job.messageId, `Lỗi hệ thống khi chuyển tiếp: ${error.message}`);
    },
  });
}
