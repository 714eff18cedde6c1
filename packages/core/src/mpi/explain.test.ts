import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainPair, type FieldStatus, PAIR_FIELDS, type PairField, type PairRecord } from './explain.ts';

const statusOf = (a: PairRecord, b: PairRecord, field: PairField) => explainPair(a, b).fields.find((f) => f.field === field);

describe('explainPair: one field at a time', () => {
  const cases: Array<[PairField, string | null, string | null, FieldStatus, string?]> = [
    ['ho_ten', 'Nguyễn Văn An', 'NGUYỄN  văn an', 'same'],
    ['ho_ten', 'Nguyen Van An', 'Nguyễn Văn An', 'similar', 'một bên viết không dấu'],
    ['ho_ten', 'Nguyễn Văn Hoà', 'Nguyễn Văn Hòa', 'same'],
    ['ho_ten', 'Nguyễn Văn Hóa', 'Nguyễn Văn Hòa', 'similar', 'khác dấu'],
    ['ho_ten', 'Trần Thị Mai', 'Trần Mai', 'similar', 'một bên thiếu tên đệm'],
    ['ho_ten', 'Lê Văn Bình', 'Lê Thị Hoa', 'differs'],
    ['ngay_sinh', '12/03/1980', '1980-03-12', 'same'],
    ['ngay_sinh', '12/03/1980', '19800312', 'same'],
    ['ngay_sinh', '1980', '1980', 'same'],
    ['ngay_sinh', '05/03/1990', '03/05/1990', 'similar', 'đảo ngày và tháng'],
    ['ngay_sinh', '09/09/1992', '1992-09-10', 'similar', 'lệch 1 ngày'],
    ['ngay_sinh', '31/12/1990', '01/01/1991', 'similar', 'lệch 1 ngày'],
    ['ngay_sinh', '12/03/1980', '1980', 'similar', 'cùng năm sinh, một bên ghi thiếu ngày/tháng'],
    ['ngay_sinh', '12/03/1980', '12/03/1981', 'similar', 'lệch 1 năm'],
    ['ngay_sinh', '12/08/1960', '12/08/1988', 'differs'],
    ['ngay_sinh', 'không rõ', '12/08/1988', 'differs', 'ngày sinh không đọc được'],
    ['gioi_tinh', 'Nam', '1', 'same'],
    ['gioi_tinh', 'Nữ', 'NU', 'same'],
    ['gioi_tinh', 'Nam', 'Nữ', 'differs'],
    ['so_cccd', '051080000001', '051 080 000 001', 'same'],
    ['so_cccd', '051080000001', '051080000007', 'typo', 'khác 1 chữ số'],
    ['so_cccd', '051080000012', '051080000021', 'typo', 'đảo 2 chữ số liền nhau'],
    ['so_cccd', '051080000001', '001090123456', 'differs'],
    ['so_cccd', '212345678', '051080000001', 'missing', 'một bên chỉ có CMND 9 số'],
    ['so_bhyt', 'DN4797931230001', 'dn4797931230001', 'same'],
    ['so_bhyt', 'DN4797931230001', 'GD4797931230001', 'similar', 'cùng mã số BHXH, khác mã đối tượng'],
    ['so_bhyt', 'DN4797931230001', 'DN4797931230071', 'typo', 'khác 1 chữ số'],
    ['so_bhyt', 'DN4797931230001', 'DN4517654321098', 'differs'],
    ['so_dien_thoai', '0912345678', '+84 912 345 678', 'same'],
    ['so_dien_thoai', '01662345678', '0362345678', 'same'],
    ['so_dien_thoai', '0912345678', '0912345679', 'typo', 'khác 1 chữ số'],
    ['so_dien_thoai', '0912345678', '0987000111', 'differs'],
    ['dia_chi', 'TT. La Hà, H. Tư Nghĩa', 'thị trấn La Hà, huyện Tư Nghĩa', 'same'],
    ['dia_chi', 'Thôn 3, xã Tân Lập', 'Thon 3, Tan Lap', 'similar', 'cùng địa chỉ, cách viết khác'],
    ['dia_chi', 'Tân Lập, Đan Phượng', 'Thôn 3, xã Tân Lập, huyện Đan Phượng', 'similar', 'một bên ghi đầy đủ hơn'],
    ['dia_chi', 'Thôn 3, xã Tân Lập', 'Phường Nghĩa Chánh', 'differs'],
    ['ma_xa', '21550', '21550', 'same'],
    ['ma_xa', '21550', '21553', 'differs'],
    ['ma_ho_gia_dinh', 'HGD9', 'hgd9', 'same'],
    ['so_cccd', '051080000001', null, 'missing'],
    ['so_bhyt', '', '  ', 'missing'],
  ];
  for (const [field, a, b, want, note] of cases) {
    it(`${field}: "${a}" vs "${b}" → ${want}`, () => {
      const f = statusOf({ [field]: a }, { [field]: b }, field);
      assert.equal(f?.status, want);
      assert.equal(f?.note_vi, note ?? null);
      assert.equal(!!f?.note_en, !!note, 'an English note goes with every Vietnamese one');
    });
  }

  it('lists every field once, in display order, with labels and the values as written', () => {
    const e = explainPair({ ho_ten: ' Nguyễn  Văn An ', so_cccd: '051080000001' }, {});
    assert.deepEqual(e.fields.map((f) => f.field), [...PAIR_FIELDS]);
    assert.equal(e.fields[0]?.label_vi, 'Họ và tên');
    assert.equal(e.fields[0]?.a, 'Nguyễn Văn An');
    assert.equal(e.fields[0]?.b, null);
    assert.ok(e.fields.every((f) => f.status === 'missing'));
  });
});

