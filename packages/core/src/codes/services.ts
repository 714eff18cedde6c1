/**
 * Technical services, exam fees, bed-days and supplies for synthetic XML3 rows. Codes imitate the
 * MoH shared "mã tương đương" style (chapter.item[.price-item]) and TT 04/2017 supply groups; they
 * are illustrative, not the official lists. Prices are in the range of the TT 22/2023 tariff.
 */

/** MA_NHOM cost groups (QĐ 5937/QĐ-BYT annex 3) used by the generators. */
export const MA_NHOM = {
  XET_NGHIEM: 1,
  CDHA: 2,
  TDCN: 3,
  THUOC: 4,
  PHAU_THUAT: 8,
  VTYT: 10,
  KHAM_BENH: 13,
  GIUONG_BAN_NGAY: 14,
  GIUONG_NOI_TRU: 15,
  THU_THUAT: 18,
} as const;

export type ServiceKind = 'exam' | 'bed' | 'lab' | 'imaging' | 'function' | 'procedure' | 'surgery';

/** Facility price class: hospital rank I/II/III, or commune health station. */
export type PriceClass = 'I' | 'II' | 'III' | 'IV';

export interface Service {
  code: string;
  name: string;
  group: number;
  kind: ServiceKind;
  unit: string;
  /** DON_GIA_BV = DON_GIA_BH in VND at a rank-I hospital; lower ranks pay a share. */
  price: number;
  /** ICD-9-CM code(s) for procedures/surgery (MA_PTTT_QT). */
  icd9?: string;
  /** Lowest facility class able to perform it (commune stations do only simple things). */
  minClass: PriceClass;
}

type Row = readonly [code: string, name: string, group: number, kind: ServiceKind, unit: string, price: number, minClass: PriceClass, icd9?: string];

