import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AccessLog as Page } from '@openhssk/core/api';
import { type BookFixture, bookFixture, FAC, FAC2, json } from '../../test-support/book-fixture.ts';
import { staffSession } from '../../test-support/staff.ts';
import { audit } from './audit.ts';

const WHEN = /lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/;
const REASON = 'Người bệnh hôn mê, cần biết thuốc đang dùng';

describe(`citizen access log in plain words (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let f: BookFixture;
  let sensitive: { id: number; ngay_vao: string };
  let plain: { id: number; ngay_vao: string };
  const log = async (qs = '', cookie?: string) => {
    const r = await json<Page>(f.app, 'GET', `/api/v1/book/access-log${qs}`, cookie ?? f.cookies.A);
    assert.equal(r.status, 200, r.body);
    return { page: r.json(), body: r.body };
  };
  const dmy = (v: string) => `${v.slice(8, 10)}/${v.slice(5, 7)}/${v.slice(0, 4)}`;

  before(async () => {
    f = await bookFixture();
    const eps = await f.db.db.selectFrom('episode').select(['id', 'ngay_vao', 'sensitivity', 'facility_code']).where('person_id', '=', 'PA').execute();
    sensitive = eps.find((e) => e.sensitivity.length > 0)!;
    plain = eps.find((e) => e.sensitivity.length === 0 && e.facility_code === FAC)!;
    // The citizen reads one ordinary and one sensitive visit.
    for (const id of [plain.id, sensitive.id]) assert.equal((await json(f.app, 'GET', `/api/v1/book/episodes/${id}`, f.cookies.A)).status, 200);
    // A doctor of another facility opens the record in an emergency, then reads the summary.
    const doctor = await staffSession(f.app, f.db.db, { username: 'bs.capcuu', fullName: 'Nguyễn Văn Minh', role: 'clinician', facilityCode: FAC2 });
    await f.db.db.updateTable('facility').set({ name: 'Bệnh viện Thử Hai' }).where('code', '=', FAC2).execute();
    const bg = await f.app.inject({ method: 'POST', url: '/api/v1/clinic/patients/PA/break-glass', headers: { cookie: doctor.cookie }, payload: { reason: REASON } });
    assert.equal(bg.statusCode, 201, bg.body);
    assert.equal((await f.app.inject({ method: 'GET', url: '/api/v1/clinic/patients/PA/summary', headers: { cookie: doctor.cookie } })).statusCode, 200);
    // A receptionist of the first facility checks the citizen in.
    const desk = await staffSession(f.app, f.db.db, { username: 'letan.thu', fullName: 'Trần Thị Lan', role: 'receptionist', facilityCode: FAC });
    const ci = await f.app.inject({ method: 'POST', url: '/api/v1/clinic/checkin', headers: { cookie: desk.cookie }, payload: { method: 'chip_cccd', value: '051090000001' } });
    assert.equal(ci.statusCode < 300, true, ci.body);
  });
  after(async () => f?.close());

  it('others first: staff reads as sentences with name, role, workplace and time; no codes or ids', async () => {
    const { page, body } = await log();
    assert.equal(page.filter, 'others');
    assert.ok(page.events.length >= 3);
    assert.ok(page.events.every((e) => !e.self && e.actor_type !== 'citizen'), 'the citizen’s own views are not in “others”');
    assert.ok(page.counts.all > page.counts.others);
    const read = page.events.find((e) => e.action === 'clinic.summary.read')!;
    assert.match(read.sentence, /^BS\. Nguyễn Văn Minh, Bệnh viện Thử Hai xem tóm tắt hồ sơ \(truy cập khẩn cấp khi cấp cứu\) lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
    assert.equal(read.role_label, 'bác sĩ');
    const grant = page.events.find((e) => e.action === 'clinic.break_glass')!;
    assert.equal(grant.break_glass, true);
    assert.match(grant.sentence, /truy cập khẩn cấp khi cấp cứu/);
    // The reason is the doctor's free text and may name a sensitive condition: held back by default.
    assert.equal(grant.emergency_reason, null);
    assert.equal(grant.emergency_reason_withheld, true);
    assert.equal(body.includes(REASON), false, 'the emergency reason is not sent while sensitive visits are hidden');
    assert.ok(page.events.filter((e) => e.action !== 'clinic.break_glass').every((e) => !e.emergency_reason_withheld));
    const checkin = page.events.find((e) => e.action === 'clinic.checkin')!;
    assert.match(checkin.sentence, /^Trần Thị Lan \(nhân viên tiếp đón\), Bệnh viện Đa khoa Tỉnh Thử tiếp nhận lượt khám ngày \d{2}\/\d{2}\/\d{4} tại Bệnh viện Đa khoa Tỉnh Thử lúc/);
    for (const e of page.events) {
      assert.match(e.sentence, WHEN);
      assert.doesNotMatch(e.sentence, /[a-z_]+\.[a-z_]+|[a-z][a-z_-]*\/\d+|clinician|receptionist|phá kính/, e.sentence);
    }
    assert.doesNotMatch(body, /"resource"/, 'record ids are not sent');
  });

  it('the emergency reason is shown once the citizen chooses to show sensitive visits', async () => {
    const { page } = await log('?include_sensitive=1');
    const grant = page.events.find((e) => e.action === 'clinic.break_glass')!;
    assert.equal(grant.emergency_reason, REASON);
    assert.equal(grant.emergency_reason_withheld, false);
  });

  it('all: the citizen’s own views as “Bạn”, visits named by date and place, sensitive ones not named', async () => {
    const { page, body } = await log('?filter=all&limit=100');
    const own = page.events.filter((e) => e.self);
    assert.ok(own.length > 0 && own.every((e) => e.who === 'Bạn'));
    const reads = own.filter((e) => e.action === 'book.episode.read');
    assert.equal(reads.length, 2);
    assert.ok(reads.some((e) => e.what === `xem chi tiết lượt khám ngày ${dmy(plain.ngay_vao)} tại Bệnh viện Đa khoa Tỉnh Thử`), JSON.stringify(reads));
    // The sensitive visit reads like any visit that cannot be named: no date, no place, no id.
    assert.ok(reads.some((e) => e.what === 'xem chi tiết một lượt khám'));
    assert.equal(body.includes(dmy(sensitive.ngay_vao)), false, 'the sensitive visit’s date appears nowhere');
    assert.equal(body.includes(`episode/${sensitive.id}`), false);
    // Asked for, it is named like the others.
    const shown = (await log('?filter=all&limit=100&include_sensitive=1')).page.events.filter((e) => e.action === 'book.episode.read');
    assert.ok(shown.some((e) => e.what.includes(dmy(sensitive.ngay_vao))));
  });

  it('pages by `before` without gaps or repeats, and audits each read', async () => {
    const first = await log('?filter=all&limit=3');
    const top = first.page.events[0]!.id;
    const expected = await f.db.db.selectFrom('audit_event').select('id').where('person_id', '=', 'PA').where('id', '<=', top).orderBy('id', 'desc').execute();
    const seen = first.page.events.map((e) => e.id);
    let next = first.page.next_before;
    while (next !== null) {
      const p = (await log(`?filter=all&limit=3&before=${next}`)).page;
      assert.ok(p.events.length <= 3);
      seen.push(...p.events.map((e) => e.id));
      next = p.next_before;
    }
    assert.deepEqual(seen, expected.map((r) => r.id));
    const reads = await f.db.db.selectFrom('audit_event').select('id').where('person_id', '=', 'PA').where('action', '=', 'book.access_log.read').execute();
    assert.ok(reads.length >= 3);
    assert.equal((await json(f.app, 'GET', '/api/v1/book/access-log?limit=1000', f.cookies.A)).status, 400, 'page size is bounded');
  });

  it('an action without wording yet is still a sentence, never its code', async () => {
    await audit(f.db.db, { actor: { type: 'staff', id: 'x', name: 'Phạm Văn Tư', role: 'health_officer' }, action: 'reports.something.new', personId: 'PA', resource: 'thing/42' });
    const e = (await log()).page.events[0]!;
    assert.equal(e.sentence.startsWith('Phạm Văn Tư (cán bộ quản lý y tế) truy cập hồ sơ lúc'), true, e.sentence);
  });

  it('a parent reading a child’s log is “Bạn” there, and the page says whose book it is', async () => {
    assert.equal((await json(f.app, 'GET', '/api/v1/book/summary?person=PC', f.cookies.A)).status, 200);
    const { page } = await log('?person=PC&filter=all');
    assert.equal(page.viewing_child?.name, 'Nguyễn Minh Châu');
    const mine = page.events.filter((e) => e.action === 'book.summary.read');
    assert.ok(mine.length > 0 && mine.every((e) => e.who === 'Bạn'));
    assert.equal((await json(f.app, 'GET', '/api/v1/book/access-log?person=PC', f.cookies.B)).status, 404);
  });
});
