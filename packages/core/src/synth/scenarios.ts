/**
 * Clinical scenarios that drive synthetic episodes: which diagnoses occur at which ages, which
 * specialty sees them, which paraclinical services are ordered and how often patients are admitted.
 */
import type { Sex } from '../identifiers/index.ts';
import type { FacilityType } from './district.ts';

export interface Scenario {
  key: string;
  main: ReadonlyArray<string>;
  ageMin: number;
  ageMax: number;
  sex?: Sex;
  weight: number;
  exam: string;
  dept: string;
  reason: string;
  prelim: string;
  /** [service code, probability]. */
  services: ReadonlyArray<readonly [string, number]>;
  /** Probability of admission where the facility has beds. */
  inpatient: number;
  days: readonly [number, number];
  bed: string;
  /** Restrict to these facility types (default: any with the right class). */
  facilities?: ReadonlyArray<FacilityType>;
  /** Transferred to a higher level from commune/district level with this probability. */
  transfer?: number;
  /** Periodic health checks are not covered by insurance. */
  selfPay?: boolean;
  /** Day-care (04) course instead of admission (physiotherapy). */
  daycare?: number;
  procedures?: ReadonlyArray<readonly [string, number]>;
  supplies?: ReadonlyArray<string>;
  accident?: string;
  sensitive?: 'hiv' | 'tb' | 'mental';
  emergency?: number;
}

const CBC = '22.0120.1370';
const GLU = '23.0075.1494';
const XQN = '18.0119.0028';
const SAB = '18.0001.0001';
const ECG = '21.0014.1778';
const URINE = '23.0206.1596';
const LIPID: ReadonlyArray<readonly [string, number]> = [['23.0041.1506', 0.6], ['23.0158.1506', 0.6], ['23.0084.1506', 0.4], ['23.0112.1506', 0.4]];
const RENAL: ReadonlyArray<readonly [string, number]> = [['23.0051.1494', 0.5], ['23.0166.1494', 0.4]];
const LIVER: ReadonlyArray<readonly [string, number]> = [['23.0019.1493', 0.5], ['23.0020.1493', 0.5]];

