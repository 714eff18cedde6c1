import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { vietnamToday } from '@openhssk/core';
import type { FastifyInstance } from 'fastify';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { citizenCookie } from '../../test-support/book-fixture.ts';
import { staffSession } from '../../test-support/staff.ts';
import { upsertPersons } from '../person/index.ts';

const Y = Number(vietnamToday().slice(0, 4));
const CHILD = '051222000111';
const MOTHER = '051190000222';
const TEEN = '051210000333';
const ADULT_CHILD = '051205000444';
const FAR_CHILD = '051222000555';

describe(`family relations entered by staff (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let reception: { cookie: string; id: string };
  let officerHere: string;
  let officerElsewhere: string;
  let facilityAdmin: string;
  let motherCookie: string;

  const call = async (cookie: string | undefined, method: 'GET' | 'POST', url: string, payload?: object) => {
    const r = await app.inject({ method, url, headers: cookie ? { cookie } : {}, ...(payload ? { payload } : {}) });
    return { status: r.statusCode, body: r.json() as Record<string, unknown> & { code?: string } };
  };
  const confirm = (cookie: string, body: Record<string, unknown>) =>
    call(cookie, 'POST', '/api/v1/family/relations', { child: CHILD, guardian: MOTHER, relation: 'parent', proof_type: 'birth_certificate', proof_number: '45/2020, quyển 01', ...body });
  const dependents = async () => ((await call(motherCookie, 'GET', '/api/v1/book/dependents')).body.dependents as Array<{ id: string }>).map((d) => d.id);

  before(async () => {
    ({ app, db, close } = await startTestApp());
    await db.db.insertInto('admin_unit').values([
      { code: '51', level: 'province', name: 'Quảng Ngãi', parent_code: null, valid_from: null, valid_to: null },
      { code: '528', level: 'district', name: 'Tư Nghĩa', parent_code: '51', valid_from: null, valid_to: null },
      { code: '529', level: 'district', name: 'Mộ Đức', parent_code: '51', valid_from: null, valid_to: null },
      { code: '21550', level: 'commune', name: 'thị trấn La Hà', parent_code: '528', valid_from: null, valid_to: null },
      { code: '21700', level: 'commune', name: 'xã Đức Nhuận', parent_code: '529', valid_from: null, valid_to: null },
    ]).execute();
    await db.db.insertInto('facility').values({ code: '51010', name: 'Trạm Y tế thị trấn La Hà', admin_unit_code: '21550' }).execute();
    await upsertPersons(db.db, [
      { id: 'PCHILD', ho_ten: 'Lò Văn Nhỏ', ngay_sinh: `${Y - 6}-02-01`, birth_year: Y - 6, gioi_tinh: 1, so_cccd: CHILD, ma_xa: '21550' },
      { id: 'PMOTHER', ho_ten: 'Lò Thị Mẹ', ngay_sinh: '1990-04-04', birth_year: 1990, gioi_tinh: 2, so_cccd: MOTHER, ma_xa: '21700' },
      { id: 'PTEEN', ho_ten: 'Lò Văn Thiếu', ngay_sinh: `${Y - 16}-01-01`, birth_year: Y - 16, gioi_tinh: 1, so_cccd: TEEN, ma_xa: '21550' },
      { id: 'PADULT', ho_ten: 'Lò Thị Lớn', ngay_sinh: `${Y - 21}-01-01`, birth_year: Y - 21, gioi_tinh: 2, so_cccd: ADULT_CHILD, ma_xa: '21550' },
      { id: 'PFAR', ho_ten: 'Đinh Văn Xa', ngay_sinh: `${Y - 4}-01-01`, birth_year: Y - 4, gioi_tinh: 1, so_cccd: FAR_CHILD, ma_xa: '21700' },
    ]);
    reception = await staffSession(app, db.db, { username: 'tiepdon', fullName: 'Nguyễn Thị Tiếp Đón', role: 'receptionist', facilityCode: '51010' });
    officerHere = (await staffSession(app, db.db, { username: 'cb528', fullName: 'Cán bộ Tư Nghĩa', role: 'health_officer', adminUnitCode: '528' })).cookie;
    officerElsewhere = (await staffSession(app, db.db, { username: 'cb529x', fullName: 'Cán bộ Mộ Đức', role: 'health_officer', adminUnitCode: '529' })).cookie;
    facilityAdmin = (await staffSession(app, db.db, { username: 'qtcs', fullName: 'Quản trị trạm', role: 'facility_admin', facilityCode: '51010' })).cookie;
    motherCookie = await citizenCookie(db, MOTHER, 'PMOTHER', true);
  });
  after(async () => close());

  it('station staff enter a parent with the birth certificate number; audited; the parent’s book lists the child', async () => {
    assert.deepEqual(await dependents(), []);
    const r = await confirm(reception.cookie, {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const rel = r.body.relation as Record<string, unknown>;
    assert.equal(rel.source, 'staff_confirmed');
    assert.equal(rel.proof_type, 'birth_certificate');
    assert.equal(rel.proof_number, '45/2020, quyển 01');
    assert.equal(rel.decided_by, reception.id);
    const audits = await db.db.selectFrom('audit_event').select(['actor_id', 'person_id', 'detail']).where('action', '=', 'family.relation.confirm').orderBy('id').execute();
    assert.deepEqual(audits.map((a) => [a.actor_id, a.person_id]), [[reception.id, 'PCHILD'], [reception.id, 'PMOTHER']]);
    assert.deepEqual(await dependents(), ['PCHILD']);
  });

  it('validates: different persons, a minor child, an adult guardian, the right proof, a document number', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ guardian: CHILD }, 400, 'RELATION_SAME_PERSON'],
      [{ guardian: TEEN }, 400, 'GUARDIAN_NOT_ADULT'],
      [{ child: ADULT_CHILD }, 400, 'CHILD_NOT_MINOR'],
      [{ relation: 'guardian' }, 400, 'PROOF_TYPE_MISMATCH'],
      [{ proof_number: 'không có' }, 400, 'PROOF_NUMBER_INVALID'],
      [{ relation: 'uncle' }, 400, 'VALIDATION_FAILED'],
      [{ proof_type: 'photo' }, 400, 'VALIDATION_FAILED'],
      [{ guardian: '051199999999' }, 404, 'GUARDIAN_NOT_FOUND'],
    ];
    for (const [body, status, code] of cases) {
      const r = await confirm(officerHere, body);
      assert.equal(r.status, status, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, code, JSON.stringify(body));
    }
    const court = await confirm(officerHere, { relation: 'guardian', proof_type: 'court_decision', proof_number: '12/2024/QĐ-TA' });
    assert.equal(court.status, 200, JSON.stringify(court.body));
    // One meaning per pair: the guardianship replaces the parent row (kept, marked removed).
    const rows = await db.db.selectFrom('person_relation').select(['relation', 'removed_at']).where('person_id', '=', 'PCHILD').orderBy('relation').execute();
    assert.deepEqual(rows.map((r) => [r.relation, r.removed_at === null]), [['guardian', true], ['parent', false]]);
    assert.deepEqual(await dependents(), ['PCHILD']);
  });

  it('only family roles, only for a child in the caller’s area (elsewhere answers like unknown)', async () => {
    assert.equal((await confirm(officerElsewhere, {})).status, 404);
    assert.equal((await confirm(officerElsewhere, {})).body.code, 'CHILD_NOT_FOUND');
    assert.equal((await confirm(reception.cookie, { child: FAR_CHILD })).status, 404);
    assert.equal((await confirm(facilityAdmin, {})).status, 403);
    assert.equal((await call(undefined, 'GET', `/api/v1/family/persons/${CHILD}`)).status, 401);
    assert.equal((await call(officerElsewhere, 'GET', `/api/v1/family/persons/${CHILD}`)).status, 404);
    // The mother lives in 21700: the district officer there may see her and her child's relation.
    const there = await call(officerElsewhere, 'GET', `/api/v1/family/persons/${MOTHER}`);
    assert.equal(there.status, 200);
    assert.deepEqual((there.body.children as Array<{ child_id: string }>).map((c) => c.child_id), ['PCHILD', 'PCHILD']);
  });

  it('shows a child’s relations with proof and who decided, and audits every person shown', async () => {
    const before = await db.db.selectFrom('audit_event').select('id').where('action', '=', 'family.relations.read').execute();
    const r = await call(reception.cookie, 'GET', `/api/v1/family/persons/${CHILD}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((r.body.person as { id: string }).id, 'PCHILD');
    const guardians = r.body.guardians as Array<{ relation: string; person: { ho_ten: string }; proof_number: string; decided_by_name: string; removed_at: string | null }>;
    assert.deepEqual(
      guardians.map((g) => [g.relation, g.person.ho_ten, g.proof_number, g.decided_by_name, g.removed_at === null]),
      [
        ['parent', 'Lò Thị Mẹ', '45/2020, quyển 01', 'Cán bộ Tư Nghĩa', false],
        ['guardian', 'Lò Thị Mẹ', '12/2024/QĐ-TA', 'Cán bộ Tư Nghĩa', true],
      ],
    );
    const after = await db.db.selectFrom('audit_event').select('person_id').where('action', '=', 'family.relations.read').execute();
    assert.deepEqual(new Set(after.slice(before.length).map((a) => a.person_id)), new Set(['PCHILD', 'PMOTHER']));
  });

  it('removes a wrong relation with a reason: audited, gone from the parent’s book, kept as removed', async () => {
    const short = await call(reception.cookie, 'POST', '/api/v1/family/relations/remove', { child: CHILD, guardian: MOTHER, reason: 'sai' });
    assert.equal(short.body.code, 'REASON_INVALID');
    const r = await call(reception.cookie, 'POST', '/api/v1/family/relations/remove', { child: CHILD, guardian: MOTHER, reason: 'Nhập nhầm người mẹ' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { removed: 1 });
    assert.deepEqual(await dependents(), []);
    const again = await call(reception.cookie, 'POST', '/api/v1/family/relations/remove', { child: CHILD, guardian: MOTHER, reason: 'Nhập nhầm người mẹ' });
    assert.equal(again.status, 404);
    assert.equal(again.body.code, 'RELATION_NOT_FOUND');
    // A number nobody has answers the same: removal tells nothing about who exists.
    const unknown = await call(reception.cookie, 'POST', '/api/v1/family/relations/remove', { child: CHILD, guardian: '051199999999', reason: 'Nhập nhầm người mẹ' });
    assert.deepEqual([unknown.status, unknown.body.code, unknown.body.message_vi], [again.status, again.body.code, again.body.message_vi]);
    const audits = await db.db.selectFrom('audit_event').select(['person_id', 'actor_id']).where('action', '=', 'family.relation.remove').execute();
    assert.deepEqual(audits.map((a) => a.person_id).sort(), ['PCHILD', 'PMOTHER']);
    const rows = await db.db.selectFrom('person_relation').select(['removal_reason', 'decided_by']).where('person_id', '=', 'PCHILD').where('relation', '=', 'guardian').executeTakeFirstOrThrow();
    assert.deepEqual(rows, { removal_reason: 'Nhập nhầm người mẹ', decided_by: reception.id });
  });
});
