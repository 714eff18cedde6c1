import type { CodeListId } from './codesets.ts';

/**
 * The personal health record of QĐ 831/QĐ-BYT (Mẫu hồ sơ quản lý sức khỏe cá nhân phục vụ chăm sóc
 * sức khỏe ban đầu) as data: its sections, their fields, field types and code lists, who each section
 * applies to, and when a section counts as filled for the "đủ" (complete) criterion. Server, web app
 * and offline app read this one definition; correcting the form is a change here.
 *
 * The decision's four parts (secondary summaries agree on them): I administrative information;
 * II history and health-related factors (birth status, risk factors, disease history and allergies,
 * disabilities, surgeries, family history, reproductive history); III vaccination; IV clinical and
 * paraclinical examinations (stored as check-ups, see checkup.ts). The field level below is
 * reconstructed from secondary material and general knowledge of the form: UNVERIFIED unless a
 * code list says otherwise (docs/primary-care.md).
 *
 * Identity data (name, birth date, sex, CCCD, BHYT, address, phone, household) is the MPI golden
 * record's: the administrative section holds only what the station adds to it.
 */

export type FieldType =
  | { kind: 'text'; maxLength: number }
  | { kind: 'code'; list: CodeListId }
  | { kind: 'codes'; list: CodeListId }
  | { kind: 'number'; min: number; max: number; decimals: number; unit: string }
  | { kind: 'integer'; min: number; max: number; unit?: string }
  | { kind: 'boolean' }
  /** ISO date, never in the future; `partial` also takes 'YYYY' and 'YYYY-MM' (a year remembered, not a day). */
  | { kind: 'date'; partial: boolean }
  | { kind: 'icd10' }
  | { kind: 'phone' }
  | { kind: 'email' };

export interface FieldDef {
  key: string;
  label_vi: string;
  label_en: string;
  type: FieldType;
  /** List sections: every (not removed) item must carry it. Single sections: never set. */
  required?: boolean;
  /** Required when another field of the same item has one of these codes. */
  requiredWhen?: { field: string; in: readonly string[] };
  /** A contact detail (shares and exports leave such fields out, as for the golden record). */
  contact?: boolean;
}

/** Who a section is for. Ages are whole years on the record's day; `maxAge` is exclusive. */
export interface Applicability {
  sex?: 1 | 2;
  minAge?: number;
  maxAge?: number;
  label_vi: string;
  label_en: string;
}

/** "parts must not add up to more than total", checked on the merged section after each entry. */
export interface SumCheck {
  parts: readonly string[];
  total: string;
  message_vi: string;
  message_en: string;
}

export type SectionKey =
  | 'administrative'
  | 'birth'
  | 'risk_factors'
  | 'allergies'
  | 'disabilities'
  | 'personal_history'
  | 'surgeries'
  | 'family_history'
  | 'reproductive'
  | 'vaccinations'
  | 'other_problems';

export interface SectionDef {
  key: SectionKey;
  /** Part of the decision's form (I administrative, II history and risk factors, III vaccination). */
  part: 'I' | 'II' | 'III';
  label_vi: string;
  label_en: string;
  /** single: one set of fields per person; list: items (an allergy, a surgery…), each with its own id. */
  kind: 'single' | 'list';
  fields: readonly FieldDef[];
  /** Who it may be recorded for; absent = everyone. */
  appliesTo?: Applicability;
  /** Whose record is not complete ("đủ") without it; absent = never required. */
  requiredFor?: Applicability;
  /** Single sections: filled when all these fields have values. List sections: an item, or "none" recorded. */
  filledWhen?: readonly string[];
  sumChecks?: readonly SumCheck[];
}

/** Reserved fields of list sections: an item's removal, and "none" (e.g. no known allergy) on the section. */
export const ITEM_REMOVED = 'removed';
export const SECTION_NONE = 'none';

