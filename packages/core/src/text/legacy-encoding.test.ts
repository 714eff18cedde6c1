import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  convertLegacyVietnamese, detectLegacyEncoding, type LegacyEncoding, repairLegacyVietnamese, TCVN3_TABLE, VNI_TABLE,
} from './legacy-encoding.ts';

// The 134 non-ASCII Vietnamese letters, built from Unicode itself (not from the tables under test):
// 12 vowels × (no tone + 5 tones) minus the 6 plain ASCII vowels, plus đ; lower and upper case.
const TONES = ['', '\u0300', '\u0309', '\u0303', '\u0301', '\u0323'];
const LOWER = [
  ...['a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y'].flatMap((v) => TONES.map((t) => (v + t).normalize('NFC'))),
  'đ',
].filter((c) => c > '\u007f');
const LETTERS = [...LOWER, ...LOWER.map((c) => c.toUpperCase())];

// Encoders are the tables inverted. TCVN3 (single font) has no codes for capital toned letters:
// they are typed with the lowercase code, exactly as the .VnTime/.VnTimeH fonts were used.
const TCVN3_OF = new Map(TCVN3_TABLE.map(([byte, letter]) => [letter, String.fromCharCode(byte)]));
const VNI_OF = new Map(VNI_TABLE.map(([seq, letter]) => [letter, seq]));
const ENCODE: Record<LegacyEncoding, (s: string) => string> = {
  tcvn3: (s) => [...s.normalize('NFC')].map((c) => TCVN3_OF.get(c) ?? TCVN3_OF.get(c.toLowerCase()) ?? c).join(''),
  vni: (s) => [...s.normalize('NFC')].map((c) => VNI_OF.get(c) ?? c).join(''),
};

describe('legacy encoding tables', () => {
  it('list the 134 letters', () => {
    assert.equal(LETTERS.length, 134);
    assert.deepEqual(new Set(VNI_TABLE.map(([, l]) => l)), new Set(LETTERS));
    for (const l of LETTERS) assert.ok(TCVN3_OF.has(l) || TCVN3_OF.has(l.toLowerCase()), l);
  });
  it('have one letter per legacy code', () => {
    assert.equal(new Set(TCVN3_TABLE.map(([b]) => b)).size, TCVN3_TABLE.length);
    assert.equal(new Set(VNI_TABLE.map(([s]) => s)).size, VNI_TABLE.length);
    // 0xA1–0xFF is where Windows-1252 and Latin-1 agree.
    for (const [b] of TCVN3_TABLE) assert.ok(b >= 0xa1 && b <= 0xff, b.toString(16));
    for (const [s] of VNI_TABLE) for (const c of s) assert.ok(c < '\u0080' || (c >= '\u00c0' && c <= '\u00ff'), s);
  });
});

describe('round trip of every letter', () => {
  for (const l of LETTERS) {
    it(`VNI ${l}`, () => assert.equal(convertLegacyVietnamese(ENCODE.vni(l), 'vni'), l));
    it(`TCVN3 ${l}`, () => {
      // Alone, a capital toned letter shares its code with the small one; in a capitalised word it comes back.
      const alone = TCVN3_OF.has(l) ? l : l.toLowerCase();
      assert.equal(convertLegacyVietnamese(ENCODE.tcvn3(l), 'tcvn3'), alone);
      const word = l === l.toUpperCase() ? `H${l}N` : `h${l}n`;
      assert.equal(convertLegacyVietnamese(ENCODE.tcvn3(word), 'tcvn3'), word);
    });
  }
});

