import type { Age } from './dates.ts';
import { type Sourced, sourced } from './sources.ts';
import type { DoseRule, ScheduleVersion, SeriesRule } from './types.ts';

/**
 * The national expanded programme (Tiêm chủng mở rộng, TCMR) schedule as data. Every value carries
 * its source and whether it was verified; docs/immunization.md renders the same table and lists the
 * UNVERIFIED values. Changing a value here changes the engine's answers; nothing else encodes it.
 *
 * Recommended ages are the programme's. Minimum ages are when a dose counts: the programme's age
 * where the text names one as a threshold ("khi trẻ đủ 9 tháng"), otherwise the WHO minimum, so
 * that doses given earlier in service clinics (6-in-1 at 6 weeks) are not thrown away.
 */

const months = (n: number): Age => ({ months: n });
const years = (n: number): Age => ({ years: n });
const days = (n: number): Age => ({ days: n });

/** "Ít nhất 01 tháng": read as 28 days (not verified: TT 10/2024's footnote (*) was not readable). */
const atLeastOneMonth = (source: 'tt10_2024' | 'ipv2_2022' | 'tetanus_women_secondary'): Sourced<Age> =>
  sourced(days(28), source === 'tt10_2024' ? 'month_28_days' : source, false, `The source says "at least 1 month" (${source}); one month is read as 28 days.`);

const monthlyGrace = sourced<Age | null>(
  months(1),
  'project',
  false,
  'Immunisation days are monthly: a dose not given within a month of its recommended date is overdue.',
);

const sixWeeks = sourced(days(42), 'who_minimum', false, 'WHO minimum; the programme gives the dose later, service doses from 6 weeks still count.');

const underOneYear = sourced(
  years(1),
  'tt38_2017',
  false,
  'TT 38/2017 (read): infants under 1 year of age. The TT 10/2024 translation names "children" with no upper age; carried over.',
);

const infantDose = (dose: number, recommended: Sourced<Age>, extra: Partial<DoseRule> = {}): DoseRule => ({
  dose,
  recommendedAge: recommended,
  minAge: sixWeeks,
  maxAge: underOneYear,
  grace: monthlyGrace,
  ...extra,
});

const hepbBirth: SeriesRule = {
  id: 'hepb_birth',
  name_vi: 'Viêm gan B sơ sinh',
  name_en: 'Hepatitis B birth dose',
  chain: 'hepb_birth',
  accepts: [['hepb']],
  window: {
    beforeAge: sourced(days(8), 'hepb_7days', false, 'A hepatitis B dose after day 7 is not a birth dose; the legal text only says "within 24 hours".'),
  },
  programmeProduct: 'VGB',
  doses: [
    {
      dose: 1,
      recommendedAge: sourced(days(0), 'tt10_2024', true, 'Within 24 hours of birth.'),
      minAge: sourced(days(0), 'tt10_2024', true),
      maxAge: sourced(days(8), 'hepb_7days', false, 'Given up to 7 days after birth (press quoting the manufacturer); not in TT 10/2024.'),
      grace: sourced(days(1), 'tt10_2024', false, '"Within 24 hours" on a date scale (records have no time): the birth date or the next day.'),
    },
  ],
};

const bcg: SeriesRule = {
  id: 'bcg',
  name_vi: 'Lao (BCG)',
  name_en: 'BCG (tuberculosis)',
  chain: 'bcg',
  accepts: [['bcg']],
  programmeProduct: 'BCG',
  doses: [
    {
      dose: 1,
      recommendedAge: sourced(days(0), 'tt10_2024', true, 'Once, within 1 month after birth.'),
      minAge: sourced(days(0), 'tt10_2024', true),
      maxAge: underOneYear,
      grace: sourced(months(1), 'tt10_2024', true, 'Within 1 month after birth: overdue after that.'),
    },
  ],
};

const DTP_HEPB_HIB = ['diphtheria', 'tetanus', 'pertussis', 'hepb', 'hib'] as const;

