import { XmlInputError } from './errors.ts';
import { decodeUtf8, isXmlWhitespace, parseXml, type XmlElement } from './tokenizer.ts';

export interface EnvelopeLimits {
  /** Raw envelope size in bytes (UTF-16 code units for string input). */
  maxBytes?: number;
  maxEpisodes?: number;
  maxFilesPerEpisode?: number;
  /** Decoded size of one NOIDUNGFILE. */
  maxFileBytes?: number;
}

export interface EnvelopeFile {
  /** LOAIHOSO as sent, trimmed (e.g. "XML1"). */
  type: string;
  /** Decoded inner document (UTF-8, BOM removed). */
  xml: string;
  /** The same document as UTF-8 bytes (BOM removed), for hashing without re-encoding. */
  bytes: Buffer;
}

export interface EnvelopeEpisode {
  /** 1-based position of the HOSO in the envelope. */
  index: number;
  files: EnvelopeFile[];
}

export interface ParsedEnvelope {
  facilityCode: string;
  createdDate: string;
  declaredCount: number;
  episodes: EnvelopeEpisode[];
  hasSignature: boolean;
}

export const DEFAULT_ENVELOPE_LIMITS: Required<EnvelopeLimits> = {
  maxBytes: 64 * 1024 * 1024,
  maxEpisodes: 2000,
  maxFilesPerEpisode: 32,
  maxFileBytes: 8 * 1024 * 1024,
};

function structure(vi: string, en: string): XmlInputError {
  return new XmlInputError('ENVELOPE_STRUCTURE', `Cấu trúc hồ sơ GIAMDINHHS không đúng: ${vi}.`, `Invalid GIAMDINHHS envelope structure: ${en}.`);
}

function localName(name: string): string {
  const c = name.indexOf(':');
  return c < 0 ? name : name.slice(c + 1);
}

function expectChildren(el: XmlElement, names: readonly string[], optionalLast = false): XmlElement[] {
  const kids = el.children;
  const min = optionalLast ? names.length - 1 : names.length;
  if (kids.length < min || kids.length > names.length || kids.some((k, i) => k.name !== names[i])) {
    const got = kids.map((k) => k.name).join(', ');
    throw structure(`<${el.name}> phải chứa ${names.join(', ')} (đang có: ${got || 'không có'})`, `<${el.name}> must contain ${names.join(', ')} (found: ${got || 'nothing'})`);
  }
  if (!isXmlWhitespace(el.text)) throw structure(`<${el.name}> chứa văn bản lẫn với phần tử con`, `<${el.name}> mixes text with child elements`);
  return kids;
}

