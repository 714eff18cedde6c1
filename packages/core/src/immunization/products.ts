import { searchKey } from '../text/vietnamese.ts';
import { type Antigen, antigenMask } from './antigens.ts';

/**
 * Vaccine products and the antigens they carry, with the names and codes they appear under in
 * immunisation-system exports and service clinics' records. Matching ignores case, diacritics,
 * spaces, dashes and the words "vắc xin"/"vaccine", and dose markers such as "mũi 2".
 *
 * "5 trong 1" means the programme's DPT-VGB-Hib here: in the expanded programme it is the
 * pentavalent whole-cell vaccine, while a service clinic's "5 in 1" (Pentaxim) carries IPV instead
 * of hepatitis B — records naming the brand are matched to the brand.
 */
export interface Product {
  readonly id: string;
  readonly name_vi: string;
  readonly name_en: string;
  readonly antigens: readonly Antigen[];
  /** Given in the national expanded programme (TCMR). */
  readonly programme: boolean;
  readonly aliases: readonly string[];
}

const DTP: Antigen[] = ['diphtheria', 'tetanus', 'pertussis'];

export const PRODUCTS: readonly Product[] = [
  {
    id: 'VGB',
    name_vi: 'Vắc xin viêm gan B đơn giá',
    name_en: 'Hepatitis B vaccine (monovalent)',
    antigens: ['hepb'],
    programme: true,
    aliases: ['VGB', 'Viêm gan B', 'VGB sơ sinh', 'Viêm gan B sơ sinh', 'HepB', 'Hep B', 'HBV', 'Hepatitis B', 'Engerix-B', 'Euvax B', 'Gene-HBvax', 'Heberbiovac HB', 'Hepavax-Gene'],
  },
  {
    id: 'BCG',
    name_vi: 'Vắc xin lao (BCG)',
    name_en: 'BCG vaccine',
    antigens: ['bcg'],
    programme: true,
    aliases: ['BCG', 'Lao', 'Phòng lao', 'Tuberculosis'],
  },
  {
    id: 'DPT-VGB-Hib',
    name_vi: 'Vắc xin DPT-VGB-Hib (5 trong 1)',
    name_en: 'DTwP-HepB-Hib (pentavalent)',
    antigens: [...DTP, 'hepb', 'hib'],
    programme: true,
    aliases: [
      'DPT-VGB-Hib', 'DTP-VGB-Hib', 'DPT-HepB-Hib', 'DTP-HepB-Hib', 'DTwP-HepB-Hib', 'DTwP-Hib-HepB', 'Penta', 'Pentavalent',
      '5 trong 1', '5in1', 'Quinvaxem', 'ComBE Five', 'Pentavac', 'Bạch hầu - Ho gà - Uốn ván - Viêm gan B - Hib',
    ],
  },
  {
    id: 'DTaP-IPV-HepB-Hib',
    name_vi: 'Vắc xin 6 trong 1',
    name_en: 'DTaP-IPV-HepB-Hib (hexavalent)',
    antigens: [...DTP, 'hepb', 'hib', 'polio_inactivated'],
    programme: false,
    aliases: ['Hexaxim', 'Infanrix Hexa', 'Hexyon', '6 trong 1', '6in1', 'Hexavalent', 'DTaP-IPV-HepB-Hib', 'DTaP-HepB-IPV-Hib'],
  },
  {
    id: 'DTaP-IPV-Hib',
    name_vi: 'Vắc xin Pentaxim (5 trong 1 dịch vụ)',
    name_en: 'DTaP-IPV/Hib (Pentaxim)',
    antigens: [...DTP, 'hib', 'polio_inactivated'],
    programme: false,
    aliases: ['Pentaxim', 'DTaP-IPV-Hib', 'DTaP-IPV/Hib'],
  },
  {
    id: 'DTaP-IPV',
    name_vi: 'Vắc xin 4 trong 1 (Tetraxim)',
    name_en: 'DTaP-IPV (Tetraxim)',
    antigens: [...DTP, 'polio_inactivated'],
    programme: false,
    aliases: ['Tetraxim', '4 trong 1', '4in1', 'DTaP-IPV'],
  },
  {
    id: 'Hib',
    name_vi: 'Vắc xin Hib đơn giá',
    name_en: 'Hib vaccine (monovalent)',
    antigens: ['hib'],
    programme: false,
    aliases: ['Hib', 'ActHIB', 'Hiberix', 'Quimi-Hib'],
  },
  {
    id: 'DPT',
    name_vi: 'Vắc xin bạch hầu - ho gà - uốn ván (DPT)',
    name_en: 'DTP vaccine',
    antigens: DTP,
    programme: true,
    aliases: ['DPT', 'DTP', 'DTwP', 'DTaP', 'Bạch hầu - Ho gà - Uốn ván', 'BH-HG-UV', 'Infanrix'],
  },
  {
    id: 'DT',
    name_vi: 'Vắc xin bạch hầu - uốn ván (DT)',
    name_en: 'DT vaccine',
    antigens: ['diphtheria', 'tetanus'],
    programme: false,
    aliases: ['DT', 'Bạch hầu - Uốn ván'],
  },
  {
    id: 'Td',
    name_vi: 'Vắc xin uốn ván - bạch hầu giảm liều (Td)',
    name_en: 'Td (tetanus, reduced diphtheria)',
    antigens: ['diphtheria', 'tetanus'],
    programme: true,
    aliases: ['Td', 'Uốn ván - bạch hầu', 'Uốn ván - bạch hầu giảm liều', 'Uốn ván bạch hầu hấp phụ', 'Td hấp phụ', 'Tetanus-diphtheria'],
  },
  {
    id: 'Tdap',
    name_vi: 'Vắc xin Tdap',
    name_en: 'Tdap',
    antigens: DTP,
    programme: false,
    aliases: ['Tdap', 'Boostrix', 'Adacel'],
  },
  {
    id: 'TT',
    name_vi: 'Vắc xin uốn ván (TT)',
    name_en: 'Tetanus toxoid (TT)',
    antigens: ['tetanus'],
    programme: true,
    aliases: ['TT', 'VAT', 'UV', 'Uốn ván', 'Uốn ván hấp phụ', 'Tetanus toxoid', 'Tetanus'],
  },
  {
    id: 'bOPV',
    name_vi: 'Vắc xin bại liệt uống (bOPV)',
    name_en: 'Oral polio vaccine (bOPV)',
    antigens: ['polio_oral'],
    programme: true,
    aliases: ['OPV', 'bOPV', 'tOPV', 'Bại liệt uống', 'Bại liệt (uống)', 'Polio uống', 'Oral polio', 'Polio oral'],
  },
  {
    id: 'IPV',
    name_vi: 'Vắc xin bại liệt tiêm (IPV)',
    name_en: 'Inactivated polio vaccine (IPV)',
    antigens: ['polio_inactivated'],
    programme: true,
    aliases: ['IPV', 'fIPV', 'Bại liệt tiêm', 'Bại liệt (tiêm)', 'Polio tiêm', 'Imovax Polio', 'Poliorix', 'Inactivated polio'],
  },
  {
    id: 'Measles',
    name_vi: 'Vắc xin sởi',
    name_en: 'Measles vaccine',
    antigens: ['measles'],
    programme: true,
    aliases: ['Sởi', 'Sởi đơn', 'MVVac', 'MV', 'Measles'],
  },
  {
    id: 'MR',
    name_vi: 'Vắc xin sởi - rubella (MR)',
    name_en: 'Measles-rubella vaccine (MR)',
    antigens: ['measles', 'rubella'],
    programme: true,
    aliases: ['MR', 'MRVAC', 'Sởi - Rubella', 'Sởi Rubella', 'Measles-Rubella'],
  },
  {
    id: 'MMR',
    name_vi: 'Vắc xin sởi - quai bị - rubella (MMR)',
    name_en: 'Measles-mumps-rubella vaccine (MMR)',
    antigens: ['measles', 'mumps', 'rubella'],
    programme: false,
    aliases: ['MMR', 'MMR II', 'Priorix', 'Trimovax', 'Sởi - Quai bị - Rubella'],
  },
  {
    id: 'JE',
    name_vi: 'Vắc xin viêm não Nhật Bản',
    name_en: 'Japanese encephalitis vaccine',
    antigens: ['je'],
    programme: true,
    aliases: ['JE', 'VNNB', 'Viêm não Nhật Bản', 'Viêm não NB', 'Jevax', 'JE-VAX', 'Japanese encephalitis'],
  },
  {
    id: 'JE-other',
    name_vi: 'Vắc xin viêm não Nhật Bản (dịch vụ)',
    name_en: 'Japanese encephalitis vaccine (service)',
    antigens: ['je'],
    programme: false,
    aliases: ['Imojev', 'Jeev', 'Ixiaro', 'CD-JEVAX'],
  },
  {
    id: 'Rota',
    name_vi: 'Vắc xin Rota',
    name_en: 'Rotavirus vaccine',
    antigens: ['rota'],
    programme: false,
    aliases: ['Rota', 'Rotavirus', 'Rotavin', 'Rotavin-M1', 'Rotarix', 'RotaTeq'],
  },
  {
    id: 'PCV',
    name_vi: 'Vắc xin phế cầu',
    name_en: 'Pneumococcal conjugate vaccine',
    antigens: ['pneumo'],
    programme: false,
    aliases: ['PCV', 'PCV10', 'PCV13', 'PCV15', 'PCV20', 'Phế cầu', 'Synflorix', 'Prevenar 13', 'Vaxneuvance'],
  },
  {
    id: 'HPV',
    name_vi: 'Vắc xin HPV',
    name_en: 'HPV vaccine',
    antigens: ['hpv'],
    programme: false,
    aliases: ['HPV', 'Gardasil', 'Gardasil 9', 'Cervarix'],
  },
  { id: 'Varicella', name_vi: 'Vắc xin thủy đậu', name_en: 'Varicella vaccine', antigens: ['varicella'], programme: false, aliases: ['Thủy đậu', 'Varivax', 'Varilrix'] },
  { id: 'Influenza', name_vi: 'Vắc xin cúm', name_en: 'Influenza vaccine', antigens: ['influenza'], programme: false, aliases: ['Cúm', 'Cúm mùa', 'Vaxigrip', 'Vaxigrip Tetra', 'Influvac', 'Influvac Tetra', 'GCFlu', 'Ivacflu-S'] },
  { id: 'HepA', name_vi: 'Vắc xin viêm gan A', name_en: 'Hepatitis A vaccine', antigens: ['hepa'], programme: false, aliases: ['Viêm gan A', 'HepA', 'Havax', 'Avaxim'] },
  { id: 'HepA-HepB', name_vi: 'Vắc xin viêm gan A + B', name_en: 'Hepatitis A+B vaccine', antigens: ['hepa', 'hepb'], programme: false, aliases: ['Twinrix', 'Viêm gan A + B'] },
  {
    id: 'Meningococcal',
    name_vi: 'Vắc xin não mô cầu',
    name_en: 'Meningococcal vaccine',
    antigens: ['meningococcal'],
    programme: false,
    aliases: ['Não mô cầu', 'Menactra', 'MenQuadfi', 'VA-Mengoc-BC', 'Bexsero'],
  },
];

