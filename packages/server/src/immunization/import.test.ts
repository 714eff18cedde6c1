import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addDays, vietnamToday } from '@openhssk/core';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../test-support/index.ts';
import { importFile, relinkAll } from '../mpi/index.ts';
import { evaluatePerson, vaccinationBook } from './history.ts';
import { ImmImportError, importImmunizationFile, parseDoseDate, parseImmMapping } from './import.ts';
import { dosesOf } from './store.ts';
import { immDb } from './tables.ts';

const TODAY = vietnamToday();
const monthsAgo = (n: number) => {
  const d = new Date(`${TODAY}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - n);
  return d.toISOString().slice(0, 10);
};
const plusMonths = (iso: string, n: number) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + n);
  return d.toISOString().slice(0, 10);
};
const dmy = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

const A = '21556';
const K1_BORN = monthsAgo(10);
const K3_BORN = monthsAgo(3);

const POPULATION = [
  'source_system,source_id,ho_ten,ngay_sinh,gioi_tinh,so_cccd,so_bhyt,so_dien_thoai,dia_chi,ma_xa,ma_ho_gia_dinh,quan_he_chu_ho',
  `MIS2022,M1,Trần Thị Hoa,04/03/1990,Nữ,051190001234,,0905111222,"Thôn An Hội Bắc, xã Nghĩa Kỳ",${A},HGD01,Chủ hộ`,
  `MIS2022,K1,Nguyễn Minh Khang,${dmy(K1_BORN)},Nam,,TE1510000000011,,"Thôn An Hội Bắc, xã Nghĩa Kỳ",${A},HGD01,Con`,
].join('\n');

const HEADER = 'source_id,ma_doi_tuong,ho_ten,ngay_sinh,gioi_tinh,so_bhyt,so_dien_thoai,dia_chi,ma_xa,ten_vac_xin,mui_so,ngay_tiem,ma_co_so,so_lo,duong_tiem,vi_tri_tiem,phan_ung';
const k1 = (id: string, vaccine: string, dose: string, given: string, lot = 'L01') =>
  `${id},T1,Nguyễn Minh Khang,${dmy(K1_BORN)},Nam,TE1510000000011,,"Thôn An Hội Bắc, xã Nghĩa Kỳ",${A},${vaccine},${dose},${dmy(given)},51242,${lot},IM,Đùi trái,`;
const k3 = (id: string, vaccine: string, dose: string, given: string) => `${id},T3,Phạm Gia Bảo,${dmy(K3_BORN)},Nam,,0912000333,"Thôn Phú Thọ, xã Nghĩa Kỳ",${A},${vaccine},${dose},${dmy(given)},51242,L09,IM,,`;

const GOOD = [
  k1('D1', 'Viêm gan B sơ sinh', '1', K1_BORN),
  k1('D2', 'BCG', '1', addDays(K1_BORN, 3)),
  k1('D3', 'DPT-VGB-Hib', '1', plusMonths(K1_BORN, 2)),
  k1('D4', 'bOPV', '1', plusMonths(K1_BORN, 2)),
  k1('D5', 'DPT-VGB-Hib mũi 2', '2', plusMonths(K1_BORN, 3)),
  k1('D6', 'bOPV', '2', plusMonths(K1_BORN, 3)),
  k1('D7', 'Quinvaxem', '3', plusMonths(K1_BORN, 4)),
  k1('D8', 'OPV', '3', plusMonths(K1_BORN, 4)),
  k1('D9', 'IPV', '1', plusMonths(K1_BORN, 5)),
  k1('D10', 'Vắc xin lạ XYZ', '', plusMonths(K1_BORN, 6)),
  k3('D20', 'VGB', '1', K3_BORN),
];
// Each refused for one reason; line numbers count the header as line 1.
const BAD = [
  k1('', 'BCG', '1', addDays(K1_BORN, 4)), // SOURCE_ID_MISSING
  k1('E2', 'MR', '1', K1_BORN).replace(dmy(K1_BORN) + ',51242', '31/02/2025,51242'), // DOSE_DATE_INVALID
  k1('E3', 'MR', '1', addDays(TODAY, 20)), // DOSE_DATE_IN_FUTURE
  k1('E4', '', '1', addDays(K1_BORN, 5)), // VACCINE_MISSING
  k1('E5', 'MR', '1', addDays(K1_BORN, 6)).replace('Nguyễn Minh Khang', ''), // NAME_MISSING
  k1('D3', 'MR', '1', addDays(K1_BORN, 7)), // DUPLICATE_SOURCE_ID
  k1('E7', 'BCG', '1', addDays(K1_BORN, -2)), // DOSE_BEFORE_BIRTH
];

describe(`immunization import (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let db: TestDatabase;
  let dir: string;
  let k1Person: string;
  const write = (name: string, lines: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  };
  const count = async (where = sql`true`) => (await sql<{ n: number }>`select count(*)::int as n from vaccination where ${where}`.execute(db.db)).rows[0]!.n;

  before(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'imm-import-'));
    await db.db.insertInto('admin_unit').values([
      { code: '51', level: 'province', name: 'Quảng Ngãi', parent_code: null, valid_from: null, valid_to: null },
      { code: '528', level: 'district', name: 'Tư Nghĩa', parent_code: '51', valid_from: null, valid_to: null },
      { code: A, level: 'commune', name: 'xã Nghĩa Kỳ', parent_code: '528', valid_from: null, valid_to: null },
    ]).execute();
    await db.db.insertInto('facility').values({ code: '51242', name: 'Trạm Y tế xã Nghĩa Kỳ', level: 'xã', admin_unit_code: A }).execute();
    await importFile(db.db, write('population.csv', [POPULATION]));
    await relinkAll(db.db);
    k1Person = (await db.db.selectFrom('source_record').select('person_id').where('source_id', '=', 'K1').executeTakeFirstOrThrow()).person_id!;
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  });

  it('reads the dates exports write', () => {
    assert.equal(parseDoseDate('2025-03-07'), '2025-03-07');
    assert.equal(parseDoseDate('7/3/2025'), '2025-03-07');
    assert.equal(parseDoseDate('07-03-2025'), '2025-03-07');
    assert.equal(parseDoseDate('20250307'), '2025-03-07');
    assert.equal(parseDoseDate('202503070930'), '2025-03-07');
    assert.equal(parseDoseDate('2025-03-07T09:30:00'), '2025-03-07');
    assert.equal(parseDoseDate('29/02/2025'), undefined);
    assert.equal(parseDoseDate('hôm qua'), undefined);
  });

  it('imports doses, links each person through the MPI, reports bad rows with line and reason', async () => {
    const progress: number[] = [];
    const r = await importImmunizationFile(db.db, write('export.csv', [HEADER, ...GOOD, ...BAD]), { batchSize: 4, onProgress: (p) => progress.push(p.rows) });
    assert.equal(r.alreadyImported, false);
    assert.equal(r.sourceSystem, 'TIEMCHUNG');
    assert.equal(r.rows, GOOD.length + BAD.length);
    assert.equal(r.accepted, GOOD.length);
    assert.equal(r.rejected, BAD.length);
    assert.equal(r.inserted, GOOD.length);
    assert.ok(progress.length >= 3 && progress.at(-1) === r.rows, `progress reported per batch: ${progress}`);
    const byLine = new Map(r.errors.map((e) => [e.line, e]));
    const first = GOOD.length + 2;
    for (const [offset, code] of ['SOURCE_ID_MISSING', 'DOSE_DATE_INVALID', 'DOSE_DATE_IN_FUTURE', 'VACCINE_MISSING', 'NAME_MISSING', 'DUPLICATE_SOURCE_ID', 'DOSE_BEFORE_BIRTH'].entries()) {
      const e = byLine.get(first + offset);
      assert.equal(e?.code, code, `line ${first + offset}: ${JSON.stringify(e)}`);
      assert.ok(e.message_vi.length > 5 && e.message_en.length > 5 && e.message_vi !== e.message_en);
    }
    assert.match(byLine.get(first + 1)!.message_vi, /Ngày tiêm "31\/02\/2025" không hợp lệ/);
    // The unknown vaccine is kept (nothing else lost) with a warning, and counts for nothing.
    const warnings = await immDb(db.db).selectFrom('imm_import_issue').select(['line', 'code', 'severity']).where('import_id', '=', r.importId).where('severity', '=', 'warning').execute();
    assert.deepEqual(warnings.map((w) => [w.line, w.code]), [[11, 'VACCINE_UNRECOGNIZED']]);
    const unknown = await immDb(db.db).selectFrom('vaccination').select('antigens').where('source_record_id', '=', 'D10').executeTakeFirstOrThrow();
    assert.deepEqual(unknown.antigens, []);

    // K1 joined the person the population list made (same BHYT), in the same transaction as the doses.
    const k1Doses = await dosesOf(db.db, [k1Person]);
    assert.equal(k1Doses.length, 10);
    assert.equal(r.persons.joined, 1);
    assert.equal(r.persons.new, 1);
    const t1 = await db.db.selectFrom('source_record').select(['person_id', 'link_rule']).where('source_system', '=', 'TIEMCHUNG').where('source_id', '=', 'T1').executeTakeFirstOrThrow();
    assert.equal(t1.person_id, k1Person);
    // K3 was nobody yet: a new person, with a golden record built from the export's row.
    const t3 = await db.db.selectFrom('source_record as s').innerJoin('person as p', 'p.id', 's.person_id').select(['p.id', 'p.ho_ten', 'p.ngay_sinh', 'p.ma_xa'])
      .where('s.source_system', '=', 'TIEMCHUNG').where('s.source_id', '=', 'T3').executeTakeFirstOrThrow();
    assert.deepEqual([t3.ho_ten, t3.ngay_sinh, t3.ma_xa], ['Phạm Gia Bảo', K3_BORN, A]);
    assert.equal((await dosesOf(db.db, [t3.id])).length, 1);

    // The engine reads the stored antigens: three 5-in-1 doses (one recorded as Quinvaxem), OPV, IPV.
    const person = await db.db.selectFrom('person').select(['id', 'ho_ten', 'ngay_sinh', 'gioi_tinh']).where('id', '=', k1Person).executeTakeFirstOrThrow();
    const e = evaluatePerson(person, k1Doses, TODAY)!;
    const series = new Map(e.series.map((s) => [s.series, s]));
    assert.equal(series.get('dpt_vgb_hib')?.status, 'complete');
    assert.equal(series.get('opv')?.status, 'complete');
    assert.equal(series.get('hepb_birth')?.status, 'complete');
    assert.deepEqual(series.get('ipv')?.doses.filter((d) => d.status === 'done').map((d) => d.dose), [1]);
    assert.ok(e.unused.some((u) => u.reason === 'unrecognized_product'));
  });

  it('re-importing the same file writes nothing; a corrected file updates only what changed', async () => {
    const before = await count();
    const again = await importImmunizationFile(db.db, join(dir, 'export.csv'));
    assert.equal(again.alreadyImported, true);
    assert.equal(await count(), before);
    // The same rows in another file (another export run): row-level idempotency.
    const lines = [HEADER, ...GOOD];
    lines[3] = k1('D3', 'DPT-VGB-Hib', '1', plusMonths(K1_BORN, 2), 'L99'); // lot corrected at the source
    lines.push(k3('D21', 'BCG', '1', addDays(K3_BORN, 2)));
    const r = await importImmunizationFile(db.db, write('export-2.csv', lines));
    assert.equal(r.alreadyImported, false);
    assert.deepEqual([r.inserted, r.updated, r.unchanged, r.rejected], [1, 1, GOOD.length - 1, 0]);
    assert.equal(await count(), before + 1);
    const d3 = (await dosesOf(db.db, [k1Person])).find((d) => d.source_record_id === 'D3')!;
    assert.equal(d3.lot_no, 'L99');
    assert.equal(d3.person_id, k1Person);
  });

  it('recognises a dose two sources report (same person, antigen, ±1 day) and counts it once', async () => {
    // A service clinic's export of the same child: 5-in-1 dose 1 a day later under a brand name, and a real new dose.
    const other = [
      'ma_mui_tiem,ho_ten,ngay_sinh,gioi_tinh,so_bhyt,ten_vac_xin,ngay_tiem,ma_co_so',
      `X1,Nguyễn Minh Khang,${dmy(K1_BORN)},Nam,TE1510000000011,ComBE Five,${dmy(addDays(plusMonths(K1_BORN, 2), 1))},79999`,
      `X2,Nguyễn Minh Khang,${dmy(K1_BORN)},Nam,TE1510000000011,Sởi,${dmy(plusMonths(K1_BORN, 9))},79999`,
    ];
    const r = await importImmunizationFile(db.db, write('clinic.csv', other), { sourceSystem: 'VNVC' });
    assert.equal(r.accepted, 2, JSON.stringify(r.errors));
    assert.equal(r.duplicates, 1);
    assert.equal(r.persons.joined, 1, 'the clinic’s record of the child joins the same person');
    const doses = await dosesOf(db.db, [k1Person]);
    const x1 = doses.find((d) => d.source_record_id === 'X1')!;
    const d3 = doses.find((d) => d.source_record_id === 'D3')!;
    assert.equal(x1.duplicate_of, d3.id);
    assert.equal(x1.facility_code, null, 'a facility code not in the registry is kept as text only');
    assert.equal(x1.facility_ref, '79999');
    const person = await db.db.selectFrom('person').select(['id', 'ho_ten', 'ngay_sinh', 'gioi_tinh']).where('id', '=', k1Person).executeTakeFirstOrThrow();
    const book = await vaccinationBook(db.db, person);
    const dpt = book.schedule.evaluable ? book.schedule.series.find((s) => s.series === 'dpt_vgb_hib')! : undefined;
    assert.deepEqual(dpt?.doses.filter((d) => d.status === 'done').map((d) => d.dose), [1, 2, 3], 'dose 1 counted once');
    const hib = book.by_antigen.find((g) => g.antigen === 'hib')!;
    assert.equal(hib.doses.length, 3, 'the history by antigen lists the real dose once');
    assert.equal(book.vaccinations.find((v) => v.id === x1.id)?.duplicate_of, d3.id);
    assert.equal(book.by_antigen.find((g) => g.antigen === 'measles')?.doses.length, 1);
  });

  it('reads XLSX with Vietnamese captions and date cells, UTF-16 CSV with semicolons, and mapped headers', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Mũi tiêm');
    ws.addRow(['Mã mũi tiêm', 'Mã đối tượng', 'Họ và tên', 'Ngày sinh', 'Giới tính', 'Tên vắc xin', 'Mũi', 'Ngày tiêm', 'Số lô']);
    ws.addRow(['XL1', 'T3', 'Phạm Gia Bảo', new Date(`${K3_BORN}T00:00:00Z`), 'Nam', 'DPT-VGB-Hib', 1, new Date(`${plusMonths(K3_BORN, 2)}T00:00:00Z`), 'A12']);
    const xlsx = join(dir, 'export.xlsx');
    await wb.xlsx.writeFile(xlsx);
    const rx = await importImmunizationFile(db.db, xlsx);
    assert.deepEqual([rx.accepted, rx.rejected], [1, 0], JSON.stringify(rx.errors));

    // Without the source's person id, rows with the same person details are one source record.
    const text = [
      'source_id;ma_doi_tuong;ho_ten;ngay_sinh;ten_vac_xin;ngay_tiem',
      `U1;T3;Phạm Gia Bảo;${dmy(K3_BORN)};bOPV;${dmy(plusMonths(K3_BORN, 2))}`,
      `U2;;Đỗ An Nhiên;${dmy(K3_BORN)};VGB;${dmy(K3_BORN)}`,
      `U3;;ĐỖ AN NHIÊN;${dmy(K3_BORN)};BCG;${dmy(addDays(K3_BORN, 1))}`,
    ].join('\r\n');
    const utf16 = join(dir, 'export-utf16.csv');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const ru = await importImmunizationFile(db.db, utf16);
    assert.deepEqual([ru.accepted, ru.rejected], [3, 0], JSON.stringify(ru.errors));
    const nhien = await immDb(db.db).selectFrom('vaccination').select(['person_source_id', 'person_id']).where('source_record_id', 'in', ['U2', 'U3']).execute();
    assert.equal(new Set(nhien.map((n) => n.person_source_id)).size, 1);
    assert.match(nhien[0]!.person_source_id!, /^~[0-9a-f]{24}$/);
    assert.equal(new Set(nhien.map((n) => n.person_id)).size, 1);

    const mapped = write('mapped.csv', ['ID,Mã trẻ,Tên,Sinh,Thuốc,Ngày', `M1,T3,Phạm Gia Bảo,${dmy(K3_BORN)},IPV,${dmy(plusMonths(K3_BORN, 3))}`]);
    const mapping = parseImmMapping('source_id=ID,ma_doi_tuong=Mã trẻ,ho_ten=Tên,ngay_sinh=Sinh,ten_vac_xin=Thuốc,ngay_tiem=Ngày');
    const rm = await importImmunizationFile(db.db, mapped, { mapping });
    assert.deepEqual([rm.accepted, rm.rejected], [1, 0], JSON.stringify(rm.errors));
    const t3 = (await db.db.selectFrom('source_record').select('person_id').where('source_system', '=', 'TIEMCHUNG').where('source_id', '=', 'T3').executeTakeFirstOrThrow()).person_id!;
    const names = (await dosesOf(db.db, [t3])).map((d) => d.source_record_id);
    assert.ok(names.includes('XL1') && names.includes('U1') && names.includes('M1'), `all three files reached the same child: ${names}`);

    await assert.rejects(importImmunizationFile(db.db, write('no-date.csv', ['source_id,ho_ten,ngay_sinh,ten_vac_xin', 'Z1,Ai Đó,01/01/2020,BCG'])), (e: unknown) => {
      assert.ok(e instanceof ImmImportError);
      assert.equal(e.code, 'COLUMNS_MISSING');
      assert.match(e.message_vi, /ngay_tiem/);
      return true;
    });
    assert.throws(() => parseImmMapping('khong_co=ABC'), (e: unknown) => e instanceof ImmImportError && e.code === 'MAPPING_INVALID');
  });
});