export const SCENARIOS: ReadonlyArray<Scenario> = [
  { key: 'urti_child', main: ['J06.9', 'J00', 'J02.9', 'J03.9', 'H66.9'], ageMin: 0, ageMax: 14, weight: 16, exam: '03.1870', dept: 'K18', reason: 'Sốt, ho, sổ mũi', prelim: 'Theo dõi nhiễm trùng hô hấp trên', services: [[CBC, 0.2]], inpatient: 0, days: [1, 1], bed: 'K18.1917' },
  { key: 'urti_adult', main: ['J06.9', 'J02.9', 'J03.9', 'J00', 'J01.9', 'J04.0'], ageMin: 15, ageMax: 95, weight: 11, exam: '02.1896', dept: 'K03', reason: 'Đau họng, ho, sốt nhẹ', prelim: 'Viêm đường hô hấp trên', services: [[CBC, 0.15]], inpatient: 0, days: [1, 1], bed: 'K03.1917' },
  { key: 'bronchitis', main: ['J20.9', 'J40', 'J42'], ageMin: 0, ageMax: 95, weight: 6, exam: '02.1896', dept: 'K03', reason: 'Ho khạc đờm, sốt', prelim: 'Theo dõi viêm phế quản', services: [[CBC, 0.4], [XQN, 0.5]], inpatient: 0.05, days: [3, 6], bed: 'K03.1917', procedures: [['01.0075.0209', 0.1]] },
  { key: 'pneumonia', main: ['J18.9', 'J18.0', 'J15.9'], ageMin: 0, ageMax: 95, weight: 2.5, exam: '02.1896', dept: 'K03', reason: 'Sốt cao, ho, khó thở', prelim: 'Theo dõi viêm phổi', services: [[CBC, 1], [XQN, 1], [GLU, 0.5], ...RENAL], inpatient: 0.7, days: [5, 10], bed: 'K03.1917', transfer: 0.15, supplies: ['N03.05.010', 'N03.02.020'] },
  { key: 'bronchiolitis', main: ['J21.9'], ageMin: 0, ageMax: 2, weight: 2, exam: '03.1870', dept: 'K18', reason: 'Ho, khò khè, bú kém', prelim: 'Viêm tiểu phế quản', services: [[CBC, 0.8], [XQN, 0.6]], inpatient: 0.4, days: [3, 7], bed: 'K18.1917', procedures: [['01.0075.0209', 0.5]] },
  { key: 'gastroenteritis', main: ['A09', 'A08.4', 'K52.9'], ageMin: 0, ageMax: 95, weight: 6, exam: '02.1896', dept: 'K03', reason: 'Tiêu chảy, nôn, đau bụng', prelim: 'Tiêu chảy cấp', services: [[CBC, 0.3]], inpatient: 0.12, days: [2, 4], bed: 'K03.1917', supplies: ['N03.05.010'] },
  { key: 'gastritis', main: ['K29.7', 'K29.5', 'K21.0', 'K30', 'K25.9'], ageMin: 16, ageMax: 85, weight: 7, exam: '02.1896', dept: 'K03', reason: 'Đau thượng vị, ợ chua', prelim: 'Theo dõi viêm dạ dày', services: [[SAB, 0.35]], inpatient: 0.02, days: [3, 5], bed: 'K03.1917' },
  { key: 'hypertension', main: ['I10'], ageMin: 40, ageMax: 95, weight: 4, exam: '02.1896', dept: 'K03', reason: 'Đau đầu, chóng mặt, tăng huyết áp', prelim: 'Tăng huyết áp', services: [[GLU, 0.6], ...LIPID, ...RENAL, [ECG, 0.5]], inpatient: 0.04, days: [3, 6], bed: 'K03.1917' },
  { key: 'diabetes', main: ['E11.9', 'E11.2', 'E11.4'], ageMin: 35, ageMax: 90, weight: 2, exam: '02.1896', dept: 'K03', reason: 'Khát nhiều, tiểu nhiều, mệt mỏi', prelim: 'Đái tháo đường típ 2', services: [[GLU, 1], ['23.0083.1523', 0.5], ...LIPID, ...RENAL, [URINE, 0.4]], inpatient: 0.05, days: [4, 8], bed: 'K03.1917' },
  { key: 'lipids', main: ['E78.5', 'E78.2', 'E78.0'], ageMin: 30, ageMax: 85, weight: 2, exam: '02.1896', dept: 'K03', reason: 'Khám kiểm tra mỡ máu', prelim: 'Rối loạn lipid máu', services: [...LIPID, [GLU, 0.5], ...LIVER], inpatient: 0, days: [1, 1], bed: 'K03.1917' },
  { key: 'back_pain', main: ['M54.5', 'M54.2', 'M47.8', 'M51.1', 'M54.4'], ageMin: 25, ageMax: 90, weight: 6, exam: '02.1896', dept: 'K06', reason: 'Đau lưng, đau cổ vai gáy', prelim: 'Đau cột sống', services: [['18.0074.0028', 0.35]], inpatient: 0.02, days: [5, 10], bed: 'K03.1917', daycare: 0.12, procedures: [['17.0006.0248', 0.1], ['17.0023.0267', 0.1]] },
  { key: 'osteoarthritis', main: ['M17.9', 'M19.9', 'M15.9', 'M17.0'], ageMin: 45, ageMax: 95, weight: 4, exam: '02.1896', dept: 'K06', reason: 'Đau khớp gối, hạn chế vận động', prelim: 'Thoái hóa khớp', services: [['18.0090.0028', 0.2]], inpatient: 0, days: [1, 1], bed: 'K03.1917', daycare: 0.05 },
  { key: 'gout', main: ['M10.9'], ageMin: 35, ageMax: 85, sex: 'male', weight: 1, exam: '02.1896', dept: 'K06', reason: 'Sưng đau khớp ngón chân cái', prelim: 'Theo dõi gút', services: [['23.0162.1493', 0.9], ...RENAL], inpatient: 0, days: [1, 1], bed: 'K03.1917' },
  { key: 'uti', main: ['N39.0', 'N30.0'], ageMin: 15, ageMax: 90, sex: 'female', weight: 3, exam: '02.1896', dept: 'K03', reason: 'Tiểu buốt, tiểu rắt', prelim: 'Nhiễm khuẩn tiết niệu', services: [[URINE, 0.85], [CBC, 0.3]], inpatient: 0.03, days: [3, 6], bed: 'K03.1917' },
  { key: 'kidney_stone', main: ['N20.0', 'N20.1'], ageMin: 25, ageMax: 75, weight: 1.2, exam: '02.1896', dept: 'K03', reason: 'Đau hông lưng', prelim: 'Theo dõi sỏi tiết niệu', services: [[SAB, 0.9], [URINE, 0.6], ...RENAL], inpatient: 0.1, days: [3, 5], bed: 'K03.1917' },
  { key: 'skin', main: ['L20.9', 'L50.9', 'L30.9', 'L23.9', 'B35.4', 'B86', 'L01.0', 'B36.0'], ageMin: 0, ageMax: 95, weight: 4, exam: '05.1898', dept: 'K13', reason: 'Ngứa, nổi mẩn da', prelim: 'Viêm da', services: [], inpatient: 0, days: [1, 1], bed: 'K03.1917' },
  { key: 'wound', main: ['S61.0', 'S01.9', 'T14.1', 'S91.3', 'S00.9', 'S60.0', 'S93.4', 'S80.0'], ageMin: 3, ageMax: 85, weight: 5, exam: '10.1900', dept: 'K19', reason: 'Chấn thương do tai nạn', prelim: 'Vết thương phần mềm', services: [], inpatient: 0, days: [1, 1], bed: 'K19.1923', procedures: [['10.0912.0555', 0.5], ['03.3826.0211', 0.3]], supplies: ['N05.01.040', 'N02.01.030', 'N03.03.010'], accident: '1', emergency: 0.3 },
  { key: 'fracture', main: ['S52.5', 'S82.2', 'S42.0', 'S62.6', 'S22.3'], ageMin: 5, ageMax: 90, weight: 1, exam: '10.1900', dept: 'K24', reason: 'Đau, sưng, biến dạng chi sau ngã', prelim: 'Theo dõi gãy xương', services: [['18.0090.0028', 1], [CBC, 0.3]], inpatient: 0.3, days: [3, 8], bed: 'K19.1923', procedures: [['10.0586.0574', 0.8]], supplies: ['N07.01.010', 'N02.03.010'], accident: '2', transfer: 0.25, emergency: 0.5 },
  { key: 'antenatal', main: ['Z34.9', 'Z34.0', 'Z35.9', 'O21.0'], ageMin: 18, ageMax: 42, sex: 'female', weight: 3, exam: '13.1849', dept: 'K27', reason: 'Khám thai định kỳ', prelim: 'Thai kỳ', services: [['18.0016.0001', 0.9], [CBC, 0.5], [URINE, 0.6], [GLU, 0.3]], inpatient: 0, days: [1, 1], bed: 'K27.1924', facilities: ['commune_station', 'district_centre', 'specialised_hospital', 'polyclinic'] },
  { key: 'delivery', main: ['O80', 'O82'], ageMin: 19, ageMax: 41, sex: 'female', weight: 0.7, exam: '13.1849', dept: 'K27', reason: 'Đau bụng chuyển dạ', prelim: 'Chuyển dạ đẻ', services: [[CBC, 1], [URINE, 0.6]], inpatient: 1, days: [3, 6], bed: 'K27.1924', facilities: ['district_centre', 'specialised_hospital'], procedures: [['13.0124.0639', 1]], supplies: ['N03.05.010', 'N03.03.010', 'N05.01.040'] },
  { key: 'threatened_abortion', main: ['O20.0'], ageMin: 18, ageMax: 42, sex: 'female', weight: 0.3, exam: '13.1849', dept: 'K27', reason: 'Ra máu âm đạo khi có thai', prelim: 'Dọa sẩy thai', services: [['18.0016.0001', 1], [CBC, 0.7]], inpatient: 0.5, days: [3, 6], bed: 'K27.1924', facilities: ['district_centre', 'specialised_hospital'] },
  { key: 'eye', main: ['H10.9', 'H10.3', 'H25.9', 'H52.1', 'H11.0', 'H00.0'], ageMin: 3, ageMax: 95, weight: 2.5, exam: '14.1908', dept: 'K30', reason: 'Đỏ mắt, nhìn mờ', prelim: 'Bệnh lý mắt', services: [], inpatient: 0, days: [1, 1], bed: 'K03.1917' },
  { key: 'ent', main: ['H66.9', 'J32.9', 'J30.4', 'J35.0', 'H60.9'], ageMin: 2, ageMax: 90, weight: 2.5, exam: '15.1911', dept: 'K28', reason: 'Đau tai, nghẹt mũi', prelim: 'Bệnh lý tai mũi họng', services: [], inpatient: 0, days: [1, 1], bed: 'K03.1917' },
  { key: 'dental', main: ['K02.9', 'K04.0', 'K05.1', 'K05.3'], ageMin: 4, ageMax: 90, weight: 2, exam: '16.1915', dept: 'K29', reason: 'Đau răng, sưng lợi', prelim: 'Bệnh lý răng miệng', services: [], inpatient: 0, days: [1, 1], bed: 'K03.1917' },
  { key: 'dengue', main: ['A91', 'A90'], ageMin: 4, ageMax: 70, weight: 1, exam: '02.1896', dept: 'K11', reason: 'Sốt cao liên tục, đau mỏi người', prelim: 'Theo dõi sốt xuất huyết Dengue', services: [[CBC, 1], ['24.0144.1619', 0.8], ...LIVER], inpatient: 0.45, days: [3, 7], bed: 'K03.1917', supplies: ['N03.05.010'] },
  { key: 'child_viral', main: ['B08.4', 'B01.9', 'R50.9'], ageMin: 0, ageMax: 10, weight: 1.5, exam: '03.1870', dept: 'K18', reason: 'Sốt, phát ban', prelim: 'Theo dõi bệnh do virus', services: [[CBC, 0.5]], inpatient: 0.1, days: [3, 5], bed: 'K18.1917' },
  { key: 'health_check', main: ['Z00.0'], ageMin: 18, ageMax: 70, weight: 2.5, exam: '02.1896', dept: 'K01', reason: 'Khám sức khỏe định kỳ', prelim: 'Khám sức khỏe', services: [[CBC, 0.9], [GLU, 0.9], ...LIPID, ...LIVER, ...RENAL, [URINE, 0.8], [XQN, 0.7], [ECG, 0.5], [SAB, 0.5]], inpatient: 0, days: [1, 1], bed: 'K03.1917', selfPay: true, facilities: ['district_centre', 'provincial_hospital', 'private_clinic', 'polyclinic'] },
  { key: 'copd', main: ['J44.1', 'J44.0', 'J44.9'], ageMin: 50, ageMax: 95, weight: 1, exam: '02.1896', dept: 'K03', reason: 'Khó thở tăng, ho khạc đờm', prelim: 'Đợt cấp bệnh phổi tắc nghẽn mạn tính', services: [[CBC, 1], [XQN, 1], ['02.0305.1888', 0.2]], inpatient: 0.6, days: [5, 10], bed: 'K03.1917', procedures: [['01.0075.0209', 0.7]], transfer: 0.1 },
  { key: 'asthma', main: ['J45.9', 'J45.0'], ageMin: 5, ageMax: 85, weight: 1, exam: '02.1896', dept: 'K03', reason: 'Khó thở, khò khè', prelim: 'Cơn hen phế quản', services: [[XQN, 0.3]], inpatient: 0.15, days: [3, 6], bed: 'K03.1917', procedures: [['01.0075.0209', 0.6]] },
  { key: 'stroke', main: ['I63.9', 'I64', 'I61.9'], ageMin: 50, ageMax: 95, weight: 0.4, exam: '02.1896', dept: 'K14', reason: 'Yếu nửa người, nói khó', prelim: 'Theo dõi đột quỵ não', services: [[CBC, 1], [GLU, 1], ...LIPID, ...RENAL, [ECG, 1]], inpatient: 1, days: [7, 14], bed: 'K03.1917', facilities: ['provincial_hospital', 'district_centre'], transfer: 0.35, emergency: 0.9, supplies: ['N03.05.010', 'N03.02.020', 'N04.02.010'] },
  { key: 'angina', main: ['I20.9', 'I25.1', 'I25.9', 'I48'], ageMin: 50, ageMax: 95, weight: 0.8, exam: '02.1896', dept: 'K04', reason: 'Đau ngực, hồi hộp', prelim: 'Theo dõi bệnh tim thiếu máu cục bộ', services: [[ECG, 1], [CBC, 0.5], ...LIPID, [GLU, 0.6]], inpatient: 0.3, days: [4, 8], bed: 'K03.1917', transfer: 0.1 },
  { key: 'heart_failure', main: ['I50.9', 'I50.0', 'I11.9'], ageMin: 55, ageMax: 95, weight: 0.4, exam: '02.1896', dept: 'K04', reason: 'Khó thở khi gắng sức, phù chân', prelim: 'Suy tim', services: [[ECG, 1], [XQN, 1], ...RENAL, [CBC, 0.6]], inpatient: 0.7, days: [5, 10], bed: 'K03.1917' },
  { key: 'appendicitis', main: ['K35.8'], ageMin: 8, ageMax: 70, weight: 0.4, exam: '10.1900', dept: 'K19', reason: 'Đau bụng hố chậu phải', prelim: 'Theo dõi viêm ruột thừa cấp', services: [[CBC, 1], [SAB, 1]], inpatient: 1, days: [4, 7], bed: 'K19.1923', facilities: ['provincial_hospital', 'district_centre'], procedures: [['10.0411.0485', 1]], supplies: ['N03.05.010', 'N03.02.020', 'N05.01.040'], emergency: 0.8 },
  { key: 'vertigo', main: ['H81.1', 'R42', 'H81.3'], ageMin: 30, ageMax: 90, weight: 1.2, exam: '02.1896', dept: 'K03', reason: 'Chóng mặt, buồn nôn', prelim: 'Hội chứng tiền đình', services: [], inpatient: 0.05, days: [2, 4], bed: 'K03.1917' },
  { key: 'headache', main: ['G44.2', 'G43.9', 'R51', 'G47.0'], ageMin: 15, ageMax: 85, weight: 1, exam: '02.1896', dept: 'K14', reason: 'Đau đầu, mất ngủ', prelim: 'Đau đầu', services: [], inpatient: 0, days: [1, 1], bed: 'K03.1917' },
  { key: 'anaemia', main: ['D50.9', 'D64.9'], ageMin: 1, ageMax: 90, weight: 0.5, exam: '02.1896', dept: 'K03', reason: 'Mệt mỏi, hoa mắt', prelim: 'Theo dõi thiếu máu', services: [[CBC, 1]], inpatient: 0.05, days: [3, 5], bed: 'K03.1917' },
  { key: 'thyroid', main: ['E04.1', 'E03.9', 'E05.9', 'E04.2'], ageMin: 18, ageMax: 80, sex: 'female', weight: 0.6, exam: '02.1896', dept: 'K08', reason: 'Khám bướu cổ', prelim: 'Bệnh tuyến giáp', services: [['18.0014.0004', 0.9]], inpatient: 0, days: [1, 1], bed: 'K03.1917' },
  { key: 'liver', main: ['K76.0', 'B18.1', 'K74.6'], ageMin: 25, ageMax: 85, weight: 0.9, exam: '02.1896', dept: 'K05', reason: 'Mệt mỏi, đau tức hạ sườn phải', prelim: 'Theo dõi bệnh lý gan', services: [[SAB, 0.9], ...LIVER], inpatient: 0.03, days: [4, 8], bed: 'K03.1917' },
  { key: 'tb', main: ['A15.0', 'A16.2', 'A15.3'], ageMin: 18, ageMax: 85, weight: 0, exam: '02.1896', dept: 'K12', reason: 'Ho kéo dài, sút cân, sốt về chiều', prelim: 'Theo dõi lao phổi', services: [['24.0017.1714', 1], [XQN, 1], [CBC, 0.8], ...LIVER], inpatient: 0.4, days: [7, 20], bed: 'K12.1917', sensitive: 'tb', facilities: ['specialised_hospital', 'district_centre'] },
  { key: 'hiv', main: ['B24', 'Z21', 'B20.7'], ageMin: 18, ageMax: 65, weight: 0, exam: '02.1896', dept: 'K11', reason: 'Tái khám, lĩnh thuốc ARV', prelim: 'Nhiễm HIV', services: [[CBC, 0.4], ...LIVER, ...RENAL], inpatient: 0, days: [1, 1], bed: 'K03.1917', sensitive: 'hiv', facilities: ['district_centre'] },
  { key: 'mental', main: ['F32.1', 'F41.1', 'F41.2', 'F20.9', 'F51.0', 'F31.9', 'F32.0'], ageMin: 16, ageMax: 80, weight: 0, exam: '07.1901', dept: 'K15', reason: 'Mất ngủ, lo âu, buồn chán', prelim: 'Theo dõi rối loạn tâm thần', services: [[CBC, 0.3]], inpatient: 0.15, days: [10, 21], bed: 'K15.1917', sensitive: 'mental', facilities: ['specialised_hospital', 'district_centre'] },
];

export const SCENARIO_BY_KEY: ReadonlyMap<string, Scenario> = new Map(SCENARIOS.map((s) => [s.key, s]));