/** Words that name the kind of thing, not the product. */
// Not TIEM/UONG: they tell "bại liệt tiêm" (IPV) from "bại liệt uống" (OPV).
const NOISE = new Set(['VAC', 'XIN', 'VACXIN', 'VACCIN', 'VACCINE', 'VACCINES', 'VX', 'PHONG', 'BENH', 'NGUA']);
/** Dose markers: "mũi 2", "lần 1", "liều 3", "dose 1", "nhắc lại". */
const DOSE_WORDS = new Set(['MUI', 'LAN', 'LIEU', 'DOSE', 'NHAC', 'LAI']);
const NUMBER_TOKEN = /^(\d+|I|II|III|IV|V)$/;

function cleanTokens(text: string): string[] {
  const tokens = searchKey(text).split(' ').filter(Boolean);
  const kept = tokens.filter((t) => !NOISE.has(t));
  // Dose markers sit at the end: "DPT-VGB-Hib mũi 2", "VNNB lần 1", "MR (nhắc lại)".
  while (kept.length > 1) {
    const last = kept[kept.length - 1] as string;
    const prev = kept[kept.length - 2] as string;
    if (DOSE_WORDS.has(last)) kept.pop();
    else if (NUMBER_TOKEN.test(last) && DOSE_WORDS.has(prev)) kept.splice(kept.length - 2, 2);
    else break;
  }
  return kept;
}

