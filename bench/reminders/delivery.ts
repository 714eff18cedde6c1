/**
 * Reminder delivery through the durable job queue, on PGlite and PostgreSQL (issue 18 item 3):
 *  1. --reminders due in-app reminders of as many persons' re-exams, each enqueued with its
 *     transaction (enqueue timed);
 *  2. workers (batch 50, 2 fetch loops) deliver them; when half are delivered the worker is stopped
 *     (graceful: the batch in hand finishes) and a new one started, as a restart does;
 *  3. checks: each reminder reached the handler exactly once (counted in memory across both workers),
 *     one notification each, every reminder `sent`, no job left;
 *  4. baseline in the same run: the same deliveries done directly, one transaction each, no queue.
 *   npx tsx bench/reminders/delivery.ts [--reminders 10000] [--db pglite,postgres]
 */
import { execSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { vietnamToday } from '@openhssk/core';
import { REMINDER_QUEUE, reminderHandler } from '@openhssk/server/appointments';
import { migrate, openDatabase, type DatabaseHandle } from '@openhssk/server/db';
import { enqueue, jobCounts, JobRunner } from '@openhssk/server/jobs';
import { createScratchPostgres } from '@openhssk/server/test-support';
import { sql } from 'kysely';

const { values } = parseArgs({ options: { reminders: { type: 'string', default: '10000' }, db: { type: 'string', default: 'pglite,postgres' } } });
const N = Number(values.reminders);
const today = vietnamToday();

async function seed(h: DatabaseHandle, table: 'reminder' | 'baseline') {
  const db = h.db;
  const prefix = table === 'reminder' ? 'R' : 'B';
  await sql`insert into facility (code, name) values ('51001', 'Bệnh viện Thử') on conflict do nothing`.execute(db);
  await sql`insert into submission (id, facility_code, channel, sha256, size_bytes, status, episode_count, accepted_count, warning_count, rejected_count, receipt)
    values (${`SUB-${prefix}`}, '51001', 'rest', ${`SUB-${prefix}`}, 1, 'accepted', 1, 1, 0, 0, '{}')`.execute(db);
  await sql`insert into person (id, ho_ten, name_key, birth_year) select ${prefix} || i, 'Người ' || i, 'nguoi ' || i, 1970 from generate_series(1, ${N}) i`.execute(db);
  await sql`insert into episode (facility_code, ma_lk, version, is_current, submission_id, person_id, patient_source_id, status, ma_bn, ho_ten, ma_loai_kcb, ngay_vao, content_sha256, xml1, issues)
    select '51001', ${prefix} || 'LK' || i, 1, true, ${`SUB-${prefix}`}, ${prefix} || i, '51001:' || ${prefix} || i, 'accepted', 'BN' || i, 'Người ' || i, '01', now()::timestamp, 'x', '{}', '[]'
      from generate_series(1, ${N}) i`.execute(db);
  if (table === 'reminder') {
    await sql`insert into appointment_reminder (facility_code, ma_lk, kind, channel, appointment_date, target_facility, due_at)
      select '51001', 'RLK' || i, 're_exam', 'in_app', ${today}::date + 1, '51001', now() from generate_series(1, ${N}) i`.execute(db);
  }
}

async function run(kind: 'pglite' | 'postgres') {
  const scratch = kind === 'postgres' ? await createScratchPostgres('hssk_bench_remind', process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres') : undefined;
  const h = await openDatabase(scratch ? { url: scratch.url, poolSize: 6 } : { dataDir: 'memory://' });
  await migrate(h);
  await seed(h, 'reminder');
  await seed(h, 'baseline');
  const db = h.db;
  const ids = (await sql<{ id: number; due_at: Date }>`select id, due_at from appointment_reminder order by id`.execute(db)).rows;

  let t = performance.now();
  for (let i = 0; i < ids.length; i += 500) {
    await db.transaction().execute(async (tx) => {
      for (const r of ids.slice(i, i + 500)) await enqueue(tx, REMINDER_QUEUE, { reminderId: Number(r.id), dueAt: r.due_at.toISOString() }, { key: `${r.id}@${r.due_at.toISOString()}` });
    });
  }
  const enqueueMs = performance.now() - t;

  const calls = new Map<number, number>();
  const inner = reminderHandler({});
  // The restart is triggered from the handler's count: on PGlite a polling query would wait its turn
  // behind the workers' transactions and see the half only when everything is done.
  let half!: () => void;
  const halfway = new Promise<void>((r) => {
    half = r;
  });
  const handler: typeof inner = async (data, tx, job) => {
    calls.set(data.reminderId, (calls.get(data.reminderId) ?? 0) + 1);
    if (calls.size === Math.floor(N / 2)) half();
    return inner(data, tx, job);
  };
  const delivered = async () => (await sql<{ n: number }>`select count(*)::int as n from appointment_reminder where status = 'sent'`.execute(db)).rows[0]!.n;
  const worker = () => new JobRunner(db).work(REMINDER_QUEUE, handler, { batchSize: 50, concurrency: 2, pollSeconds: 0.5 });
  t = performance.now();
  const first = worker();
  await first.start();
  await halfway;
  const stopT = performance.now();
  await first.stop();
  const atRestart = await delivered();
  const stopMs = performance.now() - stopT;
  const second = worker();
  await second.start();
  while ((await delivered()) < N) await new Promise((r) => setTimeout(r, 100));
  const deliverMs = performance.now() - t;
  await second.stop();
  const counts = await jobCounts(db, REMINDER_QUEUE);
  const notifications = (await sql<{ n: number }>`select count(*)::int as n from citizen_notification where kind = 'appointment.reminder'`.execute(db)).rows[0]!.n;
  const twice = [...calls.values()].filter((c) => c > 1).length;

  // Baseline: the same delivery work (notification + status) done directly, one transaction each.
  const base = (await sql<{ ma_lk: string; person_id: string }>`select ma_lk, person_id from episode where ma_lk like 'BLK%'`.execute(db)).rows;
  t = performance.now();
  for (const e of base) {
    await db.transaction().execute(async (tx) => {
      await sql`select person_id from episode where facility_code = '51001' and ma_lk = ${e.ma_lk} and is_current`.execute(tx);
      await sql`insert into citizen_notification (person_id, kind, title, body, source_key) values (${e.person_id}, 'baseline', 'x', 'y', ${e.ma_lk})`.execute(tx);
    });
  }
  const baseMs = performance.now() - t;
  await h.close();
  await scratch?.drop();
  return { kind, enqueueMs, deliverMs, stopMs, atRestart, handlerCalls: calls.size, twice, notifications, counts, baseMs };
}

const load = execSync('uptime').toString().trim();
console.log(`reminders: ${N}; load before: ${load}`);
for (const kind of values.db.split(',') as ('pglite' | 'postgres')[]) {
  const r = await run(kind);
  const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `${kind}: enqueue ${fmt(r.enqueueMs)} (${Math.round(N / (r.enqueueMs / 1000))}/s); deliver ${fmt(r.deliverMs)} (${Math.round(N / (r.deliverMs / 1000))}/s) with a restart at ${r.atRestart} (stop took ${fmt(r.stopMs)}); ` +
      `handler reached ${r.handlerCalls} reminders, ${r.twice} twice; notifications ${r.notifications}; jobs completed ${r.counts.completed}, left ${r.counts.created + r.counts.retry + r.counts.active}, dead ${r.counts.failed}; ` +
      `baseline direct delivery ${fmt(r.baseMs)} (${Math.round(N / (r.baseMs / 1000))}/s)`,
  );
  if (r.twice > 0 || r.notifications !== N || r.handlerCalls !== N) process.exitCode = 1;
}
console.log(`load after: ${execSync('uptime').toString().trim()}`);