const pentaTable = (n: number) =>
  sourced(months(n), 'epi_table_secondary', false, 'TT 10/2024 only says "at least 01 month after the previous dose"; 3 and 4 months are the programme table.');

const dptVgbHib: SeriesRule = {
  id: 'dpt_vgb_hib',
  name_vi: 'DPT-VGB-Hib (5 trong 1)',
  name_en: 'DTP-HepB-Hib (pentavalent)',
  chain: 'dtp',
  accepts: [DTP_HEPB_HIB],
  programmeProduct: 'DPT-VGB-Hib',
  doses: [
    infantDose(1, sourced(months(2), 'tt10_2024', true)),
    infantDose(2, pentaTable(3), { minInterval: atLeastOneMonth('tt10_2024'), recommendedInterval: atLeastOneMonth('tt10_2024') }),
    infantDose(3, pentaTable(4), { minInterval: atLeastOneMonth('tt10_2024'), recommendedInterval: atLeastOneMonth('tt10_2024') }),
  ],
};

const opvUnderOne = sourced(years(1), 'project', false, 'The polio row of TT 38/2017 was not read; other infant series are for children under 1 year.');
const opvInterval = sourced(days(28), 'who_minimum', false, 'At least 1 month between oral polio doses, read as 28 days.');

const opv: SeriesRule = {
  id: 'opv',
  name_vi: 'Bại liệt uống (OPV)',
  name_en: 'Oral polio (OPV)',
  chain: 'opv',
  accepts: [['polio_oral']],
  programmeProduct: 'bOPV',
  doses: [
    infantDose(1, sourced(months(2), 'epi_table_secondary', false), { maxAge: opvUnderOne }),
    infantDose(2, sourced(months(3), 'epi_table_secondary', false), { maxAge: opvUnderOne, minInterval: opvInterval, recommendedInterval: opvInterval }),
    infantDose(3, sourced(months(4), 'epi_table_secondary', false), { maxAge: opvUnderOne, minInterval: opvInterval, recommendedInterval: opvInterval }),
  ],
};

const ipv: SeriesRule = {
  id: 'ipv',
  name_vi: 'Bại liệt tiêm (IPV)',
  name_en: 'Inactivated polio (IPV)',
  chain: 'ipv',
  accepts: [['polio_inactivated']],
  programmeProduct: 'IPV',
  doses: [
    infantDose(1, sourced(months(5), 'qd2144_2016', true), {
      maxAge: sourced(years(1), 'ipv_2018_news', false, 'Under 1 year (press, 2018).'),
    }),
    infantDose(2, sourced(months(9), 'ipv2_2022', true), {
      minInterval: atLeastOneMonth('ipv2_2022'),
      maxAge: sourced(years(1), 'ipv2_2022', true, 'Children from 9 months to under 1 year.'),
    }),
  ],
};

const measles: SeriesRule = {
  id: 'measles',
  name_vi: 'Sởi mũi 1',
  name_en: 'Measles dose 1',
  chain: 'measles',
  accepts: [['measles']],
  programmeProduct: 'Measles',
  doses: [
    {
      dose: 1,
      recommendedAge: sourced(months(9), 'epi_table_secondary', false, 'When the child is fully 9 months old.'),
      minAge: sourced(months(9), 'epi_table_secondary', false, 'A dose before 9 months (outbreak dose) does not count as dose 1.'),
      maxAge: sourced(years(2), 'project', false, 'No upper age read; catch-up until the MR age range ends (under 2).'),
      grace: monthlyGrace,
    },
  ],
};

const mr: SeriesRule = {
  id: 'mr',
  name_vi: 'Sởi - Rubella (MR)',
  name_en: 'Measles-rubella (MR)',
  chain: 'measles',
  accepts: [['measles', 'rubella']],
  minIntervalAfterChain: sourced(days(28), 'who_minimum', false, 'Measles-containing doses at least 4 weeks apart.'),
  programmeProduct: 'MR',
  doses: [
    {
      dose: 1,
      recommendedAge: sourced(months(18), 'mr_secondary', false),
      minAge: sourced(months(9), 'who_minimum', false, 'Rubella-containing vaccine from 9 months; the programme gives MR at 18 months.'),
      maxAge: sourced(years(2), 'mr_secondary', false, 'TT 38/2017 as summarised: children under 2 years.'),
      grace: monthlyGrace,
    },
  ],
};

