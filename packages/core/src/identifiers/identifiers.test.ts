import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cccdGenderDigit, parseBhyt, parseCccd, parseCmnd, parseFacilityCode, socialInsuranceNumber } from './index.ts';

describe('parseCccd', () => {
  const valid: Array<[string, { provinceCode: string; sex: string; birthYear: number }]> = [
    ['001090123456', { provinceCode: '01', sex: 'male', birthYear: 1990 }],
    ['079185000001', { provinceCode: '79', sex: 'female', birthYear: 1985 }],
    ['036205123456', { provinceCode: '36', sex: 'male', birthYear: 2005 }],
    ['096312345678', { provinceCode: '96', sex: 'female', birthYear: 2012 }],
    ['001 090 123 456', { provinceCode: '01', sex: 'male', birthYear: 1990 }],
  ];
  for (const [input, expected] of valid) {
    it(`accepts ${input}`, () => {
      const r = parseCccd(input);
      assert.ok(r.ok);
      assert.equal(r.value.provinceCode, expected.provinceCode);
      assert.equal(r.value.sex, expected.sex);
      assert.equal(r.value.birthYear, expected.birthYear);
    });
  }
  const invalid: Array<[string, string]> = [
    ['00109012345', 'CCCD_FORMAT'],
    ['0010901234567', 'CCCD_FORMAT'],
    ['00109012345a', 'CCCD_FORMAT'],
    ['', 'CCCD_FORMAT'],
    ['003090123456', 'CCCD_PROVINCE'],
    ['099090123456', 'CCCD_PROVINCE'],
  ];
  for (const [input, code] of invalid) {
    it(`rejects ${JSON.stringify(input)} with ${code}`, () => {
      const r = parseCccd(input);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.error.code, code);
    });
  }
  it('warns when birth year or sex disagree with the person', () => {
    const r = parseCccd('001090123456', { birthYear: 1991, sex: 'female' });
    assert.ok(r.ok);
    assert.deepEqual(r.warnings.map((w) => w.code), ['CCCD_BIRTH_YEAR_MISMATCH', 'CCCD_SEX_MISMATCH']);
  });
  it('computes the century+sex digit', () => {
    assert.equal(cccdGenderDigit(1990, 'male'), 0);
    assert.equal(cccdGenderDigit(1990, 'female'), 1);
    assert.equal(cccdGenderDigit(2004, 'male'), 2);
    assert.equal(cccdGenderDigit(2004, 'female'), 3);
  });
});

describe('parseCmnd', () => {
  it('accepts 9 digits', () => assert.ok(parseCmnd('123456789').ok));
  for (const bad of ['12345678', '1234567890', 'abcdefghi']) {
    it(`rejects ${bad}`, () => assert.equal(parseCmnd(bad).ok, false));
  }
});

describe('parseBhyt', () => {
  it('splits a valid card number', () => {
    const r = parseBhyt('DN4797931234567');
    assert.ok(r.ok);
    assert.deepEqual(
      { g: r.value.group, b: r.value.benefitLevel, p: r.value.provinceCode, s: r.value.socialInsuranceNumber },
      { g: 'DN', b: 4, p: '79', s: '7931234567' },
    );
  });
  const invalid: Array<[string, string]> = [
    ['DN479793123456', 'BHYT_LENGTH'],
    ['1N4797931234567', 'BHYT_GROUP'],
    ['DN6797931234567', 'BHYT_BENEFIT'],
    ['DN47979312345X7', 'BHYT_DIGITS'],
  ];
  for (const [input, code] of invalid) {
    it(`rejects ${input} with ${code}`, () => {
      const r = parseBhyt(input);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.error.code, code);
    });
  }
  it('keeps the social-insurance number stable across group changes', () => {
    assert.equal(socialInsuranceNumber('DN4797931234567'), socialInsuranceNumber('HT2797931234567'));
    assert.equal(socialInsuranceNumber('7931234567'), '7931234567');
    assert.equal(socialInsuranceNumber('bad'), undefined);
  });
});

describe('parseFacilityCode', () => {
  it('accepts 79001 and 51001', () => {
    assert.ok(parseFacilityCode('79001').ok);
    assert.ok(parseFacilityCode('51001').ok);
  });
  for (const [input, code] of [['7900', 'MACSKCB_FORMAT'], ['7900A', 'MACSKCB_FORMAT'], ['99001', 'MACSKCB_PROVINCE']] as const) {
    it(`rejects ${input}`, () => {
      const r = parseFacilityCode(input);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.error.code, code);
    });
  }
});
