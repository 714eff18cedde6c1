/**
 * Closed code sets of XML 130 (standards note section 5) with Vietnamese display labels.
 * Open lists (MA_DOITUONG_KCB, MA_NHOM, MA_KHOA, ICD-10 ...) are not closed sets and live elsewhere.
 */
export const CODE_SETS = {
  GIOI_TINH: { '1': 'Nam', '2': 'Nữ', '3': 'Chưa xác định' },
  MA_LOAI_KCB: {
    '01': 'Khám bệnh',
    '02': 'Điều trị ngoại trú',
    '03': 'Điều trị nội trú',
    '04': 'Điều trị nội trú ban ngày',
    '05': 'Điều trị ngoại trú bệnh mạn tính dài ngày (khám, lĩnh thuốc)',
    '06': 'Điều trị lưu tại trạm y tế xã, phòng khám đa khoa khu vực',
    '07': 'Nhận thuốc theo hẹn (không khám)',
    '08': 'Điều trị ngoại trú bệnh mạn tính dài ngày có sử dụng dịch vụ kỹ thuật và/hoặc thuốc',
    '09': 'Điều trị nội trú dưới 4 giờ',
    '10': 'Khác',
  },
  KET_QUA_DTRI: {
    '1': 'Khỏi',
    '2': 'Đỡ',
    '3': 'Không thay đổi',
    '4': 'Nặng hơn',
    '5': 'Tử vong',
    '6': 'Tiên lượng nặng xin về',
    '7': 'Chưa xác định',
    '8': 'Tử vong ngoại viện',
  },
  MA_LOAI_RV: {
    '1': 'Ra viện',
    '2': 'Chuyển tuyến theo yêu cầu chuyên môn',
    '3': 'Trốn viện',
    '4': 'Xin ra viện',
    '5': 'Chuyển tuyến theo yêu cầu người bệnh',
  },
  PHAM_VI: {
    '1': 'Trong phạm vi hưởng BHYT',
    '2': 'Ngoài phạm vi hưởng BHYT (người bệnh tự trả)',
    '3': 'Ngoài phạm vi BHYT, chi trả theo chế độ quân đội, công an, cơ yếu',
  },
  MA_PTTT: { '1': 'Phí dịch vụ', '2': 'Định suất', '3': 'Trường hợp bệnh (DRG)' },
  NGUON_CTRA: { '1': 'Quỹ BHYT', '2': 'Dự án, viện trợ', '3': 'Chương trình mục tiêu quốc gia', '4': 'Nguồn khác' },
  MA_KHUVUC: { K1: 'Khu vực K1', K2: 'Khu vực K2', K3: 'Khu vực K3' },
  PP_VO_CAM: { '1': 'Gây mê', '2': 'Gây tê', '3': 'Châm tê', '4': 'Khác' },
  MA_LYDO_CT: {
    '1': 'Chuyển tuyến đủ điều kiện theo quy định',
    '2': 'Vượt quá khả năng chuyên môn của cơ sở',
    '3': 'Theo yêu cầu của người bệnh hoặc người đại diện',
  },
  CO_KHONG: { '0': 'Không', '1': 'Có' },
  CHUC_VU: { '1': 'Chủ tịch hội đồng', '2': 'Ký thay' },
} as const satisfies Record<string, Record<string, string>>;

export type CodeSetName = keyof typeof CODE_SETS;

/** Which code set an element uses, by element name (the same in every table it appears in). */
export const FIELD_CODE_SETS: Readonly<Record<string, CodeSetName>> = {
  GIOI_TINH: 'GIOI_TINH',
  GIOI_TINH_CON: 'GIOI_TINH',
  MA_LOAI_KCB: 'MA_LOAI_KCB',
  KET_QUA_DTRI: 'KET_QUA_DTRI',
  MA_LOAI_RV: 'MA_LOAI_RV',
  PHAM_VI: 'PHAM_VI',
  MA_PTTT: 'MA_PTTT',
  NGUON_CTRA: 'NGUON_CTRA',
  MA_KHUVUC: 'MA_KHUVUC',
  PP_VO_CAM: 'PP_VO_CAM',
  MA_LYDO_CT: 'MA_LYDO_CT',
  MA_DINH_CHI_THAI: 'CO_KHONG',
  SINHCON_PHAUTHUAT: 'CO_KHONG',
  SINHCON_DUOI32TUAN: 'CO_KHONG',
  TAI_SU_DUNG: 'CO_KHONG',
  VET_THUONG_TP: 'CO_KHONG',
  MA_KQ_XN_PCR: 'CO_KHONG',
  CHUC_VU: 'CHUC_VU',
};

export function isInCodeSet(set: CodeSetName, code: string): boolean {
  return Object.hasOwn(CODE_SETS[set], code);
}

/** Vietnamese label for display, e.g. codeLabel('MA_LOAI_KCB', '03') → "Điều trị nội trú". */
export function codeLabel(set: CodeSetName, code: string): string | undefined {
  const labels: Readonly<Record<string, string>> = CODE_SETS[set];
  return Object.hasOwn(labels, code) ? labels[code] : undefined;
}