const dtpBooster: SeriesRule = {
  id: 'dtp_booster',
  name_vi: 'DPT nhắc lại (18 tháng)',
  name_en: 'DTP booster (18 months)',
  chain: 'dtp',
  accepts: [['diphtheria', 'tetanus', 'pertussis']],
  minIntervalAfterChain: sourced(months(6), 'who_minimum', false, 'At least 6 months after the last primary dose.'),
  programmeProduct: 'DPT',
  doses: [
    {
      dose: 1,
      recommendedAge: sourced(months(18), 'tt10_2024', true, 'Booster dose at 18 months of age.'),
      minAge: sourced(months(12), 'who_minimum', false),
      maxAge: sourced(
        years(2),
        'tt38_2017',
        false,
        'TT 38/2017 (read): repeated dose at 18 months for children under 2 years; TT 10/2024 names no upper age; carried over.',
      ),
      grace: monthlyGrace,
    },
  ],
};

const td7: SeriesRule = {
  id: 'td_7y',
  name_vi: 'Td nhắc lại (7 tuổi)',
  name_en: 'Td booster (7 years)',
  chain: 'dtp',
  accepts: [['diphtheria', 'tetanus']],
  window: {
    beforeAge: sourced(years(15), 'project', false, 'From 15 a tetanus-diphtheria dose belongs to the tetanus series for women, not to the school booster.'),
  },
  programmeProduct: 'Td',
  doses: [
    {
      dose: 1,
      recommendedAge: sourced(years(7), 'tt10_2024', true, 'Reduced-dose diphtheria-containing booster at 7 years of age.'),
      minAge: sourced(years(7), 'tt10_2024', false, 'The programme age read as the minimum.'),
      maxAge: sourced(years(8), 'project', false, 'No upper age read; the programme targets 7-year-olds (2nd grade).'),
      grace: sourced(months(6), 'project', false, 'Given in school sessions during the school year.'),
    },
  ],
};

const jeMax = sourced(years(5), 'je_secondary', false, 'Programme JE vaccine for children 1-5 years old ("1-5" read as before the 5th birthday).');

const je: SeriesRule = {
  id: 'je',
  name_vi: 'Viêm não Nhật Bản',
  name_en: 'Japanese encephalitis',
  chain: 'je',
  accepts: [['je']],
  programmeProduct: 'JE',
  doses: [
    {
      dose: 1,
      recommendedAge: sourced(months(12), 'je_secondary', false),
      minAge: sourced(months(12), 'je_secondary', false, 'The programme JE vaccine is given from 12 months.'),
      maxAge: jeMax,
      grace: monthlyGrace,
    },
    {
      dose: 2,
      recommendedAge: sourced(months(12), 'je_secondary', false),
      recommendedInterval: sourced(days(7), 'je_secondary', false, '1-2 weeks after dose 1.'),
      minAge: sourced(months(12), 'je_secondary', false),
      minInterval: sourced(days(7), 'je_secondary', false, '1 week after dose 1.'),
      maxAge: jeMax,
      grace: sourced(days(7), 'je_secondary', false, 'Due 1-2 weeks after dose 1: overdue after 2 weeks.'),
    },
    {
      dose: 3,
      recommendedAge: sourced(months(12), 'je_secondary', false),
      recommendedInterval: sourced(years(1), 'je_secondary', false, '1 year after dose 2.'),
      minAge: sourced(months(12), 'je_secondary', false),
      minInterval: sourced(years(1), 'je_secondary', false, '1 year after dose 2.'),
      maxAge: jeMax,
      grace: monthlyGrace,
    },
  ],
};