const text = (key: string, label_vi: string, label_en: string, maxLength: number, extra: Partial<FieldDef> = {}): FieldDef => ({
  key,
  label_vi,
  label_en,
  type: { kind: 'text', maxLength },
  ...extra,
});
const code = (key: string, label_vi: string, label_en: string, list: CodeListId, extra: Partial<FieldDef> = {}): FieldDef => ({
  key,
  label_vi,
  label_en,
  type: { kind: 'code', list },
  ...extra,
});
const count = (key: string, label_vi: string, label_en: string): FieldDef => ({ key, label_vi, label_en, type: { kind: 'integer', min: 0, max: 30, unit: 'lần' } });
const flag = (key: string, label_vi: string, label_en: string): FieldDef => ({ key, label_vi, label_en, type: { kind: 'boolean' } });
const icd10 = (key = 'ma_icd10'): FieldDef => ({ key, label_vi: 'Mã ICD-10', label_en: 'ICD-10 code', type: { kind: 'icd10' } });
const yearOrDate = (key: string, label_vi: string, label_en: string, extra: Partial<FieldDef> = {}): FieldDef => ({
  key,
  label_vi,
  label_en,
  type: { kind: 'date', partial: true },
  ...extra,
});

export const CHILD_AGE = 16;
const EVERYONE: Applicability = { label_vi: 'mọi người', label_en: 'everyone' };
const ADULTS_AND_TEENS: Applicability = { minAge: 15, label_vi: 'người từ 15 tuổi', label_en: 'persons aged 15 or more' };
/** Trẻ em: under 16 (Luật Trẻ em 2016, art. 1). */
const CHILDREN: Applicability = { maxAge: CHILD_AGE, label_vi: 'trẻ em dưới 16 tuổi', label_en: 'children under 16' };
const UNDER_SIX: Applicability = { maxAge: 6, label_vi: 'trẻ em dưới 6 tuổi', label_en: 'children under 6' };
const WOMEN: Applicability = { sex: 2, minAge: 10, label_vi: 'nữ từ 10 tuổi', label_en: 'women and girls aged 10 or more' };
const WOMEN_15_49: Applicability = { sex: 2, minAge: 15, maxAge: 50, label_vi: 'phụ nữ 15–49 tuổi', label_en: 'women aged 15–49' };

