import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { viDate, vietnamToday } from '@openhssk/core';
import { CITIZEN_PATHS } from '@openhssk/core/api';
import { sql } from 'kysely';
import { citizenCookie } from '../../test-support/book-fixture.ts';
import { startTestApp } from '../../test-support/index.ts';
import { insertEpisode } from '../../test-support/staff.ts';
import { JobRunner, jobCounts } from '../jobs/index.ts';
import { upsertPersons } from '../person/index.ts';
import { FileTextSender, planReminders, REMINDER_QUEUE, reminderAttemptFailed, reminderHandler } from './index.ts';

const compact = (iso: string) => iso.replaceAll('-', '');
const addDays = (iso: string, d: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + d * 86_400_000).toISOString().slice(0, 10);
const yearsAgo = (iso: string, y: number) => `${Number(iso.slice(0, 4)) - y}${iso.slice(4)}`;

const hiddenLink = (n: { notifications: Array<{ title: string; link: string }> }) => n.notifications.find((x) => x.title.startsWith('Nhắc lịch hẹn của con'))?.link;

describe(`a child's appointments and reminders reach the parent (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let t: Awaited<ReturnType<typeof startTestApp>>;
  const today = vietnamToday();
  const day = addDays(today, 1);
  const smsFile = join(mkdtempSync(join(tmpdir(), 'hssk-sms-')), 'sms.jsonl');
  let parent = '';
  let stranger = '';

  before(async () => {
    t = await startTestApp({ config: { jobWorkers: false, reminderPlanSeconds: 0 } });
    const db = t.db.db;
    await db.insertInto('facility').values([{ code: '52001', name: 'Bệnh viện Nhi Thử', admin_unit_code: null }]).execute();
    await upsertPersons(db, [
      { id: 'PM', ho_ten: 'Phạm Thị Mẹ', so_cccd: '052090000021', ngay_sinh: '1988-01-02', birth_year: 1988, gioi_tinh: 2 },
      { id: 'PK', ho_ten: 'Phạm Minh Khang', so_cccd: null, ngay_sinh: yearsAgo(today, 6), birth_year: Number(yearsAgo(today, 6).slice(0, 4)), gioi_tinh: 1 },
      { id: 'PT', ho_ten: 'Phạm Thu Trang', so_cccd: null, ngay_sinh: yearsAgo(today, 15), birth_year: Number(yearsAgo(today, 15).slice(0, 4)), gioi_tinh: 2 },
      { id: 'PX', ho_ten: 'Lê Văn Lạ', so_cccd: '052090000022', ngay_sinh: '1985-03-04', birth_year: 1985, gioi_tinh: 1 },
    ] as never);
    await db.insertInto('person_relation').values([
      { person_id: 'PK', related_person_id: 'PM', relation: 'parent', source: 'population_relation' },
      { person_id: 'PT', related_person_id: 'PM', relation: 'parent', source: 'population_relation' },
    ]).execute();
    const old = new Date(Date.now() - 60_000);
    await insertEpisode(db, { facility: '52001', personId: 'PK', ngayVao: `${addDays(today, -5)} 08:00:00`, receivedAt: old, rows: { XML14: [{ NGAY_HEN_KL: compact(day), SO_GIAYHEN_KL: 'GH-K1', CHAN_DOAN_RV: 'Viêm phế quản' }] } });
    await insertEpisode(db, { facility: '52001', personId: 'PK', ngayVao: `${addDays(today, -4)} 08:00:00`, receivedAt: old, sensitivity: ['mental_health'], rows: { XML14: [{ NGAY_HEN_KL: compact(day), SO_GIAYHEN_KL: 'GH-K2' }] } });
    await insertEpisode(db, { facility: '52001', personId: 'PT', ngayVao: `${addDays(today, -5)} 08:00:00`, receivedAt: old, rows: { XML14: [{ NGAY_HEN_KL: compact(day), SO_GIAYHEN_KL: 'GH-T1' }] } });
    parent = await citizenCookie(t.db, '052090000021', 'PM', true);
    stranger = await citizenCookie(t.db, '052090000022', 'PX', true);
  });
  after(async () => {
    await t.close();
  });

  const get = (url: string, cookie: string) => t.app.inject({ method: 'GET', url, headers: { cookie } });

  it('the parent reads the child’s appointments (sensitive ones only when asked), audited with the child as subject', async () => {
    const r = await get('/api/v1/book/appointments?person=PK', parent);
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json().viewing_child, { name: 'Phạm Minh Khang', relation: 'parent' });
    assert.deepEqual(r.json().appointments.map((a: { number: string }) => a.number), ['GH-K1']);
    const all = await get('/api/v1/book/appointments?person=PK&include_sensitive=true', parent);
    assert.deepEqual(all.json().appointments.map((a: { number: string }) => a.number).sort(), ['GH-K1', 'GH-K2']);
    const own = await get('/api/v1/book/appointments', parent);
    assert.deepEqual(own.json(), { appointments: [], reminders: [], viewing_child: null });
    const logged = await t.db.db.selectFrom('audit_event').selectAll().where('action', '=', 'book.appointments.list').where('person_id', '=', 'PK').execute();
    assert.equal(logged.length, 2);
    assert.equal(logged[0]!.actor_id, '052090000021');
    assert.equal(logged[0]!.actor_type, 'citizen');
  });

  it('a stranger, and the parent of a child aged 14 or more, get the same 404 as a person who does not exist', async () => {
    const missing = await get('/api/v1/book/appointments?person=NOBODY', parent);
    assert.equal(missing.statusCode, 404);
    for (const [url, cookie] of [
      ['/api/v1/book/appointments?person=PK', stranger],
      ['/api/v1/book/appointments?person=PT', parent],
      ['/api/v1/book/appointments?person=PT&include_sensitive=true', parent],
    ] as const) {
      const r = await get(url, cookie);
      assert.equal(r.statusCode, 404, url);
      assert.deepEqual(Object.keys(r.json()).sort(), Object.keys(missing.json()).sort());
      assert.equal(r.json().message, missing.json().message);
      assert.doesNotMatch(r.body, /GH-|Khang|Trang/);
    }
    assert.equal((await t.db.db.selectFrom('audit_event').select('id').where('person_id', 'in', ['PT']).execute()).length, 0, 'nothing read, nothing audited');
  });

  it('a child’s reminders land in the parent’s notifications and on the parent’s chosen phone; a 15-year-old’s stay the child’s', async () => {
    const put = await t.app.inject({ method: 'PUT', url: '/api/v1/book/notification-settings', headers: { cookie: parent, origin: t.url }, payload: { channel: 'sms', opted_out: false, address: '0987654321' } });
    assert.equal(put.statusCode, 200, put.body);
    await planReminders(t.db.db);
    await sql`update pgboss.job set start_after = now() where name = ${REMINDER_QUEUE.name} and state = 'created'`.execute(t.db.db);
    const morning = new Date(Date.parse(`${today}T03:00:00Z`));
    const run = new JobRunner(t.db.db).work(REMINDER_QUEUE, reminderHandler({ text: new FileTextSender(smsFile) }, () => morning), { pollSeconds: 0.5 });
    await run.start();
    const end = Date.now() + 30_000;
    while ((await sql<{ n: number }>`select count(*)::int as n from appointment_reminder where status in ('pending', 'deferred')`.execute(t.db.db)).rows[0]!.n > 0) {
      if (Date.now() > end) throw new Error('timed out waiting for the reminders');
      await new Promise((r) => setTimeout(r, 150));
    }
    await run.stop();

    const n = (await get('/api/v1/book/notifications', parent)).json();
    const titles = n.notifications.map((x: { title: string }) => x.title).sort();
    assert.deepEqual(titles, [`Nhắc lịch hẹn của con Phạm Minh Khang ngày ${viDate(day)}`, `Nhắc lịch tái khám của con Phạm Minh Khang ngày ${viDate(day)}`]);
    const plain = n.notifications.find((x: { title: string }) => x.title.startsWith('Nhắc lịch tái khám'));
    assert.match(plain.body, /^Lịch tái khám của con Phạm Minh Khang: lịch hẹn khám lại Bệnh viện Nhi Thử ngày /);
    // The link opens the child's book at its appointments: an address the book's router has a screen for.
    assert.equal(plain.link, '/con/PK/lich-hen');
    assert.equal(CITIZEN_PATHS.childAppointments.exec(plain.link)?.[1], 'PK');
    assert.equal(hiddenLink(n), '/con/PK/lich-hen', 'the sensitive one links the same way');
    const hidden = n.notifications.find((x: { title: string }) => x.title.startsWith('Nhắc lịch hẹn của con'));
    assert.doesNotMatch(hidden.body, /Bệnh viện|khám lại|tâm thần/, 'a sensitive visit’s reminder names neither place nor kind');
    assert.doesNotMatch(JSON.stringify(n), /Trang/, 'a child of 15 leaves the parent’s view, reminders included');
    const strangers = (await get('/api/v1/book/notifications', stranger)).json();
    assert.equal(strangers.notifications.length, 0);

    const sms = readFileSync(smsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { to: string; text: string });
    assert.equal(sms.length, 2);
    assert.ok(sms.every((m) => m.to === '0987654321'));
    assert.ok(sms.some((m) => m.text.includes('Lịch tái khám của con Phạm Minh Khang')));
    const own = await sql<{ person_id: string }>`select person_id from citizen_notification where person_id <> 'PM' and body like '%Nhi Thử%'`.execute(t.db.db);
    assert.deepEqual(own.rows.map((r) => r.person_id), ['PT'], 'the 15-year-old’s reminder is kept in her own book');
  });

  it('a retry after one parent’s SMS failed sends only to the parent not yet reached', async () => {
    const db = t.db.db;
    await upsertPersons(db, [{ id: 'PF', ho_ten: 'Phạm Văn Bố', so_cccd: '052090000023', ngay_sinh: '1986-04-05', birth_year: 1986, gioi_tinh: 1 }] as never);
    await db.insertInto('person_relation').values({ person_id: 'PK', related_person_id: 'PF', relation: 'parent', source: 'population_relation' }).execute();
    await sql`insert into notification_preference (person_id, channel, address) values ('PF', 'sms', '0911000222')`.execute(db);
    const later = addDays(today, 2);
    await insertEpisode(db, { facility: '52001', personId: 'PK', ngayVao: `${addDays(today, -1)} 08:00:00`, receivedAt: new Date(Date.now() - 60_000), rows: { XML14: [{ NGAY_HEN_KL: compact(later), SO_GIAYHEN_KL: 'GH-K3' }] } });
    assert.equal((await planReminders(db)).planned, 3);
    await sql`update pgboss.job set start_after = now() where name = ${REMINDER_QUEUE.name} and state = 'created'`.execute(db);

    // The provider refuses the second message of the first attempt: the first parent was reached.
    const file = join(mkdtempSync(join(tmpdir(), 'hssk-sms-')), 'sms.jsonl');
    const sink = new FileTextSender(file);
    let calls = 0;
    const flaky = { name: 'flaky', send: async (to: string, text: string) => (++calls === 2 ? Promise.reject(new Error('provider refused')) : sink.send(to, text)) };
    const sms = async () => (await sql<{ status: string; attempts: number; last_error: string | null; n: number }>`select status, attempts, last_error, cardinality(delivered_keys) as n
      from appointment_reminder where channel = 'sms' and appointment_date = ${later}::date`.execute(db)).rows[0]!;
    const until = async (what: string, check: () => Promise<boolean>) => {
      const end = Date.now() + 30_000;
      while (!(await check())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    };
    const morning = new Date(Date.parse(`${today}T03:00:00Z`));
    const run = new JobRunner(db).work(REMINDER_QUEUE, reminderHandler({ text: flaky }, () => morning), { pollSeconds: 0.5, onAttemptFailed: reminderAttemptFailed });
    await run.start();
    try {
      await until('the failed attempt', async () => (await sms()).attempts === 1);
      assert.deepEqual(await sms(), { status: 'pending', attempts: 1, last_error: 'provider refused', n: 1 }, 'the parent reached is recorded although the attempt rolled back');
      await sql`update pgboss.job set start_after = now() where name = ${REMINDER_QUEUE.name} and state = 'retry'`.execute(db);
      await until('the retry', async () => (await sms()).status === 'sent');
      await until('the queue', async () => {
        const c = await jobCounts(db, REMINDER_QUEUE);
        return c.created + c.retry + c.active === 0;
      });
    } finally {
      await run.stop();
    }
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { to: string; text: string });
    assert.deepEqual(lines.map((l) => l.to).sort(), ['0911000222', '0987654321'], 'each parent once: the one reached first is not sent to again');
    assert.equal((await sms()).n, 2);
  });
});
