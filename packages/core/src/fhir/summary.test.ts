import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Composition, Condition, MedicationRequest, Observation } from '@medplum/fhirtypes';
import { sampleEpisode } from '../testing.ts';
import { conditionResource } from './episode.ts';
import type { EpisodeRecord } from './model.ts';
import { patientResource } from './person.ts';
import { allergyIntoleranceResource, immunizationResource } from './registry.ts';
import { medicationRequestResource, observationResource, procedureResource } from './rows.ts';
import { IPS_SECTIONS, patientSummaryBundle, selectMedications, selectProblems, selectResults, viDate } from './summary.ts';

const TODAY = '2025-06-30';

function episode(key: string, ngayRa: string, main: string, extra = ''): EpisodeRecord {
  return {
    key,
    version: 1,
    facility_code: '51001',
    facility_name: 'Bệnh viện Thử',
    ma_lk: `LK${key}`,
    person_id: 'P1',
    ma_bn: 'BN1',
    ho_ten: 'Nguyễn Văn An',
    ma_loai_kcb: '01',
    ngay_vao: `${ngayRa} 08:00:00`,
    ngay_vao_noi_tru: null,
    ngay_ra: `${ngayRa} 10:00:00`,
    ma_benh_chinh: main,
    ma_benh_kt: extra,
    chan_doan_rv: null,
    ket_qua_dtri: 1,
    ma_loai_rv: 1,
    xml1: sampleEpisode(1, '51001').XML1![0]!,
    submission_id: 'S',
    submission_sha256: null,
    signature: null,
    received_at: new Date(`${ngayRa}T05:00:00Z`),
  };
}

const person = {
  id: 'P1', ho_ten: 'Nguyễn Văn An', ngay_sinh: '1985-06-15', gioi_tinh: 1, so_cccd: '051090000001', so_bhyt: null, bhxh: null,
  bhyt_valid_from: null, bhyt_valid_to: null, bhyt_facility_code: null, so_dien_thoai: null, dia_chi: null, updated_at: new Date('2025-01-01T00:00:00Z'),
};

