import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCheckin, buildInnerXml } from './build.ts';
import { codeLabel } from './codesets.ts';
import { parseCheckin, parseEpisodeFiles } from './parse.ts';
import { compileCondition } from './rules.ts';
import { tableByCode, tableByRoot, XML130_TABLES } from './tables.ts';
import { type EpisodeTables, sampleCheckinRow, sampleEpisode } from './testdata.ts';
import type { Issue } from './types.ts';
import { checkDate, validateCheckinRow, validateEpisode } from './validate.ts';

const CTX = { facilityCode: '01001' };

function run(tables: EpisodeTables) {
  const files = Object.entries(tables).map(([type, rows]) => ({ type, xml: buildInnerXml(type, rows) }));
  return validateEpisode(parseEpisodeFiles(files), CTX);
}

function mutate(table: string, row: number, field: string, value: string | undefined): EpisodeTables {
  const t = sampleEpisode(1);
  const r = t[table]![row]!;
  if (value === undefined) delete r[field];
  else r[field] = value;
  return t;
}

const has = (issues: Issue[], code: string, field: string | null, severity: Issue['severity']) =>
  issues.some((i) => i.code === code && (field === null || i.field === field) && i.severity === severity);

describe('table definitions', () => {
  it('covers XML0..XML15 with roots, lists and typed fields', () => {
    assert.deepEqual(XML130_TABLES.map((t) => t.code), Array.from({ length: 16 }, (_, i) => `XML${i}`));
    const x0 = tableByCode('XML0')!;
    assert.deepEqual([x0.root, x0.list, x0.row, x0.multi], ['CHI_TIEU_TRANG_THAI_KCB', 'DSACH_TRANG_THAI_KCB', 'TRANG_THAI_KCB', true]);
    assert.equal(tableByRoot('TONG_HOP')?.code, 'XML1');
    assert.equal(tableByRoot('CHI_TIEU_DU_LIEU_GIAM_DINH_Y_KHOA')?.code, 'XML12');
    const lyDo = tableByCode('XML0')!.fields.find((f) => f.name === 'LY_DO_VNT')!;
    assert.deepEqual([lyDo.type, lyDo.max, lyDo.req, lyDo.condition], ['S', null, 'C', 'NGAY_VAO_NOI_TRU present']);
    assert.equal(tableByCode('XML1')!.fields.find((f) => f.name === 'MA_NGHE_NGHIEP')!.max, 5, 'override applied');
    assert.equal(tableByCode('XML2')!.fields.find((f) => f.name === 'SO_DANG_KY')!.condition, 'as QĐ 4210');
  });
  it('reads published condition wording', () => {
    const cases: Array<[string, Record<string, string>, boolean]> = [
      ['MA_DICH_VU present', { MA_DICH_VU: 'x' }, true],
      ['MA_DICH_VU present', { MA_DICH_VU: ' ' }, false],
      ['MA_NHOM=12', { MA_NHOM: '12' }, true],
      ['LOAI_DTRI_LAO<>0', { LOAI_DTRI_LAO: '0' }, false],
      ['LOAI_DTRI_LAO<>0', { LOAI_DTRI_LAO: '2' }, true],
      ['MA_NHOM in 1,2,3,8,18', { MA_NHOM: '8' }, true],
      ['no MA_THUOC and no MA_VAT_TU', { MA_THUOC: 'x' }, false],
      ['Y except MA_NHOM 7,17', { MA_NHOM: '17' }, false],
      ['Y except MA_NHOM 7,17', { MA_NHOM: '4' }, true],
    ];
    for (const [cond, row, expected] of cases) assert.equal(compileCondition(cond)!(row), expected, cond);
    assert.equal(compileCondition('regimen = "KHAC"'), null);
  });
  it('labels codes in Vietnamese', () => {
    assert.equal(codeLabel('MA_LOAI_KCB', '03'), 'Điều trị nội trú');
    assert.equal(codeLabel('KET_QUA_DTRI', '1'), 'Khỏi');
    assert.equal(codeLabel('GIOI_TINH', '9'), undefined);
  });
});

