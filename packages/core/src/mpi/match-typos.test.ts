import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { MatchModel } from './match.ts';
import { linkRecords } from './match.ts';
import { generatePopulation, generateSourceRows } from './synth.ts';
import { normalizeAll, sourceRow } from './test-rows.ts';


const home = { dia_chi: 'Thôn 3, xã Tân Lập, huyện Đan Phượng, Hà Nội', ma_xa: '09619', ma_ho_gia_dinh: 'HGD9', so_dien_thoai: '0912000222' };

/** Typo-versus-conflict cases: [name, rows, should the first two records be one person?]. */
const CASES: Array<[string, Array<Record<string, string>>, boolean]> = [
  ['same CCCD, sex flipped on one row → linked', [
    sourceRow({ ho_ten: 'Lê Văn Minh', ngay_sinh: '14/02/1990', gioi_tinh: 'Nam', so_cccd: '001090123456', ma_xa: '09619' }),
    sourceRow({ source_system: 'BHXH', ho_ten: 'LE VAN MINH', ngay_sinh: '14/02/1990', gioi_tinh: 'Nữ', so_cccd: '001090123456' }),
  ], true],
  ['same BHXH, sex flipped on one row → linked', [
    sourceRow({ ho_ten: 'Phạm Thị Lan', ngay_sinh: '03/07/1985', gioi_tinh: 'Nữ', so_bhyt: 'DN4797931234567', ma_xa: '09619' }),
    sourceRow({ source_system: 'KCB', ho_ten: 'Pham Thi Lan', ngay_sinh: '1985-07-03', gioi_tinh: 'Nam', so_bhyt: 'GD4797931234567' }),
    sourceRow({ source_system: 'BHXH', ho_ten: 'PHAM THI LAN', ngay_sinh: '03/07/1985', gioi_tinh: 'Nữ', so_bhyt: 'DN4797931234567' }),
  ], true],
  ['twins: different CCCDs, same birth date, household and phone → not linked', [
    sourceRow({ ...home, ho_ten: 'Nguyễn Văn An', ngay_sinh: '05/03/2006', gioi_tinh: 'Nam', so_cccd: '001206000101' }),
    sourceRow({ ...home, source_system: 'KCB', ho_ten: 'Nguyễn Văn Anh', ngay_sinh: '05/03/2006', gioi_tinh: 'Nữ', so_cccd: '001206000102' }),
  ], false],
  ['father/son namesakes: same name, different birth year and CCCD → not linked', [
    sourceRow({ ...home, ho_ten: 'Trần Văn Hùng', ngay_sinh: '12/08/1960', gioi_tinh: 'Nam', so_cccd: '001060123456' }),
    sourceRow({ ...home, source_system: 'KCB', ho_ten: 'Trần Văn Hùng', ngay_sinh: '12/08/1988', gioi_tinh: 'Nữ', so_cccd: '001088654321' }),
  ], false],
  ['BHYT one digit off, same CCCD → linked', [
    sourceRow({ ho_ten: 'Đỗ Văn Tâm', ngay_sinh: '21/11/1979', gioi_tinh: 'Nam', so_cccd: '001079111222', so_bhyt: 'DN4797931230001' }),
    sourceRow({ source_system: 'BHXH', ho_ten: 'DO VAN TAM', ngay_sinh: '21/11/1979', gioi_tinh: 'Nam', so_cccd: '001079111222', so_bhyt: 'DN4797931230071' }),
  ], true],
  ['BHYT one digit off, different name and birth date → not linked', [
    sourceRow({ ...home, ho_ten: 'Đỗ Văn Tâm', ngay_sinh: '21/11/1979', gioi_tinh: 'Nam', so_bhyt: 'DN4797931230001' }),
    sourceRow({ ...home, source_system: 'BHXH', ho_ten: 'Đỗ Thị Hoa', ngay_sinh: '02/04/1982', gioi_tinh: 'Nữ', so_bhyt: 'DN4797931230002' }),
  ], false],
  ['birth date one day off, same CCCD → linked', [
    sourceRow({ ho_ten: 'Vũ Thị Mai', ngay_sinh: '09/09/1992', gioi_tinh: 'Nữ', so_cccd: '001192333444' }),
    sourceRow({ source_system: 'KCB', ho_ten: 'Vu Thi Mai', ngay_sinh: '1992-09-10', gioi_tinh: 'Nữ', so_cccd: '001192333444' }),
  ], true],
  ['same-name strangers one day apart, no shared id or phone → not linked', [
    sourceRow({ ho_ten: 'Nguyễn Thị Hương', ngay_sinh: '09/09/1992', gioi_tinh: 'Nữ', ma_xa: '09619', so_cccd: '001192000001' }),
    sourceRow({ source_system: 'KCB', ho_ten: 'Nguyễn Thị Hương', ngay_sinh: '10/09/1992', gioi_tinh: 'Nữ', ma_xa: '09619' }),
  ], false],
];

describe('linkRecords: typo versus conflict', () => {
  let model: MatchModel;
  before(() => {
    const persons = generatePopulation({ seed: 7, persons: 3000 });
    const { rows } = generateSourceRows({ seed: 7, persons, profile: 'hard' });
    model = linkRecords(normalizeAll(rows)).model;
  });
  for (const [name, rows, same] of CASES) {
    it(name, () => {
      const r = linkRecords(normalizeAll(rows), { model });
      if (same) assert.equal(r.clusterOf[0], r.clusterOf[1]);
      else assert.notEqual(r.clusterOf[0], r.clusterOf[1]);
    });
  }
});
