import type { Transaction } from 'kysely';
import PgBoss from 'pg-boss';
import type { Db, Schema } from '../db/index.ts';
import { BOSS_SCHEMA, bossDb } from './boss.ts';
import { enqueue, type QueueDefinition } from './queue.ts';

export interface JobInfo {
  id: string;
  queue: string;
  /** 0 on the first attempt. */
  retryCount: number;
}

/**
 * What a handler may answer instead of finishing: run this job again not before `retryAt`, without
 * counting an attempt (e.g. quiet hours). The job is completed and a copy scheduled in the same transaction.
 */
export interface Defer {
  retryAt: Date;
}

/**
 * Handles one job inside a transaction that also completes the job: the handler's writes and the job's
 * completion commit together, so a worker that dies mid-job leaves neither (the job is retried after
 * `expireInSeconds`). Side effects outside the database (mail, SMS) happen at least once: the handler
 * should record them in the same transaction so a retry after a commit failure can tell.
 * Throwing fails the attempt: retried with exponential backoff, dead after `retryLimit` retries.
 */
export type JobHandler<T extends object> = (data: T, tx: Transaction<Schema>, job: JobInfo) => Promise<void | Defer>;

export interface WorkerOptions<T extends object = object> {
  /** Jobs claimed per fetch (FOR UPDATE SKIP LOCKED), each then handled in its own transaction. */
  batchSize?: number;
  /** Concurrent fetch loops in this process (on PGlite they still take turns on its one connection). */
  concurrency?: number;
  pollSeconds?: number;
  /**
   * Runs after a failed attempt was rolled back, in its own transaction, so the owner can record it (a
   * delivery status, the last error); `final` = no retry is left and the job is now dead.
   */
  onAttemptFailed?: (data: T, error: Error, job: JobInfo & { final: boolean }, tx: Transaction<Schema>) => Promise<void>;
}

export interface JobRunnerOptions {
  onError?: (err: unknown, context: { queue?: string; jobId?: string }) => void;
  /** pg-boss maintenance (expire dead workers' jobs, archive, delete) period. */
  maintenanceSeconds?: number;
}

interface Registration {
  queue: QueueDefinition<object>;
  handler: JobHandler<object>;
  options: WorkerOptions;
}

/**
 * The process's job workers: one pg-boss instance over the app's database (through Kysely, so it shares
 * PGlite's connection queue), started and stopped by the composition root.
 */
export class JobRunner {
  private readonly registrations: Registration[] = [];
  private boss: PgBoss | undefined;
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly options: JobRunnerOptions = {},
  ) {}

  /** Registers the handler of a queue; call before `start`. */
  work<T extends object>(queue: QueueDefinition<T>, handler: JobHandler<T>, options: WorkerOptions<T> = {}): this {
    if (this.boss) throw new Error('jobs: register workers before start');
    this.registrations.push({ queue: queue as QueueDefinition<object>, handler: handler as JobHandler<object>, options: options as WorkerOptions });
    return this;
  }

  get started(): boolean {
    return this.boss !== undefined;
  }

  async start(): Promise<void> {
    if (this.boss) return;
    const boss = new PgBoss({
      schema: BOSS_SCHEMA,
      db: bossDb(this.db),
      migrate: false,
      schedule: false,
      supervise: true,
      maintenanceIntervalSeconds: this.options.maintenanceSeconds ?? 120,
      // Dead jobs stay listable and re-queueable for a year; completed ones are archived after a day.
      archiveCompletedAfterSeconds: 24 * 3600,
      archiveFailedAfterSeconds: 365 * 24 * 3600,
    });
    boss.on('error', (err) => this.options.onError?.(err, {}));
    await boss.start();
    this.boss = boss;
    for (const r of this.registrations) {
      const batchSize = r.options.batchSize ?? 20;
      for (let i = 0; i < (r.options.concurrency ?? 1); i++) {
        let workerId = '';
        workerId = await boss.work<object>(r.queue.name, { batchSize, pollingIntervalSeconds: r.options.pollSeconds ?? 2, includeMetadata: true }, async (jobs) => {
          const run = this.handleBatch(boss, r, jobs);
          this.inflight.add(run);
          try {
            await run;
          } finally {
            this.inflight.delete(run);
          }
          // A full batch means more may be waiting: fetch again at once instead of after the polling pause.
          if (jobs.length === batchSize && workerId) boss.notifyWorker(workerId);
        });
      }
    }
  }

  /**
   * Stops fetching and waits for the jobs in hand (pg-boss completes a fetched batch together, so a batch
   * is always finished, never abandoned half-way). Called by the composition root before the database closes.
   */
  async stop(): Promise<void> {
    const boss = this.boss;
    if (!boss) return;
    this.boss = undefined;
    await boss.stop({ graceful: true, wait: true, close: false, timeout: 60_000 });
    await Promise.allSettled([...this.inflight]);
  }

  private async handleBatch(boss: PgBoss, r: Registration, jobs: PgBoss.JobWithMetadata<object>[]): Promise<void> {
    for (const job of jobs) {
      const info: JobInfo = { id: job.id, queue: r.queue.name, retryCount: job.retryCount };
      try {
        await this.db.transaction().execute(async (tx) => {
          const outcome = await r.handler(job.data, tx, info);
          if (outcome) await enqueue(tx, r.queue, job.data, { runAt: outcome.retryAt, priority: job.priority });
          await boss.complete(r.queue.name, job.id, outcome ? { deferred_to: outcome.retryAt.toISOString() } : {}, { db: bossDb(tx) });
        });
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        const message = error.message;
        try {
          const final = job.retryCount >= job.retryLimit;
          if (r.options.onAttemptFailed) await this.db.transaction().execute((tx) => r.options.onAttemptFailed!(job.data, error, { ...info, final }, tx));
          await boss.fail(r.queue.name, job.id, { message }, { db: bossDb(this.db) });
        } catch (failErr) {
          // Left active: maintenance fails it after expireInSeconds, so it is still retried.
          this.options.onError?.(failErr, { queue: r.queue.name, jobId: job.id });
        }
        this.options.onError?.(err, { queue: r.queue.name, jobId: job.id });
      }
    }
  }
}
