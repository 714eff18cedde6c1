import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { vietnamToday } from '@openhssk/core';
import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { citizenCookie } from '../../test-support/book-fixture.ts';
import { startTestApp } from '../../test-support/index.ts';
import { insertEpisode, staffSession } from '../../test-support/staff.ts';
import { JobRunner, jobCounts } from '../jobs/index.ts';
import { episodesFollowSourceRecords, upsertPersons } from '../person/index.ts';
import { FileTextSender, planReminders, quietUntil, REMINDER_QUEUE, reminderAttemptFailed, reminderHandler, smtpMailSender } from './index.ts';

const compact = (iso: string) => iso.replaceAll('-', '');
const addDays = (iso: string, d: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + d * 86_400_000).toISOString().slice(0, 10);
const until = async (what: string, check: () => Promise<boolean>, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
};

describe(`appointments and reminders (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let t: Awaited<ReturnType<typeof startTestApp>>;
  let smtp: SMTPServer;
  let smtpUrl = '';
  const mails: { to: string; body: string }[] = [];
  const smsFile = join(mkdtempSync(join(tmpdir(), 'hssk-sms-')), 'sms.jsonl');
  const today = vietnamToday();
  let cookie = '';
  let hospital = '';
  let receiving = '';
  let station = '';

  before(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, done) {
        let body = '';
        stream.on('data', (c: Buffer) => {
          body += c.toString('utf8');
        });
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), body });
          done();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`;
    t = await startTestApp({ config: { jobWorkers: false, reminderPlanSeconds: 0 } });
    const db = t.db.db;
    await db.insertInto('admin_unit').values([
      { code: '51', level: 'province', name: 'Tỉnh Thử', parent_code: null, valid_from: null, valid_to: null },
      { code: '528', level: 'district', name: 'Huyện Thử', parent_code: '51', valid_from: null, valid_to: null },
      { code: '51999', level: 'commune', name: 'xã Thử', parent_code: '528', valid_from: null, valid_to: null },
    ]).execute();
    await db.insertInto('facility').values([
      { code: '51242', name: 'Trạm Y tế xã Thử', level: 'xã', admin_unit_code: '51999' },
      { code: '51001', name: 'Bệnh viện Đa khoa Tỉnh Thử', admin_unit_code: null },
      { code: '51002', name: 'Bệnh viện Tim mạch Thử', admin_unit_code: null },
    ]).execute();
    await upsertPersons(db, [
      { id: 'P1', ho_ten: 'Nguyễn Văn Hẹn', so_cccd: '051090000011', ngay_sinh: '1970-02-03', birth_year: 1970, gioi_tinh: 1, so_dien_thoai: '0912345678', ma_xa: '51999' },
      { id: 'P2', ho_ten: 'Trần Thị Vắng', so_cccd: '051090000012', ngay_sinh: '1980-05-06', birth_year: 1980, gioi_tinh: 2, ma_xa: '51999' },
      { id: 'P3', ho_ten: 'Lê Văn Đến', so_cccd: '051090000013', ngay_sinh: '1975-07-08', birth_year: 1975, gioi_tinh: 1 },
    ] as never);
    const old = new Date(Date.now() - 60_000);
    // P1: a re-exam at the hospital today, a referral to the heart hospital today, a sensitive visit's re-exam today.
    await insertEpisode(db, { facility: '51001', personId: 'P1', ngayVao: `${addDays(today, -7)} 08:00:00`, receivedAt: old, rows: { XML14: [{ NGAY_HEN_KL: compact(today), SO_GIAYHEN_KL: 'GH-77', CHAN_DOAN_RV: 'Tăng huyết áp vô căn', MA_THE_BHYT: 'DN4510123456789' }] } });
    await insertEpisode(db, { facility: '51001', personId: 'P1', ngayVao: `${addDays(today, -2)} 08:00:00`, receivedAt: old, rows: { XML13: [{ MA_CSKCB_DEN: '51002', GIAY_CHUYEN_TUYEN: 'CT-12', NGAY_RA: `${compact(today)}0900`, CHAN_DOAN_RV: 'Bệnh tim thiếu máu cục bộ', TOMTAT_KQ: 'ECG: ST chênh xuống' }] } });
    await insertEpisode(db, { facility: '51001', personId: 'P1', ngayVao: `${addDays(today, -3)} 08:00:00`, receivedAt: old, sensitivity: ['hiv'], rows: { XML14: [{ NGAY_HEN_KL: compact(today), SO_GIAYHEN_KL: 'GH-HIV', CHAN_DOAN_RV: 'Bệnh HIV' }] } });
    // Past appointments at the hospital: P2 never came (no-show), P3 came back (kept).
    await insertEpisode(db, { facility: '51001', personId: 'P2', ngayVao: `${addDays(today, -30)} 08:00:00`, receivedAt: old, rows: { XML14: [{ NGAY_HEN_KL: compact(addDays(today, -10)) }] } });
    await insertEpisode(db, { facility: '51001', personId: 'P3', ngayVao: `${addDays(today, -30)} 08:00:00`, receivedAt: old, rows: { XML14: [{ NGAY_HEN_KL: compact(addDays(today, -10)) }] } });
    await insertEpisode(db, { facility: '51001', personId: 'P3', ngayVao: `${addDays(today, -9)} 09:00:00`, receivedAt: old });
    cookie = await citizenCookie(t.db, '051090000011', 'P1', true);
    hospital = (await staffSession(t.app, db, { username: 'hospital.rec', fullName: 'Lễ tân BV', role: 'receptionist', facilityCode: '51001' })).cookie;
    receiving = (await staffSession(t.app, db, { username: 'heart.rec', fullName: 'Lễ tân BV Tim', role: 'receptionist', facilityCode: '51002' })).cookie;
    station = (await staffSession(t.app, db, { username: 'station.head', fullName: 'Trạm trưởng', role: 'station_head', facilityCode: '51242' })).cookie;
  });
  after(async () => {
    await t.close();
    await new Promise<void>((r) => smtp.close(() => r()));
  });

  const get = async (url: string, c: string) => {
    const r = await t.app.inject({ method: 'GET', url, headers: { cookie: c } });
    assert.equal(r.statusCode, 200, r.body);
    return r.json();
  };

  it('the citizen sees upcoming re-exams and referrals with place, date and what to bring', async () => {
    const hidden = await get('/api/v1/book/appointments', cookie);
    assert.equal(hidden.appointments.length, 2, 'a sensitive visit’s appointment stays out until the citizen chooses to show sensitive visits');
    const r = await get('/api/v1/book/appointments?include_sensitive=true', cookie);
    assert.equal(r.appointments.length, 3, 'the citizen’s own sensitive visit is in their own list once they ask');
    const reExam = r.appointments.find((a: { number: string }) => a.number === 'GH-77');
    assert.equal(reExam.date, today);
    assert.equal(reExam.facility_name, 'Bệnh viện Đa khoa Tỉnh Thử');
    assert.ok(reExam.bring.includes('Giấy hẹn khám lại số GH-77'));
    assert.ok(reExam.bring.some((b: string) => b.startsWith('Thẻ BHYT')));
    const referral = r.appointments.find((a: { kind: string }) => a.kind === 'referral');
    assert.equal(referral.facility_name, 'Bệnh viện Tim mạch Thử');
    assert.ok(referral.bring.includes('Giấy chuyển tuyến số CT-12'));
    assert.ok(!('person_id' in referral));
  });

  it('the receiving facility and the station see who is expected, never a sensitive visit of another facility', async () => {
    const heart = await get('/api/v1/appointments/facility', receiving);
    assert.deepEqual(
      heart.appointments.map((a: { kind: string; ho_ten: string }) => [a.kind, a.ho_ten]),
      [['referral', 'Nguyễn Văn Hẹn']],
    );
    const own = await get(`/api/v1/appointments/facility?from=${today}`, hospital);
    assert.equal(own.appointments.length, 2, 'the treating facility sees its own re-exams, the sensitive one included');
    const paged = await get(`/api/v1/appointments/facility?from=${today}&per_page=1&page=2`, hospital);
    assert.deepEqual([paged.total, paged.page, paged.pages, paged.appointments.length], [2, 2, 2, 1]);
    assert.deepEqual(paged.days, [{ date: today, count: 2 }], 'the day counts cover the whole range, not the page');
    assert.ok(!('person_id' in paged.appointments[0]));
    const st = await get('/api/v1/appointments/station', station);
    const numbers = st.appointments.map((a: { number: string }) => a.number).sort();
    assert.deepEqual(numbers, ['CT-12', 'GH-77']);
    assert.doesNotMatch(JSON.stringify(st), /HIV/);
    const audited = await sql<{ n: number }>`select count(*)::int as n from audit_event where action = 'appointments.station.read' and person_id = 'P1'`.execute(t.db.db);
    assert.equal(audited.rows[0]!.n, 2);
  });

  it('no-show: an appointment day passed without a visit at that facility counts', async () => {
    const own = await get('/api/v1/appointments/facility', hospital);
    assert.deepEqual({ due: own.no_show.due, kept: own.no_show.kept, no_show: own.no_show.no_show }, { due: 2, kept: 1, no_show: 1 });
    assert.equal(own.no_show.rate, 0.5);
  });

  it('reminders: planned once per appointment and channel, delivered in-app and by e-mail, SMS opted out, quiet hours defer', async () => {
    const put = await t.app.inject({ method: 'PUT', url: '/api/v1/book/notification-settings', headers: { cookie, origin: t.url }, payload: { channel: 'sms', opted_out: true } });
    assert.equal(put.statusCode, 200, put.body);
    const mail = await t.app.inject({ method: 'PUT', url: '/api/v1/book/notification-settings', headers: { cookie, origin: t.url }, payload: { channel: 'email', opted_out: false, address: 'hen@example.vn' } });
    assert.equal(mail.statusCode, 200, mail.body);
    const bad = await t.app.inject({ method: 'PUT', url: '/api/v1/book/notification-settings', headers: { cookie, origin: t.url }, payload: { channel: 'email', opted_out: false, address: 'không phải email' } });
    assert.equal(bad.statusCode, 400);

    const first = await planReminders(t.db.db);
    assert.equal(first.planned, 9, '3 upcoming appointments × 3 channels (past ones get none)');
    assert.equal((await planReminders(t.db.db)).planned, 0, 'planned once');

    // Delivery at 22:00 Vietnam time: in-app goes, e-mail waits for 07:00.
    const night = new Date(Date.parse(`${today}T15:00:00Z`));
    const mailer = smtpMailSender(smtpUrl, 'So suc khoe <no-reply@openhssk.local>');
    const runNight = new JobRunner(t.db.db).work(REMINDER_QUEUE, reminderHandler({ mail: mailer, text: new FileTextSender(smsFile) }, () => night), { pollSeconds: 0.5, onAttemptFailed: reminderAttemptFailed });
    await runNight.start();
    const status = async () => (await sql<{ channel: string; status: string; status_reason: string | null; n: number }>`select channel, status, status_reason, count(*)::int as n from appointment_reminder group by 1, 2, 3 order by 1, 2`.execute(t.db.db)).rows;
    await until('night run', async () => (await status()).every((r) => r.status !== 'pending'));
    await runNight.stop();
    assert.deepEqual(await status(), [
      { channel: 'email', status: 'deferred', status_reason: 'quiet_hours', n: 3 },
      { channel: 'in_app', status: 'sent', status_reason: null, n: 3 },
      { channel: 'sms', status: 'skipped', status_reason: 'opted_out', n: 3 },
    ]);
    assert.equal(mails.length, 0);
    assert.deepEqual(quietUntil(night), new Date(Date.parse(`${addDays(today, 1)}T00:00:00Z`)), '07:00 Vietnam time the next morning');

    // The deferred e-mails' jobs wait for 07:00; a worker at 10:00 takes them when due (made due now here).
    await sql`update pgboss.job set start_after = now() where name = ${REMINDER_QUEUE.name} and state = 'created'`.execute(t.db.db);
    const morning = new Date(Date.parse(`${today}T03:00:00Z`));
    const runDay = new JobRunner(t.db.db).work(REMINDER_QUEUE, reminderHandler({ mail: mailer, text: new FileTextSender(smsFile) }, () => morning), { pollSeconds: 0.5, onAttemptFailed: reminderAttemptFailed });
    await runDay.start();
    await until('e-mails sent', async () => mails.length === 3);
    await until('statuses', async () => (await status()).some((r) => r.channel === 'email' && r.status === 'sent' && r.n === 3));
    await runDay.stop();
    mailer.close();
    assert.ok(mails.every((m) => m.to === 'hen@example.vn'));
    const sensitiveMail = mails.filter((m) => !/B=E1=BB=87nh vi=E1=BB=87n|Bệnh viện|GH-HIV/.test(m.body));
    assert.equal(sensitiveMail.length, 1, 'the sensitive visit’s e-mail names neither the place nor the visit');
    assert.doesNotMatch(mails.map((m) => m.body).join('\n'), /HIV/);
    assert.equal((await jobCounts(t.db.db, REMINDER_QUEUE)).failed, 0);

    const n = await get('/api/v1/book/notifications', cookie);
    assert.equal(n.unread, 3);
    assert.ok(n.notifications.some((x: { title: string }) => x.title === `Nhắc lịch hẹn khám lại ngày ${today.slice(8, 10)}/${today.slice(5, 7)}/${today.slice(0, 4)}`));
    const read = await t.app.inject({ method: 'POST', url: '/api/v1/book/notifications/read', headers: { cookie, origin: t.url }, payload: { ids: [n.notifications[0].id] } });
    assert.equal(read.json().changed, 1);
    assert.equal((await get('/api/v1/book/notifications', cookie)).unread, 2);
    const book = await get('/api/v1/book/appointments?include_sensitive=true', cookie);
    assert.equal(book.reminders.filter((r: { channel: string; status: string }) => r.channel === 'email' && r.status === 'sent').length, 3);
    const plain = await get('/api/v1/book/appointments', cookie);
    assert.equal(plain.reminders.filter((r: { channel: string }) => r.channel === 'email').length, 2, 'a sensitive visit’s reminders stay out with its appointment');
  });

  it('SMS goes to the file sink only to the number the citizen gave for reminders, never to the registry phone alone', async () => {
    await t.app.inject({ method: 'PUT', url: '/api/v1/book/notification-settings', headers: { cookie, origin: t.url }, payload: { channel: 'sms', opted_out: false, address: null } });
    await sql`update appointment_reminder set status = 'pending', status_reason = null where channel = 'sms'`.execute(t.db.db);
    {
      const ids = (await sql<{ id: number; due_at: Date }>`select id, due_at from appointment_reminder where channel = 'sms'`.execute(t.db.db)).rows;
      const { enqueue } = await import('../jobs/index.ts');
      for (const r of ids) await enqueue(t.db.db, REMINDER_QUEUE, { reminderId: Number(r.id), dueAt: r.due_at.toISOString() }, { key: `no-address:${r.id}` });
      const morning = new Date(Date.parse(`${today}T03:00:00Z`));
      const run = new JobRunner(t.db.db).work(REMINDER_QUEUE, reminderHandler({ text: new FileTextSender(smsFile) }, () => morning), { pollSeconds: 0.5 });
      await run.start();
      await until('sms skipped', async () => (await sql<{ n: number }>`select count(*)::int as n from appointment_reminder where channel = 'sms' and status = 'pending'`.execute(t.db.db)).rows[0]!.n === 0);
      await run.stop();
      assert.equal(existsSync(smsFile) ? readFileSync(smsFile, 'utf8').trim() : '', '', 'no text to the registry phone');
    }
    await t.app.inject({ method: 'PUT', url: '/api/v1/book/notification-settings', headers: { cookie, origin: t.url }, payload: { channel: 'sms', opted_out: false, address: '0912345678' } });
    await sql`update appointment_reminder set status = 'pending', status_reason = null where channel = 'sms'`.execute(t.db.db);
    const ids = (await sql<{ id: number; due_at: Date }>`select id, due_at from appointment_reminder where channel = 'sms'`.execute(t.db.db)).rows;
    const { enqueue } = await import('../jobs/index.ts');
    for (const r of ids) await enqueue(t.db.db, REMINDER_QUEUE, { reminderId: Number(r.id), dueAt: r.due_at.toISOString() });
    const morning = new Date(Date.parse(`${today}T03:00:00Z`));
    const run = new JobRunner(t.db.db).work(REMINDER_QUEUE, reminderHandler({ text: new FileTextSender(smsFile) }, () => morning), { pollSeconds: 0.5 });
    await run.start();
    await until('sms sent', async () => (await sql<{ n: number }>`select count(*)::int as n from appointment_reminder where channel = 'sms' and status = 'sent'`.execute(t.db.db)).rows[0]!.n === 3);
    await run.stop();
    const lines = readFileSync(smsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { to: string; text: string });
    assert.equal(lines.length, 3);
    assert.ok(lines.every((l) => l.to === '0912345678'));
    assert.equal(lines.filter((l) => l.text.startsWith('So suc khoe dien tu: ban co lich hen kham')).length, 1, 'the sensitive one is generic');
  });
  it('a re-sent visit that moves the re-exam date: the stale date is never sent, the reminder follows the new date', async () => {
    const db = t.db.db;
    const old = new Date(Date.now() - 60_000);
    await planReminders(db);
    const d1 = addDays(today, 3);
    const d2 = addDays(today, 5);
    const first = await insertEpisode(db, { facility: '51001', personId: 'P3', ngayVao: `${addDays(today, -1)} 08:00:00`, receivedAt: old, rows: { XML14: [{ NGAY_HEN_KL: compact(d1), SO_GIAYHEN_KL: 'GH-MOVE' }] } });
    const maLk = (await db.selectFrom('episode').select('ma_lk').where('id', '=', first).executeTakeFirstOrThrow()).ma_lk;
    assert.equal((await planReminders(db)).planned, 3);
    // The hospital re-sends the visit with another date; the reminder job runs before the planner has seen that version.
    let version = 1;
    const resend = async (day: string) => {
      version++;
      const id = await insertEpisode(db, { facility: '51001', personId: 'P3', ngayVao: `${addDays(today, -1)} 08:00:00`, receivedAt: old, rows: { XML14: [{ NGAY_HEN_KL: compact(day), SO_GIAYHEN_KL: 'GH-MOVE' }] } });
      await db.updateTable('episode').set({ is_current: false }).where('ma_lk', '=', maLk).where('facility_code', '=', '51001').execute();
      await db.updateTable('episode').set({ ma_lk: maLk, version, is_current: true }).where('id', '=', id).execute();
    };
    await resend(d2);
    const inApp = async () => (await sql<{ status: string; appointment_date: string }>`select status, appointment_date::text as appointment_date from appointment_reminder where ma_lk = ${maLk} and channel = 'in_app'`.execute(db)).rows[0]!;
    const runDue = async () => {
      await sql`update pgboss.job set start_after = now() where name = ${REMINDER_QUEUE.name} and state in ('created', 'retry')`.execute(db);
      const run = new JobRunner(db).work(REMINDER_QUEUE, reminderHandler({}, () => new Date(Date.parse(`${today}T03:00:00Z`))), { pollSeconds: 0.5 });
      await run.start();
      await until('queue drained', async () => {
        const c = await jobCounts(db, REMINDER_QUEUE);
        return c.created + c.retry + c.active === 0;
      });
      await run.stop();
    };
    await runDue();
    const stale = await sql<{ n: number }>`select count(*)::int as n from citizen_notification where person_id = 'P3'`.execute(db);
    assert.equal(stale.rows[0]!.n, 0, 'no reminder names the date the hospital moved away from');
    assert.deepEqual(await inApp(), { status: 'pending', appointment_date: d1 });

    assert.equal((await planReminders(db)).planned, 3, 'the planner moves the reminders to the new date');
    await runDue();
    assert.deepEqual(await inApp(), { status: 'sent', appointment_date: d2 });
    const sent = await sql<{ title: string }>`select title from citizen_notification where person_id = 'P3'`.execute(db);
    assert.deepEqual(sent.rows.map((r) => r.title), [`Nhắc lịch hẹn khám lại ngày ${d2.slice(8, 10)}/${d2.slice(5, 7)}/${d2.slice(0, 4)}`]);

    // Moved again after the reminder went out: the new date gets its own reminder.
    await resend(addDays(today, 6));
    assert.equal((await planReminders(db)).planned, 3);
    assert.deepEqual(await inApp(), { status: 'pending', appointment_date: addDays(today, 6) });
  });
  const inAppOf = async (id: number) =>
    (await sql<{ n: number }>`select count(*)::int as n from appointment_reminder r join episode e on e.facility_code = r.facility_code and e.ma_lk = r.ma_lk
        where e.id = ${id} and r.channel = 'in_app'`.execute(t.db.db)).rows[0]!.n;

  it('an episode stored with a lower id after a higher one was planned is still planned (no id order)', async () => {
    const db = t.db.db;
    await planReminders(db);
    // The ids are handed out as to an ingest that took its id early and commits late: a later
    // episode with a higher id is stored and planned first.
    const start = Number((await sql<{ id: string }>`select nextval('episode_id_seq') as id`.execute(db)).rows[0]!.id);
    await sql`select setval('episode_id_seq', ${start + 100})`.execute(db);
    const later = await insertEpisode(db, { facility: '51001', personId: 'P2', ngayVao: `${addDays(today, -1)} 08:00:00`, rows: { XML14: [{ NGAY_HEN_KL: compact(addDays(today, 4)) }] } });
    assert.equal((await planReminders(db)).planned, 3);
    await sql`select setval('episode_id_seq', ${start})`.execute(db);
    const early = await insertEpisode(db, { facility: '51001', personId: 'P2', ngayVao: `${addDays(today, -1)} 09:00:00`, receivedAt: new Date(Date.now() - 60_000), rows: { XML14: [{ NGAY_HEN_KL: compact(addDays(today, 5)) }] } });
    assert.ok(early < later);
    await sql`select setval('episode_id_seq', ${start + 200})`.execute(db);
    assert.equal((await planReminders(db)).planned, 3, 'the late episode is planned');
    assert.equal(await inAppOf(early), 1);
  });

  it('an ingest transaction held open past the old holdback is planned once it commits (PostgreSQL, two connections)', { skip: process.env.HSSK_TEST_DB === 'postgres' ? false : 'PGlite has one connection: no transaction is open beside another' }, async () => {
    const db = t.db.db;
    await planReminders(db);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let heldId = 0;
    let stored!: () => void;
    const inserted = new Promise<void>((r) => {
      stored = r;
    });
    // The held transaction takes its episode id first and received_at a minute ago (past any holdback).
    const held = db.transaction().execute(async (tx) => {
      heldId = await insertEpisode(tx, { facility: '51001', personId: 'P2', ngayVao: `${addDays(today, -1)} 10:00:00`, receivedAt: new Date(Date.now() - 60_000), rows: { XML14: [{ NGAY_HEN_KL: compact(addDays(today, 6)) }] } });
      stored();
      await gate;
    });
    await inserted;
    const later = await insertEpisode(db, { facility: '51001', personId: 'P2', ngayVao: `${addDays(today, -1)} 11:00:00`, rows: { XML14: [{ NGAY_HEN_KL: compact(addDays(today, 7)) }] } });
    assert.ok(later > heldId, 'the committed episode has the higher id');
    assert.equal((await planReminders(db)).planned, 3, 'only the committed episode is planned while the other is open');
    assert.equal(await inAppOf(later), 1);
    release();
    await held;
    assert.equal(await inAppOf(heldId), 0);
    assert.equal((await planReminders(db)).planned, 3, 'the late commit is planned');
    assert.equal(await inAppOf(heldId), 1);
  });

  it("a queued episode carries its row's person and follows it when the MPI moves the episode; the planner finds it there", async () => {
    const db = t.db.db;
    await planReminders(db);
    await sql`insert into source_record (source_system, source_id, ho_ten, content_hash, person_id) values ('KCB', 'KCB-QUEUE', 'Trần Thị Vắng', 'q', 'P2')`.execute(db);
    const moved = await insertEpisode(db, { facility: '51001', personId: 'P2', ngayVao: `${addDays(today, -1)} 12:00:00`, rows: { XML14: [{ NGAY_HEN_KL: compact(addDays(today, 8)) }] } });
    await db.updateTable('episode').set({ patient_source_id: 'KCB-QUEUE' }).where('id', '=', moved).execute();
    const unlinked = await insertEpisode(db, { facility: '51001', personId: null, ngayVao: `${addDays(today, -1)} 13:00:00`, rows: { XML13: [{ MA_CSKCB_DEN: '51002', NGAY_RA: `${compact(addDays(today, 9))}0900` }] } });
    const queue = async () =>
      (await sql<{ person_id: string | null; episode_id: string }>`select person_id, episode_id::text as episode_id from appointment_plan_queue order by episode_id`.execute(db)).rows;
    assert.deepEqual(await queue(), [{ person_id: 'P2', episode_id: String(moved) }, { person_id: null, episode_id: String(unlinked) }]);

    // The MPI re-points the patient record (a merge or relink) and the episode follows it.
    await sql`update source_record set person_id = 'P3' where source_system = 'KCB' and source_id = 'KCB-QUEUE'`.execute(db);
    await episodesFollowSourceRecords(db, ['KCB-QUEUE']);
    assert.deepEqual((await queue())[0], { person_id: 'P3', episode_id: String(moved) }, 'the entry moved with its episode rows');

    assert.equal((await planReminders(db)).planned, 6, 'both episodes planned, the moved one found on its new person');
    assert.equal(await inAppOf(moved), 1);
    assert.equal(await inAppOf(unlinked), 1);
    assert.deepEqual(await queue(), []);
  });
});
