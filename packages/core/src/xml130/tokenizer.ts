import { XmlInputError } from './errors.ts';

/** Element-only view of a document: comments and the XML declaration are dropped. */
export interface XmlElement {
  name: string;
  /** null when the element has no attributes (the common case; saves an allocation). */
  attrs: Record<string, string> | null;
  children: XmlElement[];
  /** Decoded character data; whitespace around child elements is dropped. */
  text: string;
}

export interface TokenizerLimits {
  maxDepth?: number;
  maxElements?: number;
  /** Maximum input length in UTF-16 code units. */
  maxChars?: number;
}

const DEFAULTS: Required<TokenizerLimits> = { maxDepth: 32, maxElements: 200_000, maxChars: 32 * 1024 * 1024 };

function malformed(pos: number, en: string, vi: string): XmlInputError {
  return new XmlInputError('XML_MALFORMED', `XML không hợp lệ tại vị trí ${pos}: ${vi}.`, `Malformed XML at offset ${pos}: ${en}.`);
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

export function isXmlWhitespace(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isWs(s.charCodeAt(i))) return false;
  return true;
}

function isNameStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x3a || c >= 0xc0;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0xb7;
}

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Decodes the five predefined entities and character references; anything else is refused. */
export function decodeEntities(s: string, base = 0): string {
  let amp = s.indexOf('&');
  if (amp < 0) return s;
  let out = '';
  let last = 0;
  while (amp >= 0) {
    const semi = s.indexOf(';', amp);
    if (semi < 0 || semi - amp > 12) throw malformed(base + amp, "'&' not followed by a reference", "ký tự '&' không theo sau bởi một tham chiếu hợp lệ");
    const ref = s.slice(amp + 1, semi);
    let ch: string;
    if (ref === 'amp') ch = '&';
    else if (ref === 'lt') ch = '<';
    else if (ref === 'gt') ch = '>';
    else if (ref === 'quot') ch = '"';
    else if (ref === 'apos') ch = "'";
    else if (ref.charCodeAt(0) === 0x23) {
      const hex = ref.charCodeAt(1) === 0x78;
      const digits = ref.slice(hex ? 2 : 1);
      if (!(hex ? /^[0-9a-fA-F]{1,6}$/ : /^[0-9]{1,7}$/).test(digits)) {
        throw malformed(base + amp, 'bad character reference', 'tham chiếu ký tự sai');
      }
      const cp = Number.parseInt(digits, hex ? 16 : 10);
      if (!isXmlChar(cp)) throw malformed(base + amp, 'character reference to a forbidden character', 'tham chiếu tới ký tự bị cấm');
      ch = String.fromCodePoint(cp);
    } else {
      throw new XmlInputError(
        'XML_ENTITY_FORBIDDEN',
        `Thực thể XML "&${ref};" không được phép (chỉ chấp nhận &amp; &lt; &gt; &quot; &apos; và tham chiếu số).`,
        `XML entity "&${ref};" is not allowed (only &amp; &lt; &gt; &quot; &apos; and numeric references).`,
      );
    }
    out += s.slice(last, amp) + ch;
    last = semi + 1;
    amp = s.indexOf('&', last);
  }
  return out + s.slice(last);
}

/** Removes a leading UTF-8 byte order mark and decodes; invalid UTF-8 is refused. */
export function decodeUtf8(input: Buffer | Uint8Array): string {
  try {
    return UTF8.decode(input);
  } catch {
    throw new XmlInputError('XML_ENCODING', 'Dữ liệu không phải UTF-8 hợp lệ.', 'The data is not valid UTF-8.');
  }
}
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/**
 * Parses a small, flat, element-only XML document. Refuses DTDs, entity declarations, processing
 * instructions (other than the leading declaration) and non-predefined entities, so expansion
 * attacks and external entity fetches are impossible by construction.
 */
