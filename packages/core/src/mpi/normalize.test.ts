import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressKey, normalizeAddress } from './address.ts';
import { compareBirthDates, DateLevel, parseBirthDate } from './dates.ts';
import { normalizePhone } from './phone.ts';
import { normalizeSourceRecord } from './record.ts';
import { jaroWinkler, phoneticKey } from './similarity.ts';

describe('parseBirthDate', () => {
  const cases: Array<[string, { year: number; month?: number; day?: number } | undefined | 'error', string?]> = [
    ['05/03/1990', { year: 1990, month: 3, day: 5 }],
    ['5-3-1990', { year: 1990, month: 3, day: 5 }],
    ['1990-03-05', { year: 1990, month: 3, day: 5 }],
    ['1990-03-05T00:00:00', { year: 1990, month: 3, day: 5 }],
    ['1990', { year: 1990 }],
    ['03/1990', { year: 1990, month: 3 }],
    ['19900305', { year: 1990, month: 3, day: 5 }],
    ['199003050830', { year: 1990, month: 3, day: 5 }],
    ['19900000', { year: 1990 }],
    ['19900300', { year: 1990, month: 3 }],
    ['03/25/1990', { year: 1990, month: 3, day: 25 }, 'DATE_SWAPPED'],
    ['', undefined],
    ['31/02/1990', 'error'],
    ['hôm qua', 'error'],
    ['1790', 'error'],
  ];
  for (const [raw, want, warning] of cases) {
    it(`"${raw}"`, () => {
      const r = parseBirthDate(raw);
      if (want === 'error') return assert.equal(r.ok, false);
      assert.ok(r.ok);
      assert.deepEqual(r.value, want);
      assert.deepEqual(r.warnings.map((w) => w.code), warning ? [warning] : []);
    });
  }
});

describe('compareBirthDates', () => {
  const cases: Array<[[number, number, number], [number, number, number], DateLevel]> = [
    [[1990, 3, 5], [1990, 3, 5], DateLevel.exact],
    [[1990, 3, 5], [1990, 5, 3], DateLevel.swapped],
    [[1990, 3, 5], [1990, 0, 0], DateLevel.yearOnly],
    [[1990, 3, 5], [1990, 3, 0], DateLevel.yearOnly],
    [[1990, 3, 5], [1990, 7, 9], DateLevel.near],
    [[1990, 3, 5], [1991, 3, 5], DateLevel.near],
    [[1960, 3, 5], [1990, 3, 5], DateLevel.disagree],
    [[1990, 0, 0], [1992, 0, 0], DateLevel.disagree],
  ];
  for (const [a, b, want] of cases) it(`${a} vs ${b}`, () => assert.equal(compareBirthDates(...a, ...b), want));
});

describe('normalizePhone', () => {
  const cases: Array<[string, string | undefined]> = [
    ['0912345678', '0912345678'],
    ['+84912345678', '0912345678'],
    ['84 912 345 678', '0912345678'],
    ['0912.345.678', '0912345678'],
    ['(0912) 345-678', '0912345678'],
    ['912345678', '0912345678'],
    ['01662345678', '0362345678'],
    ['02438123456', '02438123456'],
    ['0912345678; 0987654321', '0912345678'],
    ['0000000000', undefined],
    ['12345', undefined],
    ['', undefined],
  ];
  for (const [raw, want] of cases) it(`"${raw}"`, () => assert.equal(normalizePhone(raw), want));
});

describe('addresses', () => {
  const cases: Array<[string, string]> = [
    ['Thôn 3, X. Tân Lập, H. Đan Phượng, TP. Hà Nội', 'Thôn 3, xã Tân Lập, huyện Đan Phượng, thành phố Hà Nội'],
    ['12 Lê Lợi, P. Bến Nghé, Q. 1, TP.Hồ Chí Minh', '12 Lê Lợi, phường Bến Nghé, quận 1, thành phố Hồ Chí Minh'],
    ['Tx. Sơn Tây,Hà Nội', 'thị xã Sơn Tây, Hà Nội'],
    ['Tt. Trâu Quỳ, H. Gia Lâm', 'thị trấn Trâu Quỳ, huyện Gia Lâm'],
    ['Xóm 2, X.Quỳnh Lập, T. Nghệ An', 'Xóm 2, xã Quỳnh Lập, tỉnh Nghệ An'],
  ];
  for (const [raw, want] of cases) it(`"${raw}"`, () => assert.equal(normalizeAddress(raw), want));
  it('abbreviated, full and accent-less forms share one key', () => {
    const k = addressKey('Thôn 3, xã Tân Lập, huyện Đan Phượng, Hà Nội');
    assert.equal(addressKey('Thon 3, X. Tan Lap, H. Dan Phuong, TP. Ha Noi'), k);
    assert.equal(addressKey('Thôn 3, Tân Lập, Đan Phượng, thành phố Hà Nội'), k);
  });
});

describe('name keys in normalizeSourceRecord', () => {
  const base = { source_system: 'kcb', source_id: '1', ngay_sinh: '1990' };
  const cases: Array<[string, string, string]> = [
    ['  nguyễn   thị  hòa ', 'Nguyễn Thị Hòa', 'NGUYEN THI HOA'],
    ['NGUYỄN THỊ HOÀ', 'Nguyễn Thị Hoà', 'NGUYEN THI HOA'],
    ['Nguyen Thi Hoa', 'Nguyen Thi Hoa', 'NGUYEN THI HOA'],
    ['Nguyễn Thị Hòa'.normalize('NFD'), 'Nguyễn Thị Hòa', 'NGUYEN THI HOA'],
    ['Ðặng Văn Thủy', 'Đặng Văn Thủy', 'DANG VAN THUY'],
    ['Đặng Văn Thuỷ', 'Đặng Văn Thuỷ', 'DANG VAN THUY'],
  ];
  for (const [raw, display, key] of cases) {
    it(`"${raw}"`, () => {
      const { record } = normalizeSourceRecord({ ...base, ho_ten: raw });
      assert.ok(record);
      assert.equal(record.name, display);
      assert.equal(record.nameKey, key);
      assert.equal(record.givenKey, key.split(' ').at(-1));
      assert.equal(record.sourceSystem, 'KCB');
    });
  }
});

