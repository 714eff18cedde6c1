import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanText, hasDiacritics, normalizePersonName, searchKey, splitName, stripDiacritics } from './vietnamese.ts';

describe('Vietnamese text', () => {
  const nfd = 'Nguye\u0302\u0303n Thi\u0323 Mai';
  const cases: Array<[string, string, string]> = [
    // input, normalizePersonName, searchKey
    ['  nguyễn   văn  an ', 'Nguyễn Văn An', 'NGUYEN VAN AN'],
    ['ĐẶNG THỊ HOÀ', 'Đặng Thị Hoà', 'DANG THI HOA'],
    ['Đặng Thị Hòa', 'Đặng Thị Hòa', 'DANG THI HOA'],
    [nfd, 'Nguyễn Thị Mai', 'NGUYEN THI MAI'],
    ['\u00d0inh Văn Tú', 'Đinh Văn Tú', 'DINH VAN TU'],
    ['Lê-Thị  Ngọc', 'Lê-thị Ngọc', 'LE THI NGOC'],
  ];
  for (const [input, display, key] of cases) {
    it(`normalizes ${JSON.stringify(input)}`, () => {
      assert.equal(normalizePersonName(input), display);
      assert.equal(searchKey(input), key);
    });
  }
  it('stores NFC', () => assert.equal(cleanText(nfd), 'Nguyễn Thị Mai'.normalize('NFC')));
  it('maps đ/Đ explicitly', () => assert.equal(stripDiacritics('đường Đông'), 'duong Dong'));
  it('splits names with the given name last', () =>
    assert.deepEqual(splitName('Nguyễn Thị Minh Khai'), { family: 'Nguyễn', middle: 'Thị Minh', given: 'Khai' }));
  it('detects diacritics', () => {
    assert.equal(hasDiacritics('Nguyen Van An'), false);
    assert.equal(hasDiacritics('Nguyễn Văn An'), true);
  });
});