const ttInterval = (age: Age, what: string): Sourced<Age> => sourced(age, 'tetanus_women_secondary', false, what);
const noOverdue = sourced<Age | null>(
  null,
  'project',
  false,
  'Doses follow pregnancies or the childbearing-age campaign; the programme sets no date after which they are late.',
);
const fifteen = sourced(years(15), 'tetanus_women_secondary', false, 'Women 15-35 years old (or pregnant).');

const tetanusWomen: SeriesRule = {
  id: 'tetanus_women',
  name_vi: 'Uốn ván cho phụ nữ (TT/Td)',
  name_en: 'Tetanus for women (TT/Td)',
  chain: 'tetanus_women',
  accepts: [['tetanus']],
  window: { fromAge: sourced(years(15), 'project', false, 'Childhood tetanus-containing doses are not credited to this series.') },
  eligibility: {
    sex: 'female',
    minAge: fifteen,
    maxAge: sourced(years(36), 'tetanus_women_secondary', false, 'Women 15-35 years old.'),
    pregnantOverridesAge: true,
  },
  programmeProduct: 'TT',
  doses: [
    { dose: 1, recommendedAge: fifteen, minAge: fifteen, grace: noOverdue },
    {
      dose: 2,
      minAge: fifteen,
      minInterval: atLeastOneMonth('tetanus_women_secondary'),
      recommendedInterval: atLeastOneMonth('tetanus_women_secondary'),
      grace: noOverdue,
    },
    {
      dose: 3,
      minAge: fifteen,
      minInterval: ttInterval(months(6), 'At least 6 months after dose 2 (or in the next pregnancy).'),
      recommendedInterval: ttInterval(months(6), 'At least 6 months after dose 2 (or in the next pregnancy).'),
      grace: noOverdue,
    },
    {
      dose: 4,
      minAge: fifteen,
      minInterval: ttInterval(years(1), 'At least 1 year after dose 3 (or in the next pregnancy).'),
      recommendedInterval: ttInterval(years(1), 'At least 1 year after dose 3 (or in the next pregnancy).'),
      grace: noOverdue,
    },
    {
      dose: 5,
      minAge: fifteen,
      minInterval: ttInterval(years(1), 'At least 1 year after dose 4 (or in the next pregnancy).'),
      recommendedInterval: ttInterval(years(1), 'At least 1 year after dose 4 (or in the next pregnancy).'),
      grace: noOverdue,
    },
  ],
};

/**
 * TT 10/2024/TT-BYT as in force from 1 August 2024, with IPV (QĐ 2144/QĐ-BYT, IPV2 since 2022).
 * TT 52/2025/TT-BYT (from 15 February 2026) adds rotavirus and pneumococcal vaccines, phased in by
 * province; their schedule was not read and they are not modelled (docs/immunization.md).
 */
export const VN_TCMR_2024: ScheduleVersion = {
  id: 'vn-tcmr-tt10-2024',
  validFrom: sourced('2024-08-01', 'tt10_effective', false),
  title_vi: 'Lịch tiêm chủng mở rộng theo Thông tư 10/2024/TT-BYT',
  title_en: 'Expanded programme on immunization schedule, Circular 10/2024/TT-BYT',
  series: [hepbBirth, bcg, dptVgbHib, opv, ipv, measles, mr, dtpBooster, td7, je, tetanusWomen],
};

/** Versions, oldest first. */
export const SCHEDULE_VERSIONS: readonly ScheduleVersion[] = [VN_TCMR_2024];

export const CURRENT_SCHEDULE: ScheduleVersion = VN_TCMR_2024;

/** The version in force on a date ('yyyy-mm-dd'): the latest whose validFrom is not after it (the oldest before any). */
export function scheduleInForce(date: string): ScheduleVersion {
  let found = SCHEDULE_VERSIONS[0] as ScheduleVersion;
  for (const v of SCHEDULE_VERSIONS) if (v.validFrom.value <= date) found = v;
  return found;
}