// Real names and addresses, encoded with the inverted tables, must be detected and converted back.
const TEXTS = [
  'Nguyễn Thị Hương', 'Trần Văn Đức', 'Lê Thị Hồng Nhung', 'Phạm Quốc Khánh', 'Hoàng Minh Tuấn',
  'Huỳnh Thị Mỹ Duyên', 'Võ Thành Long', 'Đặng Thị Thu Hằng', 'Bùi Xuân Trường', 'Đỗ Quang Huy',
  'Ngô Thị Yến', 'Dương Văn Lượng', 'Trương Thị Ngọc Bích', 'Đinh Tiến Dũng', 'Tạ Thị Thúy Kiều',
  'Kiều Văn Nghĩa', 'Quách Thị Liễu', 'Vũ Đình Khuê', 'Lương Thế Vinh', 'Hồ Thị Quỳnh Như',
  'NGUYỄN VĂN THƯỞNG', 'TRẦN THỊ KIM LIÊN', 'LÊ HỮU NGHĨA',
  'Thôn 3, xã Nghĩa Kỳ, huyện Tư Nghĩa, tỉnh Quảng Ngãi',
  'Số 12 ngõ 34 phố Huế, phường Phố Huế, quận Hai Bà Trưng, Hà Nội',
  'ấp Tân Lợi, xã Tân Phú, huyện Châu Thành, tỉnh Bến Tre',
  'Tổ 5, khu phố 2, phường Thủ Thiêm, thành phố Thủ Đức',
  'Xóm Đồng, xã Yên Sở, huyện Hoài Đức',
  'Bản Mường Thanh, thành phố Điện Biên Phủ',
  'Buôn Ma Thuột, tỉnh Đắk Lắk',
  'Khối 7, thị trấn Quỳnh Lưu, tỉnh Nghệ An',
  'Tháng Giêng, giếng nước đầu làng',
];
describe('detects and converts encoded names and addresses', () => {
  for (const encoding of ['tcvn3', 'vni'] as const) {
    for (const text of TEXTS) {
      const legacy = ENCODE[encoding](text);
      it(`${encoding} ${JSON.stringify(legacy)}`, () => {
        assert.notEqual(legacy, text);
        assert.equal(detectLegacyEncoding(legacy), encoding);
        assert.equal(convertLegacyVietnamese(legacy, encoding), text);
        assert.deepEqual(repairLegacyVietnamese(legacy), { text, encoding });
      });
    }
  }
});