describe('IPS patient summary (pure)', () => {
  const old = episode('1', '2022-03-01', 'I10', 'J06.9');
  const recent = episode('2', '2025-05-20', 'J18.9', 'I10;F32.9');
  const conditions: Condition[] = [old, recent].flatMap((ep) => [ep.ma_benh_chinh!, ...ep.ma_benh_kt!.split(';').filter(Boolean)].map((c, i) => conditionResource(ep, c, i + 1)));

  it('problems: one per code (latest), chronic at any age, acute only recent, sensitive never', () => {
    const p = selectProblems(conditions, TODAY);
    const codes = p.map((c) => c.code?.coding?.[0]?.code);
    assert.deepEqual(codes.sort(), ['I10', 'J18.9']);
    assert.equal(p.find((c) => c.code?.coding?.[0]?.code === 'I10')!.id, '2-2', 'the most recent I10');
  });

  it('problems: a sensitive code only when the reader may see sensitive episodes (the citizen’s choice for their app)', () => {
    const codes = selectProblems(conditions, TODAY, true).map((c) => c.code?.coding?.[0]?.code);
    assert.deepEqual(codes.sort(), ['F32.9', 'I10', 'J18.9']);
  });

  it('reason codes of a row keep a sensitive ICD-10 code only on an episode that is itself sensitive', () => {
    const row = { tbl: 'XML3', row_no: 1, fields: { MA_DICH_VU: '10.0001.0001', TEN_DICH_VU: 'Thủ thuật', MA_NHOM: '8', MA_BENH: 'F32.9;I10', NGAY_YL: '202505200900' } };
    const reasons = (ep: EpisodeRecord) => (procedureResource(ep, row).reasonCode ?? []).map((c) => c.coding?.[0]?.code);
    assert.deepEqual(reasons(recent), ['I10']);
    assert.deepEqual(reasons({ ...recent, sensitive: true }), ['F32.9', 'I10']);
  });

  it('medications within 90 days, results latest per test within a year', () => {
    const row = (n: number, ngayYl: string) => ({ tbl: 'XML2', row_no: n, fields: { MA_THUOC: '40.17', TEN_THUOC: 'Amoxicilin', HAM_LUONG: '500mg', NGAY_YL: ngayYl, LIEU_DUNG: 'Ngày 2 lần' } });
    const meds: MedicationRequest[] = [medicationRequestResource(recent, row(1, '202505200900')), medicationRequestResource(old, row(1, '202203010900'))];
    assert.deepEqual(selectMedications(meds, TODAY).map((m) => m.id), ['2-1']);
    const lab = (ep: EpisodeRecord, n: number, at: string, value: string) =>
      observationResource(ep, { tbl: 'XML4', row_no: n, fields: { MA_CHI_SO: 'GLU', TEN_CHI_SO: 'Glucose', GIA_TRI: value, DON_VI_DO: 'mmol/L', NGAY_KQ: at } });
    const results: Observation[] = [lab(recent, 1, '202505200930', '7.1'), lab(recent, 2, '202505210930', '6.2'), lab(old, 1, '202203010930', '9.9')];
    const kept = selectResults(results, TODAY);
    assert.equal(kept.length, 1);
    assert.equal(kept[0]!.valueQuantity?.value, 6.2);
  });

  it('builds a document Bundle: Composition first, every section coded, narrated in Vietnamese, references inside', () => {
    const doc = patientSummaryBundle({
      base: 'https://x.vn/fhir/R4',
      documentId: '11111111-2222-4333-8444-555555555555',
      now: new Date('2025-06-30T03:00:00Z'),
      today: TODAY,
      patient: patientResource(person),
      conditions,
      medications: [],
      results: [],
      allergies: [allergyIntoleranceResource({ id: 7, person_id: 'P1', title: 'Penicillin <nặng>', detail: null, since: '2015', self: true, updated_at: '2025-01-01T00:00:00Z' })],
      immunizations: [
        immunizationResource({
          id: 3, person_id: 'P1', vaccine_code: 'VGB', vaccine_name: 'Viêm gan B', product_id: 'VGB', antigens: ['hepb'], dose_no: 1, given_on: '2020-01-10', facility_code: '51001',
          facility_name: 'Bệnh viện Thử', facility_ref: null, lot_no: 'L1', route: null, body_site: null, reaction: null, source: 'TIEMCHUNG', source_record_id: 'T1',
        }),
      ],
    });
    assert.equal(doc.type, 'document');
    const comp = doc.entry![0]!.resource as Composition;
    assert.equal(comp.resourceType, 'Composition');
    assert.equal(comp.type.coding![0]!.code, '60591-5');
    assert.deepEqual(comp.section!.map((s) => s.code!.coding![0]!.code), IPS_SECTIONS.map((s) => s.loinc));
    const urls = new Set(doc.entry!.map((e) => e.fullUrl));
    for (const s of comp.section!) {
      assert.match(s.text!.div, /^<div xmlns="http:\/\/www.w3.org\/1999\/xhtml">/);
      for (const e of s.entry ?? []) assert.ok(urls.has(`https://x.vn/fhir/R4/${e.reference}`), e.reference);
    }
    const meds = comp.section!.find((s) => s.code!.coding![0]!.code === '10160-0')!;
    assert.equal(meds.entry!.length, 1, 'a required section with nothing known says so with an entry');
    assert.ok(doc.entry!.some((e) => e.resource?.resourceType === 'MedicationStatement'));
    const results = comp.section!.find((s) => s.code!.coding![0]!.code === '30954-2')!;
    assert.equal(results.emptyReason?.coding?.[0]?.code, 'unavailable');
    const allergies = comp.section!.find((s) => s.code!.coding![0]!.code === '48765-2')!;
    assert.match(allergies.text!.div, /Penicillin &lt;nặng&gt;/, 'narrative text is escaped');
    assert.ok(!JSON.stringify(doc).includes('F32'), 'sensitive codes are not in the document');
    assert.ok(!JSON.stringify(doc).includes('"encounter"'), 'no reference to resources outside the document');
  });

  it('writes dates the Vietnamese way', () => {
    assert.equal(viDate('2025-06-30T10:00:00+07:00'), '30/06/2025');
    assert.equal(viDate('2025'), '2025');
  });
});
