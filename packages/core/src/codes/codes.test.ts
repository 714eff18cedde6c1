import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DRUGS, diagnosisCodes, drugsFor, ICD10, icd10Name, isAbnormal, isChronic, LAB_INDICES, labFlag, referenceRange, SERVICES, sensitivityOf, serviceByCode } from './index.ts';

describe('icd10', () => {
  it('has ~250+ unique codes', () => {
    assert.ok(ICD10.length >= 250);
    assert.equal(new Set(ICD10.map((e) => e.code)).size, ICD10.length);
  });
  it('looks up with or without the dot', () => {
    assert.equal(icd10Name('I10'), 'Bệnh lý tăng huyết áp vô căn (nguyên phát)');
    assert.equal(icd10Name('E11.9'), icd10Name('e119'));
    assert.ok(icd10Name('E119'));
    assert.equal(icd10Name('X99.9'), undefined);
  });
  it('classifies sensitivity by range', () => {
    assert.equal(sensitivityOf('B20'), 'hiv');
    assert.equal(sensitivityOf('B24'), 'hiv');
    assert.equal(sensitivityOf('B23.8'), 'hiv');
    assert.equal(sensitivityOf('Z21'), 'hiv');
    assert.equal(sensitivityOf('B25.0'), null);
    assert.equal(sensitivityOf('A15.0'), 'tb');
    assert.equal(sensitivityOf('A199'), 'tb');
    assert.equal(sensitivityOf('A20'), null);
    assert.equal(sensitivityOf('F99'), 'mental');
    assert.equal(sensitivityOf('F00.9'), 'mental');
    assert.equal(sensitivityOf('I10'), null);
  });
  it('marks chronic codes', () => {
    assert.ok(isChronic('I10') && isChronic('E11.9') && isChronic('J44.1') && isChronic('N18.3'));
    assert.ok(!isChronic('J06.9'));
  });
});

describe('drugs and services', () => {
  it('matches drugs to diagnoses', () => {
    assert.ok(DRUGS.length >= 60);
    assert.ok(drugsFor('I10').some((d) => d.activeIngredient === 'Amlodipin'));
    assert.ok(drugsFor('E11.9').some((d) => d.activeIngredient.startsWith('Metformin')));
    assert.ok(drugsFor('J20.9').some((d) => d.activeIngredient === 'Amoxicilin'));
  });
  it('has exam, bed, lab and imaging services with known cost groups', () => {
    assert.equal(serviceByCode('02.1896')?.group, 13);
    for (const s of SERVICES) assert.ok([1, 2, 3, 8, 13, 14, 15, 18].includes(s.group), s.code);
    for (const l of LAB_INDICES) assert.ok(serviceByCode(l.service), l.code);
  });
});

describe('labs', () => {
  it('gives sex-specific ranges', () => {
    assert.deepEqual(referenceRange('HGB', 'male'), { low: 130, high: 170 });
    assert.deepEqual(referenceRange('HGB', 'female'), { low: 120, high: 150 });
  });
  it('detects abnormal values', () => {
    assert.equal(isAbnormal('GLU', 5.2, 'male'), false);
    assert.equal(isAbnormal('GLU', '8.4', 'male'), true);
    assert.equal(isAbnormal('HGB', 125, 'female'), false);
    assert.equal(isAbnormal('HGB', 125, 'male'), true);
    assert.equal(isAbnormal('AFB', 'Âm tính', 'male'), false);
    assert.equal(isAbnormal('AFB', 'Dương tính (2+)', 'male'), true);
    assert.equal(labFlag('GLU', '8.4', 'male'), 'high');
    assert.equal(labFlag('HGB', 125, 'male'), 'low');
    assert.equal(labFlag('GLU', 5.2, 'male'), null);
    assert.equal(labFlag('AFB', 'Dương tính (2+)', 'male'), 'abnormal');
    assert.equal(labFlag('NOT-A-CODE', 1, 'male'), null);
  });
});

describe('diagnosisCodes', () => {
  const cases: Array<[string | null, string | null, string[]]> = [
    ['I10', 'E11.9;E78.5', ['I10', 'E11.9', 'E78.5']],
    ['i10', ' e119 ; I10 ', ['I10', 'E11.9']],
    ['J18.9', 'K29.7,K21.0', ['J18.9', 'K29.7', 'K21.0']],
    [null, 'Z00.0', ['Z00.0']],
    ['', '', []],
    [null, null, []],
  ];
  for (const [main, secondary, want] of cases) {
    it(`${main} + ${secondary}`, () => assert.deepEqual(diagnosisCodes(main, secondary), want));
  }
});
