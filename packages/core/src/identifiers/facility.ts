import { NEW_PROVINCES, OLD_PROVINCES } from './provinces.ts';
import { fail, type IdCheck } from './result.ts';

/**
 * Facility code (MACSKCB): 2-digit province + 3-digit sequence. Codes are treated as opaque
 * after the 2025 merger, so the province part is checked against both old and new lists.
 */
export function parseFacilityCode(raw: string): IdCheck<string> {
  const code = raw.trim();
  if (!/^\d{5}$/.test(code)) {
    return fail('MACSKCB_FORMAT', 'Mã cơ sở KCB phải gồm đúng 5 chữ số.', 'A facility code (MACSKCB) must be exactly 5 digits.');
  }
  const province = code.slice(0, 2);
  if (!(province in OLD_PROVINCES) && !(province in NEW_PROVINCES)) {
    return fail('MACSKCB_PROVINCE', `Mã tỉnh ${province} của mã cơ sở KCB không tồn tại.`, `Province ${province} of the facility code does not exist.`);
  }
  return { ok: true, value: code, warnings: [] };
}
