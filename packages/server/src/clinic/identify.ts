import { DomainError, parseBhyt, parseCccd, socialInsuranceNumber } from '@openhssk/core';

export const CHECKIN_METHODS = ['vneid_qr', 'chip_cccd', 'bhyt_card', 'typed'] as const;
export type CheckinMethod = (typeof CHECKIN_METHODS)[number];

export type PatientKey = { kind: 'cccd'; value: string } | { kind: 'bhxh'; value: string; card?: string | undefined };

const bad = (vi: string, en: string) => new DomainError('invalid', 'IDENTIFIER_INVALID', vi, en);

/**
 * Personal ID from a QR payload. Accepted layouts (the national VNeID QR format is not public:
 * UNVERIFIED):
 *  - the QR printed on chip CCCD cards, `|`-separated: `CCCD|CMND|Họ tên|ddmmyyyy|Giới tính|Địa chỉ|ngày cấp`
 *    (what card readers return; the VNeID app's identity QR is assumed to start the same way);
 *  - JSON with `personal_id` or `id` (our documented format for integrations that wrap the payload).
 * Only the ID is used: the rest comes from the master patient index, not from the scanned text.
 */
export function personalIdFromQr(payload: string): string | undefined {
  const s = payload.trim();
  if (s.startsWith('{')) {
    try {
      const j = JSON.parse(s) as Record<string, unknown>;
      const id = j.personal_id ?? j.id ?? j.so_cccd;
      return typeof id === 'string' && /^\d{12}$/.test(id) ? id : undefined;
    } catch {
      return undefined;
    }
  }
  const first = s.split('|')[0]?.trim() ?? '';
  return /^\d{12}$/.test(first) ? first : undefined;
}

/**
 * Whether `value` is a payload a reader returned, not a number someone typed: the chip-card QR
 * layout (seven `|`-separated fields, the 12-digit ID first and the ddmmyyyy birth date fourth) or
 * the JSON wrapper with a 12-digit ID.
 */
export function isQrPayload(value: string): boolean {
  const s = value.trim();
  if (s.startsWith('{')) return personalIdFromQr(s) !== undefined;
  const f = s.split('|').map((x) => x.trim());
  return f.length >= 7 && /^\d{12}$/.test(f[0] ?? '') && /^\d{8}$/.test(f[3] ?? '');
}

/**
 * The identification method to record. VNeID QR and chip CCCD are recorded only when their payload
 * was actually read; the same number typed with one of those boxes ticked is recorded as typed, so
 * the VNeID-usage indicator (checkin-stats) counts real scans, not ticks.
 */
export function recordedMethod(method: CheckinMethod, value: string): CheckinMethod {
  return (method === 'vneid_qr' || method === 'chip_cccd') && !isQrPayload(value) ? 'typed' : method;
}

/** What to look the patient up by: a 12-digit personal ID, or the 10-digit BHXH number inside a BHYT card number. */
export function patientKey(method: CheckinMethod, raw: string): PatientKey {
  const value = raw.trim();
  if (!value) throw bad('Nhập số CCCD, mã thẻ BHYT hoặc dán mã QR.', 'Enter a personal ID, a BHYT card number or a QR payload.');
  if (value.length > 2000) throw bad('Dữ liệu quá dài.', 'The value is too long.');
  if (method === 'vneid_qr' || value.includes('|') || value.startsWith('{')) {
    const id = personalIdFromQr(value);
    if (!id) throw bad('Không đọc được số định danh trong mã QR.', 'No personal ID found in the QR payload.');
    return { kind: 'cccd', value: id };
  }
  const compact = value.replace(/[\s.-]/g, '').toUpperCase();
  if (/^\d{12}$/.test(compact)) {
    const c = parseCccd(compact);
    if (!c.ok) throw bad(c.error.message_vi, c.error.message_en);
    return { kind: 'cccd', value: c.value.number };
  }
  if (compact.length === 15) {
    const card = parseBhyt(compact);
    if (!card.ok) throw bad(card.error.message_vi, card.error.message_en);
    return { kind: 'bhxh', value: card.value.socialInsuranceNumber, card: card.value.number };
  }
  const bhxh = socialInsuranceNumber(compact);
  if (bhxh && method !== 'chip_cccd') return { kind: 'bhxh', value: bhxh };
  throw bad('Cần số CCCD 12 chữ số, mã thẻ BHYT 15 ký tự hoặc mã số BHXH 10 chữ số.', 'Expected a 12-digit personal ID, a 15-character BHYT card number or a 10-digit BHXH number.');
}