export const FORM_831: readonly SectionDef[] = [
  {
    key: 'administrative',
    part: 'I',
    label_vi: 'Thông tin hành chính (bổ sung tại trạm)',
    label_en: 'Administrative information (added at the station)',
    kind: 'single',
    fields: [
      code('dan_toc', 'Dân tộc', 'Ethnic group', 'ethnicity'),
      text('ton_giao', 'Tôn giáo', 'Religion', 50),
      text('quoc_tich', 'Quốc tịch', 'Nationality', 50),
      text('nghe_nghiep', 'Nghề nghiệp', 'Occupation', 100),
      code('hoc_van', 'Trình độ học vấn', 'Education', 'education'),
      code('nhom_mau_abo', 'Nhóm máu ABO', 'ABO blood group', 'blood_abo'),
      code('nhom_mau_rh', 'Nhóm máu Rh', 'Rh blood group', 'blood_rh'),
      yearOrDate('ngay_cap_cccd', 'Ngày cấp CCCD', 'ID card issue date', { type: { kind: 'date', partial: false } }),
      text('noi_cap_cccd', 'Nơi cấp CCCD', 'ID card issued by', 100),
      text('noi_dang_ky_khai_sinh', 'Nơi đăng ký khai sinh', 'Birth registered at', 200),
      text('que_quan', 'Quê quán', 'Home town', 200),
      text('ho_ten_cha', 'Họ tên bố', "Father's name", 100),
      text('ho_ten_me', 'Họ tên mẹ', "Mother's name", 100),
      text('nguoi_lien_he', 'Người liên hệ khi cần', 'Contact person', 100, { contact: true }),
      { key: 'so_dien_thoai_lien_he', label_vi: 'Điện thoại người liên hệ', label_en: "Contact person's phone", type: { kind: 'phone' }, contact: true },
      { key: 'email', label_vi: 'Thư điện tử', label_en: 'E-mail', type: { kind: 'email' }, contact: true },
    ],
    requiredFor: EVERYONE,
    filledWhen: ['dan_toc', 'nghe_nghiep'],
  },
  {
    key: 'birth',
    part: 'II',
    label_vi: 'Tình trạng lúc sinh',
    label_en: 'Birth status',
    kind: 'single',
    fields: [
      code('cach_sinh', 'Cách sinh', 'Mode of delivery', 'birth_mode'),
      flag('de_thieu_thang', 'Đẻ thiếu tháng', 'Preterm birth'),
      flag('ngat_khi_sinh', 'Bị ngạt lúc đẻ', 'Asphyxia at birth'),
      { key: 'can_nang_gram', label_vi: 'Cân nặng lúc đẻ', label_en: 'Birth weight', type: { kind: 'integer', min: 300, max: 7000, unit: 'gram' } },
      { key: 'chieu_dai_cm', label_vi: 'Chiều dài lúc đẻ', label_en: 'Birth length', type: { kind: 'number', min: 20, max: 65, decimals: 1, unit: 'cm' } },
      text('di_tat_bam_sinh', 'Dị tật bẩm sinh (ghi rõ)', 'Birth defects', 500),
      text('van_de_khac', 'Vấn đề khác lúc sinh', 'Other problems at birth', 500),
    ],
    appliesTo: CHILDREN,
    requiredFor: UNDER_SIX,
    filledWhen: ['cach_sinh', 'can_nang_gram'],
  },
  {
    key: 'risk_factors',
    part: 'II',
    label_vi: 'Yếu tố nguy cơ đối với sức khỏe',
    label_en: 'Health risk factors',
    kind: 'single',
    fields: [
      code('hut_thuoc', 'Hút thuốc lá, thuốc lào', 'Tobacco', 'tobacco'),
      code('ruou_bia', 'Uống rượu, bia', 'Alcohol', 'alcohol'),
      { key: 'ruou_bia_ly_ngay', label_vi: 'Số cốc (đơn vị) rượu, bia mỗi ngày', label_en: 'Drinks per day', type: { kind: 'number', min: 0, max: 50, decimals: 1, unit: 'cốc/ngày' } },
      code('ma_tuy', 'Sử dụng ma túy', 'Drug use', 'drugs'),
      code('hoat_dong_the_luc', 'Hoạt động thể lực', 'Physical activity', 'activity'),
      { key: 'che_do_an', label_vi: 'Chế độ ăn', label_en: 'Diet', type: { kind: 'codes', list: 'diet' } },
      text('tiep_xuc_nghe_nghiep', 'Tiếp xúc yếu tố có hại (nghề nghiệp, môi trường): loại', 'Occupational/environmental exposure: kind', 200),
      { key: 'tiep_xuc_thang', label_vi: 'Thời gian tiếp xúc', label_en: 'Exposure duration', type: { kind: 'integer', min: 0, max: 1200, unit: 'tháng' } },
      code('loai_ho_xi', 'Loại hố xí của gia đình', 'Household toilet', 'toilet'),
      text('nguy_co_khac', 'Nguy cơ khác', 'Other risks', 500),
    ],
    requiredFor: ADULTS_AND_TEENS,
    filledWhen: ['hut_thuoc', 'ruou_bia', 'ma_tuy', 'hoat_dong_the_luc'],
  },
  {
    key: 'allergies',
    part: 'II',
    label_vi: 'Tiền sử dị ứng',
    label_en: 'Allergies',
    kind: 'list',
    fields: [
      code('loai', 'Loại dị ứng', 'Kind', 'allergy_kind', { required: true }),
      text('tac_nhan', 'Tác nhân (tên thuốc, hóa chất, thực phẩm…)', 'Agent', 200, { required: true }),
      text('phan_ung', 'Biểu hiện phản ứng', 'Reaction', 500),
      code('muc_do', 'Mức độ', 'Severity', 'severity'),
      text('ghi_chu', 'Ghi chú', 'Note', 500),
    ],
    requiredFor: EVERYONE,
  },
  {
    key: 'disabilities',
    part: 'II',
    label_vi: 'Khuyết tật',
    label_en: 'Disabilities',
    kind: 'list',
    fields: [
      code('loai', 'Loại khuyết tật', 'Kind', 'disability', { required: true }),
      text('mo_ta', 'Mô tả', 'Description', 500, { requiredWhen: { field: 'loai', in: ['khac'] } }),
    ],
    requiredFor: EVERYONE,
  },
  {
    key: 'personal_history',
    part: 'II',
    label_vi: 'Tiền sử bản thân (bệnh tật, bệnh mạn tính)',
    label_en: 'Personal history (diseases, chronic conditions)',
    kind: 'list',
    fields: [
      code('nhom', 'Nhóm bệnh', 'Condition group', 'condition_group', { required: true }),
      icd10(),
      text('mo_ta', 'Tên bệnh, mô tả', 'Description', 500, { requiredWhen: { field: 'nhom', in: ['khac'] } }),
      yearOrDate('phat_hien', 'Thời điểm phát hiện', 'Found on'),
      flag('dang_dieu_tri', 'Đang điều trị', 'Under treatment'),
      text('noi_dieu_tri', 'Nơi điều trị', 'Treated at', 200),
    ],
    requiredFor: EVERYONE,
  },
  {
    key: 'surgeries',
    part: 'II',
    label_vi: 'Tiền sử phẫu thuật',
    label_en: 'Surgeries',
    kind: 'list',
    fields: [
      text('ten_phau_thuat', 'Phẫu thuật (bộ phận, tên)', 'Operation', 200, { required: true }),
      yearOrDate('thoi_gian', 'Năm phẫu thuật', 'When'),
      text('noi_thuc_hien', 'Nơi phẫu thuật', 'Where', 200),
      text('ghi_chu', 'Ghi chú', 'Note', 500),
    ],
    requiredFor: EVERYONE,
  },
  {
    key: 'family_history',
    part: 'II',
    label_vi: 'Tiền sử gia đình',
    label_en: 'Family history',
    kind: 'list',
    fields: [
      code('quan_he', 'Quan hệ', 'Relation', 'relation', { required: true }),
      code('loai', 'Bệnh hay dị ứng', 'Disease or allergy', 'family_item_kind', { required: true }),
      code('nhom', 'Nhóm bệnh', 'Condition group', 'condition_group', { requiredWhen: { field: 'loai', in: ['benh'] } }),
      icd10(),
      text('tac_nhan', 'Tác nhân dị ứng', 'Allergy agent', 200, { requiredWhen: { field: 'loai', in: ['di_ung'] } }),
      text('mo_ta', 'Mô tả', 'Description', 500),
    ],
    requiredFor: EVERYONE,
  },
  {
    key: 'reproductive',
    part: 'II',
    label_vi: 'Tiền sử sản phụ khoa',
    label_en: 'Reproductive history',
    kind: 'single',
    fields: [
      code('bien_phap_tranh_thai', 'Biện pháp tránh thai đang dùng', 'Contraception', 'contraception'),
      yearOrDate('lan_co_thai_cuoi', 'Lần có thai gần nhất', 'Last pregnancy'),
      count('so_lan_co_thai', 'Số lần có thai', 'Pregnancies'),
      count('so_lan_say_thai', 'Số lần sẩy thai', 'Miscarriages'),
      count('so_lan_pha_thai', 'Số lần phá thai', 'Abortions'),
      count('so_lan_sinh', 'Số lần sinh', 'Deliveries'),
      count('so_lan_de_thuong', 'Số lần đẻ thường', 'Normal deliveries'),
      count('so_lan_de_mo', 'Số lần đẻ mổ', 'Caesarean deliveries'),
      count('so_lan_de_kho', 'Số lần đẻ khó', 'Difficult deliveries'),
      count('so_lan_de_du_thang', 'Số lần đẻ đủ tháng', 'Full-term deliveries'),
      count('so_lan_de_non', 'Số lần đẻ non', 'Preterm deliveries'),
      count('so_con_hien_song', 'Số con hiện sống', 'Living children'),
      text('benh_phu_khoa', 'Bệnh phụ khoa', 'Gynaecological diseases', 500),
    ],
    appliesTo: WOMEN,
    requiredFor: WOMEN_15_49,
    filledWhen: ['bien_phap_tranh_thai', 'so_lan_co_thai'],
    sumChecks: [
      {
        parts: ['so_lan_say_thai', 'so_lan_pha_thai', 'so_lan_sinh'],
        total: 'so_lan_co_thai',
        message_vi: 'Tổng số lần sẩy thai, phá thai và sinh không được lớn hơn số lần có thai.',
        message_en: 'Miscarriages, abortions and deliveries cannot add up to more than the pregnancies.',
      },
      {
        parts: ['so_lan_de_thuong', 'so_lan_de_mo', 'so_lan_de_kho'],
        total: 'so_lan_sinh',
        message_vi: 'Tổng số lần đẻ thường, đẻ mổ và đẻ khó không được lớn hơn số lần sinh.',
        message_en: 'Normal, caesarean and difficult deliveries cannot add up to more than the deliveries.',
      },
      {
        parts: ['so_lan_de_du_thang', 'so_lan_de_non'],
        total: 'so_lan_sinh',
        message_vi: 'Tổng số lần đẻ đủ tháng và đẻ non không được lớn hơn số lần sinh.',
        message_en: 'Full-term and preterm deliveries cannot add up to more than the deliveries.',
      },
    ],
  },
  {
    key: 'vaccinations',
    part: 'III',
    label_vi: 'Tiêm chủng (ghi trên phiếu)',
    label_en: 'Vaccinations (noted on the form)',
    kind: 'list',
    fields: [
      code('vac_xin', 'Vắc xin', 'Vaccine', 'vaccine', { required: true }),
      text('ten_vac_xin', 'Tên vắc xin', 'Vaccine name', 200, { requiredWhen: { field: 'vac_xin', in: ['khac'] } }),
      { key: 'mui_so', label_vi: 'Mũi thứ', label_en: 'Dose number', type: { kind: 'integer', min: 1, max: 10 } },
      yearOrDate('ngay_tiem', 'Ngày tiêm', 'Given on', { required: true }),
      text('noi_tiem', 'Nơi tiêm', 'Where', 200),
      text('phan_ung', 'Phản ứng sau tiêm', 'Reaction', 500),
    ],
    requiredFor: UNDER_SIX,
  },
  {
    key: 'other_problems',
    part: 'II',
    label_vi: 'Vấn đề sức khỏe khác',
    label_en: 'Other health problems',
    kind: 'list',
    fields: [text('mo_ta', 'Vấn đề', 'Problem', 500, { required: true }), icd10(), yearOrDate('phat_hien', 'Thời điểm phát hiện', 'Found on')],
  },
];

