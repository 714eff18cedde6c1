/**
 * Lab indices for XML4 (MA_CHI_SO in the spirit of QĐ 7603 annex 11; codes illustrative) with adult
 * reference ranges commonly printed by Vietnamese hospital labs, plus canned imaging/ECG reports.
 */
import type { Sex } from '../identifiers/index.ts';

export interface LabIndex {
  code: string;
  name: string;
  unit: string;
  /** Service (MA_DICH_VU) that produces this index. */
  service: string;
  low: number;
  high: number;
  /** Female range when it differs. */
  femaleLow?: number;
  femaleHigh?: number;
  decimals: number;
  /** Qualitative index (urine dipstick, rapid tests): value is text, normal = `normalText`. */
  normalText?: string;
  abnormalText?: string;
}

type Row = readonly [code: string, name: string, unit: string, service: string, low: number, high: number, decimals: number, fLow?: number, fHigh?: number];

const CBC = '22.0120.1370';
const RAW: ReadonlyArray<Row> = [
  ['WBC', 'Số lượng bạch cầu (WBC)', 'G/L', CBC, 4, 10, 2],
  ['NEU%', 'Tỷ lệ bạch cầu trung tính (NEU%)', '%', CBC, 45, 75, 1],
  ['LYM%', 'Tỷ lệ bạch cầu lympho (LYM%)', '%', CBC, 20, 40, 1],
  ['RBC', 'Số lượng hồng cầu (RBC)', 'T/L', CBC, 4.2, 5.4, 2, 3.8, 5.0],
  ['HGB', 'Lượng huyết sắc tố (HGB)', 'g/L', CBC, 130, 170, 0, 120, 150],
  ['HCT', 'Thể tích khối hồng cầu (HCT)', '%', CBC, 40, 50, 1, 36, 46],
  ['MCV', 'Thể tích trung bình hồng cầu (MCV)', 'fL', CBC, 80, 100, 1],
  ['PLT', 'Số lượng tiểu cầu (PLT)', 'G/L', CBC, 150, 450, 0],
  ['GLU', 'Glucose', 'mmol/L', '23.0075.1494', 3.9, 6.4, 1],
  ['HBA1C', 'HbA1c', '%', '23.0083.1523', 4, 6.4, 1],
  ['CHOL', 'Cholesterol toàn phần', 'mmol/L', '23.0041.1506', 3.9, 5.2, 2],
  ['TG', 'Triglycerid', 'mmol/L', '23.0158.1506', 0.46, 1.88, 2],
  ['HDL', 'HDL-Cholesterol', 'mmol/L', '23.0084.1506', 0.9, 2.5, 2],
  ['LDL', 'LDL-Cholesterol', 'mmol/L', '23.0112.1506', 0, 3.4, 2],
  ['CREA', 'Creatinin', 'µmol/L', '23.0051.1494', 62, 120, 0, 53, 100],
  ['UREA', 'Urê', 'mmol/L', '23.0166.1494', 2.5, 7.5, 1],
  ['AST', 'AST (GOT)', 'U/L', '23.0019.1493', 0, 40, 0, 0, 35],
  ['ALT', 'ALT (GPT)', 'U/L', '23.0020.1493', 0, 40, 0, 0, 35],
  ['URIC', 'Acid Uric', 'µmol/L', '23.0162.1493', 202, 416, 0, 142, 339],
  ['U-PRO', 'Protein niệu', 'g/L', '23.0206.1596', 0, 0.15, 2],
  ['U-GLU', 'Glucose niệu', 'mmol/L', '23.0206.1596', 0, 0.8, 1],
  ['U-LEU', 'Bạch cầu niệu', 'Leu/µL', '23.0206.1596', 0, 10, 0],
  ['U-SG', 'Tỷ trọng nước tiểu', '', '23.0206.1596', 1.005, 1.03, 3],
];