export function parseXml(input: string | Buffer | Uint8Array, limits: TokenizerLimits = {}): XmlElement {
  const maxDepth = limits.maxDepth ?? DEFAULTS.maxDepth;
  const maxElements = limits.maxElements ?? DEFAULTS.maxElements;
  const maxChars = limits.maxChars ?? DEFAULTS.maxChars;
  if (typeof input !== 'string' && input.length > maxChars * 3) {
    throw new XmlInputError('XML_TOO_LARGE', 'Tài liệu XML vượt quá kích thước cho phép.', 'The XML document exceeds the size limit.');
  }
  let s = typeof input === 'string' ? input : decodeUtf8(input);
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  if (s.length > maxChars) {
    throw new XmlInputError('XML_TOO_LARGE', 'Tài liệu XML vượt quá kích thước cho phép.', 'The XML document exceeds the size limit.');
  }
  // XML 1.0 forbids these code points even as raw text; PostgreSQL then refuses U+0000 in jsonb,
  // so letting one through would turn bad input into a storage failure. One regex scan is cheap.
  const bad = FORBIDDEN_CHAR.exec(s);
  if (bad) throw malformed(bad.index, `forbidden character U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`, 'ký tự bị cấm trong XML');
  let pos = 0;
  if (s.startsWith('<?xml')) {
    const c = s.charCodeAt(5);
    if (isWs(c) || c === 0x3f) {
      const end = s.indexOf('?>', 5);
      if (end < 0) throw malformed(0, 'unterminated XML declaration', 'khai báo XML không đóng');
      pos = end + 2;
    }
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let count = 0;
  const len = s.length;

  while (pos < len) {
    const lt = s.indexOf('<', pos);
    const textEnd = lt < 0 ? len : lt;
    if (textEnd > pos) {
      const top = stack[stack.length - 1];
      const raw = s.slice(pos, textEnd);
      if (top === undefined) {
        if (!isXmlWhitespace(raw)) throw malformed(pos, root ? 'content after the root element' : 'text before the root element', root ? 'có nội dung sau phần tử gốc' : 'có văn bản trước phần tử gốc');
      } else if (top.children.length === 0 || !isXmlWhitespace(raw)) {
        top.text += decodeEntities(raw, pos);
      }
    }
    if (lt < 0) break;
    const c1 = s.charCodeAt(lt + 1);
    if (c1 === 0x2f) {
      // End tag.
      const gt = s.indexOf('>', lt + 2);
      if (gt < 0) throw malformed(lt, 'unterminated end tag', 'thẻ đóng không kết thúc');
      let nameEnd = gt;
      while (nameEnd > lt + 2 && isWs(s.charCodeAt(nameEnd - 1))) nameEnd--;
      const name = s.slice(lt + 2, nameEnd);
      const top = stack.pop();
      if (top === undefined || top.name !== name) {
        throw malformed(lt, `end tag </${name}> does not match <${top?.name ?? ''}>`, `thẻ đóng </${name}> không khớp với <${top?.name ?? ''}>`);
      }
      if (top.children.length > 0 && isXmlWhitespace(top.text)) top.text = '';
      pos = gt + 1;
      continue;
    }
    if (c1 === 0x21) {
      if (s.startsWith('<!--', lt)) {
        const end = s.indexOf('-->', lt + 4);
        if (end < 0) throw malformed(lt, 'unterminated comment', 'chú thích không đóng');
        pos = end + 3;
        continue;
      }
      if (s.startsWith('<![CDATA[', lt)) {
        const top = stack[stack.length - 1];
        if (top === undefined) throw malformed(lt, 'CDATA outside the root element', 'CDATA nằm ngoài phần tử gốc');
        const end = s.indexOf(']]>', lt + 9);
        if (end < 0) throw malformed(lt, 'unterminated CDATA section', 'đoạn CDATA không đóng');
        top.text += s.slice(lt + 9, end);
        pos = end + 3;
        continue;
      }
      const word = s.slice(lt + 2, lt + 9).toUpperCase();
      if (word.startsWith('DOCTYPE')) {
        throw new XmlInputError('XML_DTD_FORBIDDEN', 'Không chấp nhận khai báo DOCTYPE/DTD trong XML.', 'DOCTYPE/DTD declarations are not allowed in XML.');
      }
      if (word.startsWith('ENTITY')) {
        throw new XmlInputError('XML_ENTITY_FORBIDDEN', 'Không chấp nhận khai báo thực thể (ENTITY) trong XML.', 'Entity declarations are not allowed in XML.');
      }
      throw malformed(lt, "unexpected '<!'", "gặp '<!' không hợp lệ");
    }
    if (c1 === 0x3f) {
      throw new XmlInputError('XML_PI_FORBIDDEN', 'Không chấp nhận chỉ thị xử lý (<?...?>) trong XML.', 'Processing instructions (<?...?>) are not allowed in XML.');
    }
    // Start tag.
    if (!isNameStart(c1)) throw malformed(lt, "invalid character after '<'", "ký tự không hợp lệ sau '<'");
    let p = lt + 2;
    while (p < len && isNameChar(s.charCodeAt(p))) p++;
    const name = s.slice(lt + 1, p);
    let attrs: Record<string, string> | null = null;
    let selfClosing = false;
    for (;;) {
      let c = s.charCodeAt(p);
      const hadWs = isWs(c);
      while (isWs(c)) c = s.charCodeAt(++p);
      if (c === 0x3e) {
        p++;
        break;
      }
      if (c === 0x2f && s.charCodeAt(p + 1) === 0x3e) {
        selfClosing = true;
        p += 2;
        break;
      }
      if (!hadWs || !isNameStart(c)) throw malformed(p, `bad attribute syntax in <${name}>`, `thuộc tính sai cú pháp trong <${name}>`);
      const an = p;
      while (p < len && isNameChar(s.charCodeAt(p))) p++;
      const attrName = s.slice(an, p);
      while (isWs(s.charCodeAt(p))) p++;
      if (s.charCodeAt(p) !== 0x3d) throw malformed(p, `attribute ${attrName} lacks '='`, `thuộc tính ${attrName} thiếu '='`);
      p++;
      while (isWs(s.charCodeAt(p))) p++;
      const q = s.charCodeAt(p);
      if (q !== 0x22 && q !== 0x27) throw malformed(p, 'attribute value not quoted', 'giá trị thuộc tính không có dấu nháy');
      const close = s.indexOf(q === 0x22 ? '"' : "'", p + 1);
      if (close < 0) throw malformed(p, 'unterminated attribute value', 'giá trị thuộc tính không đóng');
      const rawValue = s.slice(p + 1, close);
      if (rawValue.includes('<')) throw malformed(p, "'<' in attribute value", "có '<' trong giá trị thuộc tính");
      attrs ??= {};
      if (Object.hasOwn(attrs, attrName)) throw malformed(an, `duplicate attribute ${attrName}`, `thuộc tính ${attrName} bị lặp`);
      attrs[attrName] = decodeEntities(rawValue, p + 1);
      p = close + 1;
    }
    if (++count > maxElements) {
      throw new XmlInputError('XML_TOO_LARGE', `Tài liệu XML có quá ${maxElements} phần tử.`, `The XML document has more than ${maxElements} elements.`);
    }
    const el: XmlElement = { name, attrs, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent === undefined) {
      if (root !== null) throw malformed(lt, 'more than one root element', 'có nhiều hơn một phần tử gốc');
      root = el;
    } else {
      parent.children.push(el);
    }
    if (!selfClosing) {
      if (stack.length >= maxDepth) {
        throw new XmlInputError('XML_TOO_DEEP', `Tài liệu XML lồng sâu quá ${maxDepth} mức.`, `The XML document is nested deeper than ${maxDepth} levels.`);
      }
      stack.push(el);
    }
    pos = p;
  }
  if (stack.length > 0) {
    const open = stack[stack.length - 1]!.name;
    throw malformed(len, `unclosed element <${open}>`, `phần tử <${open}> chưa được đóng`);
  }
  if (root === null) throw malformed(0, 'no root element', 'không có phần tử gốc');
  return root;
}

/** Depth-first search for descendants with a given (local) name. */
export function findAll(el: XmlElement, localName: string, out: XmlElement[] = []): XmlElement[] {
  for (const c of el.children) {
    const colon = c.name.indexOf(':');
    if ((colon < 0 ? c.name : c.name.slice(colon + 1)) === localName) out.push(c);
    findAll(c, localName, out);
  }
  return out;
}