function leaf(el: XmlElement): string {
  if (el.children.length > 0) throw structure(`<${el.name}> không được chứa phần tử con`, `<${el.name}> must not contain child elements`);
  return el.text.trim();
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;
const B64_WS = /[ \t\r\n]/g;

/** Strict base64 (RFC 4648 alphabet, correct padding); line wrapping is tolerated. */
export function decodeBase64Strict(text: string, maxBytes: number, where: string): Buffer {
  let b64 = text.trim();
  // Fast path for unwrapped, canonically encoded content (what signer software sends): a round trip
  // through the encoder proves alphabet and padding in one native pass instead of a regex scan.
  // The envelope's own size limit bounds this decode; the file limit is checked on the result.
  if (b64.length > 0 && b64.length % 4 === 0) {
    const bytes = Buffer.from(b64, 'base64');
    if (bytes.toString('base64') === b64) {
      if (bytes.length > maxBytes) throw tooLarge(where, maxBytes);
      return bytes;
    }
  }
  if (!B64.test(b64)) {
    const stripped = b64.replace(B64_WS, '');
    if (stripped === b64 || !B64.test(stripped)) throw badBase64(where, 'ký tự ngoài bảng mã base64', 'characters outside the base64 alphabet');
    b64 = stripped;
  }
  if (b64.length % 4 !== 0) throw badBase64(where, 'độ dài không chia hết cho 4', 'length is not a multiple of 4');
  if (b64.length === 0) throw badBase64(where, 'nội dung rỗng', 'empty content');
  checkDecodedSize(b64, maxBytes, where);
  return Buffer.from(b64, 'base64');
}

function checkDecodedSize(b64: string, maxBytes: number, where: string): void {
  const decodedLen = (b64.length / 4) * 3 - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
  if (decodedLen > maxBytes) throw tooLarge(where, maxBytes);
}

function tooLarge(where: string, maxBytes: number): XmlInputError {
  return new XmlInputError('ENVELOPE_TOO_LARGE', `${where}: nội dung giải mã vượt quá ${maxBytes} byte.`, `${where}: decoded content exceeds ${maxBytes} bytes.`);
}

function badBase64(where: string, vi: string, en: string): XmlInputError {
  return new XmlInputError('BASE64_INVALID', `${where}: NOIDUNGFILE không phải base64 hợp lệ (${vi}).`, `${where}: NOIDUNGFILE is not valid base64 (${en}).`);
}

/**
 * Refuses DTDs and entity declarations anywhere in a decoded inner document, skipping over
 * comments and CDATA so free text mentioning "<!ENTITY" inside CDATA is not a false alarm.
 */
export function assertNoDtd(xml: string): void {
  let i = xml.indexOf('<!');
  while (i >= 0) {
    if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i + 9);
      if (end < 0) return;
      i = xml.indexOf('<!', end + 3);
      continue;
    }
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) return;
      i = xml.indexOf('<!', end + 3);
      continue;
    }
    const word = xml.slice(i + 2, i + 9).toUpperCase();
    if (word.startsWith('DOCTYPE')) {
      throw new XmlInputError('XML_DTD_FORBIDDEN', 'Không chấp nhận khai báo DOCTYPE/DTD trong XML.', 'DOCTYPE/DTD declarations are not allowed in XML.');
    }
    if (word.startsWith('ENTITY')) {
      throw new XmlInputError('XML_ENTITY_FORBIDDEN', 'Không chấp nhận khai báo thực thể (ENTITY) trong XML.', 'Entity declarations are not allowed in XML.');
    }
    i = xml.indexOf('<!', i + 2);
  }
}

const DATE_RE = /^\d{8}(\d{4}(\d{2})?)?$/;

/**
 * Parses a GIAMDINHHS submission. Whole-envelope problems (structure, counts, base64, encoding,
 * DTD anywhere) throw XmlInputError; inner documents are only decoded here, so a malformed table
 * later rejects its own episode and nothing else.
 */
