import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { viDate } from '@openhssk/core';
import { ANTIGEN_LABELS, type Antigen, isAntigen } from '@openhssk/core/immunization';
import { CompactSign, compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import QRCode from 'qrcode';
import { vietnamesePdf } from '../pdf/index.ts';
import type { DoseView } from './history.ts';
import type { CertificateKeys } from './keys.ts';

/**
 * Vaccination certificates anyone can verify. The QR code holds a compact JWS (ES256, the platform's
 * certificate key, `kid` = the key's thumbprint) of a minimal payload: the holder's name and birth
 * date and, per dose, its date, antigens, dose number and facility code. As in SMART Health Cards
 * the payload is DEFLATE-compressed (`zip: "DEF"` in the protected header) so a childhood's doses
 * fit a QR code a phone reads from paper. The public keys are published at /.well-known/jwks.json;
 * `hssk immunization verify` checks a certificate with them offline.
 */

export const CERTIFICATE_VERSION = 1;

/** [date given, antigens joined by "+", dose number (0 when the source gave none), facility code ("" when unknown)]. */
export type CertificateDose = [date: string, antigens: string, dose: number, facility: string];

export interface CertificatePayload {
  iss: string;
  /** Seconds since the epoch when the certificate was issued. */
  iat: number;
  v: number;
  /** Holder's full name. */
  n: string;
  /** Birth date as the registry knows it (yyyy-mm-dd, yyyy-mm or yyyy). */
  b: string;
  d: CertificateDose[];
}

export interface CertificateHolder {
  ho_ten: string;
  ngay_sinh: string | null;
  gioi_tinh: number | null;
}

/** Doses a certificate states: one per real dose (duplicates from a second source left out), recognised products only, oldest first. */
export const certifiedDoses = (doses: readonly DoseView[]) =>
  doses.filter((d) => d.duplicate_of === null && d.recognised).sort((a, b) => (a.given_on < b.given_on ? -1 : a.given_on > b.given_on ? 1 : a.id - b.id));

export function certificatePayload(issuer: string, holder: CertificateHolder, doses: readonly DoseView[], now = new Date()): CertificatePayload {
  return {
    iss: issuer,
    iat: Math.floor(now.getTime() / 1000),
    v: CERTIFICATE_VERSION,
    n: holder.ho_ten,
    b: holder.ngay_sinh ?? '',
    d: certifiedDoses(doses).map((d) => [d.given_on, d.antigens.map((a) => a.code).join('+'), d.dose_no ?? 0, d.facility_code ?? '']),
  };
}

export async function signCertificate(keys: CertificateKeys, payload: CertificatePayload): Promise<string> {
  const body = deflateRawSync(Buffer.from(JSON.stringify(payload), 'utf8'));
  return new CompactSign(body).setProtectedHeader({ alg: 'ES256', kid: keys.signer.kid, zip: 'DEF' }).sign(keys.signer.key);
}

/** What the QR code encodes: the verification page with the certificate after '#', so it never reaches a server log. */
export const verifyUrl = (publicUrl: string, jws: string) => `${publicUrl.replace(/\/$/, '')}/verify#${jws}`;

export interface VerifiedDose {
  date: string;
  antigens: Array<{ code: string; name_vi: string; name_en: string }>;
  dose_no: number | null;
  facility_code: string | null;
}

export type VerifyResult =
  | { valid: true; kid: string; issuer: string; issued_at: string; holder: { name: string; birth_date: string }; doses: VerifiedDose[] }
  | { valid: false; code: string; message_vi: string; message_en: string };

const fail = (code: string, vi: string, en: string): VerifyResult => ({ valid: false, code, message_vi: vi, message_en: en });
const tampered = () =>
  fail(
    'CERTIFICATE_INVALID',
    'Giấy chứng nhận không hợp lệ: chữ ký số không khớp với nội dung (nội dung đã bị sửa hoặc không do hệ thống cấp).',
    'The certificate is not valid: its signature does not match its content (altered, or not issued by this platform).',
  );

const B64URL = /^[A-Za-z0-9_-]+$/;
// base64url has spare bits in its last character: a changed character there can decode to the same
// bytes, so each part must be exactly the encoding of what it decodes to.
const canonical = (part: string) => B64URL.test(part) && Buffer.from(part, 'base64url').toString('base64url') === part;

/** The JWS from what a scanner or a user gives: the bare token, the verification URL, or text around either. */
export function extractToken(input: string): string {
  const s = input.trim();
  const hash = s.indexOf('#');
  return (hash >= 0 ? s.slice(hash + 1) : s).trim();
}

/**
 * Verifies a certificate against a key set (the published one, or a saved copy offline). Any change
 * of the token — header, payload or signature, one character — makes it invalid.
 */
export async function verifyCertificate(input: string, jwks: JSONWebKeySet): Promise<VerifyResult> {
  const token = extractToken(input);
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every(canonical)) {
    return token.length === 0
      ? fail('CERTIFICATE_MISSING', 'Chưa có mã giấy chứng nhận để kiểm tra.', 'No certificate to check.')
      : fail('CERTIFICATE_MALFORMED', 'Mã giấy chứng nhận không đúng định dạng.', 'The certificate code is malformed.');
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return tampered();
  }
  if (header.alg !== 'ES256' || typeof header.kid !== 'string' || header.zip !== 'DEF') return tampered();
  if (!jwks.keys.some((k) => k.kid === header.kid)) {
    return fail('CERTIFICATE_UNKNOWN_KEY', 'Giấy chứng nhận được ký bằng một khóa không thuộc hệ thống (mã khóa không có trong danh sách công bố).', 'The certificate was signed with a key this platform has not published.');
  }
  let bytes: Uint8Array;
  try {
    bytes = (await compactVerify(token, createLocalJWKSet(jwks), { algorithms: ['ES256'] })).payload;
  } catch {
    return tampered();
  }
  let p: CertificatePayload;
  try {
    p = JSON.parse(inflateRawSync(bytes).toString('utf8')) as CertificatePayload;
  } catch {
    return tampered();
  }
  if (p.v !== CERTIFICATE_VERSION || typeof p.n !== 'string' || !Array.isArray(p.d)) {
    return fail('CERTIFICATE_VERSION', 'Giấy chứng nhận theo phiên bản chưa được hỗ trợ.', 'The certificate uses a version this verifier does not support.');
  }
  return {
    valid: true,
    kid: header.kid,
    issuer: p.iss,
    issued_at: new Date(p.iat * 1000).toISOString(),
    holder: { name: p.n, birth_date: p.b },
    doses: p.d.map(([date, antigens, dose, facility]) => ({
      date,
      antigens: antigens
        .split('+')
        .filter(Boolean)
        .map((a) => ({ code: a, name_vi: isAntigen(a) ? ANTIGEN_LABELS[a as Antigen].vi : a, name_en: isAntigen(a) ? ANTIGEN_LABELS[a as Antigen].en : a })),
      dose_no: dose > 0 ? dose : null,
      facility_code: facility || null,
    })),
  };
}