const QUAL: ReadonlyArray<LabIndex> = [
  { code: 'AFB', name: 'Soi trực tiếp AFB đờm', unit: '', service: '24.0017.1714', low: 0, high: 0, decimals: 0, normalText: 'Âm tính', abnormalText: 'Dương tính (2+)' },
  { code: 'HIV-AB', name: 'HIV Ab test nhanh', unit: '', service: '24.0263.1618', low: 0, high: 0, decimals: 0, normalText: 'Âm tính', abnormalText: 'Dương tính' },
  { code: 'NS1', name: 'Dengue NS1Ag', unit: '', service: '24.0144.1619', low: 0, high: 0, decimals: 0, normalText: 'Âm tính', abnormalText: 'Dương tính' },
];

export const LAB_INDICES: ReadonlyArray<LabIndex> = [
  ...RAW.map(([code, name, unit, service, low, high, decimals, fLow, fHigh]) => {
    const li: LabIndex = { code, name, unit, service, low, high, decimals };
    if (fLow !== undefined) li.femaleLow = fLow;
    if (fHigh !== undefined) li.femaleHigh = fHigh;
    return li;
  }),
  ...QUAL,
];

const BY_CODE: ReadonlyMap<string, LabIndex> = new Map(LAB_INDICES.map((l) => [l.code, l]));

export function labIndex(code: string): LabIndex | undefined {
  return BY_CODE.get(code);
}

/** Indices produced by one lab service, in report order. */
export function indicesForService(serviceCode: string): LabIndex[] {
  return LAB_INDICES.filter((l) => l.service === serviceCode);
}

export function referenceRange(code: string, sex: Sex): { low: number; high: number } | undefined {
  const l = BY_CODE.get(code);
  if (!l || l.normalText !== undefined) return undefined;
  if (sex === 'female') return { low: l.femaleLow ?? l.low, high: l.femaleHigh ?? l.high };
  return { low: l.low, high: l.high };
}

/** Which way a result leaves the normal: above or below the range, or not the normal text. */
export type LabFlag = 'high' | 'low' | 'abnormal';

/** Above or below the reference range (numeric), or not the normal text (qualitative). Unknown codes: null. */
export function labFlag(code: string, value: number | string, sex: Sex): LabFlag | null {
  const l = BY_CODE.get(code);
  if (!l) return null;
  if (l.normalText !== undefined) return String(value).trim() !== l.normalText ? 'abnormal' : null;
  const v = typeof value === 'number' ? value : Number(String(value).replace(',', '.'));
  if (!Number.isFinite(v)) return null;
  const r = referenceRange(code, sex)!;
  return v > r.high ? 'high' : v < r.low ? 'low' : null;
}

/** Outside the reference range (numeric), or not the normal text (qualitative). Unknown codes: false. */
export function isAbnormal(code: string, value: number | string, sex: Sex): boolean {
  return labFlag(code, value, sex) !== null;
}

export interface ImagingReport {
  description: string;
  conclusion: string;
}

/** Canned reports: `normal` plus findings keyed by ICD-10 prefix of the episode's diagnoses. */
export interface ImagingTemplate {
  service: string;
  name: string;
  normal: ImagingReport;
  findings: ReadonlyArray<readonly [icdPrefix: string, report: ImagingReport]>;
}