const RAW: ReadonlyArray<Row> = [
  // Exams (prices scaled by class, see examFee)
  ['02.1896', 'Khám Nội', 13, 'exam', 'Lần', 50600, 'IV'],
  ['10.1900', 'Khám Ngoại', 13, 'exam', 'Lần', 50600, 'III'],
  ['03.1870', 'Khám Nhi', 13, 'exam', 'Lần', 50600, 'III'],
  ['13.1849', 'Khám Phụ sản', 13, 'exam', 'Lần', 50600, 'III'],
  ['14.1908', 'Khám Mắt', 13, 'exam', 'Lần', 50600, 'III'],
  ['15.1911', 'Khám Tai mũi họng', 13, 'exam', 'Lần', 50600, 'III'],
  ['16.1915', 'Khám Răng hàm mặt', 13, 'exam', 'Lần', 50600, 'III'],
  ['05.1898', 'Khám Da liễu', 13, 'exam', 'Lần', 50600, 'III'],
  ['07.1901', 'Khám Tâm thần', 13, 'exam', 'Lần', 50600, 'II'],
  ['01.1899', 'Khám Đa khoa', 13, 'exam', 'Lần', 36500, 'IV'],
  // Bed-days
  ['K03.1917', 'Ngày giường bệnh Nội khoa loại 3', 15, 'bed', 'Ngày', 187100, 'III'],
  ['K18.1917', 'Ngày giường bệnh Nhi khoa loại 2', 15, 'bed', 'Ngày', 212300, 'III'],
  ['K19.1923', 'Ngày giường bệnh Ngoại khoa loại 3 (sau phẫu thuật loại 2)', 15, 'bed', 'Ngày', 248500, 'III'],
  ['K27.1924', 'Ngày giường bệnh Sản khoa loại 3', 15, 'bed', 'Ngày', 205700, 'III'],
  ['K12.1917', 'Ngày giường bệnh Lao loại 2', 15, 'bed', 'Ngày', 199800, 'II'],
  ['K15.1917', 'Ngày giường bệnh Tâm thần loại 2', 15, 'bed', 'Ngày', 199800, 'II'],
  ['K01.1941', 'Ngày giường trạm y tế xã', 15, 'bed', 'Ngày', 57000, 'IV'],
  ['K16.1942', 'Ngày giường bệnh ban ngày', 14, 'bed', 'Ngày', 56100, 'III'],
  // Laboratory
  ['22.0120.1370', 'Tổng phân tích tế bào máu ngoại vi (bằng máy đếm laser)', 1, 'lab', 'Lần', 46200, 'III'],
  ['23.0075.1494', 'Định lượng Glucose [Máu]', 1, 'lab', 'Lần', 21500, 'IV'],
  ['23.0083.1523', 'Định lượng HbA1c [Máu]', 1, 'lab', 'Lần', 101000, 'III'],
  ['23.0041.1506', 'Định lượng Cholesterol toàn phần [Máu]', 1, 'lab', 'Lần', 26900, 'III'],
  ['23.0158.1506', 'Định lượng Triglycerid [Máu]', 1, 'lab', 'Lần', 26900, 'III'],
  ['23.0084.1506', 'Định lượng HDL-C [Máu]', 1, 'lab', 'Lần', 26900, 'III'],
  ['23.0112.1506', 'Định lượng LDL-C [Máu]', 1, 'lab', 'Lần', 26900, 'III'],
  ['23.0051.1494', 'Định lượng Creatinin [Máu]', 1, 'lab', 'Lần', 21500, 'III'],
  ['23.0166.1494', 'Định lượng Urê [Máu]', 1, 'lab', 'Lần', 21500, 'III'],
  ['23.0019.1493', 'Đo hoạt độ AST (GOT) [Máu]', 1, 'lab', 'Lần', 21500, 'III'],
  ['23.0020.1493', 'Đo hoạt độ ALT (GPT) [Máu]', 1, 'lab', 'Lần', 21500, 'III'],
  ['23.0162.1493', 'Định lượng Acid Uric [Máu]', 1, 'lab', 'Lần', 21500, 'III'],
  ['23.0206.1596', 'Tổng phân tích nước tiểu (bằng máy tự động)', 1, 'lab', 'Lần', 27400, 'IV'],
  ['24.0017.1714', 'Vi khuẩn nhuộm soi (AFB đờm)', 1, 'lab', 'Lần', 68000, 'II'],
  ['24.0263.1618', 'HIV Ab test nhanh', 1, 'lab', 'Lần', 53600, 'III'],
  ['24.0144.1619', 'Dengue virus NS1Ag test nhanh', 1, 'lab', 'Lần', 129000, 'III'],
  // Imaging, function tests
  ['18.0119.0028', 'Chụp X-quang ngực thẳng', 2, 'imaging', 'Lần', 65400, 'III'],
  ['18.0074.0028', 'Chụp X-quang cột sống thắt lưng thẳng nghiêng', 2, 'imaging', 'Lần', 97200, 'III'],
  ['18.0090.0028', 'Chụp X-quang xương cẳng tay/cẳng chân thẳng nghiêng', 2, 'imaging', 'Lần', 97200, 'III'],
  ['18.0001.0001', 'Siêu âm ổ bụng (gan mật, tụy, lách, thận, bàng quang)', 2, 'imaging', 'Lần', 43900, 'III'],
  ['18.0016.0001', 'Siêu âm thai (thai, nhau thai, nước ối)', 2, 'imaging', 'Lần', 43900, 'III'],
  ['18.0014.0004', 'Siêu âm tuyến giáp', 2, 'imaging', 'Lần', 43900, 'III'],
  ['21.0014.1778', 'Điện tim thường', 3, 'function', 'Lần', 35400, 'III'],
  ['02.0305.1888', 'Đo chức năng hô hấp', 3, 'function', 'Lần', 151000, 'II'],
  // Procedures and surgery
  ['10.0912.0555', 'Khâu vết thương phần mềm tổn thương nông chiều dài < 10 cm', 18, 'procedure', 'Lần', 178000, 'IV', '86.59'],
  ['03.3826.0211', 'Thay băng vết thương chiều dài ≤ 15 cm', 18, 'procedure', 'Lần', 57600, 'IV', '93.57'],
  ['01.0075.0209', 'Khí dung thuốc cấp cứu', 18, 'procedure', 'Lần', 20500, 'IV', '93.94'],
  ['17.0006.0248', 'Điện châm', 18, 'procedure', 'Lần', 72400, 'III', '99.92'],
  ['17.0023.0267', 'Chiếu đèn hồng ngoại', 18, 'procedure', 'Lần', 37600, 'III', '93.35'],
  ['10.0586.0574', 'Bó bột cẳng tay / cẳng chân', 18, 'procedure', 'Lần', 282000, 'III', '93.53'],
  ['13.0124.0639', 'Đỡ đẻ thường ngôi chỏm', 18, 'procedure', 'Lần', 741000, 'III', '73.59'],
  ['13.0084.0449', 'Phẫu thuật lấy thai lần đầu', 8, 'surgery', 'Lần', 2780000, 'II', '74.1'],
  ['10.0411.0485', 'Phẫu thuật cắt ruột thừa nội soi', 8, 'surgery', 'Lần', 2860000, 'II', '47.01'],
];