const SEX = { 1: 'Nam', 2: 'Nữ' } as Record<number, string>;

/** The certificate as a Vietnamese PDF (DejaVu embedded) with the signed QR code. */
export async function certificatePdf(
  holder: CertificateHolder,
  doses: readonly DoseView[],
  jws: string,
  opts: { publicUrl: string; kid: string; issuedOn: string; left: number },
): Promise<Buffer> {
  const url = verifyUrl(opts.publicUrl, jws);
  // Medium error correction survives a crease; a long vaccination history falls back to low.
  const qr = await QRCode.toBuffer(url, { errorCorrectionLevel: 'M', margin: 2, scale: 4 }).catch(() => QRCode.toBuffer(url, { errorCorrectionLevel: 'L', margin: 2, scale: 4 }));
  const { doc, done } = vietnamesePdf({ size: 'A4', margin: 40, info: { Title: 'Giấy chứng nhận tiêm chủng', Producer: 'OpenHSSK' } });
  doc.fontSize(9).fillColor('#555').text('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM — Độc lập - Tự do - Hạnh phúc', { align: 'center' }).fillColor('black');
  doc.moveDown(0.5).font('B').fontSize(16).text('GIẤY CHỨNG NHẬN TIÊM CHỦNG', { align: 'center' });
  doc.font('R').fontSize(9).fillColor('#555').text('Vaccination certificate — OpenHSSK', { align: 'center' }).fillColor('black').fontSize(10).moveDown(0.8);
  const top = doc.y;
  doc.image(qr, doc.page.width - 40 - 170, top, { width: 170 });
  const field = (label: string, value: string) => doc.font('B').text(`${label}: `, { continued: true, width: 330 }).font('R').text(value, { width: 330 });
  field('Họ và tên', holder.ho_ten);
  field('Ngày sinh', viDate(holder.ngay_sinh));
  field('Giới tính', holder.gioi_tinh ? (SEX[holder.gioi_tinh] ?? '—') : '—');
  field('Số mũi tiêm được chứng nhận', String(certifiedDoses(doses).length));
  field('Ngày cấp', viDate(opts.issuedOn));
  doc.moveDown(0.5).fontSize(8).fillColor('#333')
    .text(`Mã QR chứa chữ ký số ES256 của nền tảng (mã khóa ${opts.kid.slice(0, 12)}…). Kiểm tra tại ${opts.publicUrl.replace(/\/$/, '')}/verify hoặc ngoại tuyến bằng lệnh "hssk immunization verify" với khóa công bố tại /.well-known/jwks.json.`, { width: 330 })
    .fillColor('black').fontSize(10);
  doc.y = Math.max(doc.y, top + 180);
  doc.moveDown(0.5).font('B').fontSize(12).text('Các mũi tiêm').font('R').fontSize(9).moveDown(0.3);
  const cols = [
    { title: 'STT', w: 28 }, { title: 'Ngày tiêm', w: 62 }, { title: 'Vắc xin', w: 95 }, { title: 'Phòng bệnh', w: 130 }, { title: 'Mũi', w: 30 },
    { title: 'Nơi tiêm', w: 130 }, { title: 'Số lô', w: 40 },
  ];
  const row = (cells: string[], bold = false) => {
    const y = doc.y;
    let x = 40;
    let h = 0;
    doc.font(bold ? 'B' : 'R');
    cells.forEach((c, i) => {
      const w = cols[i]!.w;
      h = Math.max(h, doc.heightOfString(c, { width: w - 4 }));
      doc.text(c, x + 2, y, { width: w - 4 });
      x += w;
    });
    doc.x = 40;
    doc.y = y + h + 4;
    doc.moveTo(40, doc.y - 2).lineTo(555, doc.y - 2).strokeColor('#ccc').stroke();
    if (doc.y > doc.page.height - 60) doc.addPage();
  };
  row(cols.map((c) => c.title), true);
  certifiedDoses(doses).forEach((d, i) => {
    row([
      String(i + 1), viDate(d.given_on), d.vaccine_name, d.antigens.map((a) => a.name_vi).join(', '), d.dose_no ? String(d.dose_no) : '—',
      d.facility_name ?? d.facility_code ?? '—', d.lot_no ?? '—',
    ]);
  });
  if (certifiedDoses(doses).length === 0) doc.text('Chưa có mũi tiêm nào được ghi nhận.');
  if (opts.left > 0) {
    doc.moveDown(0.5).fontSize(8).text(`${opts.left} mũi tiêm có tên vắc xin chưa được nhận diện nên không đưa vào giấy chứng nhận; liên hệ cơ sở tiêm chủng để bổ sung.`);
  }
  doc.end();
  return done;
}
