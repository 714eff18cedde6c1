import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditEventResource } from './audit-event.ts';
import { consentResource, parseConsentId } from './consent.ts';
import { isDispensedRow, medicationDispenseResource } from './dispense.ts';
import { type EpisodeRecord, licenceOfPractitionerId, practitionerByLicence, practitionerId, type RowRecord } from './model.ts';
import { practitionerResource } from './practitioner.ts';
import { diagnosticReportResource, orderRowOf, parseReportId, reportGroups } from './report.ts';

const ep = (ma_loai_kcb: string): EpisodeRecord => ({
  key: '42', version: 1, facility_code: '51001', facility_name: 'Bệnh viện Thử', ma_lk: 'LK1', person_id: 'P1', ma_bn: 'BN1', ho_ten: 'Nguyễn Văn An', ma_loai_kcb,
  ngay_vao: '2024-03-01 10:00:00', ngay_vao_noi_tru: null, ngay_ra: '2024-03-01 11:00:00', ma_benh_chinh: 'J06.9', ma_benh_kt: null, chan_doan_rv: null,
  ket_qua_dtri: 1, ma_loai_rv: 1, xml1: {}, submission_id: 'S1', submission_sha256: null, signature: null, received_at: new Date('2024-03-02T00:00:00Z'),
});
const row = (tbl: string, row_no: number, fields: Record<string, string>): RowRecord => ({ tbl, row_no, fields });

describe('MedicationDispense, DiagnosticReport, Practitioner, Consent, AuditEvent mapping', () => {
  it('a drug line is dispensed in an outpatient visit only, and never a blood product', () => {
    const drug = row('XML2', 1, { MA_THUOC: '40.17', MA_NHOM: '4', SO_LUONG: '10', NGAY_YL: '202403011000' });
    for (const t of ['01', '02', '05', '07', '08']) assert.equal(isDispensedRow(ep(t), drug), true, t);
    for (const t of ['03', '04', '06', '09', '10']) assert.equal(isDispensedRow(ep(t), drug), false, t);
    assert.equal(isDispensedRow(ep('01'), row('XML2', 2, { MA_NHOM: '7' })), false);
    const d = medicationDispenseResource(ep('01'), drug);
    assert.equal(d.id, '42-1');
    assert.deepEqual(d.authorizingPrescription, [{ reference: 'MedicationRequest/42-1' }]);
    assert.equal(d.whenHandedOver, '2024-03-01T10:00:00+07:00');
  });

  it('XML4 rows of one service are one report; its XML3 line names the performer', () => {
    const rows = [
      row('XML4', 1, { MA_DICH_VU: 'S1', MA_CHI_SO: 'WBC', NGAY_KQ: '202403011200' }),
      row('XML4', 2, { MA_DICH_VU: 'S2', KET_LUAN: 'Bình thường', MO_TA: 'Gan đều', NGAY_KQ: '20240301' }),
      row('XML4', 3, { MA_DICH_VU: 'S1', MA_CHI_SO: 'RBC', NGAY_KQ: '202403011230', MA_BS_DOC_KQ: 'A;B' }),
      row('XML4', 4, { MA_CHI_SO: 'GLU', TEN_CHI_SO: 'Glucose' }),
      row('XML3', 1, { MA_DICH_VU: 'S1', TEN_DICH_VU: 'Tổng phân tích máu', NGUOI_THUC_HIEN: 'C' }),
    ];
    const groups = reportGroups(rows);
    assert.deepEqual(groups.map((g) => g.map((r) => r.row_no)), [[1, 3], [2], [4]]);
    const blood = diagnosticReportResource(ep('01'), groups[0]!, orderRowOf(groups[0]!, rows));
    assert.equal(blood.id, '42-kq1');
    assert.deepEqual(parseReportId('42-kq1'), { key: '42', n: 1 });
    assert.equal(blood.code.text, 'Tổng phân tích máu');
    assert.deepEqual(blood.result, [{ reference: 'Observation/42-1' }, { reference: 'Observation/42-3' }]);
    assert.equal(blood.effectiveDateTime, '2024-03-01T12:00:00+07:00');
    assert.equal(blood.issued, '2024-03-01T12:30:00+07:00');
    assert.deepEqual(blood.resultsInterpreter?.map((p) => p.identifier?.value), ['A', 'B']);
    assert.deepEqual(blood.performer?.map((p) => p.reference), ['Organization/51001', 'Practitioner/C']);
    const echo = diagnosticReportResource(ep('01'), groups[1]!, undefined);
    assert.equal(echo.conclusion, 'Bình thường');
    assert.equal(echo.issued, undefined, 'a day is not an instant');
    assert.equal(diagnosticReportResource(ep('01'), groups[2]!, undefined).code.coding?.[0]?.code, 'GLU');
  });

  it('practitioner ids are reversible and every reference carries one', () => {
    assert.equal(practitionerId('012345/QNG-CCHN'), '012345.2FQNG-CCHN');
    for (const l of ['012345/QNG-CCHN', 'a.b', 'Bác sĩ 1', '000-1']) assert.equal(licenceOfPractitionerId(practitionerId(l)!), l);
    assert.equal(licenceOfPractitionerId('012345.2fQNG'), undefined, 'lower-case hex is not an id we make');
    assert.equal(practitionerId('x'.repeat(65)), undefined);
    assert.equal(practitionerByLicence('x'.repeat(65)).reference, undefined);
    assert.equal(practitionerByLicence('012345/QNG-CCHN').reference, 'Practitioner/012345.2FQNG-CCHN');
    assert.equal(practitionerResource('012345/QNG-CCHN', 'Lê Văn Bác')?.name?.[0]?.family, 'Lê');
  });

  it('a withdrawn choice is an inactive Consent with the period closed', () => {
    const c = consentResource({ person_id: 'P-1', kind: 'cross-facility', given_at: '2024-01-01T00:00:00Z', withdrawn_at: '2024-02-01T00:00:00Z' });
    assert.equal(c.id, 'P-1-cross-facility');
    assert.deepEqual(parseConsentId(c.id!), { personId: 'P-1', kind: 'cross-facility' });
    assert.equal(c.status, 'inactive');
    assert.equal(c.provision?.period?.end, '2024-02-01T00:00:00.000Z');
  });

  it('an access-log row names its actor without echoing a citizen’s personal id', () => {
    const base = { id: 7, at: '2024-01-01T00:00:00Z', person_id: 'P1', actor_name: 'Trần Thị Mẹ', role_label: 'cha/mẹ', facility_code: null, facility_name: null, break_glass: false, encounter: null };
    const parent = auditEventResource({ ...base, actor_type: 'citizen', actor_role: 'parent', action: 'book.summary.read', action_text: 'xem trang tổng quan sổ sức khỏe' });
    assert.deepEqual(parent.agent[0]!.who, { display: 'Trần Thị Mẹ' });
    assert.equal(parent.action, 'R');
    const denied = auditEventResource({ ...base, actor_type: 'staff', actor_role: 'clinician', action: 'clinic.summary.denied', action_text: 'định xem' });
    assert.equal(denied.outcome, '4');
    assert.equal(auditEventResource({ ...base, actor_type: 'citizen', actor_role: null, action: 'book.declaration.delete', action_text: 'xóa' }).action, 'D');
  });
});
