import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { communeOfAddress, inferCommuneCodes } from './address.ts';
import { type LinkCase, linkCaseTests, sourceRow } from './test-rows.ts';

describe('communeOfAddress', () => {
  const CASES: Array<[string, { commune: string; district: string | undefined } | undefined]> = [
    ['Thôn 7, xã Phú Thịnh 5, huyện Hòa Vang, Cần Thơ', { commune: 'PHU THINH 5', district: 'HOA VANG' }],
    ['Số 112 ngõ 24, X. Phú Thịnh 13, H. Quỳnh Lưu, T. Hồ Chí Minh', { commune: 'PHU THINH 13', district: 'QUYNH LUU' }],
    ['th 7 x.phu thinh 5 h.hoa vang', { commune: 'PHU THINH 5', district: 'HOA VANG' }],
    ['So 51 ngo 27, xa Phu Thinh 5, huyen Hoa Vang, Can Tho', { commune: 'PHU THINH 5', district: 'HOA VANG' }],
    ['12 Lê Lợi, phường Bến Thành, quận 1, TP. Hồ Chí Minh', { commune: 'BEN THANH', district: '1' }],
    ['Khu 3, thị trấn Phùng, huyện Đan Phượng', { commune: 'PHUNG', district: 'DAN PHUONG' }],
    // "thị xã" is a district-level unit, not a commune.
    ['Thôn 2, thị xã Sơn Tây', undefined],
    ['Thôn 2, Đan Phượng, Hà Nội', undefined],
    ['xã Tân Lập', { commune: 'TAN LAP', district: undefined }],
  ];
  for (const [address, expected] of CASES) {
    it(address, () => assert.deepEqual(communeOfAddress(address), expected));
  }
});

describe('inferCommuneCodes', () => {
  const CASES: Array<[string, Array<{ address?: string; communeCode?: string }>, Array<string | undefined>]> = [
    ['learnt from records giving both', [
      { address: 'Thôn 1, xã Phú Thịnh 5, huyện Hòa Vang', communeCode: '10148' },
      { address: 'th 9 x.phu thinh 5 h.hoa vang' },
    ], [undefined, '10148']],
    ['a district run on with the province is read word by word shorter', [
      { address: 'Thôn 1, xã Phú Thịnh 5, huyện Hòa Vang', communeCode: '10148' },
      { address: 'th 9 x.phu thinh 5 h.hoa vang can tho' },
    ], [undefined, '10148']],
    ['the same commune name in two districts, the record naming one of them', [
      { address: 'xã Tân Lập, huyện Đan Phượng', communeCode: '09619' },
      { address: 'xã Tân Lập, huyện Quỳnh Lưu', communeCode: '17500' },
      { address: 'Thôn 3, X. Tan Lap, H. Quynh Luu' },
    ], [undefined, undefined, '17500']],
    ['the same commune name in two districts and no district written → none', [
      { address: 'xã Tân Lập, huyện Đan Phượng', communeCode: '09619' },
      { address: 'xã Tân Lập, huyện Quỳnh Lưu', communeCode: '17500' },
      { address: 'Thôn 3, xã Tân Lập' },
    ], [undefined, undefined, undefined]],
    ['a district nobody wrote with that commune → none (not the commune name alone)', [
      { address: 'xã Tân Lập, huyện Đan Phượng', communeCode: '09619' },
      { address: 'Thôn 3, xã Tân Lập, huyện Gia Lâm' },
    ], [undefined, undefined]],
    ['records that disagree on the code → none', [
      { address: 'xã Hòa Bình, huyện Gia Lâm', communeCode: '00001' },
      { address: 'xã Hòa Bình, huyện Gia Lâm', communeCode: '00002' },
      { address: 'xã Hòa Bình, huyện Gia Lâm' },
    ], [undefined, undefined, undefined]],
    ['a code written on the record is never replaced', [
      { address: 'xã Hòa Bình, huyện Gia Lâm', communeCode: '00001' },
      { address: 'xã Hòa Bình, huyện Gia Lâm', communeCode: '00002' },
    ], [undefined, undefined]],
  ];
  for (const [name, records, expected] of CASES) {
    it(name, () => assert.deepEqual(inferCommuneCodes(records), expected));
  }
});

describe('linkRecords: a commune read from the address', () => {
  // Another resident whose record gives both the address and the code teaches which code "Phú Thịnh 5" is.
  const teacher = () => sourceRow({ ho_ten: 'Đặng Thị Hoa', ngay_sinh: '01/01/1960', gioi_tinh: 'Nữ', dia_chi: 'Thôn 1, xã Phú Thịnh 5, huyện Hòa Vang', ma_xa: '10148' });
  const CASES: LinkCase[] = [
    ['same name and birth date, one gives only the commune code, the other only an address naming that commune → linked', [
      sourceRow({ ho_ten: 'Vũ Quốc Anh', ngay_sinh: '27/12/1997', gioi_tinh: 'Nam', ma_xa: '10148' }),
      sourceRow({ source_system: 'KCB', ho_ten: 'Vũ Quốc Anh', ngay_sinh: '1997-12-27', gioi_tinh: 'Nam', dia_chi: 'So 51 ngo 27, xa Phu Thinh 5, huyen Hoa Vang, Can Tho' }),
      teacher(),
    ], true],
    ['the same without a record that ties the address to the code → not linked', [
      sourceRow({ ho_ten: 'Vũ Quốc Anh', ngay_sinh: '27/12/1997', gioi_tinh: 'Nam', ma_xa: '10148' }),
      sourceRow({ source_system: 'KCB', ho_ten: 'Vũ Quốc Anh', ngay_sinh: '1997-12-27', gioi_tinh: 'Nam', dia_chi: 'So 51 ngo 27, xa Phu Thinh 5, huyen Hoa Vang, Can Tho' }),
    ], false],
    ['the address names another commune than the other record\'s code → not linked', [
      sourceRow({ ho_ten: 'Vũ Quốc Anh', ngay_sinh: '27/12/1997', gioi_tinh: 'Nam', ma_xa: '10259' }),
      sourceRow({ source_system: 'KCB', ho_ten: 'Vũ Quốc Anh', ngay_sinh: '1997-12-27', gioi_tinh: 'Nam', dia_chi: 'So 51 ngo 27, xa Phu Thinh 5, huyen Hoa Vang, Can Tho' }),
      teacher(),
    ], false],
    ['same-name neighbours born the same day in two villages of the commune, one without a code → not linked', [
      sourceRow({ ho_ten: 'Nguyễn Văn Trung', ngay_sinh: '28/09/1980', gioi_tinh: 'Nam', dia_chi: 'Thôn 6, xã Phú Thịnh 5, huyện Hòa Vang', ma_xa: '10148' }),
      sourceRow({ source_system: 'KCB', ho_ten: 'Nguyễn Văn Trung', ngay_sinh: '28/09/1980', gioi_tinh: 'Nam', dia_chi: 'th 9 x.phu thinh 5 h.hoa vang' }),
      teacher(),
    ], false],
    ['twins in one commune, one record without a code → not linked', [
      sourceRow({ ho_ten: 'Lê Văn Tâm', ngay_sinh: '02/02/2012', gioi_tinh: 'Nam', ma_xa: '10148' }),
      sourceRow({ source_system: 'TIEMCHUNG', ho_ten: 'Le Van Tan', ngay_sinh: '02/02/2012', dia_chi: 'th 1 x.phu thinh 5 h.hoa vang' }),
      teacher(),
    ], false],
  ];
  linkCaseTests(CASES);
});
