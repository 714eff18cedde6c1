import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleEpisode } from '../testing.ts';
import { codeSystemResources, VN_CODE_SYSTEMS, valueSetResources } from './codesystems.ts';
import { conditionResource, documentResource, encounterResource, episodeDiagnoses, episodeTargets, parseDocumentId, provenanceResource } from './episode.ts';
import { type EpisodeRecord, parseChildId } from './model.ts';
import { coverageResource, patientResource, vietnameseName } from './person.ts';
import { appointmentResource, isProcedureRow, medicationRequestResource, observationResource, procedureResource, rowResourceType, serviceRequestResource } from './rows.ts';
import { codeSystemUrl, EXT, SID } from './systems.ts';
import { birthDateToFhir, sqlTimeToFhir, xmlDateToFhir, xmlTimeToFhir } from './time.ts';

function episode(patch: Partial<EpisodeRecord> = {}): EpisodeRecord {
  const x1 = sampleEpisode(1, '51001').XML1![0]!;
  return {
    key: '42',
    version: 1,
    facility_code: '51001',
    facility_name: 'Bệnh viện Thử',
    ma_lk: x1.MA_LK!,
    person_id: 'P000000001',
    ma_bn: 'BN1',
    ho_ten: 'Nguyễn Văn An',
    ma_loai_kcb: '03',
    ngay_vao: '2024-03-01 10:00:00',
    ngay_vao_noi_tru: '2024-03-01 12:00:00',
    ngay_ra: '2024-03-05 15:30:00',
    ma_benh_chinh: 'J18.9',
    ma_benh_kt: 'I10;E11.9',
    chan_doan_rv: 'Viêm phổi; tăng huyết áp',
    ket_qua_dtri: 1,
    ma_loai_rv: 1,
    xml1: x1,
    submission_id: 'SUB-1',
    submission_sha256: 'ab'.repeat(32),
    signature: { verified: true, method: 'fast' },
    received_at: new Date('2024-03-06T01:02:03.456Z'),
    ...patch,
  };
}

