/** Display labels for XML 130 codes (QĐ 130/4750/3176 code sets). */
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

export const RESULT: Record<number, string> = {
  1: 'Khỏi',
  2: 'Đỡ',
  3: 'Không thay đổi',
  4: 'Nặng hơn',
  5: 'Tử vong',
  6: 'Tiên lượng nặng xin về',
  7: 'Chưa xác định',
  8: 'Tử vong ngoài viện',
};

/** 'YYYY-MM-DD HH:MM:SS' → 'DD/MM/YYYY HH:MM' (Vietnamese order). */
export function formatInstant(v: string | null | undefined): string {
  if (!v) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})/.exec(v);
  return m ? `${m[3]}/${m[2]}/${m[1]} ${m[4]}:${m[5]}` : v;
}

/** 'yyyyMMdd' or 'yyyyMMddHHmm' → 'DD/MM/YYYY'. */
export function formatXmlDate(v: string | undefined): string {
  if (!v || v.length < 8) return v ?? '—';
  return `${v.slice(6, 8)}/${v.slice(4, 6)}/${v.slice(0, 4)}`;
}
