import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays } from '../time/days.ts';
import {
  bmi,
  bmiClass,
  CODE_LISTS,
  checkIcd10,
  checkMerged,
  completeness,
  controlStatus,
  FORM_831,
  fieldDef,
  filledSections,
  isOverdue,
  itemSensitivity,
  nextDueAfter,
  personFacts,
  REGISTERS,
  registerDef,
  registersForDiagnoses,
  type SectionState,
  sectionDef,
  validateCheckup,
  validateFollowUp,
  validateRecordEntry,
  withinControlWindow,
} from './index.ts';

const TODAY = '2026-03-15';
const ADULT_MAN = { sex: 1, age: 40 };
const WOMAN = { sex: 2, age: 30 };
const CHILD = { sex: 1, age: 3 };
const ITEM = '5b0c1f52-8c1e-4c3e-9d7e-2a3b4c5d6e7f';

describe('831 form definition', () => {
  it('every field of every section has a type, labels in both languages and a known code list', () => {
    const keys = new Set<string>();
    for (const s of FORM_831) {
      assert.ok(!keys.has(s.key), `duplicate section ${s.key}`);
      keys.add(s.key);
      assert.ok(s.label_vi && s.label_en);
      const fieldKeys = new Set<string>();
      for (const f of s.fields) {
        assert.ok(!fieldKeys.has(f.key), `${s.key}.${f.key} twice`);
        fieldKeys.add(f.key);
        assert.ok(f.label_vi && f.label_en, `${s.key}.${f.key} labels`);
        if (f.type.kind === 'code' || f.type.kind === 'codes') assert.ok(CODE_LISTS[f.type.list], `${s.key}.${f.key} list`);
        if (f.requiredWhen) assert.ok(s.fields.some((g) => g.key === f.requiredWhen!.field), `${s.key}.${f.key} requiredWhen`);
      }
      for (const k of s.filledWhen ?? []) assert.ok(fieldKeys.has(k), `${s.key} filledWhen ${k}`);
      for (const c of s.sumChecks ?? []) for (const k of [...c.parts, c.total]) assert.ok(fieldKeys.has(k), `${s.key} sum ${k}`);
    }
    for (const wanted of ['administrative', 'birth', 'risk_factors', 'allergies', 'disabilities', 'personal_history', 'surgeries', 'family_history', 'reproductive', 'vaccinations', 'other_problems']) {
      assert.ok(keys.has(wanted), wanted);
    }
    assert.equal(fieldDef(sectionDef('allergies')!, 'removed')?.type.kind, 'boolean');
    assert.equal(fieldDef(sectionDef('risk_factors')!, 'removed'), undefined, 'single sections have no items to remove');
  });
});

