import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hamletKey, parseHamlet } from './hamlet.ts';
import { readQuery } from './search.ts';

describe('hamlet of an address (thôn / tổ dân phố)', () => {
  it('reads the hamlet part of registry addresses, abbreviations and unaccented text included', () => {
    const cases: Array<[string, string | undefined]> = [
      ['Thôn An Hội Bắc, xã Nghĩa Kỳ, huyện Tư Nghĩa, tỉnh Quảng Ngãi', 'Thôn An Hội Bắc'],
      ['Tổ dân phố 03, thị trấn La Hà', 'Tổ dân phố 3'],
      ['TDP 3, TT La Ha', 'Tổ dân phố 3'],
      ['Số 12, Tổ 5, phường Nghĩa Chánh', 'Tổ 5'],
      ['thon 7 xa nghia ky', 'Thôn 7'],
      ['th 7, x. nghia ky', 'Thôn 7'],
      ['Ấp Bình Hòa 2, xã An Bình', 'Ấp Bình Hòa 2'],
      ['Bản Phùng, xã Pa Vệ Sủ', 'Bản Phùng'],
      ['Khu phố 2 phường 3', 'Khu phố 2'],
      ['12 Thôn Trường Thọ, Nghĩa Kỳ', 'Thôn Trường Thọ'],
      // Words that only look like units once diacritics are gone.
      ['Số 12 Tô Hiến Thành, phường 5', undefined],
      ['Ban Co, quan 3', undefined],
      ['Xã Nghĩa Kỳ, huyện Tư Nghĩa', undefined],
      ['', undefined],
    ];
    for (const [address, hamlet] of cases) assert.equal(parseHamlet(address)?.name, hamlet, address);
  });

  it('one key for the spellings of one hamlet', () => {
    assert.equal(hamletKey('thon an hoi bac'), parseHamlet('Thôn An Hội Bắc, xã Nghĩa Kỳ')!.key);
    assert.equal(hamletKey('Tổ dân phố 03'), hamletKey('TDP 3'));
    assert.equal(hamletKey('Tổ dân phố 03'), 'TO DAN PHO 3');
  });
});

describe('what the search box holds', () => {
  it('ids, cards, phones and names', () => {
    assert.deepEqual(readQuery('051080001234'), { by: 'cccd', value: '051080001234' });
    assert.deepEqual(readQuery('HT2515123456789'), { by: 'bhxh', value: '5123456789' });
    assert.deepEqual(readQuery('5123456789'), { by: 'bhxh', value: '5123456789' });
    assert.deepEqual(readQuery('0912 000 333'), { by: 'phone', value: '0912000333' });
    assert.deepEqual(readQuery('+84 912 000 333'), { by: 'phone', value: '0912000333' });
    assert.deepEqual(readQuery('nguyen hoa'), { by: 'name', words: ['NGUYEN', 'HOA'], exact: [] });
    assert.deepEqual(readQuery('nguyễn Hòa'), { by: 'name', words: ['NGUYEN', 'HOA'], exact: ['Nguyễn', 'Hòa'] });
    assert.deepEqual(readQuery('  '), { by: 'none' });
  });
});