export const IMAGING: ReadonlyArray<ImagingTemplate> = [
  {
    service: '18.0119.0028',
    name: 'X-quang ngực thẳng',
    normal: { description: 'Hai phế trường sáng đều, không thấy tổn thương khu trú. Bóng tim không to. Góc sườn hoành hai bên nhọn.', conclusion: 'Chưa phát hiện bất thường trên phim X-quang ngực.' },
    findings: [
      ['J18', { description: 'Đám mờ không đồng nhất vùng đáy phổi phải, bờ không rõ. Bóng tim không to.', conclusion: 'Hình ảnh viêm phổi thùy dưới phổi phải.' }],
      ['J15', { description: 'Đám mờ không đồng nhất vùng đáy phổi phải, bờ không rõ.', conclusion: 'Hình ảnh viêm phổi.' }],
      ['J20', { description: 'Rốn phổi hai bên đậm, tăng sinh mạch máu phổi.', conclusion: 'Hình ảnh viêm phế quản.' }],
      ['J44', { description: 'Hai phế trường tăng sáng, vòm hoành dẹt, khoang liên sườn giãn rộng.', conclusion: 'Hình ảnh khí phế thũng, phù hợp bệnh phổi tắc nghẽn mạn tính.' }],
      ['A15', { description: 'Nốt mờ và hang nhỏ vùng đỉnh phổi phải, xơ co kéo rốn phổi.', conclusion: 'Tổn thương dạng lao phổi, đề nghị xét nghiệm đờm.' }],
      ['A16', { description: 'Thâm nhiễm vùng hạ đòn phải.', conclusion: 'Theo dõi lao phổi.' }],
      ['I50', { description: 'Bóng tim to, chỉ số tim ngực 0,58. Tái phân bố tuần hoàn phổi.', conclusion: 'Bóng tim to, hình ảnh ứ huyết phổi.' }],
      ['I11', { description: 'Bóng tim to nhẹ, cung dưới trái phồng.', conclusion: 'Dày thất trái trên X-quang.' }],
      ['S22', { description: 'Hình ảnh gián đoạn vỏ xương sườn 6 bên phải, không tràn khí màng phổi.', conclusion: 'Gãy xương sườn 6 bên phải.' }],
    ],
  },
  {
    service: '18.0001.0001',
    name: 'Siêu âm ổ bụng',
    normal: { description: 'Gan không to, nhu mô đều. Túi mật không sỏi. Tụy, lách bình thường. Hai thận không ứ nước, không sỏi. Bàng quang thành đều.', conclusion: 'Chưa phát hiện bất thường trên siêu âm ổ bụng.' },
    findings: [
      ['K76', { description: 'Gan không to, nhu mô tăng âm lan tỏa, bờ đều.', conclusion: 'Gan nhiễm mỡ độ I.' }],
      ['K80', { description: 'Túi mật có sỏi kích thước 12 mm, thành túi mật không dày.', conclusion: 'Sỏi túi mật.' }],
      ['K81', { description: 'Túi mật căng, thành dày 5 mm, có sỏi kẹt cổ túi mật.', conclusion: 'Viêm túi mật cấp do sỏi.' }],
      ['N20', { description: 'Thận phải có sỏi kích thước 8 mm nhóm dưới, không ứ nước.', conclusion: 'Sỏi thận phải.' }],
      ['N40', { description: 'Tuyến tiền liệt kích thước 42 g, nhu mô đều.', conclusion: 'Phì đại tuyến tiền liệt.' }],
      ['K35', { description: 'Ruột thừa đường kính 9 mm, thành dày, thâm nhiễm mỡ xung quanh.', conclusion: 'Hình ảnh viêm ruột thừa cấp.' }],
      ['K74', { description: 'Gan bờ không đều, nhu mô thô, dịch tự do ổ bụng lượng ít.', conclusion: 'Hình ảnh xơ gan, dịch ổ bụng lượng ít.' }],
      ['N18', { description: 'Hai thận giảm kích thước, nhu mô tăng âm, ranh giới tủy vỏ kém rõ.', conclusion: 'Hình ảnh bệnh thận mạn.' }],
    ],
  },
  {
    service: '18.0016.0001',
    name: 'Siêu âm thai',
    normal: { description: 'Một thai sống trong buồng tử cung, tim thai đều 145 lần/phút. Nhau bám mặt trước, nước ối bình thường.', conclusion: 'Một thai sống trong tử cung, phát triển tương ứng tuổi thai.' },
    findings: [
      ['O20', { description: 'Một túi thai trong buồng tử cung, có phôi và tim thai, bóc tách nhỏ cạnh túi thai.', conclusion: 'Thai trong tử cung, theo dõi dọa sẩy thai.' }],
      ['O02', { description: 'Túi thai méo, không thấy hoạt động tim thai.', conclusion: 'Thai lưu.' }],
    ],
  },
  {
    service: '18.0014.0004',
    name: 'Siêu âm tuyến giáp',
    normal: { description: 'Hai thùy tuyến giáp kích thước bình thường, nhu mô đều.', conclusion: 'Tuyến giáp bình thường.' },
    findings: [
      ['E04', { description: 'Thùy phải có nhân đặc giảm âm kích thước 11 x 8 mm, bờ đều, TIRADS 3.', conclusion: 'Nhân giáp thùy phải TIRADS 3.' }],
      ['E05', { description: 'Tuyến giáp to lan tỏa, nhu mô giảm âm không đều, tăng sinh mạch.', conclusion: 'Bướu giáp lan tỏa, phù hợp Basedow.' }],
    ],
  },
  {
    service: '18.0074.0028',
    name: 'X-quang cột sống thắt lưng',
    normal: { description: 'Trục cột sống thẳng, chiều cao thân đốt và khe đĩa đệm bình thường.', conclusion: 'Chưa phát hiện bất thường cột sống thắt lưng.' },
    findings: [
      ['M47', { description: 'Gai xương bờ thân đốt L3–L5, hẹp khe đĩa đệm L4–L5.', conclusion: 'Thoái hóa cột sống thắt lưng.' }],
      ['M54', { description: 'Mất đường cong sinh lý cột sống thắt lưng, gai xương nhỏ L4.', conclusion: 'Thoái hóa nhẹ cột sống thắt lưng.' }],
      ['M51', { description: 'Hẹp khe đĩa đệm L4–L5, L5–S1.', conclusion: 'Hẹp khe đĩa đệm L4–L5, L5–S1.' }],
    ],
  },
  {
    service: '18.0090.0028',
    name: 'X-quang xương chi',
    normal: { description: 'Cấu trúc xương bình thường, không thấy đường gãy.', conclusion: 'Chưa phát hiện tổn thương xương.' },
    findings: [
      ['S52', { description: 'Đường gãy ngang đầu dưới xương quay, di lệch ít.', conclusion: 'Gãy đầu dưới xương quay.' }],
      ['S82', { description: 'Đường gãy chéo thân xương chày, di lệch ít.', conclusion: 'Gãy thân xương chày.' }],
      ['S42', { description: 'Đường gãy 1/3 giữa xương đòn, di lệch chồng ngắn.', conclusion: 'Gãy xương đòn.' }],
    ],
  },
  {
    service: '21.0014.1778',
    name: 'Điện tim',
    normal: { description: 'Nhịp xoang đều, tần số 78 lần/phút, trục trung gian.', conclusion: 'Điện tim trong giới hạn bình thường.' },
    findings: [
      ['I10', { description: 'Nhịp xoang 82 lần/phút, chỉ số Sokolow-Lyon 38 mm.', conclusion: 'Dày thất trái.' }],
      ['I11', { description: 'Nhịp xoang, dày thất trái, ST chênh xuống nhẹ V5–V6.', conclusion: 'Dày thất trái tăng gánh tâm thu.' }],
      ['I20', { description: 'Nhịp xoang, ST chênh xuống 1 mm DII, DIII, aVF.', conclusion: 'Thiếu máu cơ tim thành dưới.' }],
      ['I25', { description: 'Nhịp xoang, sóng T dẹt các chuyển đạo trước ngực.', conclusion: 'Thiếu máu cơ tim cục bộ.' }],
      ['I48', { description: 'Không có sóng P, khoảng RR không đều, tần số thất 96 lần/phút.', conclusion: 'Rung nhĩ đáp ứng thất trung bình.' }],
    ],
  },
];

const IMAGING_BY_SERVICE: ReadonlyMap<string, ImagingTemplate> = new Map(IMAGING.map((t) => [t.service, t]));

export function imagingTemplate(serviceCode: string): ImagingTemplate | undefined {
  return IMAGING_BY_SERVICE.get(serviceCode);
}

/** Report for an imaging service given the episode diagnoses; `normal` when no finding matches. */
export function imagingReport(serviceCode: string, icdCodes: ReadonlyArray<string>): ImagingReport | undefined {
  const t = IMAGING_BY_SERVICE.get(serviceCode);
  if (!t) return undefined;
  for (const code of icdCodes) {
    const hit = t.findings.find(([p]) => code.startsWith(p));
    if (hit) return hit[1];
  }
  return t.normal;
}
