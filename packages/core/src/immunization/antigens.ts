/**
 * Antigens a dose protects against. Series and products are described by antigens so a combined
 * product counts wherever its parts are needed. Polio is split by vaccine type because the
 * programme schedules oral (bOPV) and inactivated (IPV) polio vaccine as separate series.
 */
export const ANTIGENS = [
  'hepb',
  'bcg',
  'diphtheria',
  'tetanus',
  'pertussis',
  'hib',
  'polio_oral',
  'polio_inactivated',
  'measles',
  'rubella',
  'mumps',
  'je',
  'rota',
  'pneumo',
  'hpv',
  'varicella',
  'influenza',
  'hepa',
  'meningococcal',
] as const;

export type Antigen = (typeof ANTIGENS)[number];

export const ANTIGEN_LABELS: Readonly<Record<Antigen, { vi: string; en: string }>> = {
  hepb: { vi: 'Viêm gan B', en: 'Hepatitis B' },
  bcg: { vi: 'Lao', en: 'Tuberculosis (BCG)' },
  diphtheria: { vi: 'Bạch hầu', en: 'Diphtheria' },
  tetanus: { vi: 'Uốn ván', en: 'Tetanus' },
  pertussis: { vi: 'Ho gà', en: 'Pertussis' },
  hib: { vi: 'Hib', en: 'Haemophilus influenzae type b' },
  polio_oral: { vi: 'Bại liệt (uống)', en: 'Polio (oral)' },
  polio_inactivated: { vi: 'Bại liệt (tiêm)', en: 'Polio (inactivated)' },
  measles: { vi: 'Sởi', en: 'Measles' },
  rubella: { vi: 'Rubella', en: 'Rubella' },
  mumps: { vi: 'Quai bị', en: 'Mumps' },
  je: { vi: 'Viêm não Nhật Bản', en: 'Japanese encephalitis' },
  rota: { vi: 'Tiêu chảy do vi rút Rota', en: 'Rotavirus' },
  pneumo: { vi: 'Phế cầu', en: 'Pneumococcus' },
  hpv: { vi: 'HPV', en: 'Human papillomavirus' },
  varicella: { vi: 'Thủy đậu', en: 'Varicella' },
  influenza: { vi: 'Cúm', en: 'Influenza' },
  hepa: { vi: 'Viêm gan A', en: 'Hepatitis A' },
  meningococcal: { vi: 'Não mô cầu', en: 'Meningococcus' },
};

const BIT = new Map<Antigen, number>(ANTIGENS.map((a, i) => [a, 1 << i]));

/** Bit set of antigens: the engine tests "covers every antigen of the series" with one AND. */
export function antigenMask(antigens: readonly Antigen[]): number {
  let mask = 0;
  for (const a of antigens) mask |= BIT.get(a) ?? 0;
  return mask;
}

export function antigensOfMask(mask: number): Antigen[] {
  const out: Antigen[] = [];
  for (let i = 0; i < ANTIGENS.length; i++) if (mask & (1 << i)) out.push(ANTIGENS[i] as Antigen);
  return out;
}

export const isAntigen = (s: string): s is Antigen => BIT.has(s as Antigen);

/** Number of antigens in a mask (a duplicate group keeps its most complete record). */
export function antigenCount(mask: number): number {
  let n = 0;
  for (let m = mask; m; m &= m - 1) n++;
  return n;
}