const BY_KEY: ReadonlyMap<string, SectionDef> = new Map(FORM_831.map((s) => [s.key, s]));

export const sectionDef = (key: string): SectionDef | undefined => BY_KEY.get(key);

export function fieldDef(section: SectionDef, key: string): FieldDef | undefined {
  if (section.kind === 'list' && key === ITEM_REMOVED) return { key, label_vi: 'Đã xóa mục', label_en: 'Item removed', type: { kind: 'boolean' } };
  if (section.kind === 'list' && key === SECTION_NONE) return { key, label_vi: 'Không có', label_en: 'None', type: { kind: 'boolean' } };
  return section.fields.find((f) => f.key === key);
}

/** What the facts about a person are for applicability: sex (1 male, 2 female) and age in whole years. */
export interface PersonFacts {
  sex: number | null;
  age: number | null;
}

/**
 * May the section be recorded for this person? An unknown sex or age does not rule a section out:
 * the station may know more than the golden record.
 */
export function mayApply(a: Applicability | undefined, p: PersonFacts): boolean {
  if (!a) return true;
  if (a.sex !== undefined && p.sex !== null && (p.sex === 1 || p.sex === 2) && p.sex !== a.sex) return false;
  if (p.age !== null && a.minAge !== undefined && p.age < a.minAge) return false;
  if (p.age !== null && a.maxAge !== undefined && p.age >= a.maxAge) return false;
  return true;
}

/** Does the section certainly apply (for completeness)? An unknown sex or age never makes it required. */
export function certainlyApplies(a: Applicability | undefined, p: PersonFacts): boolean {
  if (!a) return false;
  if (a.sex !== undefined && p.sex !== a.sex) return false;
  if ((a.minAge !== undefined || a.maxAge !== undefined) && p.age === null) return false;
  return mayApply(a, p);
}
