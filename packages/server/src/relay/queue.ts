import type { Db } from '../db/index.ts';
import { defineQueue, enqueue } from '../jobs/index.ts';

/** A delivery job names the message; its bytes and state stay in the relay's tables. */
export interface DeliveryJob {
  messageId: number;
}

/**
 * The relay's outbox queue (jobs module). Retries of a portal that is down are the handler's deferrals
 * (worker.ts, counted in relay_message.attempts); the queue's own retries cover a handler that threw
 * (the database, not the portal, failed).
 */
export const relayQueue = defineQueue<DeliveryJob>({ name: 'relay.portal', retryLimit: 5, retryDelaySeconds: 10, expireInSeconds: 120 });

/** In the caller's transaction: the job exists if and only if the message does; one job per key, ever. */
export async function enqueueDelivery(tx: Db, messageId: number, key: string): Promise<void> {
  await enqueue(tx, relayQueue, { messageId }, { key });
}