describe('831 entry validation', () => {
  const cases: Array<{ name: string; entry: Parameters<typeof validateRecordEntry>[0]; person?: { sex: number | null; age: number | null }; codes?: string[]; values?: Record<string, unknown> }> = [
    { name: 'risk factors, codes and a number rounded', entry: { section: 'risk_factors', values: { hut_thuoc: 'co', ruou_bia_ly_ngay: 2.25, che_do_an: ['an_man', 'an_man', 'it_rau_qua'] } }, values: { hut_thuoc: 'co', ruou_bia_ly_ngay: 2.3, che_do_an: ['an_man', 'it_rau_qua'] } },
    { name: 'text trimmed, empty text clears', entry: { section: 'administrative', values: { nghe_nghiep: '  Nông   dân ', ton_giao: '  ' } }, values: { nghe_nghiep: 'Nông dân', ton_giao: null } },
    { name: 'phone normalised', entry: { section: 'administrative', values: { so_dien_thoai_lien_he: '0905 123 456' } }, values: { so_dien_thoai_lien_he: '0905123456' } },
    { name: 'allergy item', entry: { section: 'allergies', itemId: ITEM, values: { loai: 'thuoc', tac_nhan: 'Penicilin', muc_do: 'nang' } }, values: { loai: 'thuoc', tac_nhan: 'Penicilin', muc_do: 'nang' } },
    { name: 'none on a list section', entry: { section: 'surgeries', values: { none: true } }, values: { none: true } },
    { name: 'ICD-10 normalised', entry: { section: 'personal_history', itemId: ITEM, values: { nhom: 'tang_huyet_ap', ma_icd10: 'i10' } }, values: { nhom: 'tang_huyet_ap', ma_icd10: 'I10' } },
    { name: 'ICD-10 subcategory outside the subset, category known', entry: { section: 'personal_history', itemId: ITEM, values: { nhom: 'dai_thao_duong', ma_icd10: 'E11.8' } }, values: { nhom: 'dai_thao_duong', ma_icd10: 'E11.8' } },
    { name: 'partial date', entry: { section: 'surgeries', itemId: ITEM, values: { ten_phau_thuat: 'Mổ ruột thừa', thoi_gian: '2010' } }, values: { ten_phau_thuat: 'Mổ ruột thừa', thoi_gian: '2010' } },
    { name: 'reproductive for a woman', entry: { section: 'reproductive', values: { so_lan_co_thai: 2 } }, person: WOMAN, values: { so_lan_co_thai: 2 } },
    { name: 'birth status for a child', entry: { section: 'birth', values: { cach_sinh: 'mo', can_nang_gram: 3100 } }, person: CHILD, values: { cach_sinh: 'mo', can_nang_gram: 3100 } },
    { name: 'unknown section', entry: { section: 'x', values: { a: 1 } }, codes: ['SECTION_UNKNOWN'] },
    { name: 'reproductive for a man', entry: { section: 'reproductive', values: { so_lan_co_thai: 1 } }, codes: ['SECTION_NOT_APPLICABLE'] },
    { name: 'birth status for an adult', entry: { section: 'birth', values: { cach_sinh: 'thuong' } }, codes: ['SECTION_NOT_APPLICABLE'] },
    { name: 'unknown field', entry: { section: 'risk_factors', values: { smoking: 'yes' } }, codes: ['FIELD_UNKNOWN'] },
    { name: 'code not in list', entry: { section: 'risk_factors', values: { hut_thuoc: 'sometimes' } }, codes: ['CODE_UNKNOWN'] },
    { name: 'number out of range', entry: { section: 'risk_factors', values: { ruou_bia_ly_ngay: 80 } }, codes: ['OUT_OF_RANGE'] },
    { name: 'wrong type', entry: { section: 'risk_factors', values: { ruou_bia_ly_ngay: '2' } }, codes: ['FIELD_TYPE'] },
    { name: 'malformed ICD-10', entry: { section: 'personal_history', itemId: ITEM, values: { nhom: 'khac', ma_icd10: 'hypertension' } }, codes: ['ICD10_INVALID'] },
    { name: 'ICD-10 category not in the list', entry: { section: 'personal_history', itemId: ITEM, values: { nhom: 'khac', ma_icd10: 'Q99.9' } }, codes: ['ICD10_UNKNOWN'] },
    { name: 'future date', entry: { section: 'vaccinations', itemId: ITEM, values: { vac_xin: 'bcg', ngay_tiem: '2026-04-01' } }, codes: ['DATE_IN_FUTURE'] },
    { name: 'impossible date', entry: { section: 'vaccinations', itemId: ITEM, values: { vac_xin: 'bcg', ngay_tiem: '2025-02-30' } }, codes: ['DATE_INVALID'] },
    { name: 'item on a single section', entry: { section: 'risk_factors', itemId: ITEM, values: { hut_thuoc: 'co' } }, codes: ['ITEM_NOT_ALLOWED'] },
    { name: 'list item without id', entry: { section: 'allergies', values: { loai: 'thuoc' } }, codes: ['ITEM_ID_REQUIRED'] },
    { name: 'item id not a uuid', entry: { section: 'allergies', itemId: '42', values: { loai: 'thuoc' } }, codes: ['ITEM_ID_INVALID'] },
    { name: 'no values', entry: { section: 'allergies', itemId: ITEM, values: {} }, codes: ['NO_VALUES'] },
    { name: 'bad phone', entry: { section: 'administrative', values: { so_dien_thoai_lien_he: '12345' } }, codes: ['PHONE_INVALID'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = validateRecordEntry(c.entry, c.person ?? ADULT_MAN, TODAY);
      if (c.codes) {
        assert.equal(r.ok, false);
        if (!r.ok) {
          assert.deepEqual(r.issues.map((i) => i.code), c.codes);
          for (const i of r.issues) assert.match(i.message_vi, /[à-ỹÀ-Ỹ]/, 'Vietnamese message with diacritics');
        }
      } else {
        assert.ok(r.ok, JSON.stringify(r));
        if (r.ok) assert.deepEqual(r.entry.values, c.values);
      }
    });
  }

  it('unknown sex or age never rules a section out for entry', () => {
    assert.ok(validateRecordEntry({ section: 'reproductive', values: { so_lan_co_thai: 1 } }, { sex: null, age: null }, TODAY).ok);
  });

  it('merged checks: required fields of live items, conditional requirements, sums', () => {
    const allergies = sectionDef('allergies')!;
    assert.deepEqual(checkMerged(allergies, ITEM, { loai: 'thuoc' }).map((i) => i.field), ['tac_nhan']);
    assert.deepEqual(checkMerged(allergies, ITEM, { loai: 'thuoc', removed: true }), [], 'a removed item needs nothing');
    const family = sectionDef('family_history')!;
    assert.deepEqual(checkMerged(family, ITEM, { quan_he: 'me', loai: 'di_ung' }).map((i) => i.field), ['tac_nhan']);
    assert.deepEqual(checkMerged(family, ITEM, { quan_he: 'me', loai: 'benh' }).map((i) => i.field), ['nhom']);
    const repro = sectionDef('reproductive')!;
    assert.deepEqual(checkMerged(repro, '', { so_lan_co_thai: 3, so_lan_sinh: 2, so_lan_say_thai: 1 }), []);
    assert.deepEqual(checkMerged(repro, '', { so_lan_co_thai: 2, so_lan_sinh: 2, so_lan_pha_thai: 1 }).map((i) => i.code), ['SUM_EXCEEDS_TOTAL']);
    assert.deepEqual(checkMerged(repro, '', { so_lan_sinh: 1, so_lan_de_thuong: 1, so_lan_de_mo: 1 }).map((i) => i.code), ['SUM_EXCEEDS_TOTAL']);
  });

  it('sensitive items by ICD-10 range or condition group', () => {
    const cases: Array<[Record<string, string>, string | null]> = [
      [{ nhom: 'tang_huyet_ap', ma_icd10: 'I10' }, null],
      [{ nhom: 'tam_than' }, 'mental'],
      [{ nhom: 'khac', ma_icd10: 'F32.9' }, 'mental'],
      [{ nhom: 'lao' }, 'tb'],
      [{ nhom: 'khac', ma_icd10: 'B20' }, 'hiv'],
    ];
    for (const [v, s] of cases) assert.equal(itemSensitivity(v), s, JSON.stringify(v));
  });

  it('ICD-10 check names the code', () => {
    const r = checkIcd10('x', 'E119');
    assert.ok(!('field' in r));
    if (!('field' in r)) assert.deepEqual([r.code, r.name !== null, r.sensitivity], ['E11.9', true, null]);
  });
});