describe('checkDate', () => {
  const cases: Array<[string, number[], boolean, ReturnType<typeof checkDate>]> = [
    ['20240229', [8], false, null],
    ['20230229', [8], false, 'value'],
    ['202402291200', [12], false, null],
    ['202402292400', [12], false, 'value'],
    ['2024022912', [8, 12], false, 'format'],
    ['198500000000', [12], true, null],
    ['198505000000', [12], true, null],
    ['198500150000', [12], true, 'value'],
    ['198500000000', [12], false, 'value'],
    ['2024-02-01', [8], false, 'format'],
  ];
  for (const [v, lengths, zero, expected] of cases) it(`${v} → ${expected}`, () => assert.equal(checkDate(v, lengths, zero), expected));
});

describe('validateEpisode', () => {
  it('accepts the valid sample', () => assert.deepEqual(run(sampleEpisode(1)), { status: 'accepted', issues: [] }));

  const cases: Array<[string, EpisodeTables, string, string | null, Issue['severity']]> = [
    ['required missing', mutate('XML1', 0, 'HO_TEN', undefined), 'REQUIRED_MISSING', 'HO_TEN', 'error'],
    ['required blank', mutate('XML1', 0, 'MA_BENH_CHINH', ' '), 'REQUIRED_MISSING', 'MA_BENH_CHINH', 'error'],
    ['number with comma', mutate('XML2', 0, 'SO_LUONG', '1,5'), 'NUMBER_INVALID', 'SO_LUONG', 'error'],
    ['number too long', mutate('XML1', 0, 'GIOI_TINH', '11'), 'MAX_LENGTH', 'GIOI_TINH', 'error'],
    ['string too long', mutate('XML1', 0, 'MA_CSKCB', '010011'), 'MAX_LENGTH', 'MA_CSKCB', 'error'],
    ['date format', mutate('XML1', 0, 'NGAY_VAO', '20240301'), 'DATE_FORMAT', 'NGAY_VAO', 'error'],
    ['impossible date', mutate('XML1', 0, 'NGAY_RA', '202402301200'), 'DATE_INVALID', 'NGAY_RA', 'error'],
    ['00 day outside NGAY_SINH', mutate('XML1', 0, 'GT_THE_TU', '20240100'), 'DATE_INVALID', 'GT_THE_TU', 'error'],
    ['code set GIOI_TINH', mutate('XML1', 0, 'GIOI_TINH', '4'), 'CODE_INVALID', 'GIOI_TINH', 'error'],
    ['code set MA_LOAI_KCB', mutate('XML1', 0, 'MA_LOAI_KCB', '3'), 'CODE_INVALID', 'MA_LOAI_KCB', 'error'],
    ['code set PHAM_VI', mutate('XML3', 1, 'PHAM_VI', '4'), 'CODE_INVALID', 'PHAM_VI', 'error'],
    ['ratio out of range', mutate('XML2', 0, 'TYLE_TT_BH', '120'), 'RANGE', 'TYLE_TT_BH', 'error'],
    ['order of times', mutate('XML1', 0, 'NGAY_VAO_NOI_TRU', '202403060000'), 'DATE_ORDER', 'NGAY_RA', 'error'],
    ['ICD-10 shape', mutate('XML1', 0, 'MA_BENH_CHINH', 'J18.945'), 'ICD10_FORMAT', 'MA_BENH_CHINH', 'error'],
    ['ICD-10 secondary list', mutate('XML1', 0, 'MA_BENH_KT', 'I10;11.9'), 'ICD10_FORMAT', 'MA_BENH_KT', 'error'],
    ['CCCD malformed', mutate('XML1', 0, 'SO_CCCD', '12345'), 'CCCD_FORMAT', 'SO_CCCD', 'error'],
    ['CCCD old 9-digit', mutate('XML1', 0, 'SO_CCCD', '123456789'), 'CCCD_OLD_CMND', 'SO_CCCD', 'warning'],
    ['CCCD passport', mutate('XML1', 0, 'SO_CCCD', 'C1234567'), 'CCCD_PASSPORT', 'SO_CCCD', 'warning'],
    ['CCCD birth year mismatch', mutate('XML1', 0, 'NGAY_SINH', '199006150000'), 'CCCD_BIRTH_YEAR_MISMATCH', 'SO_CCCD', 'warning'],
    ['BHYT second card bad', mutate('XML1', 0, 'MA_THE_BHYT', 'DN4010123456789;XX'), 'BHYT_LENGTH', 'MA_THE_BHYT', 'error'],
    ['facility mismatch', mutate('XML1', 0, 'MA_CSKCB', '79001'), 'FACILITY_MISMATCH', 'MA_CSKCB', 'error'],
    ['conditional: supply name', mutate('XML3', 1, 'TEN_VAT_TU', ''), 'CONDITIONAL_MISSING', 'TEN_VAT_TU', 'error'],
    ['oneOf service/supply', mutate('XML3', 1, 'MA_VAT_TU', ''), 'ONE_OF_MISSING', 'MA_DICH_VU', 'error'],
    ['MA_LK mismatch', mutate('XML2', 1, 'MA_LK', 'OTHER'), 'MA_LK_MISMATCH', 'MA_LK', 'error'],
    ['STT duplicate', mutate('XML2', 1, 'STT', '1'), 'STT_DUPLICATE', 'STT', 'error'],
    ['STT not positive', mutate('XML2', 1, 'STT', '0'), 'STT_INVALID', 'STT', 'error'],
    ['T_THUOC sum', mutate('XML1', 0, 'T_THUOC', '1.00'), 'SUM_MISMATCH', 'T_THUOC', 'error'],
    ['T_TONGCHI_BV sum', mutate('XML3', 0, 'THANH_TIEN_BV', '5.00'), 'SUM_MISMATCH', 'T_TONGCHI_BV', 'error'],
    ['T_VTYT sum', mutate('XML3', 1, 'THANH_TIEN_BV', '5.00'), 'SUM_MISMATCH', 'T_VTYT', 'error'],
    ['T_BHTT formula', mutate('XML1', 0, 'T_BHTT', '1.00'), 'BHTT_MISMATCH', 'T_BHTT', 'warning'],
    ['order time outside episode', mutate('XML2', 0, 'NGAY_YL', '202402011000'), 'ORDER_OUTSIDE_EPISODE', 'NGAY_YL', 'warning'],
    ['MA_DOITUONG_KCB shape', mutate('XML1', 0, 'MA_DOITUONG_KCB', 'ABC'), 'DOITUONG_SHAPE', 'MA_DOITUONG_KCB', 'warning'],
  ];
  for (const [name, tables, code, field, severity] of cases) {
    it(`${name} → ${code} (${severity})`, () => {
      const v = run(tables);
      assert.ok(has(v.issues, code, field, severity), JSON.stringify(v.issues.map((i) => [i.code, i.field, i.severity])));
      assert.equal(v.status, severity === 'error' ? 'rejected' : 'accepted_with_warnings');
      for (const i of v.issues) assert.ok(i.message_vi && i.message_en);
    });
  }

  it('tolerates 1 VND of rounding in totals', () => {
    const t = sampleEpisode(1);
    t['XML1']![0]!['T_THUOC'] = (Number(t['XML1']![0]!['T_THUOC']) + 0.9).toFixed(2);
    t['XML1']![0]!['T_TONGCHI_BV'] = (Number(t['XML1']![0]!['T_TONGCHI_BV']) + 0.9).toFixed(2);
    assert.equal(run(t).status, 'accepted');
  });

  it('warns on a discharge after the time of receipt, with 15 minutes for clock drift', () => {
    const t = sampleEpisode(1);
    const files = Object.entries(t).map(([type, rows]) => ({ type, xml: buildInnerXml(type, rows) }));
    const ra = t['XML1']![0]!['NGAY_RA']!;
    // NGAY_RA is Viet Nam wall-clock (UTC+7).
    const raInstant = Date.UTC(Number(ra.slice(0, 4)), Number(ra.slice(4, 6)) - 1, Number(ra.slice(6, 8)), Number(ra.slice(8, 10)) - 7, Number(ra.slice(10, 12)));
    const at = (ms: number) => validateEpisode(parseEpisodeFiles(files), { ...CTX, receivedAt: new Date(ms) });
    const early = at(raInstant - 3 * 3_600_000);
    assert.ok(has(early.issues, 'DATE_IN_FUTURE', 'NGAY_RA', 'warning'), JSON.stringify(early.issues));
    assert.equal(early.status, 'accepted_with_warnings');
    assert.match(early.issues.find((i) => i.code === 'DATE_IN_FUTURE')!.message_vi, /muộn hơn thời điểm nhận/);
    assert.equal(at(raInstant - 10 * 60_000).status, 'accepted');
    assert.equal(at(raInstant + 3_600_000).status, 'accepted');
  });

  it('allows 00 day/month in NGAY_SINH', () => assert.equal(run(mutate('XML1', 0, 'NGAY_SINH', '198500000000')).status, 'accepted'));

  it('reports a malformed table for that episode only, and keeps unknown elements in extra', () => {
    const good = sampleEpisode(2);
    const goodFiles = Object.entries(good).map(([type, rows]) => ({ type, xml: buildInnerXml(type, rows) }));
    const badFiles = [...goodFiles.filter((f) => f.type !== 'XML2'), { type: 'XML2', xml: '<CHITIEU_CHITIET_THUOC><DSACH_CHI_TIET_THUOC>' }];
    const bad = validateEpisode(parseEpisodeFiles(badFiles), CTX);
    assert.equal(bad.status, 'rejected');
    assert.ok(has(bad.issues, 'XML_MALFORMED', null, 'error'));
    assert.equal(bad.issues.find((i) => i.code === 'XML_MALFORMED')!.table, 'XML2');
    const withExtra = goodFiles.map((f) => (f.type === 'XML1' ? { ...f, xml: f.xml.replace('</TONG_HOP>', '<VENDOR_NOTE>x</VENDOR_NOTE></TONG_HOP>') } : f));
    const parsed = parseEpisodeFiles(withExtra);
    assert.deepEqual(parsed.tables['XML1']![0]!.extra, { VENDOR_NOTE: 'x' });
    assert.equal(validateEpisode(parsed, CTX).status, 'accepted');
  });

  it('turns unknown LOAIHOSO, wrong roots and missing XML1 into issues', () => {
    const t = sampleEpisode(3);
    const p = parseEpisodeFiles([
      { type: 'XML99', xml: '<X/>' },
      { type: 'XML2', xml: buildInnerXml('XML3', t['XML3']!) },
      { type: 'XML5', xml: '<NOT_A_TABLE/>' },
    ]);
    const codes = p.issues.map((i) => [i.table, i.code]);
    assert.deepEqual(codes, [['XML99', 'UNKNOWN_FILE_TYPE'], ['XML2', 'FILE_TYPE_MISMATCH'], ['XML5', 'UNKNOWN_ROOT']]);
    const v = validateEpisode(p, CTX);
    assert.ok(has(v.issues, 'XML1_MISSING', null, 'error'));
  });
});

describe('check-in (XML0)', () => {
  it('parses a built check-in and validates its rows', () => {
    const row = sampleCheckinRow();
    const c = parseCheckin(buildCheckin([row, { ...row, STT: '2', MA_DICH_VU: '', TEN_DICH_VU: '' }]));
    assert.equal(c.rows.length, 2);
    assert.equal(c.hasSignature, false);
    assert.deepEqual(validateCheckinRow(c.rows[0]!, CTX), []);
    const issues = validateCheckinRow(c.rows[1]!, CTX, 2);
    assert.deepEqual(issues.map((i) => [i.code, i.field, i.row]), [
      ['CONDITIONAL_MISSING', 'MA_DICH_VU', 2],
      ['CONDITIONAL_MISSING', 'MA_THUOC', 2],
      ['CONDITIONAL_MISSING', 'MA_VAT_TU', 2],
    ]);
    assert.deepEqual(validateCheckinRow({ ...row, MA_CSKCB: '79001' }, CTX).map((i) => i.code), ['FACILITY_MISMATCH']);
  });
});
