import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildEnvelope, buildInnerXml } from './build.ts';
import { parseEnvelope } from './envelope.ts';
import { XmlInputError } from './errors.ts';
import { parseEpisodeFiles } from './parse.ts';
import { sampleEpisode } from './testdata.ts';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof XmlInputError, String(e));
    return e.code;
  }
  return 'no error';
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

function envelope(hoso: string[], count = hoso.length, extra = ''): string {
  return `<?xml version="1.0" encoding="utf-8"?><GIAMDINHHS><THONGTINDONVI><MACSKCB>01001</MACSKCB></THONGTINDONVI><THONGTINHOSO><NGAYLAP>20240306</NGAYLAP><SOLUONGHOSO>${count}</SOLUONGHOSO><DANHSACHHOSO>${hoso.join('')}</DANHSACHHOSO></THONGTINHOSO>${extra}<CHUKYDONVI/></GIAMDINHHS>`;
}
const file = (type: string, content: string) => `<FILEHOSO><LOAIHOSO>${type}</LOAIHOSO><NOIDUNGFILE>${content}</NOIDUNGFILE></FILEHOSO>`;
const xml1 = buildInnerXml('XML1', sampleEpisode(1).XML1!);

describe('parseEnvelope round trip', () => {
  const episodes = [sampleEpisode(1), sampleEpisode(2, '01001', { drugs: 0 }), sampleEpisode(3, '01001', { services: 7 })];
  const xml = buildEnvelope({ facilityCode: '01001', createdDate: '20240306', episodes });

  it('returns header, episodes and decoded files equal to what was built', () => {
    const env = parseEnvelope(xml);
    assert.equal(env.facilityCode, '01001');
    assert.equal(env.createdDate, '20240306');
    assert.equal(env.declaredCount, 3);
    assert.equal(env.hasSignature, false);
    assert.deepEqual(env.episodes.map((e) => e.index), [1, 2, 3]);
    assert.deepEqual(env.episodes[1]!.files.map((f) => f.type), ['XML1', 'XML3', 'XML5']);
    assert.equal(env.episodes[0]!.files[0]!.xml, buildInnerXml('XML1', episodes[0]!.XML1!));
    const parsed = parseEpisodeFiles(env.episodes[2]!.files);
    assert.equal(parsed.tables['XML3']!.length, 7);
    assert.deepEqual(parsed.tables['XML2']![0]!.fields, episodes[2]!.XML2![0]);
    assert.equal(parsed.tables['XML2']![0]!.fields['TEN_THUOC'], 'Paracetamol 1 & co <500mg>');
  });

  const variants: Array<[string, Buffer | string]> = [
    ['UTF-8 BOM (Buffer)', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml, 'utf8')])],
    ['UTF-8 BOM (string)', `\uFEFF${xml}`],
    ['CRLF line ends', xml.replace(/\n/g, '\r\n')],
    ['no whitespace at all', xml.replace(/>\s+</g, '><')],
    ['base64 wrapped at 76 columns', xml.replace(/<NOIDUNGFILE>([^<]+)</g, (_m, b: string) => `<NOIDUNGFILE>${b.replace(/.{76}/g, '$&\r\n')}<`)],
  ];
  for (const [name, input] of variants) {
    it(`accepts ${name}`, () => {
      const env = parseEnvelope(input);
      assert.equal(env.episodes.length, 3);
      assert.equal(parseEpisodeFiles(env.episodes[0]!.files).maLk, '0100124000001');
    });
  }

  it('accepts wrapped base64 and non-zero padding bits (the tolerant path behind the fast one)', () => {
    const wrapped = b64(xml1).replace(/(.{76})/g, '$1\r\n');
    assert.equal(parseEnvelope(envelope([`<HOSO>${file('XML1', wrapped)}</HOSO>`])).episodes[0]!.files[0]!.xml, xml1);
    let text = `${xml1}x`;
    while (Buffer.byteLength(text) % 3 !== 1) text += ' ';
    const canonical = b64(text);
    assert.ok(canonical.endsWith('=='));
    // "eA==" and "eB==" both decode to "x"; only the first is canonical.
    const loose = `${canonical.slice(0, -3)}B==`;
    assert.equal(parseEnvelope(envelope([`<HOSO>${file('XML1', loose)}</HOSO>`])).episodes[0]!.files[0]!.xml, text);
  });

  it('measures a wrapped file by its decoded size, not by its wrapped length', () => {
    // A content length whose CRLF-wrapped base64 is a multiple of 4 long (the canonical fast path's shape).
    let text = xml1;
    const wrap = (s: string) => b64(s).replace(/(.{76})(?=.)/g, '$1\r\n');
    while (wrap(text).length % 4 !== 0) text += ' ';
    const size = Buffer.byteLength(text);
    assert.ok((wrap(text).length / 4) * 3 > size, 'the wrapped length alone would overestimate the size');
    const env = envelope([`<HOSO>${file('XML1', wrap(text))}</HOSO>`]);
    assert.equal(parseEnvelope(env, { maxFileBytes: size }).episodes[0]!.files[0]!.xml, text);
    assert.equal(code(() => parseEnvelope(env, { maxFileBytes: size - 1 })), 'ENVELOPE_TOO_LARGE');
  });

  it('accepts an inner document with a BOM and detects a signature in CHUKYDONVI', () => {
    const inner = b64(`\uFEFF${xml1}`);
    const signed = envelope([`<HOSO>${file('XML1', inner)}</HOSO>`]).replace('<CHUKYDONVI/>', '<CHUKYDONVI><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/></ds:Signature></CHUKYDONVI>');
    const env = parseEnvelope(signed);
    assert.equal(env.hasSignature, true);
    assert.ok(env.episodes[0]!.files[0]!.xml.startsWith('<?xml'));
  });
});