describe('check-up', () => {
  it('BMI and adult classes (WPRO cut-offs)', () => {
    const cases: Array<[number, number, number, number | null, string | null]> = [
      // weight, height, age, bmi, class
      [50, 170, 30, 17.3, 'underweight'],
      [60, 165, 30, 22, 'normal'],
      [65, 165, 30, 23.9, 'overweight'],
      [80, 165, 30, 29.4, 'obese'],
      [20, 110, 6, 16.5, null],
    ];
    for (const [w, h, age, b, cls] of cases) {
      assert.equal(bmi(w, h), b);
      assert.equal(bmiClass(bmi(w, h), age), cls);
    }
    assert.equal(bmi(null, 170), null);
  });

  const valid = { examinedOn: '2026-03-10', pulse: 78, sbp: 150, dbp: 95, temperature: 36.8, respRate: 18, heightCm: 160, weightKg: 64, waistCm: 88 };
  const refusals: Array<[string, Record<string, unknown>, string[]]> = [
    ['pulse out of range', { pulse: 300 }, ['MEASURE_OUT_OF_RANGE']],
    ['temperature out of range', { temperature: 48 }, ['MEASURE_OUT_OF_RANGE']],
    ['weight typed in grams', { weightKg: 64000 }, ['MEASURE_OUT_OF_RANGE']],
    ['systolic without diastolic', { dbp: undefined }, ['BP_PAIR']],
    ['systolic below diastolic', { sbp: 80, dbp: 95 }, ['BP_ORDER']],
    ['vision', { visionRight: '12/10' }, ['VISION_INVALID']],
    ['organ system', { exam: { bung: 'mềm' } }, ['ORGAN_SYSTEM_UNKNOWN']],
    ['diagnosis', { diagnoses: ['X1'] }, ['ICD10_INVALID']],
    ['future exam', { examinedOn: '2027-01-01' }, ['DATE_IN_FUTURE']],
    ['paraclinical without result', { paraclinical: [{ test: 'Glucose', result: '' }] }, ['PARACLINICAL_INCOMPLETE']],
  ];
  for (const [name, patch, codes] of refusals) {
    it(`refuses: ${name}`, () => {
      const r = validateCheckup({ ...valid, ...patch }, 45, TODAY);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.deepEqual(r.issues.map((i) => i.code), codes);
        assert.ok(r.issues.every((i) => /[à-ỹ]/.test(i.message_vi)));
      }
    });
  }
  it('the Vietnamese message names the value and the range', () => {
    const r = validateCheckup({ ...valid, pulse: 300 }, 45, TODAY);
    assert.ok(!r.ok && r.issues[0]!.message_vi === 'Mạch 300 lần/phút nằm ngoài khoảng hợp lệ (20–250 lần/phút); kiểm tra lại số đo.');
  });
  it('accepts and computes BMI; sensitive diagnosis flagged', () => {
    const r = validateCheckup({ ...valid, visionRight: '10/10', visionLeft: 'DNT', exam: { tuan_hoan: 'Tim đều' }, diagnoses: ['i10', 'F41.1', 'I10'], paraclinical: [{ test: 'Glucose', result: '6.1', unit: 'mmol/L' }] }, 45, TODAY);
    assert.ok(r.ok, JSON.stringify(r));
    if (r.ok) {
      assert.equal(r.checkup.bmi, 25);
      assert.equal(r.checkup.bmiClass, 'obese');
      assert.equal(r.checkup.visionLeft, 'dnt');
      assert.deepEqual(r.checkup.diagnoses.map((d) => d.code), ['I10', 'F41.1']);
      assert.equal(r.checkup.sensitivity, 'mental');
    }
  });
});