export const SERVICES: ReadonlyArray<Service> = RAW.map(([code, name, group, kind, unit, price, minClass, icd9]) => {
  const s: Service = { code, name, group, kind, unit, price, minClass };
  if (icd9 !== undefined) s.icd9 = icd9;
  return s;
});

const BY_CODE: ReadonlyMap<string, Service> = new Map(SERVICES.map((s) => [s.code, s]));

export function serviceByCode(code: string): Service | undefined {
  return BY_CODE.get(code);
}

const CLASS_ORDER: Readonly<Record<PriceClass, number>> = { I: 1, II: 2, III: 3, IV: 4 };

/** True when a facility of this class may perform the service. */
export function canPerform(service: Service, cls: PriceClass): boolean {
  return CLASS_ORDER[cls] <= CLASS_ORDER[service.minClass];
}

/** Exam prices differ by hospital rank (TT 22/2023 pattern: I 50,600 … commune 36,500). */
const EXAM_PRICE: Readonly<Record<PriceClass, number>> = { I: 50600, II: 45000, III: 39700, IV: 36500 };

/** Unit price at a facility class: exams by the rank table, other services slightly cheaper down-rank. */
export function priceAt(service: Service, cls: PriceClass): number {
  if (service.kind === 'exam') return EXAM_PRICE[cls];
  if (service.code === 'K01.1941') return service.price;
  const factor = { I: 1, II: 0.96, III: 0.92, IV: 0.9 }[cls];
  return Math.round((service.price * factor) / 100) * 100;
}

export interface Supply {
  /** MA_VAT_TU: TT 04/2017 group code (3176). */
  code: string;
  name: string;
  unit: string;
  price: number;
}

export const SUPPLIES: ReadonlyArray<Supply> = [
  { code: 'N03.01.070', name: 'Bơm tiêm nhựa dùng một lần 5ml', unit: 'Cái', price: 1100 },
  { code: 'N03.05.010', name: 'Dây truyền dịch', unit: 'Bộ', price: 5900 },
  { code: 'N03.02.020', name: 'Kim luồn tĩnh mạch', unit: 'Cái', price: 11500 },
  { code: 'N03.03.010', name: 'Găng tay y tế vô trùng', unit: 'Đôi', price: 3900 },
  { code: 'N02.01.030', name: 'Gạc phẫu thuật vô trùng 10 x 10 cm', unit: 'Miếng', price: 1800 },
  { code: 'N02.03.010', name: 'Băng cuộn y tế', unit: 'Cuộn', price: 2600 },
  { code: 'N05.01.040', name: 'Chỉ khâu không tiêu nylon 3/0', unit: 'Sợi', price: 14500 },
  { code: 'N04.02.010', name: 'Ống thông tiểu Foley', unit: 'Cái', price: 16800 },
  { code: 'N07.01.010', name: 'Bột bó thạch cao', unit: 'Cuộn', price: 18500 },
];

const SUPPLY_BY_CODE: ReadonlyMap<string, Supply> = new Map(SUPPLIES.map((s) => [s.code, s]));

export function supplyByCode(code: string): Supply | undefined {
  return SUPPLY_BY_CODE.get(code);
}
