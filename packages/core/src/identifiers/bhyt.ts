import { fail, type IdCheck } from './result.ts';

export interface BhytCard {
  number: string;
  /** Beneficiary group (mã đối tượng), e.g. DN, HT, TE. */
  group: string;
  /** Benefit level 1–5. */
  benefitLevel: number;
  /** Province social-insurance office that issued the card. */
  provinceCode: string;
  /** Lifelong social-insurance number: the stable key across group changes. */
  socialInsuranceNumber: string;
}

/** Health-insurance card number: AA L PP NNNNNNNNNN (15 characters). */
export function parseBhyt(raw: string): IdCheck<BhytCard> {
  const number = raw.replace(/\s/g, '').toUpperCase();
  if (number.length !== 15) {
    return fail('BHYT_LENGTH', 'Mã thẻ BHYT phải có đúng 15 ký tự.', 'A health-insurance card number must be exactly 15 characters.');
  }
  if (!/^[A-Z]{2}/.test(number)) {
    return fail('BHYT_GROUP', 'Hai ký tự đầu của mã thẻ BHYT phải là chữ cái (mã đối tượng).', 'The first two characters of the card number must be letters (beneficiary group).');
  }
  if (!/^[A-Z]{2}[1-5]/.test(number)) {
    return fail('BHYT_BENEFIT', 'Ký tự thứ 3 của mã thẻ BHYT (mức hưởng) phải từ 1 đến 5.', 'Character 3 of the card number (benefit level) must be 1 to 5.');
  }
  if (!/^[A-Z]{2}[1-5]\d{12}$/.test(number)) {
    return fail('BHYT_DIGITS', 'Ký tự 4–15 của mã thẻ BHYT phải là chữ số.', 'Characters 4–15 of the card number must be digits.');
  }
  return {
    ok: true,
    value: {
      number,
      group: number.slice(0, 2),
      benefitLevel: Number(number[2]),
      provinceCode: number.slice(3, 5),
      socialInsuranceNumber: number.slice(5),
    },
    warnings: [],
  };
}

/** The 10-digit social-insurance number, from a full card number or given alone. */
export function socialInsuranceNumber(raw: string): string | undefined {
  const s = raw.replace(/\s/g, '').toUpperCase();
  if (/^\d{10}$/.test(s)) return s;
  const card = parseBhyt(s);
  return card.ok ? card.value.socialInsuranceNumber : undefined;
}
