import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { vietnamNow } from '@openhssk/core';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { insertEpisode, staffSession } from '../../test-support/staff.ts';
import { createFacility } from '../facility/index.ts';
import { upsertPersons } from '../person/index.ts';

const X = '51001';
const Y = '51002';
const Z = '51003';
const daysAgo = (n: number) => vietnamNow(new Date(Date.now() - n * 86400_000));
const compact = (n: number) => daysAgo(n).slice(0, 10).replace(/-/g, '');
const lab = (code: string, name: string, value: string, unit: string, day: number) => ({ MA_CHI_SO: code, TEN_CHI_SO: name, GIA_TRI: value, DON_VI_DO: unit, NGAY_KQ: `${compact(day)}0800` });

describe(`clinician summary with depth (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let doctor: string;
  const ep: Record<string, number> = {};

  before(async () => {
    ({ app, db, close } = await startTestApp());
    await createFacility(db.db, { code: X, name: 'Bệnh viện X' });
    await createFacility(db.db, { code: Y, name: 'Bệnh viện Y' });
    await createFacility(db.db, { code: Z, name: 'Bệnh viện Tuyến Trên Z' });
    await upsertPersons(db.db, [{ id: 'P1', ho_ten: 'Nguyễn Văn An', ngay_sinh: '1970-02-03', gioi_tinh: 1, so_cccd: '051070001111' }]);
    // Care relationship at X: a visit there today.
    ep.x = await insertEpisode(db.db, {
      facility: X, personId: 'P1', ngayVao: daysAgo(0), benh: 'E11.9',
      rows: { XML4: [lab('HBA1C', 'HbA1c', '7.9', '%', 0)], XML2: [{ TEN_THUOC: 'Metformin 500mg', LIEU_DUNG: '1 viên * 2 lần/ngày * 30 ngày', NGAY_YL: `${compact(0)}0800` }] },
    });
    ep.y1 = await insertEpisode(db.db, {
      facility: Y, personId: 'P1', ngayVao: daysAgo(200), benh: 'E11.9',
      rows: { XML4: [lab('HBA1C', 'HbA1c', '8.6', '%', 200), lab('CREA', 'Creatinin', '98', 'µmol/L', 200)] },
    });
    ep.y2 = await insertEpisode(db.db, {
      facility: Y, personId: 'P1', ngayVao: daysAgo(20), ngayRa: daysAgo(15), benh: 'I10',
      rows: {
        XML4: [lab('CREA', 'Creatinin', '131', 'µmol/L', 16), { TEN_CHI_SO: 'Siêu âm ổ bụng', MO_TA: 'Gan nhiễm mỡ độ I', KET_LUAN: 'Gan nhiễm mỡ' }],
        XML3: [{ TEN_DICH_VU: 'Nội soi dạ dày', MA_PTTT_QT: '44.13', NGAY_TH_YL: `${compact(17)}0900` }, { TEN_DICH_VU: 'Ngày giường bệnh Nội khoa', SO_LUONG: '1' }],
        XML2: [{ TEN_THUOC: 'Amlodipin 5mg', LIEU_DUNG: '1 viên * 1 lần/ngày * 30 ngày', NGAY_YL: `${compact(15)}0800` }],
        XML8: [{ QT_BENHLY: 'Đau đầu, huyết áp 170/100 lúc vào.', TOMTAT_KQ: 'Creatinin tăng nhẹ.', PP_DIEUTRI: 'Hạ áp đường uống', KET_QUA_DTRI: '2', NGAY_CT: compact(15) }],
        XML13: [{ GIAY_CHUYEN_TUYEN: 'CT-77', MA_NOI_DEN: Z, HUONG_DIEU_TRI: 'Khám chuyên khoa thận' }],
        XML14: [{ NGAY_HEN_KL: compact(-10), CHAN_DOAN_RV: 'Tăng huyết áp' }],
      },
    });
    ep.ySensitive = await insertEpisode(db.db, { facility: Y, personId: 'P1', ngayVao: daysAgo(30), benh: 'F32.1', sensitivity: ['mental'] });
    await sql`insert into citizen_declaration (person_id, kind, title, declared_by) values ('P1', 'allergy', 'Penicillin', '051070001111'), ('P1', 'risk_factor', 'Hút thuốc lá', '051070001111')`.execute(db.db);
    // The citizen lets clinicians where they are treated see other facilities (book consent + cross-facility choice), and arrives at X today.
    await sql`insert into citizen_account (subject, person_id, consent_at, cross_facility_consent_at) values ('051070001111', 'P1', now(), now())`.execute(db.db);
    doctor = (await staffSession(app, db.db, { username: 'bacsi', fullName: 'BS. Minh', role: 'clinician', facilityCode: X })).cookie;
  });
  after(async () => close());

  it('shows trends with ranges, reports and procedures, the last discharge summary, supply left, risk factors by source, pending referrals, by facility name', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/clinic/patients/P1/summary', headers: { cookie: doctor } });
    assert.equal(r.statusCode, 200, r.body);
    const s = r.json();
    assert.equal(s.access.basis, 'consent');
    const hba1c = s.lab_results.find((t: { code: string }) => t.code === 'HBA1C');
    assert.deepEqual(hba1c.history.map((h: { value: string }) => h.value), ['8.6', '7.9'], 'oldest first');
    assert.equal(hba1c.change, 'down');
    assert.deepEqual(hba1c.range, { low: 4, high: 6.4 });
    assert.equal(hba1c.latest.flag, 'high');
    const crea = s.lab_results.find((t: { code: string }) => t.code === 'CREA');
    assert.equal(crea.change, 'up');
    assert.equal(crea.latest.facility_name, 'Bệnh viện Y');
    assert.deepEqual(
      s.imaging_procedures.map((x: { kind: string; name: string }) => [x.kind, x.name]).sort(),
      [['procedure', 'Nội soi dạ dày'], ['result', 'Siêu âm ổ bụng']],
      'bed days are not procedures',
    );
    assert.equal(s.last_discharge_summary.episode_id, ep.y2);
    assert.equal(s.last_discharge_summary.treatment, 'Hạ áp đường uống');
    assert.equal(s.last_discharge_summary.plan, 'Khám chuyên khoa thận');
    const amlo = s.medicines_90d.find((m: { ten_thuoc: string }) => m.ten_thuoc === 'Amlodipin 5mg');
    assert.equal(amlo.facility_name, 'Bệnh viện Y');
    assert.equal(amlo.days_supply, 30);
    assert.ok(amlo.days_left >= 14 && amlo.days_left <= 16, `days left ${amlo.days_left}`);
    assert.deepEqual(s.allergies.map((a: { agent: string; source: string }) => [a.agent, a.source]), [['Penicillin', 'self_declared']]);
    assert.deepEqual(s.risk_factors.map((a: { text: string; source: string }) => [a.text, a.source]), [['Hút thuốc lá', 'self_declared']]);
    assert.deepEqual(
      s.outgoing_referrals.map((x: { to_facility: string; number: string }) => [x.to_facility, x.number]),
      [[`Bệnh viện Tuyến Trên Z (${Z})`, 'CT-77']],
    );
    assert.equal(s.pending_appointments[0].facility_name, 'Bệnh viện Y');
    assert.ok(!JSON.stringify(s).includes('F32'), 'the sensitive visit elsewhere is not shown');
    const audited = await db.db.selectFrom('audit_event').select(['detail']).where('action', '=', 'clinic.summary.read').where('person_id', '=', 'P1').executeTakeFirstOrThrow();
    const shown = (audited.detail as { episodes: number[] }).episodes;
    assert.deepEqual([...shown].sort((a, b) => a - b), [ep.x!, ep.y1!, ep.y2!].sort((a, b) => a - b), 'the audit names every visit whose data was shown');
  });

  it('opens another facility’s visit in one request, audited; never a sensitive one', async () => {
    const r = await app.inject({ method: 'GET', url: `/api/v1/clinic/patients/P1/episodes/${ep.y2}`, headers: { cookie: doctor } });
    assert.equal(r.statusCode, 200, r.body);
    const d = r.json();
    assert.equal(d.record_summary.course, 'Đau đầu, huyết áp 170/100 lúc vào.');
    assert.equal(d.referral.destination, `Bệnh viện Tuyến Trên Z (${Z})`);
    const log = await db.db.selectFrom('audit_event').select(['resource', 'detail']).where('action', '=', 'clinic.episode.read').execute();
    assert.deepEqual(log.map((l) => l.resource), [`episode/${ep.y2}`]);
    for (const id of [String(ep.ySensitive), '999999', 'abc']) {
      const hidden = await app.inject({ method: 'GET', url: `/api/v1/clinic/patients/P1/episodes/${id}`, headers: { cookie: doctor } });
      assert.equal(hidden.statusCode, 404, `episode ${id}`);
    }
  });

  it('without the cross-facility choice only the facility’s own visits open', async () => {
    await sql`update citizen_account set cross_facility_withdrawn_at = now() where person_id = 'P1'`.execute(db.db);
    const s = (await app.inject({ method: 'GET', url: '/api/v1/clinic/patients/P1/summary', headers: { cookie: doctor } })).json();
    assert.equal(s.access.cross_facility, false);
    assert.deepEqual(s.lab_results.map((t: { code: string }) => t.code), ['HBA1C']);
    assert.equal(s.last_discharge_summary, null);
    assert.equal((await app.inject({ method: 'GET', url: `/api/v1/clinic/patients/P1/episodes/${ep.y2}`, headers: { cookie: doctor } })).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: `/api/v1/clinic/patients/P1/episodes/${ep.x}`, headers: { cookie: doctor } })).statusCode, 200);
  });
});
