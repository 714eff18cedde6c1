import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/index.ts';
import { createTestDatabase } from '../../test-support/database.ts';
import { defineQueue, enqueue, jobCounts, JobRunner, listDeadJobs, requeueDeadJobs } from './index.ts';

const until = async (what: string, check: () => Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe(`durable jobs (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let h: Awaited<ReturnType<typeof createTestDatabase>>;
  const errors: unknown[] = [];
  const effects = async (db: Kysely<Schema> = h.db) => (await sql<{ n: string; k: number }>`select n, count(*)::int as k from jobs_test_effect group by n`.execute(db)).rows;
  before(async () => {
    h = await createTestDatabase();
    await sql`create table jobs_test_effect (n text not null, at timestamptz not null default now())`.execute(h.db);
  });
  after(async () => h.drop());

  it('a job exists iff the caller’s transaction commits; a key enqueues once, ever', async () => {
    const q = defineQueue<{ n: string }>({ name: 'test.outbox' });
    await assert.rejects(
      h.db.transaction().execute(async (tx) => {
        await sql`insert into jobs_test_effect (n) values ('data')`.execute(tx);
        await enqueue(tx, q, { n: 'rolled back' }, { key: 'k1' });
        throw new Error('caller fails');
      }),
      /caller fails/,
    );
    assert.equal((await jobCounts(h.db, q)).created, 0);
    const first = await h.db.transaction().execute((tx) => enqueue(tx, q, { n: 'a' }, { key: 'k1' }));
    assert.equal(first.created, true);
    const again = await h.db.transaction().execute((tx) => enqueue(tx, q, { n: 'a, again' }, { key: 'k1' }));
    assert.deepEqual(again, { id: first.id, created: false });
    await enqueue(h.db, q, { n: 'b' });
    assert.equal((await jobCounts(h.db, q)).created, 2);
  });

  it('workers handle each job once, effects and completion in one transaction, run-at respected, stop waits', async () => {
    const q = defineQueue<{ n: string }>({ name: 'test.work' });
    const later = new Date(Date.now() + 2500);
    await h.db.transaction().execute(async (tx) => {
      for (let i = 0; i < 50; i++) await enqueue(tx, q, { n: `w${i}` }, { key: `w${i}` });
      await enqueue(tx, q, { n: 'later' }, { runAt: later });
    });
    const runner = new JobRunner(h.db, { onError: (e) => errors.push(e) }).work(
      q,
      async (data, tx) => {
        await sql`insert into jobs_test_effect (n) values (${data.n})`.execute(tx);
      },
      { batchSize: 7, concurrency: 2, pollSeconds: 0.5 },
    );
    await runner.start();
    await until('50 jobs', async () => (await effects()).filter((r) => r.n.startsWith('w')).length === 50);
    const before = Date.now();
    if (before < later.getTime() - 200) assert.ok(!(await effects()).some((r) => r.n === 'later'), 'not before its time');
    await until('the scheduled job', async () => (await effects()).some((r) => r.n === 'later'));
    const at = await sql<{ at: Date }>`select at from jobs_test_effect where n = 'later'`.execute(h.db);
    assert.ok(at.rows[0]!.at.getTime() >= later.getTime() - 50);
    await runner.stop();
    assert.ok((await effects()).every((r) => r.k === 1), 'no job handled twice');
    assert.equal((await jobCounts(h.db, q)).completed, 51);
    assert.deepEqual(errors, []);
  });

  it('a failing job is retried with growing delays, then dead, listed and re-queued; a defer does not count', async () => {
    const q = defineQueue<{ n: string }>({ name: 'test.retry', retryLimit: 2, retryDelaySeconds: 1 });
    let healthy = false;
    const attempts: number[] = [];
    const runner = new JobRunner(h.db).work(
      q,
      async (data, tx, job) => {
        if (data.n === 'defer-me' && job.retryCount === 0 && !(await effects(tx)).some((r) => r.n === 'deferred once')) {
          await sql`insert into jobs_test_effect (n) values ('deferred once')`.execute(tx);
          return { retryAt: new Date(Date.now() + 300) };
        }
        if (data.n === 'defer-me') {
          await sql`insert into jobs_test_effect (n) values ('defer done')`.execute(tx);
          return;
        }
        attempts.push(Date.now());
        await sql`insert into jobs_test_effect (n) values ('rolled back with the failure')`.execute(tx);
        if (!healthy) throw new Error('smtp down');
        await sql`insert into jobs_test_effect (n) values ('finally')`.execute(tx);
      },
      {
        pollSeconds: 0.5,
        onAttemptFailed: async (data, error, job, tx) => {
          await sql`insert into jobs_test_effect (n) values (${`failed ${data.n} ${job.retryCount} ${job.final} ${error.message}`})`.execute(tx);
        },
      },
    );
    await runner.start();
    const { id } = await enqueue(h.db, q, { n: 'fail' });
    await enqueue(h.db, q, { n: 'defer-me' });
    await until('dead job', async () => (await listDeadJobs(h.db, q)).length === 1);
    assert.equal(attempts.length, 3, 'first attempt + 2 retries');
    const gap1 = attempts[1]! - attempts[0]!;
    const gap2 = attempts[2]! - attempts[1]!;
    assert.ok(gap1 >= 900 && gap2 >= 1900 && gap2 > gap1, `backoff grows (${gap1} ms, ${gap2} ms)`);
    const [dead] = await listDeadJobs(h.db, q);
    assert.equal(dead!.id, id);
    assert.equal(dead!.attempts, 3);
    assert.equal(dead!.error, 'smtp down');
    assert.ok(!(await effects()).some((r) => r.n.startsWith('rolled back')), 'a failed attempt writes nothing');
    const recorded = (await effects()).map((r) => r.n).filter((n) => n.startsWith('failed')).sort();
    assert.deepEqual(recorded, ['failed fail 0 false smtp down', 'failed fail 1 false smtp down', 'failed fail 2 true smtp down'], 'the owner records each failed attempt');
    await until('deferred job done', async () => (await effects()).some((r) => r.n === 'defer done'));

    healthy = true;
    assert.equal(await requeueDeadJobs(h.db, q, [id, '00000000-0000-0000-0000-000000000000']), 1);
    await until('re-queued job done', async () => (await effects()).some((r) => r.n === 'finally'));
    assert.equal((await listDeadJobs(h.db, q)).length, 0);
    await runner.stop();
  });
});