export function parseEnvelope(input: Buffer | string, limits: EnvelopeLimits = {}): ParsedEnvelope {
  const lim = { ...DEFAULT_ENVELOPE_LIMITS, ...limits };
  if (input.length > lim.maxBytes) {
    throw new XmlInputError('ENVELOPE_TOO_LARGE', `Hồ sơ vượt quá ${lim.maxBytes} byte.`, `The envelope exceeds ${lim.maxBytes} bytes.`);
  }
  const text = typeof input === 'string' ? input : decodeUtf8(input);
  // The envelope is shallow; the deepest part is the signature (about 6 levels below the root).
  const root = parseXml(text, { maxDepth: 16, maxChars: lim.maxBytes, maxElements: 16 + lim.maxEpisodes * (1 + 3 * lim.maxFilesPerEpisode) + 64 });
  if (root.name !== 'GIAMDINHHS') throw structure(`phần tử gốc là <${root.name}>, cần <GIAMDINHHS>`, `root element is <${root.name}>, expected <GIAMDINHHS>`);
  const [donVi, hoSo, chuKy] = expectChildren(root, ['THONGTINDONVI', 'THONGTINHOSO', 'CHUKYDONVI'], true) as [XmlElement, XmlElement, XmlElement?];
  const [macskcb] = expectChildren(donVi, ['MACSKCB']) as [XmlElement];
  const facilityCode = leaf(macskcb);
  if (facilityCode === '' || facilityCode.length > 10) {
    throw new XmlInputError('ENVELOPE_FIELD_INVALID', 'MACSKCB của hồ sơ bị trống hoặc quá dài.', 'The envelope MACSKCB is empty or too long.');
  }
  const [ngayLap, soLuong, danhSach] = expectChildren(hoSo, ['NGAYLAP', 'SOLUONGHOSO', 'DANHSACHHOSO']) as [XmlElement, XmlElement, XmlElement];
  const createdDate = leaf(ngayLap);
  if (!DATE_RE.test(createdDate)) {
    throw new XmlInputError('ENVELOPE_FIELD_INVALID', `NGAYLAP "${createdDate}" phải có dạng yyyyMMdd.`, `NGAYLAP "${createdDate}" must be yyyyMMdd.`);
  }
  const countText = leaf(soLuong);
  if (!/^\d{1,9}$/.test(countText)) {
    throw new XmlInputError('ENVELOPE_FIELD_INVALID', `SOLUONGHOSO "${countText}" không phải số nguyên.`, `SOLUONGHOSO "${countText}" is not an integer.`);
  }
  const declaredCount = Number(countText);
  const hosoList = danhSach.children;
  if (!isXmlWhitespace(danhSach.text)) throw structure('<DANHSACHHOSO> chứa văn bản', '<DANHSACHHOSO> contains text');
  if (hosoList.length > lim.maxEpisodes) {
    throw new XmlInputError('ENVELOPE_TOO_LARGE', `Hồ sơ có ${hosoList.length} HOSO, vượt giới hạn ${lim.maxEpisodes}.`, `The envelope has ${hosoList.length} HOSO, over the limit of ${lim.maxEpisodes}.`);
  }
  if (declaredCount !== hosoList.length) {
    throw new XmlInputError(
      'ENVELOPE_COUNT_MISMATCH',
      `SOLUONGHOSO = ${declaredCount} nhưng có ${hosoList.length} HOSO.`,
      `SOLUONGHOSO is ${declaredCount} but the envelope holds ${hosoList.length} HOSO.`,
    );
  }
  const episodes: EnvelopeEpisode[] = [];
  for (let i = 0; i < hosoList.length; i++) {
    const h = hosoList[i]!;
    const index = i + 1;
    if (h.name !== 'HOSO') throw structure(`<DANHSACHHOSO> chứa <${h.name}>`, `<DANHSACHHOSO> contains <${h.name}>`);
    if (h.children.length === 0) throw structure(`HOSO thứ ${index} không có FILEHOSO`, `HOSO #${index} has no FILEHOSO`);
    if (h.children.length > lim.maxFilesPerEpisode) {
      throw new XmlInputError('ENVELOPE_TOO_LARGE', `HOSO thứ ${index} có quá nhiều FILEHOSO.`, `HOSO #${index} has too many FILEHOSO.`);
    }
    if (!isXmlWhitespace(h.text)) throw structure(`HOSO thứ ${index} chứa văn bản`, `HOSO #${index} contains text`);
    const files: EnvelopeFile[] = [];
    for (const f of h.children) {
      if (f.name !== 'FILEHOSO') throw structure(`HOSO thứ ${index} chứa <${f.name}>`, `HOSO #${index} contains <${f.name}>`);
      const kids = f.children;
      const loai = kids.find((k) => k.name === 'LOAIHOSO');
      const noiDung = kids.find((k) => k.name === 'NOIDUNGFILE');
      if (kids.length !== 2 || !loai || !noiDung || !isXmlWhitespace(f.text)) {
        throw structure(`FILEHOSO trong HOSO thứ ${index} phải có đúng LOAIHOSO và NOIDUNGFILE`, `FILEHOSO in HOSO #${index} must hold exactly LOAIHOSO and NOIDUNGFILE`);
      }
      const type = leaf(loai);
      const where = `HOSO ${index} ${type}`;
      if (noiDung.children.length > 0) throw structure(`NOIDUNGFILE (${where}) chứa phần tử con`, `NOIDUNGFILE (${where}) contains child elements`);
      const bytes = decodeBase64Strict(noiDung.text, lim.maxFileBytes, where);
      let xml: string;
      try {
        xml = decodeUtf8(bytes);
      } catch {
        throw new XmlInputError('XML_ENCODING', `${where}: nội dung không phải UTF-8 hợp lệ.`, `${where}: content is not valid UTF-8.`);
      }
      // TextDecoder already dropped one leading BOM; a second one is dropped below, from both.
      let body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
      if (xml.charCodeAt(0) === 0xfeff) {
        xml = xml.slice(1);
        body = body.subarray(3);
      }
      assertNoDtd(xml);
      files.push({ type, xml, bytes: body });
    }
    episodes.push({ index, files });
  }
  let hasSignature = false;
  if (chuKy) {
    if (!isXmlWhitespace(chuKy.text)) throw structure('<CHUKYDONVI> chứa văn bản', '<CHUKYDONVI> contains text');
    hasSignature = chuKy.children.some((c) => localName(c.name) === 'Signature');
  }
  return { facilityCode, createdDate, declaredCount, episodes, hasSignature };
}
