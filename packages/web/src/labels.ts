import { CODE_SETS } from '@openhssk/core/xml130/codesets';

// Display labels for XML 130 codes (QĐ 130/4750/3176 code sets) and book screens.

/** Short forms of CODE_SETS.MA_LOAI_KCB for narrow phone screens; the official names are longer. */
export const CARE_TYPE: Record<string, string> = {
  '01': 'Khám bệnh',
  '02': 'Điều trị ngoại trú',
  '03': 'Điều trị nội trú',
  '04': 'Điều trị nội trú ban ngày',
  '05': 'Điều trị ngoại trú bệnh mạn tính',
  '06': 'Lưu tại trạm y tế',
  '07': 'Nhận thuốc theo hẹn',
  '08': 'Điều trị ngoại trú bệnh mạn tính có dịch vụ',
  '09': 'Nội trú dưới 4 giờ',
  '10': 'Khác',
};

export const CARE_GROUP: Record<string, string> = {
  outpatient: 'Ngoại trú, khám bệnh',
  inpatient: 'Nội trú',
  day_care: 'Nội trú ban ngày',
  other: 'Khác (gồm khám từ xa)',
};

/** Treatment results: the standard's own labels (KET_QUA_DTRI). */
export const RESULT: Readonly<Record<string, string>> = CODE_SETS.KET_QUA_DTRI;

export const SEX: Record<number, string> = { 1: 'Nam', 2: 'Nữ', 3: 'Chưa xác định' };

export const DECLARATION_KIND: Record<string, string> = {
  allergy: 'Dị ứng',
  personal_history: 'Tiền sử bệnh của bản thân',
  family_history: 'Tiền sử bệnh của gia đình',
  risk_factor: 'Yếu tố nguy cơ',
};

export const RELATION: Record<string, string> = { parent: 'cha/mẹ', guardian: 'người giám hộ' };

/** Correction requests ("Báo thông tin sai"): the same words in the book and the staff portal. */
export const CORRECTION_STATUS: Readonly<Record<'new' | 'in_progress' | 'resolved' | 'rejected', string>> = {
  new: 'Mới',
  in_progress: 'Đang xử lý',
  resolved: 'Đã giải quyết',
  rejected: 'Từ chối',
};
export const CORRECTION_KIND: Readonly<Record<'not_mine' | 'wrong_clinical' | 'wrong_personal', string>> = {
  not_mine: 'Không phải lượt khám của tôi',
  wrong_clinical: 'Chẩn đoán, thuốc hoặc kết quả bị sai',
  wrong_personal: 'Thông tin cá nhân bị sai',
};

/** Appointments (XML14 re-exam, XML13 referral) in the book and the staff portal. */
export const APPOINTMENT_KIND: Readonly<Record<'re_exam' | 'referral', string>> = { re_exam: 'Hẹn khám lại', referral: 'Chuyển tuyến' };
