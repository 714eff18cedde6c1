import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { type AnyDb, BOSS_SCHEMA, bossClient, bossDb } from './boss.ts';

/**
 * A named queue and its retry policy. The payload type travels with the definition, so the module that
 * enqueues and the worker that handles agree on it. Defined once, next to the handler, exported from the
 * owning module's entry point.
 */
export interface QueueDefinition<T extends object> {
  readonly name: string;
  /** Attempts after the first; then the job is dead (pg-boss state `failed`) until re-queued. */
  readonly retryLimit: number;
  /** First retry delay; each further retry doubles it, with jitter (pg-boss `retryBackoff`). */
  readonly retryDelaySeconds: number;
  /** A claimed job not finished by then (its worker died) is failed by maintenance and retried. */
  readonly expireInSeconds: number;
  /** Never read: carries the payload type. */
  readonly payload?: T;
}

const QUEUE_NAME = /^[a-z][a-z0-9._-]{1,62}$/;

export function defineQueue<T extends object>(opts: { name: string; retryLimit?: number; retryDelaySeconds?: number; expireInSeconds?: number }): QueueDefinition<T> {
  if (!QUEUE_NAME.test(opts.name)) throw new Error(`jobs: invalid queue name ${opts.name}`);
  return { name: opts.name, retryLimit: opts.retryLimit ?? 5, retryDelaySeconds: opts.retryDelaySeconds ?? 30, expireInSeconds: opts.expireInSeconds ?? 300 };
}

export interface EnqueueOptions {
  /** Idempotency key: a second enqueue with the same (queue, key), ever, adds nothing and answers the first job. */
  key?: string;
  /** Run not before this instant. */
  runAt?: Date;
  /** Higher runs first among due jobs. */
  priority?: number;
}

/** Queues known to exist in this process (their pg-boss partition is created once, in the first enqueuer's transaction). */
const knownQueues = new Set<string>();

async function ensureQueue(db: AnyDb, queue: QueueDefinition<object>): Promise<void> {
  if (knownQueues.has(queue.name)) return;
  const found = await sql`select 1 from ${sql.table(`${BOSS_SCHEMA}.queue`)} where name = ${queue.name}`.execute(db);
  if (found.rows.length === 0) {
    const options = { policy: 'standard', retryLimit: queue.retryLimit, retryDelay: queue.retryDelaySeconds, retryBackoff: true, expireInSeconds: queue.expireInSeconds };
    await sql`select ${sql.raw(BOSS_SCHEMA)}.create_queue(${queue.name}, ${JSON.stringify(options)}::json)`.execute(db);
    return; // not cached: the caller's transaction may still roll the queue back
  }
  knownQueues.add(queue.name);
}

/**
 * Adds a job in the caller's transaction (transactional outbox): it exists if and only if the caller's
 * writes commit. Without a transaction it opens one (the key and the job are written together).
 */
export async function enqueue<T extends object>(db: AnyDb, queue: QueueDefinition<T>, data: T, opts: EnqueueOptions = {}): Promise<{ id: string; created: boolean }> {
  if (!db.isTransaction) return db.transaction().execute((tx) => enqueue(tx, queue, data, opts));
  await ensureQueue(db, queue);
  let id: string = randomUUID();
  if (opts.key !== undefined) {
    const claimed = await sql<{ job_id: string }>`insert into job_key (queue, key, job_id) values (${queue.name}, ${opts.key}, ${id})
      on conflict (queue, key) do nothing returning job_id`.execute(db);
    if (claimed.rows.length === 0) {
      const first = await sql<{ job_id: string }>`select job_id from job_key where queue = ${queue.name} and key = ${opts.key}`.execute(db);
      return { id: first.rows[0]!.job_id, created: false };
    }
  }
  const sent = await bossClient().send(queue.name, data, {
    id,
    retryLimit: queue.retryLimit,
    retryDelay: queue.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: queue.expireInSeconds,
    // pg-boss drops a job not started within its retention; a job scheduled far ahead must outlive the wait.
    retentionDays: 400,
    ...(opts.key !== undefined ? { singletonKey: opts.key } : {}),
    ...(opts.runAt ? { startAfter: opts.runAt } : {}),
    ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
    db: bossDb(db),
  });
  id = sent ?? id;
  return { id, created: true };
}

export interface DeadJob<T> {
  id: string;
  data: T;
  attempts: number;
  error: string | null;
  created_at: Date;
  failed_at: Date | null;
}

/** Jobs that used up their attempts (the dead-letter state), most recent first. */
export async function listDeadJobs<T extends object>(db: AnyDb, queue: QueueDefinition<T>, opts: { limit?: number } = {}): Promise<DeadJob<T>[]> {
  const rows = await sql<{ id: string; data: T; retry_count: number; output: { message?: string } | null; created_on: Date; completed_on: Date | null }>`
    select id, data, retry_count, output, created_on, completed_on from ${sql.table(`${BOSS_SCHEMA}.job`)}
     where name = ${queue.name} and state = 'failed' order by completed_on desc nulls last, id limit ${opts.limit ?? 100}`.execute(db);
  return rows.rows.map((r) => ({ id: r.id, data: r.data, attempts: r.retry_count + 1, error: r.output?.message ?? null, created_at: r.created_on, failed_at: r.completed_on }));
}

/** Puts dead jobs back in line (one more attempt each); answers how many were dead. */
export async function requeueDeadJobs(db: AnyDb, queue: QueueDefinition<object>, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const dead = await sql<{ id: string }>`select id from ${sql.table(`${BOSS_SCHEMA}.job`)} where name = ${queue.name} and state = 'failed' and id = any(${ids}::uuid[])`.execute(db);
  if (dead.rows.length === 0) return 0;
  await bossClient().retry(
    queue.name,
    dead.rows.map((r) => r.id),
    { db: bossDb(db) },
  );
  return dead.rows.length;
}

export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

/** Jobs of a queue by state (archived jobs, completed more than a day ago, are not counted). */
export async function jobCounts(db: AnyDb, queue: QueueDefinition<object>): Promise<Record<JobState, number>> {
  const rows = await sql<{ state: JobState; n: number }>`select state::text as state, count(*)::int as n from ${sql.table(`${BOSS_SCHEMA}.job`)}
    where name = ${queue.name} group by state`.execute(db);
  const counts: Record<JobState, number> = { created: 0, retry: 0, active: 0, completed: 0, cancelled: 0, failed: 0 };
  for (const r of rows.rows) counts[r.state] = r.n;
  return counts;
}