// Written independently of our tables: mojibake as it appears in public sources (test data of the
// duydev/vietnamese-conversion package, TCVN3 strings in Lua/Stata/Python files and VNI strings in
// VB.NET/Java/TypeScript files on GitHub), plus the two examples of the import brief.
const LITERALS: Array<[string, LegacyEncoding, string]> = [
  ['NguyÔn ThÞ H\u00ad¬ng', 'tcvn3', 'Nguyễn Thị Hương'],
  ['Xin chµo c¸c b¹n', 'tcvn3', 'Xin chào các bạn'],
  ['T«i ®i häc', 'tcvn3', 'Tôi đi học'],
  ['NguyÔn Ngäc B×nh', 'tcvn3', 'Nguyễn Ngọc Bình'],
  ['§oµn ThÞ §iÓm', 'tcvn3', 'Đoàn Thị Điểm'],
  ['NguyÔn §Æng T¹o', 'tcvn3', 'Nguyễn Đặng Tạo'],
  ['TrÇn TÊt V¨n', 'tcvn3', 'Trần Tất Văn'],
  ['Lª Hång Minh', 'tcvn3', 'Lê Hồng Minh'],
  ['Nam §Þnh', 'tcvn3', 'Nam Định'],
  ['L©m §ång', 'tcvn3', 'Lâm Đồng'],
  ['§µ N½ng', 'tcvn3', 'Đà Nẵng'],
  ['CHñ BI£N: PGS.TS. NGUYÔN V¡N MINH', 'tcvn3', 'CHỦ BIÊN: PGS.TS. NGUYỄN VĂN MINH'],
  ['TR¦êNG §¹I HäC TH¦¥NG M¹I', 'tcvn3', 'TRƯỜNG ĐẠI HỌC THƯƠNG MẠI'],
  ['Hµ NéI, 2014', 'tcvn3', 'HÀ NỘI, 2014'],
  ['Nguyeãn Thò Höông', 'vni', 'Nguyễn Thị Hương'],
  ['Xin chaøo caùc baïn', 'vni', 'Xin chào các bạn'],
  ['Toâi ñi hoïc', 'vni', 'Tôi đi học'],
  ['Nguyeãn Ñaêng Khoa', 'vni', 'Nguyễn Đăng Khoa'],
  ['Trònh Tuaán Anh', 'vni', 'Trịnh Tuấn Anh'],
  ['NGUYEÃN THÒ KIM LINH', 'vni', 'NGUYỄN THỊ KIM LINH'],
  ['15F Nguyeãn Thò Minh Khai', 'vni', '15F Nguyễn Thị Minh Khai'],
  ['126 Ñieän Bieân Phuû', 'vni', '126 Điện Biên Phủ'],
  ['227 Xoâ Vieát Ngheä Tónh', 'vni', '227 Xô Viết Nghệ Tĩnh'],
  ['213 Nguyeãn Vaên Cöø', 'vni', '213 Nguyễn Văn Cừ'],
  ['410 Leâ Hoàng Phong', 'vni', '410 Lê Hồng Phong'],
  ['COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM', 'vni', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'],
];
describe('converts mojibake from public sources', () => {
  for (const [legacy, encoding, text] of LITERALS) {
    it(`${encoding} ${JSON.stringify(legacy)}`, () => assert.deepEqual(repairLegacyVietnamese(legacy), { text, encoding }));
  }
});

describe('TCVN3 capitals come from the context', () => {
  const cases: Array<[string, string]> = [
    // Title case: an initial capital says nothing about the other letters.
    ['Vò Hµ', 'Vũ Hà'],
    // A toned initial has no capital code; normalizePersonName capitalises names later.
    ['¸nh', 'ánh'],
    // Capitals inside a word, or elsewhere in an all-capitals text, restore capital toned letters.
    ['L£ V¡N TÕT', 'LÊ VĂN TẾT'],
    ['HOµNG Hµ', 'HOÀNG HÀ'],
  ];
  for (const [legacy, want] of cases) it(JSON.stringify(legacy), () => assert.equal(convertLegacyVietnamese(legacy, 'tcvn3'), want));
});

describe('VNI sequences are read longest first', () => {
  const cases: Array<[string, string]> = [
    ['Phöôùc', 'Phước'], ['ôù', 'ớ'], ['ô', 'ơ'], ['oâ', 'ô'], ['ÖÔØNG', 'ƯỜNG'], ['Tuyeát', 'Tuyết'],
  ];
  for (const [legacy, want] of cases) it(JSON.stringify(legacy), () => assert.equal(convertLegacyVietnamese(legacy, 'vni'), want));
});

describe('leaves everything else alone', () => {
  const negatives = [
    // Unicode Vietnamese, including text made only of Latin-1 letters that are legacy codes too.
    'Đặng Thị Ánh', 'Lê Văn Tám', 'Thôn 3, xã Nghĩa Kỳ', 'Nguyễn Thị Hương', 'Lê Tú Anh', 'NGÔ BÁ KHÁ',
    'Thôn Đông', 'Hồ Chí Minh', 'Tô Hoài', 'Lò Văn Páo', 'Số 5, đường Lê Lợi, TP. Huế', 'Thị trấn Phố Ràng',
    'Nguyễn Thị Hòa'.normalize('NFD'), 'Thò', 'Mai Thóc',
    // Unaccented ASCII.
    'Nguyen Van An', 'LE THI HOA', 'Thon 3, xa Nghia Ky', '',
    // Icelandic eth for Đ, and Latin-script names from other languages.
    'Ðinh Van Tu', 'ðặng Văn Thủy', 'Ðoàn Tú', 'José García', 'Müller', 'François Dupont', 'Zoë', 'Søren Ørsted',
    'Señora Peña', 'André Gonçalves', 'Ångström', 'Hélène Noël',
  ];
  for (const text of negatives) {
    it(JSON.stringify(text), () => {
      assert.equal(detectLegacyEncoding(text), undefined);
      assert.deepEqual(repairLegacyVietnamese(text), { text });
    });
  }
});