describe('registers', () => {
  const htn = registerDef('hypertension')!;
  const dm = registerDef('diabetes')!;
  const asthma = registerDef('asthma')!;
  const copd = registerDef('copd')!;
  const blank: Parameters<typeof controlStatus>[1] = { sbp: null, dbp: null, hba1c: null, glucoseMmol: null, glucoseKind: null, exacerbations: null, symptomControl: null };

  it('proposes from main or secondary diagnoses (I10–I15, E10–E14, J44, J45–J46)', () => {
    const cases: Array<[string | null, string | null, string[]]> = [
      ['I10', null, ['hypertension']],
      ['J18.9', 'I10;E11.9', ['hypertension', 'diabetes']],
      ['I15.9', '', ['hypertension']],
      ['I20.0', 'E78.5', []],
      ['E14.9', 'I11.9', ['diabetes', 'hypertension']],
      ['J44.1', null, ['copd']],
      ['J45.9', 'J46', ['asthma']],
      ['I14', null, []],
    ];
    for (const [main, kt, want] of cases) assert.deepEqual(registersForDiagnoses(main, kt).map((r) => r.register), want, `${main} ${kt}`);
  });

  it('control status under each rule', () => {
    const cases: Array<[typeof htn, Partial<typeof blank>, string]> = [
      [htn, { sbp: 139, dbp: 89 }, 'controlled'],
      [htn, { sbp: 140, dbp: 80 }, 'uncontrolled'],
      [htn, { sbp: 130, dbp: 90 }, 'uncontrolled'],
      [htn, {}, 'unknown'],
      [dm, { hba1c: 6.9 }, 'controlled'],
      [dm, { hba1c: 7.0, glucoseMmol: 5, glucoseKind: 'luc_doi' }, 'uncontrolled'],
      [dm, { glucoseMmol: 7.2, glucoseKind: 'luc_doi' }, 'controlled'],
      [dm, { glucoseMmol: 4.3, glucoseKind: 'luc_doi' }, 'uncontrolled'],
      [dm, { glucoseMmol: 6, glucoseKind: 'bat_ky' }, 'unknown'],
      [copd, { exacerbations: 0 }, 'controlled'],
      [copd, { exacerbations: 1 }, 'uncontrolled'],
      [copd, { exacerbations: 0, symptomControl: 'khong_kiem_soat' }, 'uncontrolled'],
      [asthma, { symptomControl: 'kiem_soat' }, 'controlled'],
      [asthma, { symptomControl: 'mot_phan' }, 'uncontrolled'],
    ];
    for (const [def, f, want] of cases) assert.equal(controlStatus(def, { ...blank, ...f }), want, `${def.key} ${JSON.stringify(f)}`);
  });

  it('due dates, overdue and the control window', () => {
    assert.equal(nextDueAfter(htn, '2026-01-31'), '2026-03-02');
    assert.equal(addDays('2024-02-28', 1), '2024-02-29');
    assert.equal(isOverdue(htn, '2026-03-15', '2026-03-15'), false);
    assert.equal(isOverdue(htn, '2026-03-14', '2026-03-15'), true);
    assert.equal(withinControlWindow(htn, '2025-12-15', '2026-03-15'), true);
    assert.equal(withinControlWindow(htn, '2025-12-14', '2026-03-15'), false);
    for (const r of REGISTERS) assert.ok(r.followUpIntervalDays > 0 && r.source.length > 0);
  });

  it('follow-up validation: required measures per register, ranges, appointment', () => {
    const ok = validateFollowUp(htn, { visitDate: '2026-03-10', sbp: 150, dbp: 92, medicines: [{ name: 'Amlodipin 5mg', quantity: 30, unit: 'viên', days: 30 }], adherence: 'tot' }, TODAY);
    assert.ok(ok.ok);
    if (ok.ok) {
      assert.equal(ok.followUp.control, 'uncontrolled');
      assert.equal(ok.followUp.nextDue, '2026-04-09');
    }
    const appointment = validateFollowUp(htn, { visitDate: '2026-03-10', sbp: 120, dbp: 80, nextDue: '2026-05-10' }, TODAY);
    assert.ok(appointment.ok && appointment.followUp.nextDue === '2026-05-10' && appointment.followUp.control === 'controlled');
    const refusals: Array<[typeof htn, Record<string, unknown>, string[]]> = [
      [htn, { glucoseMmol: 6, glucoseKind: 'luc_doi' }, ['FOLLOW_UP_MEASURE_REQUIRED']],
      [dm, { sbp: 120, dbp: 80 }, ['FOLLOW_UP_MEASURE_REQUIRED']],
      [dm, { glucoseMmol: 6 }, ['GLUCOSE_KIND_REQUIRED']],
      [dm, { hba1c: 25 }, ['MEASURE_OUT_OF_RANGE']],
      [htn, { sbp: 90, dbp: 120 }, ['BP_ORDER']],
      [htn, { sbp: 120, dbp: 80, nextDue: '2026-03-01' }, ['NEXT_DUE_NOT_AFTER_VISIT']],
      [htn, { sbp: 120, dbp: 80, adherence: 'sometimes' }, ['CODE_UNKNOWN']],
      [asthma, { exacerbations: 1 }, ['FOLLOW_UP_MEASURE_REQUIRED']],
    ];
    for (const [def, patch, codes] of refusals) {
      const r = validateFollowUp(def, { visitDate: '2026-03-10', ...patch }, TODAY);
      assert.ok(!r.ok, `${def.key} ${JSON.stringify(patch)}`);
      if (!r.ok) assert.deepEqual(r.issues.map((i) => i.code), codes, `${def.key} ${JSON.stringify(patch)}`);
    }
    const dmOk = validateFollowUp(dm, { visitDate: '2026-03-10', hba1c: 6.5 }, TODAY);
    assert.ok(dmOk.ok && dmOk.followUp.control === 'controlled');
  });
});