const compactKey = (text: string) => cleanTokens(text).join('');

const BY_KEY = new Map<string, Product>();
for (const p of PRODUCTS) {
  for (const name of [p.id, ...p.aliases]) {
    const key = compactKey(name);
    const seen = BY_KEY.get(key);
    if (seen && seen !== p) throw new Error(`immunization: alias "${name}" names both ${seen.id} and ${p.id}`);
    BY_KEY.set(key, p);
  }
}

const PRODUCT_BY_ID = new Map(PRODUCTS.map((p) => [p.id, p]));
export const productById = (id: string): Product | undefined => PRODUCT_BY_ID.get(id);

function lookup(key: string): Product | undefined {
  if (key === '') return undefined;
  const hit = BY_KEY.get(key);
  if (hit) return hit;
  // "IPV2", "OPV3", "VNNB1": a dose number glued to the name.
  const bare = key.replace(/\d+$/, '');
  return bare !== key && bare !== '' ? BY_KEY.get(bare) : undefined;
}

function matchUncached(raw: string): Product | undefined {
  const whole = lookup(compactKey(raw));
  if (whole) return whole;
  // "Vắc xin uốn ván - bạch hầu hấp phụ (Td)": the part in brackets, then the part before them.
  for (const m of raw.matchAll(/\(([^)]*)\)/g)) {
    const inner = lookup(compactKey(m[1] ?? ''));
    if (inner) return inner;
  }
  const open = raw.indexOf('(');
  return open > 0 ? lookup(compactKey(raw.slice(0, open))) : undefined;
}

// Exports repeat a few dozen spellings millions of times; the cache is bounded so odd free text
// cannot grow it without limit.
const CACHE = new Map<string, Product | null>();
const CACHE_LIMIT = 20_000;

/** The product a name or code denotes, or undefined when it is not recognised. */
export function matchProduct(nameOrCode: string): Product | undefined {
  const cached = CACHE.get(nameOrCode);
  if (cached !== undefined) return cached ?? undefined;
  const found = matchUncached(nameOrCode);
  if (CACHE.size >= CACHE_LIMIT) CACHE.clear();
  CACHE.set(nameOrCode, found ?? null);
  return found;
}

/** Antigen bit set of a recorded dose: its own antigens, else its code, else its product name; 0 when unknown. */
export function recordMask(record: { antigens?: readonly Antigen[]; code?: string; product?: string }): number {
  if (record.antigens && record.antigens.length > 0) return antigenMask(record.antigens);
  const product = (record.code ? matchProduct(record.code) : undefined) ?? (record.product ? matchProduct(record.product) : undefined);
  return product ? antigenMask(product.antigens) : 0;
}