describe('explainPair: the reviewer\'s one-line reason', () => {
  const home = { dia_chi: 'Thôn 3, xã Tân Lập', ma_xa: '09619' };
  const cases: Array<[string, PairRecord, PairRecord, string, string]> = [
    [
      'same CCCD, BHYT one digit off',
      { ho_ten: 'Đỗ Văn Tâm', ngay_sinh: '21/11/1979', so_cccd: '001079111222', so_bhyt: 'DN4797931230001' },
      { ho_ten: 'DO VAN TAM', ngay_sinh: '21/11/1979', so_cccd: '001079111222', so_bhyt: 'DN4797931230071' },
      'Trùng CCCD, khác 1 chữ số thẻ BHYT, họ tên gần giống (một bên viết không dấu), cùng ngày sinh',
      'Same CCCD, BHYT card one digit apart, similar name (one side written without diacritics), same birth date',
    ],
    [
      'same name and birth date, sex differs',
      { ho_ten: 'Lê Văn Minh', ngay_sinh: '14/02/1990', gioi_tinh: 'Nam' },
      { ho_ten: 'Lê Văn Minh', ngay_sinh: '1990-02-14', gioi_tinh: 'Nữ' },
      'Cùng họ tên và ngày sinh, khác giới tính',
      'Same name and birth date, different sex',
    ],
    [
      'same name, birth date a day apart, same commune',
      { ho_ten: 'Vũ Thị Mai', ngay_sinh: '09/09/1992', ...home },
      { ho_ten: 'Vũ Thị Mai', ngay_sinh: '1992-09-10', ma_xa: '09619' },
      'Trùng họ tên, ngày sinh lệch 1 ngày, cùng xã',
      'Same name, birth dates one day apart, same commune',
    ],
    [
      'swapped day and month',
      { ho_ten: 'Phạm Thị Lan', ngay_sinh: '03/07/1985' },
      { ho_ten: 'Phạm Thị Lan', ngay_sinh: '07/03/1985' },
      'Trùng họ tên, ngày sinh đảo ngày và tháng',
      'Same name, birth dates day and month swapped',
    ],
    [
      'different CCCD only',
      { so_cccd: '001206000101' },
      { so_cccd: '001206000102' },
      'Khác 1 chữ số CCCD',
      'CCCD one digit apart',
    ],
    ['different CCCD', { so_cccd: '051080000001' }, { so_cccd: '001090123456' }, 'Khác CCCD', 'Different CCCD'],
    [
      'same social-insurance number under another card group',
      { so_bhyt: 'DN4797931230001', ho_ten: 'Trần Văn Hùng', ngay_sinh: '1960' },
      { so_bhyt: 'GD4797931230001', ho_ten: 'Trần Văn Hùng', ngay_sinh: '12/08/1988' },
      'Cùng mã số BHXH, trùng họ tên, khác ngày sinh',
      'Same social-insurance number, same name, different birth date',
    ],
    [
      'weak evidence is named after the strong, and the line stays short',
      { ho_ten: 'Nguyễn Văn An', ngay_sinh: '1980', so_dien_thoai: '0912345678', ma_ho_gia_dinh: 'H1', ...home },
      { ho_ten: 'Nguyễn Văn Anh', ngay_sinh: '1980', so_dien_thoai: '0912345678', ma_ho_gia_dinh: 'H1', ...home },
      'Họ tên gần giống (cách viết gần giống), cùng năm sinh, cùng số điện thoại, cùng hộ gia đình',
      'Similar name (spelt almost the same), same birth year, same phone, same household',
    ],
    [
      'one side gives only the birth year',
      { ho_ten: 'Nguyen Van An', ngay_sinh: '12/03/1980' },
      { ho_ten: 'Nguyễn Văn An', ngay_sinh: '1980' },
      'Họ tên gần giống (một bên viết không dấu), cùng năm sinh',
      'Similar name (one side written without diacritics), same birth year',
    ],
    ['nothing to compare', { ho_ten: 'An' }, { so_cccd: '051080000001' }, 'Không đủ thông tin chung để so sánh', 'Too little in common to compare'],
  ];
  for (const [name, a, b, vi, en] of cases) {
    it(name, () => {
      const e = explainPair(a, b);
      assert.equal(e.summary_vi, vi);
      assert.equal(e.summary_en, en);
    });
  }

  it('never shows an engine reason code', () => {
    const e = explainPair({ ho_ten: 'Lê Văn Bình', so_cccd: '051080000001' }, { ho_ten: 'Le Van Binh', so_cccd: '001090123456' });
    assert.doesNotMatch(e.summary_vi, /conflict|weak|[a-z]+-[a-z]+|:/);
  });
});