describe('FHIR mapping (core)', () => {
  it('writes XML 130 times with the Vietnam offset, never shifting the digits', () => {
    assert.equal(xmlTimeToFhir('202403011000'), '2024-03-01T10:00:00+07:00');
    assert.equal(xmlTimeToFhir('20240301'), '2024-03-01');
    assert.equal(xmlTimeToFhir('202402301000'), undefined);
    assert.equal(xmlTimeToFhir('2024030110'), undefined);
    assert.equal(xmlDateToFhir('202403011000'), '2024-03-01');
    assert.equal(sqlTimeToFhir('2024-03-05 15:30:00'), '2024-03-05T15:30:00+07:00');
    assert.equal(birthDateToFhir('1985'), '1985');
    assert.equal(birthDateToFhir('1985-06'), '1985-06');
    assert.equal(birthDateToFhir('1985-06-15'), '1985-06-15');
    assert.equal(birthDateToFhir('15/06/1985'), undefined);
  });

  it('keeps Vietnamese name order: family first, middle and given names after', () => {
    assert.deepEqual(vietnameseName(' Nguyễn  Thị Minh Khai '), { use: 'official', text: 'Nguyễn Thị Minh Khai', family: 'Nguyễn', given: ['Thị', 'Minh', 'Khai'] });
    assert.deepEqual(vietnameseName('Hùng'), { use: 'official', text: 'Hùng', family: 'Hùng' });
  });

  it('Encounter: class from MA_LOAI_KCB, period, diagnoses in order, provider, outcome and discharge type', () => {
    const e = encounterResource(episode());
    assert.equal(e.id, '42');
    assert.equal(e.meta?.versionId, '1');
    assert.deepEqual(e.class, { system: EXT.actCode, code: 'IMP', display: 'inpatient encounter' });
    assert.equal(e.type?.[0]?.coding?.[0]?.code, '03');
    assert.equal(e.type?.[0]?.coding?.[0]?.display, 'Điều trị nội trú');
    assert.equal(e.type?.[1]?.coding?.[0]?.system, codeSystemUrl('ma-doituong-kcb'));
    assert.deepEqual(e.period, { start: '2024-03-01T10:00:00+07:00', end: '2024-03-05T15:30:00+07:00' });
    assert.deepEqual(
      e.diagnosis?.map((d) => [d.condition.reference, d.rank, d.use?.coding?.[0]?.code]),
      [
        ['Condition/42-1', 1, 'DD'],
        ['Condition/42-2', 2, 'CM'],
        ['Condition/42-3', 3, 'CM'],
      ],
    );
    assert.deepEqual(e.serviceProvider, { reference: 'Organization/51001', display: 'Bệnh viện Thử' });
    assert.deepEqual(e.identifier?.[0], { use: 'official', system: SID.maLk('51001'), value: episode().ma_lk });
    assert.equal(e.hospitalization?.dischargeDisposition?.coding?.[0]?.code, '1');
    assert.equal(e.extension?.[0]?.valueCodeableConcept?.coding?.[0]?.display, 'Khỏi');
    assert.equal(e.status, 'finished');
    assert.equal(encounterResource(episode({ ngay_ra: null })).status, 'in-progress');
    assert.equal(encounterResource(episode({ ma_loai_kcb: '01' })).class.code, 'AMB');
    const emergency = encounterResource(episode({ xml1: { ...episode().xml1, MA_DOITUONG_KCB: '2' } }));
    assert.equal(emergency.priority?.coding?.[0]?.code, 'EM');
  });

  it('an unlinked episode names its patient by the facility’s patient code', () => {
    const e = encounterResource(episode({ person_id: null }));
    assert.deepEqual(e.subject, { type: 'Patient', identifier: { system: SID.maBn('51001'), value: 'BN1' }, display: 'Nguyễn Văn An' });
  });

  it('Conditions: ICD-10 with the Vietnamese name, principal carries the discharge diagnosis text', () => {
    const ep = episode();
    const codes = episodeDiagnoses(ep);
    assert.deepEqual(codes, ['J18.9', 'I10', 'E11.9']);
    const c1 = conditionResource(ep, codes[0]!, 1);
    assert.equal(c1.id, '42-1');
    assert.equal(c1.code?.coding?.[0]?.system, EXT.icd10);
    assert.ok(c1.code?.coding?.[0]?.display, 'Vietnamese display from the project catalogue');
    assert.equal(c1.encounter?.reference, 'Encounter/42');
    assert.match(c1.note?.[0]?.text ?? '', /Viêm phổi/);
    assert.equal(conditionResource(ep, codes[1]!, 2).note, undefined);
  });

  it('rows: drug lines, results, procedures only where they are procedures', () => {
    const t = sampleEpisode(1, '51001');
    const ep = episode();
    const mr = medicationRequestResource(ep, { tbl: 'XML2', row_no: 1, fields: t.XML2![0]! });
    assert.equal(mr.id, '42-1');
    assert.equal(mr.medicationCodeableConcept?.coding?.[0]?.code, '40.1');
    assert.equal(mr.authoredOn, '2024-03-02T10:00:00+07:00');
    assert.equal(mr.dosageInstruction?.[0]?.route?.coding?.[0]?.display, 'Uống');
    assert.equal(mr.category?.[0]?.coding?.[0]?.code, 'inpatient');
    const obs = observationResource(ep, { tbl: 'XML4', row_no: 3, fields: { MA_DICH_VU: '23.0075.1494', MA_CHI_SO: 'GLU', TEN_CHI_SO: 'Glucose', GIA_TRI: '8.2', DON_VI_DO: 'mmol/L', NGAY_KQ: '202403011200' } });
    assert.deepEqual(obs.valueQuantity, { value: 8.2, unit: 'mmol/L' });
    assert.equal(obs.category?.[0]?.coding?.[0]?.code, 'laboratory');
    assert.equal(obs.effectiveDateTime, '2024-03-01T12:00:00+07:00');
    const imaging = observationResource(ep, { tbl: 'XML4', row_no: 4, fields: { TEN_CHI_SO: 'X quang ngực', MO_TA: 'Bóng tim không to', KET_LUAN: 'Bình thường', NGAY_KQ: '202403011300' } });
    assert.equal(imaging.valueString, 'Bình thường');
    const exam = t.XML3![0]!;
    assert.equal(isProcedureRow(exam), false);
    assert.equal(rowResourceType({ tbl: 'XML3', row_no: 1, fields: exam }), undefined);
    const proc = { ...exam, MA_NHOM: '18', MA_PTTT_QT: '86.59', MA_DICH_VU: '10.0912.0555', TEN_DICH_VU: 'Khâu vết thương', MA_BENH: 'S01.0;F32.9' };
    assert.equal(isProcedureRow(proc), true);
    assert.equal(isProcedureRow({ ...proc, MA_VAT_TU: 'N03.02.010' }), false, 'a supply row of a procedure is not a procedure');
    const p = procedureResource(ep, { tbl: 'XML3', row_no: 2, fields: proc });
    assert.deepEqual(p.code?.coding?.map((c) => c.system), [EXT.icd9cm, codeSystemUrl('ma-dich-vu')]);
    assert.deepEqual(p.reasonCode?.map((r) => r.coding?.[0]?.code), ['S01.0'], 'a sensitive reason code is left out');
  });

  it('referral, re-visit appointment and discharge papers', () => {
    const ep = episode();
    const sr = serviceRequestResource(ep, { tbl: 'XML13', row_no: 1, fields: { GIAY_CHUYEN_TUYEN: '12/GCT', MA_CSKCB: '51001', MA_NOI_DEN: '51002', MA_LYDO_CT: '2', DAU_HIEU_LS: 'Sốt', MA_BENH_CHINH: 'J18.9', NGAY_RA: '202403051530', MA_BAC_SI: '001/QNG' } });
    assert.deepEqual(sr.performer, [{ type: 'Organization', identifier: { system: SID.macskcb, value: '51002' } }]);
    assert.equal(sr.reasonCode?.[0]?.coding?.[0]?.display, 'Vượt quá khả năng chuyên môn của cơ sở');
    const ap = appointmentResource(ep, { tbl: 'XML14', row_no: 1, fields: { NGAY_HEN_KL: '20240405', SO_GIAYHEN_KL: '7/GH', MA_BAC_SI: '001/QNG' } });
    assert.equal(ap.status, 'booked');
    assert.equal(ap.start, '2024-04-05T00:00:00+07:00');
    assert.equal(ap.end, '2024-04-06T00:00:00+07:00');
    const doc = documentResource(ep, { tbl: 'XML8', row_no: 1, fields: { MA_LK: ep.ma_lk, MA_LOAI_KCB: '03', CHAN_DOAN_RV: 'Viêm phổi & tăng huyết áp', MA_TTDV: '002/QNG' } });
    assert.equal(doc.id, '42-xml8');
    assert.deepEqual(parseDocumentId('42-xml8'), { key: '42', tbl: 'XML8' });
    const xml = Buffer.from(doc.content[0]!.attachment.data!, 'base64').toString('utf8');
    assert.match(xml, /<CHI_TIEU_DU_LIEU_TOM_TAT_HO_SO_BENH_AN>/);
    assert.match(xml, /Viêm phổi &amp; tăng huyết áp/);
  });

  it('Provenance targets every resource of the episode and names the signed envelope', () => {
    const ep = episode({ version: 2 });
    const t = sampleEpisode(1, '51001');
    const rows = [...t.XML2!.map((f, i) => ({ tbl: 'XML2', row_no: i + 1, fields: f })), ...t.XML3!.map((f, i) => ({ tbl: 'XML3', row_no: i + 1, fields: f })), { tbl: 'XML8', row_no: 1, fields: {} }];
    const prov = provenanceResource(ep, episodeTargets(ep, rows, rowResourceType));
    const refs = prov.target.map((r) => r.reference);
    assert.deepEqual(refs.slice(0, 4), ['Encounter/42', 'Condition/42-1', 'Condition/42-2', 'Condition/42-3']);
    assert.equal(refs.filter((r) => r?.startsWith('MedicationRequest/')).length, 3);
    assert.equal(refs.filter((r) => r?.startsWith('Procedure/')).length, 0);
    assert.ok(refs.includes('DocumentReference/42-xml8'));
    assert.equal(prov.activity?.coding?.[0]?.code, 'UPDATE');
    assert.deepEqual(prov.entity?.[0]?.what.identifier, { system: SID.submission, value: 'SUB-1' });
    assert.equal(prov.signature?.length, 1);
    assert.equal(provenanceResource(episode({ signature: { verified: false } }), []).signature, undefined);
  });

  it('Patient and Coverage from the golden record', () => {
    const p = {
      id: 'P1', ho_ten: 'Trần Thị Bình', ngay_sinh: '1990-01', gioi_tinh: 2, so_cccd: '051190000002', so_bhyt: 'DN4510123456789', bhxh: '0123456789',
      bhyt_valid_from: '2024-01-01', bhyt_valid_to: '2024-12-31', bhyt_facility_code: '51001', so_dien_thoai: '0905000000', dia_chi: 'La Hà', updated_at: new Date('2024-01-01T00:00:00Z'),
    };
    const pat = patientResource(p);
    assert.deepEqual(pat.identifier?.map((i) => [i.system, i.value]), [[SID.cccd, '051190000002'], [SID.bhyt, 'DN4510123456789'], [SID.bhxh, '0123456789']]);
    assert.equal(pat.gender, 'female');
    assert.equal(pat.birthDate, '1990-01');
    const cov = coverageResource(p)!;
    assert.equal(cov.beneficiary.reference, 'Patient/P1');
    assert.deepEqual(cov.class?.map((c) => c.value), ['DN', '4']);
    assert.deepEqual(cov.period, { start: '2024-01-01', end: '2024-12-31' });
    assert.equal(coverageResource({ ...p, so_bhyt: null }), undefined);
  });

  it('code systems: stable canonical URLs, one value set each, unverified ones marked', () => {
    const cs = codeSystemResources();
    const vs = valueSetResources();
    assert.equal(cs.length, VN_CODE_SYSTEMS.length);
    assert.equal(vs.length, cs.length);
    const loai = cs.find((c) => c.id === 'ma-loai-kcb')!;
    assert.equal(loai.url, 'https://openhssk.vn/fhir/CodeSystem/ma-loai-kcb');
    assert.equal(loai.content, 'complete');
    assert.equal(loai.concept?.length, 10);
    const doiTuong = cs.find((c) => c.id === 'ma-doituong-kcb')!;
    assert.equal(doiTuong.content, 'fragment');
    assert.equal(doiTuong.experimental, true);
    assert.match(doiTuong.description ?? '', /UNVERIFIED/);
    assert.equal(new Set(cs.map((c) => c.url)).size, cs.length);
  });

  it('child ids parse back to the episode key', () => {
    assert.deepEqual(parseChildId('123-4'), { key: '123', n: 4 });
    assert.equal(parseChildId('123'), undefined);
    assert.equal(parseChildId('abc-1'), undefined);
  });
});