describe('parseEnvelope refusals', () => {
  const good = `<HOSO>${file('XML1', b64(xml1))}</HOSO>`;
  const cases: Array<[string, string | Buffer, string, Parameters<typeof parseEnvelope>[1]?]> = [
    ['count mismatch', envelope([good, good], 3), 'ENVELOPE_COUNT_MISMATCH'],
    ['base64 with bad characters', envelope([`<HOSO>${file('XML1', 'PD94bWwg!!==')}</HOSO>`]), 'BASE64_INVALID'],
    ['base64 truncated', envelope([`<HOSO>${file('XML1', b64(xml1).slice(0, -3))}</HOSO>`]), 'BASE64_INVALID'],
    ['base64 padding in the middle', envelope([`<HOSO>${file('XML1', 'QQ==QUFB')}</HOSO>`]), 'BASE64_INVALID'],
    ['base64url alphabet (- and _)', envelope([`<HOSO>${file('XML1', b64(xml1).replace(/\+/g, '-').replace(/\//g, '_').padEnd(8, 'A').replace(/^(.{3})./, '$1-'))}</HOSO>`]), 'BASE64_INVALID'],
    ['empty NOIDUNGFILE', envelope([`<HOSO>${file('XML1', '')}</HOSO>`]), 'BASE64_INVALID'],
    ['inner not UTF-8', envelope([`<HOSO>${file('XML1', Buffer.from([0x3c, 0x61, 0xff, 0x3e]).toString('base64'))}</HOSO>`]), 'XML_ENCODING'],
    ['inner XXE', envelope([`<HOSO>${file('XML1', b64('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><TONG_HOP>&e;</TONG_HOP>'))}</HOSO>`]), 'XML_DTD_FORBIDDEN'],
    ['inner billion laughs without DOCTYPE keyword first', envelope([`<HOSO>${file('XML1', b64('<!ENTITY a "aaaa"><TONG_HOP/>'))}</HOSO>`]), 'XML_ENTITY_FORBIDDEN'],
    ['outer DOCTYPE', `<!DOCTYPE GIAMDINHHS [<!ENTITY a "b">]>${envelope([good])}`.replace('<?xml version="1.0" encoding="utf-8"?>', ''), 'XML_DTD_FORBIDDEN'],
    ['wrong root', envelope([good]).replace(/GIAMDINHHS/g, 'HOSOGIAMDINH'), 'ENVELOPE_STRUCTURE'],
    ['missing MACSKCB', envelope([good]).replace('<MACSKCB>01001</MACSKCB>', ''), 'ENVELOPE_STRUCTURE'],
    ['unknown element in THONGTINHOSO', envelope([good]).replace('<DANHSACHHOSO>', '<X>1</X><DANHSACHHOSO>'), 'ENVELOPE_STRUCTURE'],
    ['CHUKYDONVI not last', envelope([good], 1, '').replace('<CHUKYDONVI/></GIAMDINHHS>', '<CHUKYDONVI/><X/></GIAMDINHHS>'), 'ENVELOPE_STRUCTURE'],
    ['FILEHOSO without NOIDUNGFILE', envelope(['<HOSO><FILEHOSO><LOAIHOSO>XML1</LOAIHOSO></FILEHOSO></HOSO>']), 'ENVELOPE_STRUCTURE'],
    ['HOSO without files', envelope(['<HOSO></HOSO>']), 'ENVELOPE_STRUCTURE'],
    ['bad NGAYLAP', envelope([good]).replace('20240306', '06/03/2024'), 'ENVELOPE_FIELD_INVALID'],
    ['non-numeric SOLUONGHOSO', envelope([good]).replace('<SOLUONGHOSO>1<', '<SOLUONGHOSO>one<'), 'ENVELOPE_FIELD_INVALID'],
    ['too many HOSO', envelope([good, good, good]), 'ENVELOPE_TOO_LARGE', { maxEpisodes: 2 }],
    ['file too large', envelope([good]), 'ENVELOPE_TOO_LARGE', { maxFileBytes: 100 }],
    ['envelope too large', envelope([good]), 'ENVELOPE_TOO_LARGE', { maxBytes: 500 }],
    ['malformed outer XML', envelope([good]).replace('</THONGTINDONVI>', '</THONGTINDONVl>'), 'XML_MALFORMED'],
  ];
  for (const [name, input, expected, limits] of cases) {
    it(`${name} → ${expected}`, () => assert.equal(code(() => parseEnvelope(input, limits)), expected));
  }
});

