import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { finalDiagnosisLabel, groupServiceLines, labValueText, medicineName, rangeText, serviceLineText } from './book-display.ts';

describe('how a visit reads', () => {
  it('prints a strength once', () => {
    assert.equal(medicineName('Telmisartan 40mg', '40mg'), 'Telmisartan 40mg');
    assert.equal(medicineName('Telmisartan 40 mg', '40mg'), 'Telmisartan 40 mg');
    assert.equal(medicineName('Amlodipin', '5mg'), 'Amlodipin 5mg');
    assert.equal(medicineName('Oresol', ''), 'Oresol');
  });
  it('calls a discharge diagnosis so only after an admission', () => {
    assert.equal(finalDiagnosisLabel('outpatient'), 'Chẩn đoán');
    assert.equal(finalDiagnosisLabel('other'), 'Chẩn đoán');
    assert.equal(finalDiagnosisLabel('inpatient'), 'Chẩn đoán ra viện');
    assert.equal(finalDiagnosisLabel('day_care'), 'Chẩn đoán ra viện');
  });
  it('collapses identical service lines and counts them', () => {
    const bed = { TEN_DICH_VU: 'Ngày giường bệnh Nội khoa loại 1', SO_LUONG: '1', DON_VI_TINH: 'Ngày' };
    const lines = groupServiceLines([{ TEN_DICH_VU: 'Khám Nội', SO_LUONG: '1', DON_VI_TINH: 'Lần' }, ...Array.from({ length: 9 }, () => bed), { TEN_VAT_TU: 'Bơm tiêm', SO_LUONG: '2.5', DON_VI_TINH: 'Cái' }]);
    assert.deepEqual(lines.map(serviceLineText), ['Khám Nội – 1 Lần', 'Ngày giường bệnh Nội khoa loại 1 – 1 Ngày × 9', 'Bơm tiêm – 2,5 Cái']);
  });
  it('writes values and ranges in Vietnamese notation', () => {
    assert.equal(labValueText('5.73', 'T/L'), '5,73 T/L');
    assert.equal(labValueText('Âm tính', ''), 'Âm tính');
    assert.equal(rangeText({ low: 3.9, high: 6.4 }), '3,9–6,4');
  });
});