describe('completeness ("đủ")', () => {
  const state = (fields: string[] = [], liveItems = 0, none = false): SectionState => ({ fields: new Set(fields), liveItems, none });
  const adultFull = new Map<string, SectionState>([
    ['administrative', state(['dan_toc', 'nghe_nghiep'])],
    ['risk_factors', state(['hut_thuoc', 'ruou_bia', 'ma_tuy', 'hoat_dong_the_luc'])],
    ['allergies', state([], 0, true)],
    ['disabilities', state([], 0, true)],
    ['personal_history', state([], 1)],
    ['surgeries', state([], 0, true)],
    ['family_history', state([], 2)],
  ]);
  it('an adult man is complete with the seven sections', () => {
    const c = completeness(ADULT_MAN, filledSections(adultFull));
    assert.deepEqual(c.missing, []);
    assert.ok(c.complete);
    assert.ok(!c.required.includes('reproductive') && !c.required.includes('birth'));
  });
  it('a woman of 30 also needs the reproductive history; a partly filled section does not count', () => {
    const c = completeness(WOMAN, filledSections(adultFull));
    assert.deepEqual(c.missing, ['reproductive']);
    const partial = new Map(adultFull).set('reproductive', state(['so_lan_co_thai']));
    assert.deepEqual(completeness(WOMAN, filledSections(partial)).missing, ['reproductive']);
  });
  it('a child of 3 needs birth status and vaccinations, not risk factors', () => {
    const c = completeness(CHILD, filledSections(adultFull));
    assert.deepEqual(c.missing, ['birth', 'vaccinations']);
    assert.ok(!c.required.includes('risk_factors'));
  });
  it('removed items only: not filled', () => {
    assert.deepEqual(filledSections(new Map([['allergies', state([], 0, false)]])), []);
  });
  it('age from a partial birth date counts the older bound', () => {
    assert.deepEqual(personFacts('2020', null, 2, '2026-03-15'), { sex: 2, age: 6 });
    assert.deepEqual(personFacts('2020-06-01', 2020, 1, '2026-03-15'), { sex: 1, age: 5 });
    assert.deepEqual(personFacts(null, null, 3, '2026-03-15'), { sex: null, age: null });
  });
});
