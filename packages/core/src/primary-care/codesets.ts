/**
 * Code lists of the 831 personal health record (QĐ 831/QĐ-BYT, 11/03/2017) as data. The published
 * form is a paper form with tick boxes; these codes are ours (stable, ASCII) and the labels are the
 * Vietnamese wording of the boxes as far as it could be reconstructed from secondary sources. Every
 * list says where it comes from and whether it was checked against a primary source: `verified:
 * false` means UNVERIFIED (see docs/primary-care.md); correcting a label or adding a code is a data
 * change here, nothing else.
 */
export interface CodeList {
  id: string;
  label_vi: string;
  label_en: string;
  verified: boolean;
  source: string;
  /** code → Vietnamese label, in display order. */
  codes: Readonly<Record<string, string>>;
}

const list = (id: string, label_vi: string, label_en: string, source: string, codes: Record<string, string>, verified = false): CodeList => ({
  id,
  label_vi,
  label_en,
  verified,
  source,
  codes,
});

const FORM_831 = 'QĐ 831/QĐ-BYT form, reconstructed (docs/primary-care.md §Sources)';

export const CODE_LISTS = {
  /**
   * Ethnic groups, GSO 2-digit list (the MA_DANTOC of XML 130). UNVERIFIED: public copies disagree on
   * the order of codes 20/21 (Mnông, Ra Glai) and 52–54 (Brâu, Rơ Măm, Ơ Đu); this follows the order
   * most copies print. 55 = foreigner/other as XML 130 senders use it.
   */
  ethnicity: list('ethnicity', 'Dân tộc', 'Ethnic group', 'GSO ethnic-group list (QĐ 121-TCTK/PPCĐ), secondary copies', {
    '01': 'Kinh', '02': 'Tày', '03': 'Thái', '04': 'Hoa', '05': 'Khmer', '06': 'Mường', '07': 'Nùng', '08': 'Mông', '09': 'Dao',
    '10': 'Gia Rai', '11': 'Ngái', '12': 'Ê Đê', '13': 'Ba Na', '14': 'Xơ Đăng', '15': 'Sán Chay', '16': 'Cơ Ho', '17': 'Chăm',
    '18': 'Sán Dìu', '19': 'Hrê', '20': 'Ra Glai', '21': 'Mnông', '22': 'Xtiêng', '23': 'Bru - Vân Kiều', '24': 'Thổ', '25': 'Giáy',
    '26': 'Cơ Tu', '27': 'Giẻ Triêng', '28': 'Mạ', '29': 'Khơ Mú', '30': 'Co', '31': 'Tà Ôi', '32': 'Chơ Ro', '33': 'Kháng',
    '34': 'Xinh Mun', '35': 'Hà Nhì', '36': 'Chu Ru', '37': 'Lào', '38': 'La Chí', '39': 'La Ha', '40': 'Phù Lá', '41': 'La Hủ',
    '42': 'Lự', '43': 'Lô Lô', '44': 'Chứt', '45': 'Mảng', '46': 'Pà Thẻn', '47': 'Cờ Lao', '48': 'Cống', '49': 'Bố Y', '50': 'Si La',
    '51': 'Pu Péo', '52': 'Rơ Măm', '53': 'Brâu', '54': 'Ơ Đu', '55': 'Người nước ngoài / khác',
  }),
  education: list('education', 'Trình độ học vấn', 'Education', FORM_831, {
    chua_di_hoc: 'Chưa đi học / không biết chữ',
    tieu_hoc: 'Tiểu học',
    thcs: 'Trung học cơ sở',
    thpt: 'Trung học phổ thông',
    trung_cap: 'Trung cấp',
    cao_dang_dai_hoc: 'Cao đẳng, đại học',
    sau_dai_hoc: 'Sau đại học',
  }),
  blood_abo: list('blood_abo', 'Nhóm máu ABO', 'ABO blood group', 'ABO system', { A: 'A', B: 'B', AB: 'AB', O: 'O' }, true),
  blood_rh: list('blood_rh', 'Nhóm máu Rh', 'Rh blood group', 'Rh(D) system', { duong: 'Rh+ (dương)', am: 'Rh− (âm)' }, true),
  birth_mode: list('birth_mode', 'Cách sinh', 'Mode of delivery', FORM_831, { thuong: 'Đẻ thường', mo: 'Đẻ mổ', kho: 'Đẻ khó (can thiệp thủ thuật)' }),
  tobacco: list('tobacco', 'Hút thuốc lá, thuốc lào', 'Tobacco', FORM_831, { khong: 'Không hút', co: 'Có, đang hút thường xuyên', da_bo: 'Đã bỏ' }),
  alcohol: list('alcohol', 'Uống rượu, bia', 'Alcohol', FORM_831, { khong: 'Không uống', co: 'Có, uống thường xuyên', da_bo: 'Đã bỏ' }),
  drugs: list('drugs', 'Sử dụng ma túy', 'Drug use', FORM_831, { khong: 'Không', co: 'Có, đang sử dụng', da_bo: 'Đã bỏ' }),
  activity: list('activity', 'Hoạt động thể lực', 'Physical activity', FORM_831, {
    khong: 'Không tập luyện',
    it: 'Thỉnh thoảng (dưới 150 phút mỗi tuần)',
    thuong_xuyen: 'Thường xuyên (từ 150 phút mỗi tuần)',
  }),
  diet: list('diet', 'Chế độ ăn', 'Diet', FORM_831, {
    an_man: 'Ăn mặn',
    nhieu_duong: 'Ăn nhiều đường, đồ ngọt',
    nhieu_mo: 'Ăn nhiều mỡ động vật, đồ chiên rán',
    it_rau_qua: 'Ăn ít rau, quả',
  }),
  toilet: list('toilet', 'Loại hố xí của gia đình', 'Household toilet', FORM_831, {
    tu_hoai: 'Tự hoại, bán tự hoại',
    hai_ngan: 'Hai ngăn',
    tham_doi: 'Thấm dội nước',
    chim_co_ong_thong_hoi: 'Chìm có ống thông hơi',
    khac: 'Loại khác (cầu cá, hố đào…)',
    khong_co: 'Không có hố xí',
  }),
  allergy_kind: list('allergy_kind', 'Loại dị ứng', 'Allergy kind', FORM_831, {
    thuoc: 'Thuốc',
    hoa_chat_my_pham: 'Hóa chất, mỹ phẩm',
    thuc_pham: 'Thực phẩm',
    khac: 'Khác',
  }),
  severity: list('severity', 'Mức độ', 'Severity', 'general clinical practice', { nhe: 'Nhẹ', vua: 'Vừa', nang: 'Nặng (sốc phản vệ, nguy hiểm)' }),
  disability: list('disability', 'Khuyết tật', 'Disability', FORM_831, {
    thinh_luc: 'Thính lực',
    thi_luc: 'Thị lực',
    tay: 'Tay',
    chan: 'Chân',
    cong_veo_cot_song: 'Cong, vẹo cột sống',
    khe_ho_moi_vom_mieng: 'Khe hở môi, vòm miệng',
    khac: 'Khác',
  }),
  condition_group: list('condition_group', 'Nhóm bệnh', 'Condition group', FORM_831, {
    tim_mach: 'Bệnh tim mạch',
    tang_huyet_ap: 'Tăng huyết áp',
    dai_thao_duong: 'Đái tháo đường',
    da_day_ta_trang: 'Bệnh dạ dày, tá tràng',
    phoi_man_tinh: 'Bệnh phổi mạn tính',
    hen_suyen: 'Hen suyễn',
    buou_co: 'Bướu cổ',
    viem_gan: 'Viêm gan',
    tim_bam_sinh: 'Tim bẩm sinh',
    tam_than: 'Bệnh tâm thần',
    tu_ky: 'Tự kỷ',
    dong_kinh: 'Động kinh',
    ung_thu: 'Ung thư',
    lao: 'Lao',
    khac: 'Bệnh khác',
  }),
  relation: list('relation', 'Quan hệ với người được khám', 'Relation', FORM_831, {
    ong_ba_noi: 'Ông, bà nội',
    ong_ba_ngoai: 'Ông, bà ngoại',
    cha: 'Bố',
    me: 'Mẹ',
    anh_chi_em: 'Anh, chị, em ruột',
    con: 'Con',
    khac: 'Khác',
  }),
  family_item_kind: list('family_item_kind', 'Loại', 'Kind', FORM_831, { benh: 'Bệnh', di_ung: 'Dị ứng' }),
  contraception: list('contraception', 'Biện pháp tránh thai', 'Contraception', FORM_831, {
    khong: 'Không dùng biện pháp nào',
    bao_cao_su: 'Bao cao su',
    thuoc_uong: 'Thuốc uống',
    thuoc_tiem: 'Thuốc tiêm',
    que_cay: 'Que cấy',
    vong: 'Dụng cụ tử cung (vòng)',
    triet_san: 'Triệt sản',
    khac: 'Biện pháp khác',
  }),
  /**
   * Vaccines noted on the form: the expanded programme (TCMR) antigens for children, tetanus for
   * women, and "other". Codes are ours; a dose is one entry with its number and date.
   */
  vaccine: list('vaccine', 'Vắc xin', 'Vaccine', `${FORM_831}; national expanded programme (TCMR) schedule`, {
    bcg: 'BCG (lao)',
    vgb_ss: 'Viêm gan B sơ sinh',
    dpt_vgb_hib: 'Bạch hầu - Ho gà - Uốn ván - Viêm gan B - Hib',
    opv: 'Bại liệt uống (OPV)',
    ipv: 'Bại liệt tiêm (IPV)',
    soi: 'Sởi',
    soi_rubella: 'Sởi - Rubella',
    dpt: 'Bạch hầu - Ho gà - Uốn ván (nhắc lại)',
    vnnb: 'Viêm não Nhật Bản',
    uon_van: 'Uốn ván (phụ nữ)',
    khac: 'Vắc xin khác (ghi tên)',
  }),
  adherence: list('adherence', 'Tuân thủ điều trị', 'Adherence', 'chronic-disease follow-up practice', {
    tot: 'Tốt (uống đủ thuốc)',
    chua_tot: 'Chưa tốt (quên thuốc đôi khi)',
    kem: 'Kém (bỏ thuốc)',
  }),
  symptom_control: list('symptom_control', 'Mức kiểm soát triệu chứng', 'Symptom control', 'GINA control levels (asthma), used for COPD too', {
    kiem_soat: 'Kiểm soát',
    mot_phan: 'Kiểm soát một phần',
    khong_kiem_soat: 'Không kiểm soát',
  }),
  glucose_kind: list('glucose_kind', 'Loại xét nghiệm đường huyết', 'Glucose sample', 'general clinical practice', {
    luc_doi: 'Lúc đói',
    bat_ky: 'Bất kỳ',
    sau_an_2h: 'Sau ăn 2 giờ',
  }),
} as const satisfies Record<string, CodeList>;

export type CodeListId = keyof typeof CODE_LISTS;

export function codeLabelOf(listId: CodeListId, code: string): string | undefined {
  const codes: Readonly<Record<string, string>> = CODE_LISTS[listId].codes;
  return Object.hasOwn(codes, code) ? codes[code] : undefined;
}

export const isCodeOf = (listId: CodeListId, code: string): boolean => Object.hasOwn(CODE_LISTS[listId].codes, code);
