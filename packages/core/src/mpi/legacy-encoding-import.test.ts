import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeSourceRecord } from './record.ts';

describe('normalizeSourceRecord repairs TCVN3/VNI text', () => {
  const base = { source_system: 'dscu', source_id: '1', ngay_sinh: '1975' };
  // ho_ten, dia_chi as typed in the legacy file; expected display name and address; warned fields.
  const cases: Array<[string, string, string, string, string | undefined, Array<[string, string]>]> = [
    ['TCVN3 name', 'NguyÔn ThÞ H\u00ad¬ng', '', 'Nguyễn Thị Hương', undefined, [['ho_ten', 'TCVN3']]],
    ['TCVN3 capitals', 'TRÇN V¡N TH¦ëNG', '', 'Trần Văn Thưởng', undefined, [['ho_ten', 'TCVN3']]],
    ['TCVN3 "é" that cleanText would read as Đ', 'Lª ThÞ BÐ', '', 'Lê Thị Bé', undefined, [['ho_ten', 'TCVN3']]],
    ['TCVN3 name and address', '§Æng V¨n L©m', 'Th«n 3, x· NghÜa Kú', 'Đặng Văn Lâm', 'Thôn 3, xã Nghĩa Kỳ',
      [['ho_ten', 'TCVN3'], ['dia_chi', 'TCVN3']]],
    ['VNI name', 'Nguyeãn Thò Höông', '', 'Nguyễn Thị Hương', undefined, [['ho_ten', 'VNI']]],
    ['VNI capitals', 'NGUYEÃN THÒ KIM LINH', '', 'Nguyễn Thị Kim Linh', undefined, [['ho_ten', 'VNI']]],
    ['VNI address only', 'Trần Văn An', '126 Ñieän Bieân Phuû', 'Trần Văn An', '126 Điện Biên Phủ', [['dia_chi', 'VNI']]],
    ['Unicode row', 'Nguyễn Thị Hương', 'Thôn 3, xã Nghĩa Kỳ', 'Nguyễn Thị Hương', 'Thôn 3, xã Nghĩa Kỳ', []],
    ['Unicode of Latin-1 letters only', 'Lê Tú Anh', 'Thôn Đông', 'Lê Tú Anh', 'Thôn Đông', []],
    ['unaccented', 'Nguyen Van An', 'Thon 3', 'Nguyen Van An', 'Thon 3', []],
  ];
  for (const [label, hoTen, diaChi, name, address, warned] of cases) {
    it(label, () => {
      const { record, issues } = normalizeSourceRecord({ ...base, ho_ten: hoTen, dia_chi: diaChi });
      assert.ok(record);
      assert.equal(record.name, name);
      assert.equal(record.address, address);
      const legacy = issues.filter((i) => i.code === 'LEGACY_ENCODING_CONVERTED');
      assert.deepEqual(legacy.map((i) => [i.field, i.severity]), warned.map(([field]) => [field, 'warning']));
      for (const [i, [, from]] of warned.entries()) {
        // The field and the encoding only: issue lists reach reviewers of any area, names stay out.
        assert.equal(legacy[i]?.message_vi, `Đã chuyển từ mã ${from} sang Unicode.`);
        assert.equal(legacy[i]?.message_en, `Converted from ${from} to Unicode.`);
      }
      assert.deepEqual(issues.filter((i) => i.code !== 'LEGACY_ENCODING_CONVERTED'), []);
    });
  }
  it('keys the repaired name like its Unicode twin', () => {
    const legacy = normalizeSourceRecord({ ...base, ho_ten: 'NguyÔn ThÞ H\u00ad¬ng' }).record;
    const unicode = normalizeSourceRecord({ ...base, ho_ten: 'Nguyễn Thị Hương' }).record;
    assert.ok(legacy && unicode);
    assert.equal(legacy.nameKey, unicode.nameKey);
    assert.equal(legacy.nameUnaccented, undefined);
  });
});