describe('normalizeSourceRecord', () => {
  const row = {
    source_system: 'BHXH', source_id: 'B1', ho_ten: 'Trần Văn An', ngay_sinh: '15/06/1985', gioi_tinh: 'Nam',
    so_cccd: '001085012345', so_bhyt: 'dn4010123456789', so_dien_thoai: '+84 912 345 678',
    dia_chi: 'Thôn 1, X. Tân Lập', ma_xa: '09619', ma_ho_gia_dinh: 'HGD1',
  };
  it('normalizes every field of a clean row', () => {
    const { record, issues } = normalizeSourceRecord(row);
    assert.deepEqual(issues, []);
    assert.ok(record);
    assert.equal(record.cccd, '001085012345');
    assert.equal(record.bhyt, 'DN4010123456789');
    assert.equal(record.bhxh, '0123456789');
    assert.equal(record.phone, '0912345678');
    assert.equal(record.address, 'Thôn 1, xã Tân Lập');
    assert.equal(record.sex, 'male');
    assert.deepEqual([record.birthYear, record.birthMonth, record.birthDay], [1985, 6, 15]);
  });
  const errors: Array<[string, Record<string, string>, string]> = [
    ['no source id', { ...row, source_id: '' }, 'SOURCE_ID_MISSING'],
    ['no name', { ...row, ho_ten: ' ' }, 'NAME_MISSING'],
    ['blank birth date', { ...row, ngay_sinh: '' }, 'DATE_MISSING'],
    ['unreadable birth date', { ...row, ngay_sinh: '32/13/1985' }, 'DATE_FORMAT'],
  ];
  for (const [label, input, code] of errors) {
    it(`rejects ${label}`, () => {
      const { record, issues } = normalizeSourceRecord(input);
      assert.equal(record, undefined);
      assert.ok(issues.some((i) => i.code === code && i.severity === 'error' && i.message_vi && i.message_en));
    });
  }
  const warnings: Array<[string, Record<string, string>, string, (r: NonNullable<ReturnType<typeof normalizeSourceRecord>['record']>) => void]> = [
    ['CCCD contradicting birth year', { ...row, so_cccd: '001092012345' }, 'CCCD_BIRTH_YEAR_MISMATCH', (r) => assert.equal(r.cccdMismatch, true)],
    ['CCCD contradicting sex', { ...row, so_cccd: '001185012345' }, 'CCCD_SEX_MISMATCH', (r) => assert.equal(r.cccdMismatch, true)],
    ['malformed CCCD', { ...row, so_cccd: '12345' }, 'CCCD_FORMAT', (r) => assert.equal(r.cccd, undefined)],
    ['bad phone', { ...row, so_dien_thoai: '12' }, 'PHONE_INVALID', (r) => assert.equal(r.phone, undefined)],
    ['odd sex value', { ...row, gioi_tinh: 'X' }, 'SEX_UNKNOWN', (r) => assert.equal(r.sex, undefined)],
  ];
  for (const [label, input, code, check] of warnings) {
    it(`keeps the row with a warning: ${label}`, () => {
      const { record, issues } = normalizeSourceRecord(input);
      assert.ok(record);
      assert.ok(issues.some((i) => i.code === code && i.severity === 'warning'));
      check(record);
    });
  }
  it('takes a 9-digit number as the legacy CMND and gender codes 1/2', () => {
    const { record } = normalizeSourceRecord({ ...row, so_cccd: '012 345 678', gioi_tinh: '2', so_cccd_extra: '' });
    assert.equal(record?.cmnd, '012345678');
    assert.equal(record?.cccd, undefined);
    assert.equal(record?.sex, 'female');
  });
  it('keeps the social-insurance number when only the 10 digits are given', () => {
    const { record } = normalizeSourceRecord({ ...row, so_bhyt: '0123456789' });
    assert.equal(record?.bhxh, '0123456789');
    assert.equal(record?.bhyt, undefined);
  });
});

describe('jaroWinkler', () => {
  const cases: Array<[string, string, number]> = [
    ['MARTHA', 'MARHTA', 0.9611],
    ['DWAYNE', 'DUANE', 0.84],
    ['DIXON', 'DICKSONX', 0.8133],
    ['NGUYEN', 'NGUYEN', 1],
    ['', 'AN', 0],
    ['ABC', 'XYZ', 0],
  ];
  for (const [a, b, want] of cases) {
    it(`${a}/${b}`, () => {
      assert.ok(Math.abs(jaroWinkler(a, b) - want) < 1e-3);
      assert.ok(Math.abs(jaroWinkler(b, a) - want) < 1e-3);
    });
  }
  it('is long-string safe', () => assert.ok(jaroWinkler('A'.repeat(300), 'A'.repeat(299) + 'B') > 0.99));
  it('phonetic keys absorb vowel typos and D/GI/R spellings', () => {
    assert.equal(phoneticKey('NGUYEN VAN HUNG'), phoneticKey('NGUYEN VAN HUONG'));
    assert.equal(phoneticKey('DUNG'), phoneticKey('GIUNG'));
    assert.notEqual(phoneticKey('NGUYEN VAN AN'), phoneticKey('NGUYEN VAN BINH'));
  });
});
