/**
 * Where each schedule value comes from. A value is `verified` only when it was read in the legal
 * text itself (or its translation on a legal database) or in a publication of a Vietnamese public
 * health authority; secondary pages, memory and project choices are UNVERIFIED. docs/immunization.md
 * lists every value with its source.
 */
export interface Source {
  readonly title: string;
  readonly url?: string;
  /** law: legal text; official: public health authority; secondary: news, hospitals' blogs, forums; project: our own choice. */
  readonly kind: 'law' | 'official' | 'secondary' | 'project';
  /** What was actually read there (not the whole document). */
  readonly read: string;
}

export const SOURCES = {
  tt10_2024: {
    title: 'Thông tư 10/2024/TT-BYT (13/6/2024), English translation on LuatVietnam',
    url: 'https://english.luatvietnam.vn/y-te/circular-10-2024-tt-byt-infectious-diseases-subjects-of-obligatory-use-of-vaccines-351455-d1.html',
    kind: 'law',
    read:
      'Article 1 table, rows 1-3: hepatitis B birth dose within 24 hours of birth; hepatitis B-containing combination dose 1 at 02 months, dose 2 at least 01 month (*) after dose 1, dose 3 at least 01 month after dose 2; BCG once within 01 month after birth; diphtheria-containing combination doses at 02 months and at least 01 month apart, booster at 18 months; reduced-dose diphtheria-containing booster at 07 years. The footnote (*) and the rows after diphtheria were not readable.',
  },
  tt38_2017: {
    title: 'Thông tư 38/2017/TT-BYT (17/10/2017), Article 1 table in English on LawNet and ThuVienPhapLuat',
    url: 'https://lawnet.vn/thong-tin-phap-luat/en/tu-van-luat/list-of-infectious-diseases-and-compulsory-vaccines-used-in-the-expanded-program-on-immunization-in-vietnam-156800.html',
    kind: 'law',
    read:
      'Rows 1-4: hepatitis B birth dose within first 24 hours for newborns; hepatitis B combination vaccines for infants under 1 year of age (2 months, ≥1 month, ≥1 month); BCG for infants under 1 year of age, single injection within 1 month after birth; diphtheria combination for infants under 1 year (2 months, ≥1 month, ≥1 month) and a repeated dose at 18 months for infants under 2 years of age.',
  },
  qd2144_2016: {
    title: 'Quyết định 2144/QĐ-BYT (4/6/2016): lịch tiêm vắc xin bại liệt tiêm (IPV) trong TCMR — tiemchungmorong.vn (NIHE)',
    url: 'https://tiemchungmorong.vn/vi/content/quyet-dinh-so-2144qd-byt-ngay-462016-ve-viec-phe-duyet-lich-tiem-chung-vac-xin-bai-liet-tiem',
    kind: 'official',
    read: 'IPV is given to children at 5 months of age in the expanded programme.',
  },
  ipv2_2022: {
    title: 'Trung tâm Y tế huyện Đầm Hà: triển khai tiêm vắc xin IPV mũi 2 cho trẻ dưới 1 tuổi trong TCMR năm 2022',
    url: 'https://trungtamytedamha.vn/tin-tuc-su-kien/tin-hoat-dong/trien-khai-tiem-vac-xin-ipv-mui-2-cho-tre-duoi-1-tuoi-trong-tcmr-nam-2022/',
    kind: 'official',
    read:
      'IPV dose 1 at 5 months, IPV dose 2 at 9 months for children from 9 months to under 1 year who had IPV dose 1; if dose 1 was late, dose 2 at least 1 month after it; children with at least 2 IPV-containing doses from service vaccination do not get the programme dose 2; IPV introduced for 5-month-olds in August 2018, IPV2 from October 2022.',
  },
  ipv_2018_news: {
    title: 'Thanh Niên (17/8/2018): IPV nationwide from September 2018 for children under 1 year',
    url: 'https://thanhnien.vn/vac-xin-dich-vu-phong-bai-liet-duoc-dua-vao-tiem-chung-mien-phi-185782071.amp',
    kind: 'secondary',
    read: 'The Department of Preventive Medicine said IPV would be given nationwide to children under 1 year from September 2018.',
  },
  hepb_7days: {
    title: 'Tuổi trẻ xã hội (10/2020) on hepatitis B birth dose timing',
    url: 'https://tuoitrexahoi.vn/vu-tre-so-sinh-tu-vong-tiem-vac-xin-viem-gan-b-o-vinh-phuc-175832.html',
    kind: 'secondary',
    read: 'Birth dose best within 24 hours; according to the manufacturer, protection falls day by day and is not achieved when given after 7 days.',
  },
  qd2834_2019: {
    title: 'Quyết định 2834/QĐ-BYT (2019) as summarised by LuatVietnam',
    url: 'https://luatvietnam.vn/tin-van-ban-moi/24-gio-sau-sinh-tre-can-duoc-tiem-phong-vac-xin-viem-gan-b-186-21632-article.html',
    kind: 'secondary',
    read: 'All newborns must receive hepatitis B vaccine within the first 24 hours after birth, whatever the mother’s HBV status.',
  },
  epi_table_secondary: {
    title: 'Expanded-programme table for children, vietgioitinh.net ("lịch tiêm chủng miễn phí (bắt buộc) cho mọi trẻ em")',
    url: 'http://www.vietgioitinh.net/be-moi-sinh/lich-tiem-phong-cho-tre-so-sinh-42141.html',
    kind: 'secondary',
    read:
      'Birth: BCG and hepatitis B within 24 hours; 2, 3 and 4 months: oral polio doses 1-3 and DPT-VGB-Hib doses 1-3; measles dose 1 when the child is fully 9 months old; 18 months: DPT dose 4 and measles dose 2.',
  },
  mr_secondary: {
    title: 'MR at 18 months: VietnamPlus (26/3/2015, quoting NIHE); laaivay.com summary of TT 38/2017',
    url: 'https://en.vietnamplus.vn/measles-rubella-vaccine-to-be-frequently-used/73589.vnp',
    kind: 'secondary',
    read: 'Measles-rubella vaccine for children at 18 months (NIHE); TT 38/2017 added rubella for children under 2 years, given when fully 18 months old.',
  },
  je_secondary: {
    title: 'Japanese encephalitis schedule: Vinmec Q&A, Thanh Niên (16/2/2009), vifahealthcare.com',
    url: 'https://vinmec.com/eng/article/how-many-types-of-japanese-encephalitis-vaccine-are-there-en',
    kind: 'secondary',
    read:
      'Programme JE vaccine for children 1-5 years old: dose 1 at 12 months, dose 2 one to two weeks (7-14 days) after dose 1, dose 3 one year after dose 2 (Vinmec writes "at least 1 year after the first injection").',
  },
  tetanus_women_secondary: {
    title: 'Tetanus for women: Từ Dũ Hospital Q&A (reposted by mekhoebekhoe.com), choicungbe.com, hfh.com.vn, phongkhamthaivanquangnam.com',
    url: 'https://mekhoebekhoe.com/hoi-dap-chuong-trinh-tiem-chung-uon-van',
    kind: 'secondary',
    read:
      'Dose 1 early in the first pregnancy or in childbearing age; dose 2 at least 1 month (4 weeks) after dose 1; dose 3 at least 6 months after dose 2 or in the next pregnancy; dose 4 at least 1 year after dose 3 or in the next pregnancy; dose 5 at least 1 year after dose 4 or in the next pregnancy; late doses continue the series without restarting; women 15-35 in areas at high risk of neonatal tetanus.',
  },
  month_28_days: {
    title: 'Third-party parenting app citing TT 10/2024 and HCDC: "a one-month interval counts as at least 28 days"',
    kind: 'secondary',
    read: 'Khoảng cách một tháng được tính ít nhất 28 ngày.',
  },
  tt10_effective: {
    title: 'ThuVienPhapLuat policy note "các loại vaccine bắt buộc và lịch tiêm cho trẻ em từ ngày 01/8/2024" (title only, cited by a third party)',
    url: 'https://thuvienphapluat.vn/chinh-sach-phap-luat-moi/vn/ho-tro-phap-luat/chinh-sach-moi/65530/cac-loai-vaccine-bat-buoc-va-lich-tiem-cho-tre-em-tu-ngay-01-8-2024',
    kind: 'secondary',
    read: 'The TT 10/2024 schedule applies from 1 August 2024.',
  },
  who_wastage: {
    title: 'WHO indicative maximum wastage rates (quoted on fluidmanagementsystem.com; OpenLearn Create EPI module)',
    url: 'http://fluidmanagementsystem.com/blog/projected-vaccine-wastage-by-who/',
    kind: 'secondary',
    read:
      '5% for single-dose vials; lyophilised 10-20 dose vials 50%, 2-6 dose 10%; liquid 10-20 dose vials 25%, 2-6 dose 10%; wastage factor = 100 / (100 - wastage rate %).',
  },
  who_mdvp: {
    title: 'WHO Policy Statement: Multi-dose Vial Policy (MDVP), revision 2014 (recalled, not re-read for this module)',
    url: 'https://www.who.int/publications/i/item/WHO-IVB-14.07',
    kind: 'project',
    read: 'Opened vials of liquid vaccines (OPV, DTP-containing, hepatitis B, IPV, TT/Td) may be kept for later sessions up to 28 days when the conditions are met; reconstituted vaccines (BCG, measles, MR, JE live) are discarded 6 hours after opening or at the end of the session, whichever comes first.',
  },
  who_minimum: {
    title: 'WHO minimum ages and intervals (position papers; not re-read for this module)',
    kind: 'project',
    read: 'Primary DTP-, Hib-, hepatitis B- and polio-containing doses from 6 weeks, 4 weeks apart; DTP booster from 12 months, at least 6 months after the last primary dose; measles-containing doses at least 4 weeks apart.',
  },
  project: {
    title: 'OpenHSSK project choice (no programme value found)',
    kind: 'project',
    read: 'Grace periods, date-scale reading of "24 hours", upper ages where the programme names none, and the engine rules in docs/immunization.md.',
  },
} as const satisfies Record<string, Source>;

export type SourceId = keyof typeof SOURCES;

/** A schedule value with where it comes from. */
export interface Sourced<T> {
  readonly value: T;
  readonly source: SourceId;
  readonly verified: boolean;
  readonly note?: string;
}

export const sourced = <T>(value: T, source: SourceId, verified: boolean, note?: string): Sourced<T> =>
  note === undefined ? { value, source, verified } : { value, source, verified, note };
