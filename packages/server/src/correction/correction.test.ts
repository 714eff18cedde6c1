import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addWorkingDays, vietnamToday } from '@openhssk/core';
import type { CitizenCorrections, StaffCorrection, StaffCorrectionDetail } from '@openhssk/core/api';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope } from '@openhssk/core/xml130';
import { type BookFixture, bookFixture, FAC, FAC2, json } from '../../test-support/book-fixture.ts';
import { issueCredential } from '../facility/index.ts';
import { staffSession } from '../../test-support/staff.ts';
import { purgeCorrectionDemo } from './purge.ts';
import { correctionFigures, dueDate } from './index.ts';
import { correctionDb } from './tables.ts';

// Routing, SLA dates, permissions, audit and sensitive visits of correction requests, through the
// real HTTP routes on the database chosen by HSSK_TEST_DB.

const PROVINCE = '99';
const COMMUNE = '99001';
const OTHER_PROVINCE = '98';

interface Created {
  id: number;
  status: string;
  due_on: string;
  routed_to: string;
}

describe('correction requests', () => {
  let f: BookFixture;
  const staff: Record<string, string> = {};
  const ids: Record<string, number> = {};
  let token: string;

  before(async () => {
    f = await bookFixture();
    const db = f.db.db;
    await db.insertInto('admin_unit').values([
      { code: PROVINCE, level: 'province', name: 'Tỉnh Thử', parent_code: null, valid_from: null, valid_to: null },
      { code: COMMUNE, level: 'commune', name: 'Xã Thử', parent_code: PROVINCE, valid_from: null, valid_to: null },
      { code: OTHER_PROVINCE, level: 'province', name: 'Tỉnh Khác', parent_code: null, valid_from: null, valid_to: null },
    ]).execute();
    await db.updateTable('person').set({ ma_xa: COMMUNE, so_dien_thoai: '0905000001' }).where('id', 'in', ['PA', 'PC']).execute();
    await db.updateTable('facility').set({ name: 'Bệnh viện Thứ Hai' }).where('code', '=', FAC2).execute();
    for (const [name, s] of [
      ['fac', { username: 'qt.fac', fullName: 'Quản trị Một', role: 'facility_admin' as const, facilityCode: FAC }],
      ['fac2', { username: 'qt.fac2', fullName: 'Quản trị Hai', role: 'facility_admin' as const, facilityCode: FAC2 }],
      ['officer', { username: 'cb.tinh', fullName: 'Cán bộ Tỉnh', role: 'health_officer' as const, adminUnitCode: PROVINCE }],
      ['otherOfficer', { username: 'cb.khac', fullName: 'Cán bộ Tỉnh Khác', role: 'health_officer' as const, adminUnitCode: OTHER_PROVINCE }],
      ['clinician', { username: 'bs.fac', fullName: 'Bác sĩ', role: 'clinician' as const, facilityCode: FAC }],
    ] as const) {
      staff[name] = (await staffSession(f.app, db, s)).cookie;
    }
    // The facility's HIS re-sends through the same ingest API (a test-mode facility: unsigned). The
    // fixture's secret is not kept; a new one is issued the way an operator would.
    const c = await issueCredential(db, FAC);
    const r = await f.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret } });
    token = (r.json() as { access_token: string }).access_token;
  });
  after(async () => f?.close());

  const queueOf = async (who: string, query = '') => {
    const r = await json<{ requests: StaffCorrection[] }>(f.app, 'GET', `/api/v1/corrections${query}`, staff[who]);
    assert.equal(r.status, 200, r.body);
    return r.json().requests;
  };
  const file = async (cookie: string, body: unknown, person?: string) => json<Created & { code?: string; message_vi?: string }>(f.app, 'POST', `/api/v1/book/corrections${person ? `?person=${person}` : ''}`, cookie, body);

  it('validates with Vietnamese messages and refuses someone else’s visit as missing', async () => {
    const short = await file(f.cookies.A, { kind: 'not_mine', episode_id: f.episodes.A[0], note: 'sai' });
    assert.equal(short.status, 400);
    assert.equal(short.json().code, 'CORRECTION_NOTE_SHORT');
    assert.match(short.json().message_vi ?? '', /ít nhất 10 ký tự/);
    const noFields = await file(f.cookies.A, { kind: 'wrong_personal', note: 'Thông tin của tôi bị sai' });
    assert.equal(noFields.json().code, 'CORRECTION_FIELDS_REQUIRED');
    const noVisit = await file(f.cookies.A, { kind: 'not_mine', note: 'Không phải lượt khám của tôi' });
    assert.equal(noVisit.json().code, 'CORRECTION_EPISODE_REQUIRED');
    const wrongKindField = await file(f.cookies.A, { kind: 'wrong_clinical', episode_id: f.episodes.A[0], fields: ['ho_ten'], note: 'Chẩn đoán không đúng với tôi' });
    assert.equal(wrongKindField.json().code, 'CORRECTION_FIELD_UNKNOWN');
    const others = await file(f.cookies.A, { kind: 'not_mine', episode_id: f.episodes.B[0], note: 'Không phải lượt khám của tôi' });
    assert.equal(others.status, 404);
  });

  it('routes episode data to the sending facility and identity data also to the area’s MPI officer, with a 10-working-day due date', async () => {
    const today = vietnamToday();
    const notMine = await file(f.cookies.A, { kind: 'not_mine', episode_id: f.episodes.A[0], note: 'Tôi không khám ở đây ngày này' });
    assert.equal(notMine.status, 201, notMine.body);
    ids.notMine = notMine.json().id;
    assert.equal(notMine.json().status, 'new');
    assert.equal(notMine.json().due_on, await dueDate(f.db.db, today));
    // Weekends and the holiday table are skipped, whatever today is.
    const holidays = new Set((await correctionDb(f.db.db).selectFrom('correction_holiday').select('day').execute()).map((r) => r.day));
    assert.equal(notMine.json().due_on, addWorkingDays(today, 10, holidays));
    const clinical = await file(f.cookies.A, { kind: 'wrong_clinical', episode_id: f.episodes.A[2], fields: ['diagnosis'], note: 'Tôi không bị tăng huyết áp' });
    assert.equal(clinical.status, 201, clinical.body);
    ids.clinical = clinical.json().id;
    assert.equal(clinical.json().routed_to, 'Bệnh viện Thứ Hai');
    const personal = await file(f.cookies.A, { kind: 'wrong_personal', fields: ['so_dien_thoai'], note: 'Số điện thoại của tôi là 0905 123 456' });
    assert.equal(personal.status, 201, personal.body);
    ids.personal = personal.json().id;

    const fac = await queueOf('fac');
    assert.deepEqual(fac.map((r) => r.id), [ids.notMine]);
    assert.equal(fac[0]!.person.ho_ten, 'Nguyễn Văn An');
    assert.deepEqual(fac[0]!.can, { take: true, resolve: [], reject: true });
    assert.deepEqual((await queueOf('fac2')).map((r) => r.id), [ids.clinical]);
    const officer = await queueOf('officer');
    assert.deepEqual(officer.map((r) => r.id).sort(), [ids.notMine, ids.personal].sort(), 'identity data: not my visit and personal data, not the diagnosis');
    assert.deepEqual(officer.find((r) => r.id === ids.personal)!.can, { take: true, resolve: ['mpi_decision', 'golden_field'], reject: true });
    assert.deepEqual(officer.find((r) => r.id === ids.notMine)!.can, { take: false, resolve: ['mpi_decision'], reject: false }, 'the facility owns a visit');
    assert.deepEqual(await queueOf('otherOfficer'), [], 'another area sees nothing');
    assert.equal((await json(f.app, 'GET', '/api/v1/corrections', staff.clinician)).status, 403);

    // One open request per visit and kind.
    const again = await file(f.cookies.A, { kind: 'not_mine', episode_id: f.episodes.A[0], note: 'Tôi không khám ở đây ngày này' });
    assert.equal(again.status, 409);
    assert.equal(again.json().code, 'CORRECTION_ALREADY_OPEN');
  });

  it('a facility admin of another facility can neither see nor act', async () => {
    for (const [method, url, body] of [
      ['GET', `/api/v1/corrections/${ids.notMine}`, undefined],
      ['POST', `/api/v1/corrections/${ids.notMine}/take`, undefined],
      ['POST', `/api/v1/corrections/${ids.notMine}/reject`, { reason: 'Không phải việc của cơ sở chúng tôi' }],
      ['POST', `/api/v1/corrections/${ids.notMine}/resolve`, { resolution: 'resent' }],
    ] as const) {
      const r = await json(f.app, method, url, staff.fac2, body);
      assert.equal(r.status, 404, `${method} ${url}: ${r.body}`);
    }
    const d = await json<StaffCorrectionDetail>(f.app, 'GET', `/api/v1/corrections/${ids.notMine}`, staff.fac);
    assert.equal(d.json().status, 'new', 'nothing changed');
  });

  it('sensitive visits stay with the sending facility and are not hinted at elsewhere', async () => {
    const sensitiveId = f.episodes.A[1]!;
    const s = await file(f.cookies.A, { kind: 'not_mine', episode_id: sensitiveId, note: 'Lượt khám này không phải của tôi' });
    assert.equal(s.status, 201, s.body);
    ids.sensitive = s.json().id;
    assert.ok((await queueOf('fac')).some((r) => r.id === ids.sensitive), 'the sending facility sees it');
    assert.ok(!(await queueOf('officer')).some((r) => r.id === ids.sensitive), 'never in the MPI officer’s queue');
    assert.equal((await json(f.app, 'GET', `/api/v1/corrections/${ids.sensitive}`, staff.officer)).status, 404);
    const fig = (await correctionFigures(f.db.db, [PROVINCE], { from: vietnamToday(), to: vietnamToday() })).get(PROVINCE)!;
    assert.equal(fig.open, 3, 'the department’s figures leave it out');
    assert.equal(fig.received, 3);
    const plain = await json<CitizenCorrections>(f.app, 'GET', '/api/v1/book/corrections', f.cookies.A);
    assert.ok(!plain.json().requests.some((r) => r.id === ids.sensitive), 'the book lists it only with sensitive visits shown');
    const shown = await json<CitizenCorrections>(f.app, 'GET', '/api/v1/book/corrections?include_sensitive=1', f.cookies.A);
    assert.ok(shown.json().requests.some((r) => r.id === ids.sensitive));
  });

  it('the facility resolves by re-sending the visit: detected by version, audited, and the citizen sees the outcome', async () => {
    const early = await json<{ code: string }>(f.app, 'POST', `/api/v1/corrections/${ids.notMine}/resolve`, staff.fac, { resolution: 'resent' });
    assert.equal(early.status, 409);
    assert.equal(early.json().code, 'CORRECTION_NOT_RESENT');
    const took = await json(f.app, 'POST', `/api/v1/corrections/${ids.notMine}/take`, staff.fac);
    assert.equal(took.status, 200, took.body);

    // The HIS corrects the patient of this MA_LK (it was Bình's visit) and sends it again.
    const fixed = sampleEpisode(1, FAC);
    Object.assign(fixed.XML1![0]!, { SO_CCCD: '051090000002', HO_TEN: 'Trần Thị Bình', NGAY_SINH: '199001010000', GIOI_TINH: '2', MA_BN: 'BN-1', MA_THE_BHYT: '', MA_DKBD: '', GT_THE_TU: '', GT_THE_DEN: '' });
    const sent = await f.app.inject({
      method: 'POST',
      url: '/api/v1/xml130/submissions',
      headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` },
      payload: buildEnvelope({ facilityCode: FAC, createdDate: '20240306', episodes: [fixed] }),
    });
    assert.equal(sent.statusCode, 201, sent.body);
    const d = (await json<StaffCorrectionDetail>(f.app, 'GET', `/api/v1/corrections/${ids.notMine}`, staff.fac)).json();
    assert.equal(d.status, 'in_progress');
    assert.equal(d.assignee_name, 'Quản trị Một');
    assert.ok(d.newer_version, 'the re-sent version is detected');
    assert.equal(d.newer_version.version, 2);
    assert.equal(d.newer_version.still_this_person, false);
    assert.deepEqual(d.can.resolve, ['resent']);

    const ok = await json<{ status: string; resolution_ref: string }>(f.app, 'POST', `/api/v1/corrections/${ids.notMine}/resolve`, staff.fac, { resolution: 'resent', note: 'Đã sửa thông tin người bệnh và gửi lại.' });
    assert.equal(ok.status, 200, ok.body);
    assert.equal(ok.json().resolution_ref, `episode/${d.newer_version.episode_id}`);
    const twice = await json<{ code: string }>(f.app, 'POST', `/api/v1/corrections/${ids.notMine}/resolve`, staff.fac, { resolution: 'resent' });
    assert.equal(twice.json().code, 'CORRECTION_NOT_OPEN');

    const history = (await json<StaffCorrectionDetail>(f.app, 'GET', `/api/v1/corrections/${ids.notMine}`, staff.fac)).json().history;
    assert.deepEqual(history.map((h) => [h.action, h.from_status, h.to_status]), [
      ['created', null, 'new'],
      ['taken', 'new', 'in_progress'],
      ['resolved', 'in_progress', 'resolved'],
    ]);
    const audited = await f.db.db.selectFrom('audit_event').select(['action', 'actor_type']).where('person_id', '=', 'PA').where('action', 'like', '%correction%').execute();
    for (const a of ['book.correction.create', 'correction.queue.read', 'correction.read', 'correction.take', 'correction.resolve']) {
      assert.ok(audited.some((x) => x.action === a), `audited: ${a}`);
    }

    const book = (await json<CitizenCorrections>(f.app, 'GET', '/api/v1/book/corrections', f.cookies.A)).json();
    const mine = book.requests.find((r) => r.id === ids.notMine)!;
    assert.equal(mine.status, 'resolved');
    assert.equal(mine.unread, true);
    assert.match(mine.outcome ?? '', /gửi lại dữ liệu đã sửa/);
    assert.equal(mine.handled_by, 'Bệnh viện Đa khoa Tỉnh Thử');
    assert.ok(mine.history.every((h) => h.actor === 'Bạn' || h.actor === 'Bệnh viện Đa khoa Tỉnh Thử'), 'no staff names reach the citizen');
    assert.ok(book.unread >= 1);
    const read = await json<{ marked: number }>(f.app, 'POST', '/api/v1/book/corrections/read', f.cookies.A, { ids: [ids.notMine] });
    assert.equal(read.json().marked, 1);
    assert.equal((await json<CitizenCorrections>(f.app, 'GET', '/api/v1/book/corrections', f.cookies.A)).json().requests.find((r) => r.id === ids.notMine)!.unread, false);
    // The visit left A's book with the re-sent version.
    assert.equal((await json(f.app, 'GET', `/api/v1/book/episodes/${d.newer_version.episode_id}`, f.cookies.A)).status, 404);
  });

  it('the MPI officer resolves personal data by a changed golden record, and refuses with a reason', async () => {
    const early = await json<{ code: string }>(f.app, 'POST', `/api/v1/corrections/${ids.personal}/resolve`, staff.officer, { resolution: 'golden_field' });
    assert.equal(early.json().code, 'CORRECTION_GOLDEN_UNCHANGED');
    const badRef = await json<{ code: string }>(f.app, 'POST', `/api/v1/corrections/${ids.personal}/resolve`, staff.officer, { resolution: 'mpi_decision', ref: 'mpi_merge/999' });
    assert.equal(badRef.json().code, 'CORRECTION_MPI_REF_UNKNOWN');
    // The source was corrected (a new population list, applied by the MPI): the golden record changed.
    await f.db.db.updateTable('person').set({ so_dien_thoai: '0905123456' }).where('id', '=', 'PA').execute();
    const ok = await json<{ status: string }>(f.app, 'POST', `/api/v1/corrections/${ids.personal}/resolve`, staff.officer, { resolution: 'golden_field' });
    assert.equal(ok.status, 200, ok.body);
    const ev = await f.db.db.selectFrom('audit_event').select(['detail']).where('action', '=', 'correction.resolve').where('resource', '=', `correction_request/${ids.personal}`).executeTakeFirstOrThrow();
    assert.deepEqual((ev.detail as { changed: unknown }).changed, [{ field: 'so_dien_thoai', from: '0905000001', to: '0905123456' }]);

    const short = await json<{ code: string }>(f.app, 'POST', `/api/v1/corrections/${ids.clinical}/reject`, staff.fac2, { reason: 'không' });
    assert.equal(short.json().code, 'CORRECTION_REASON_SHORT');
    const rej = await json(f.app, 'POST', `/api/v1/corrections/${ids.clinical}/reject`, staff.fac2, { reason: 'Hồ sơ bệnh án ghi đúng chẩn đoán tăng huyết áp.' });
    assert.equal(rej.status, 200, rej.body);
    const mine = (await json<CitizenCorrections>(f.app, 'GET', '/api/v1/book/corrections', f.cookies.A)).json().requests.find((r) => r.id === ids.clinical)!;
    assert.equal(mine.status, 'rejected');
    assert.equal(mine.outcome, 'Hồ sơ bệnh án ghi đúng chẩn đoán tăng huyết áp.');
    const fig = (await correctionFigures(f.db.db, [PROVINCE], { from: vietnamToday(), to: vietnamToday() })).get(PROVINCE)!;
    assert.deepEqual(fig, { open: 0, overdue: 0, received: 3, resolved: 2, rejected: 1 });
  });

  it('a parent files in a child’s book; overdue requests show in the queue and the figures; demo purge removes requests', async () => {
    const child = await file(f.cookies.A, { kind: 'wrong_personal', fields: ['ngay_sinh'], note: 'Ngày sinh của cháu bị ghi sai' }, 'PC');
    assert.equal(child.status, 201, child.body);
    const row = await correctionDb(f.db.db).selectFrom('correction_request').selectAll().where('id', '=', child.json().id).executeTakeFirstOrThrow();
    assert.equal(row.person_id, 'PC');
    assert.equal(row.on_behalf_of_child, true);
    assert.equal((await file(f.cookies.B, { kind: 'wrong_personal', fields: ['ngay_sinh'], note: 'Ngày sinh của cháu bị ghi sai' }, 'PC')).status, 404, 'not B’s child');

    await correctionDb(f.db.db).updateTable('correction_request').set({ due_on: '2020-01-02' }).where('id', '=', child.json().id).execute();
    const overdue = await queueOf('officer', '?overdue=true');
    assert.deepEqual(overdue.map((r) => r.id), [child.json().id]);
    assert.equal(overdue[0]!.overdue, true);
    const fig = (await correctionFigures(f.db.db, [PROVINCE, COMMUNE], { from: vietnamToday(), to: vietnamToday() }));
    assert.equal(fig.get(COMMUNE)!.overdue, 1);
    assert.equal(fig.get(PROVINCE)!.overdue, 1);

    const purged = await f.db.db.transaction().execute((tx) => purgeCorrectionDemo(tx, { personIds: ['PC'], facilityCodes: [] }));
    assert.deepEqual(purged, { correction_request: 1, correction_event: 1 });
  });

  it('rate-limits one account to 5 requests a day', async () => {
    // A has 4 (the child's went with the purge above); a fifth is accepted, a sixth is not.
    assert.equal((await file(f.cookies.A, { kind: 'wrong_personal', fields: ['gioi_tinh'], note: 'Giới tính ghi chưa đúng' }, 'PC')).status, 201);
    const sixth = await file(f.cookies.A, { kind: 'wrong_personal', fields: ['dia_chi'], note: 'Địa chỉ của tôi đã đổi sang thôn khác' });
    assert.equal(sixth.status, 429, sixth.body);
    assert.equal(sixth.json().code, 'CORRECTION_RATE_LIMITED');
  });

});
