import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XmlInputError } from './errors.ts';
import { parseXml } from './tokenizer.ts';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof XmlInputError, `expected XmlInputError, got ${String(e)}`);
    assert.ok(e.message_vi.length > 0 && e.message_en.length > 0);
    return e.code;
  }
  return 'no error';
}

describe('parseXml hostile input', () => {
  const deep = `${'<a>'.repeat(40)}x${'</a>'.repeat(40)}`;
  const laughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>';
  const cases: Array<[string, string, string]> = [
    ['XXE', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', 'XML_DTD_FORBIDDEN'],
    ['billion laughs', laughs, 'XML_DTD_FORBIDDEN'],
    ['bare ENTITY declaration', '<!ENTITY e "x"><x/>', 'XML_ENTITY_FORBIDDEN'],
    ['unknown entity', '<x>&nbsp;</x>', 'XML_ENTITY_FORBIDDEN'],
    ['unknown entity in attribute', '<x a="&e;"/>', 'XML_ENTITY_FORBIDDEN'],
    ['deep nesting', deep, 'XML_TOO_DEEP'],
    ['mismatched tags', '<a><b></a></b>', 'XML_MALFORMED'],
    ['truncated', '<a><b>text</b>', 'XML_MALFORMED'],
    ['truncated inside tag', '<a><b', 'XML_MALFORMED'],
    ['trailing content', '<a></a>junk', 'XML_MALFORMED'],
    ['second root', '<a></a><b></b>', 'XML_MALFORMED'],
    ['processing instruction', '<a><?php echo 1; ?></a>', 'XML_PI_FORBIDDEN'],
    ['late XML declaration', '<a></a><?xml version="1.0"?>', 'XML_PI_FORBIDDEN'],
    ['ampersand without reference', '<a>fish & chips</a>', 'XML_MALFORMED'],
    ['forbidden char reference', '<a>&#0;</a>', 'XML_MALFORMED'],
    ['duplicate attribute', '<a x="1" x="2"/>', 'XML_MALFORMED'],
    ['unquoted attribute', '<a x=1/>', 'XML_MALFORMED'],
    ['empty document', '   ', 'XML_MALFORMED'],
    ['unterminated CDATA', '<a><![CDATA[abc</a>', 'XML_MALFORMED'],
  ];
  for (const [name, xml, expected] of cases) {
    it(`refuses ${name} with ${expected}`, () => assert.equal(code(() => parseXml(xml)), expected));
  }
  it('enforces element and size limits', () => {
    assert.equal(code(() => parseXml(`<r>${'<a/>'.repeat(20)}</r>`, { maxElements: 10 })), 'XML_TOO_LARGE');
    assert.equal(code(() => parseXml(`<r>${'x'.repeat(100)}</r>`, { maxChars: 50 })), 'XML_TOO_LARGE');
  });
  it('refuses invalid UTF-8 bytes', () => {
    assert.equal(code(() => parseXml(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e]))), 'XML_ENCODING');
  });
});

describe('parseXml accepted input', () => {
  it('decodes predefined entities, numeric references and CDATA', () => {
    const root = parseXml('<r><a>A &amp; B &lt;c&gt; &quot;q&quot; &apos;s&apos; &#7899;&#x1EA1;</a><b><![CDATA[x < y & <z>]]></b></r>');
    assert.equal(root.children[0]!.text, 'A & B <c> "q" \'s\' ớạ');
    assert.equal(root.children[1]!.text, 'x < y & <z>');
  });
  it('accepts BOM, declaration, comments, attributes, CRLF and self-closing elements', () => {
    const xml = '\uFEFF<?xml version="1.0" encoding="utf-8"?>\r\n<!-- c --><R xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" a=\'1 &amp; 2\'>\r\n  <X>v</X>\r\n  <E/>\r\n  <!-- inner --></R>\r\n';
    const root = parseXml(xml);
    assert.equal(root.name, 'R');
    assert.deepEqual(root.attrs, { 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', a: '1 & 2' });
    assert.deepEqual(root.children.map((c) => [c.name, c.text]), [['X', 'v'], ['E', '']]);
    assert.equal(root.text, '');
  });
  it('parses Buffers as UTF-8 with Vietnamese text', () => {
    const root = parseXml(Buffer.from('<HO_TEN>Nguyễn Thị Hằng</HO_TEN>', 'utf8'));
    assert.equal(root.text, 'Nguyễn Thị Hằng');
  });
  it('refuses raw characters XML 1.0 forbids (U+0000 would also break jsonb storage)', () => {
    assert.throws(() => parseXml('<A>a\u0000b</A>'), (e: XmlInputError) => e.code === 'XML_MALFORMED' && /U\+0000/.test(e.message));
    assert.throws(() => parseXml('<A>\u001F</A>'), (e: XmlInputError) => e.code === 'XML_MALFORMED');
    assert.equal(parseXml('<A>tab\tcr\r</A>').text, 'tab\tcr\r');
  });
});