describe('parseEnvelope file bytes', () => {
  it('carries the UTF-8 bytes of exactly the decoded text (BOMs removed)', () => {
    const text = '<TONG_HOP><HO_TEN>Nguyễn Thị Ánh</HO_TEN></TONG_HOP>';
    for (const prefix of ['', '\uFEFF', '\uFEFF\uFEFF']) {
      const env = `<?xml version="1.0" encoding="utf-8"?><GIAMDINHHS><THONGTINDONVI><MACSKCB>01001</MACSKCB></THONGTINDONVI><THONGTINHOSO><NGAYLAP>20240306</NGAYLAP><SOLUONGHOSO>1</SOLUONGHOSO><DANHSACHHOSO><HOSO><FILEHOSO><LOAIHOSO>XML1</LOAIHOSO><NOIDUNGFILE>${b64(prefix + text)}</NOIDUNGFILE></FILEHOSO></HOSO></DANHSACHHOSO></THONGTINHOSO><CHUKYDONVI/></GIAMDINHHS>`;
      const f = parseEnvelope(env).episodes[0]!.files[0]!;
      assert.equal(f.xml, prefix.length === 2 ? `\uFEFF${text}`.slice(1) : text);
      assert.equal(f.bytes.toString('utf8'), f.xml);
    }
  });
});
