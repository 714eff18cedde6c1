import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { patientKey, personalIdFromQr, recordedMethod } from './identify.ts';

describe('check-in identifiers', () => {
  it('reads the personal ID from a chip-card QR and from JSON', () => {
    assert.equal(personalIdFromQr('051090001234|212345678|Nguyễn Văn An|01011990|Nam|Tư Nghĩa, Quảng Ngãi|15062021'), '051090001234');
    assert.equal(personalIdFromQr('{"personal_id":"051090001234","name":"An"}'), '051090001234');
    assert.equal(personalIdFromQr('hello|x'), undefined);
    assert.equal(personalIdFromQr('{bad json'), undefined);
  });

  it('resolves CCCD, BHYT card and BHXH number', () => {
    assert.deepEqual(patientKey('typed', ' 051 090 001 234 '), { kind: 'cccd', value: '051090001234' });
    assert.deepEqual(patientKey('bhyt_card', 'dn4510123456789'), { kind: 'bhxh', value: '0123456789', card: 'DN4510123456789' });
    assert.deepEqual(patientKey('typed', '5101234567'), { kind: 'bhxh', value: '5101234567' });
    assert.deepEqual(patientKey('vneid_qr', '051090001234|||'), { kind: 'cccd', value: '051090001234' });
  });

  it('refuses malformed values as invalid input', () => {
    for (const v of ['', '123', 'XX9123456789012', '999999999999999999']) {
      assert.throws(() => patientKey('typed', v), (e: { kind?: string }) => e.kind === 'invalid');
    }
    assert.throws(() => patientKey('vneid_qr', 'no id here'), (e: { kind?: string }) => e.kind === 'invalid');
  });
});

describe('recorded check-in method', () => {
  it('records VNeID QR or chip CCCD only when a payload was read, not over a typed number', () => {
    const payload = '051090001234|212345678|Nguyễn Văn An|01011990|Nam|Tư Nghĩa, Quảng Ngãi|15062021';
    assert.equal(recordedMethod('vneid_qr', payload), 'vneid_qr');
    assert.equal(recordedMethod('chip_cccd', payload), 'chip_cccd');
    assert.equal(recordedMethod('vneid_qr', '{"personal_id":"051090001234"}'), 'vneid_qr');
    for (const typed of ['051090001234', ' 051 090 001 234 ', '051090001234|||']) {
      assert.equal(recordedMethod('vneid_qr', typed), 'typed');
      assert.equal(recordedMethod('chip_cccd', typed), 'typed');
    }
    assert.equal(recordedMethod('bhyt_card', 'DN4510123456789'), 'bhyt_card');
  });
});
