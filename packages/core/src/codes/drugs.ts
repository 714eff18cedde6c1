/**
 * Common drugs for synthetic prescriptions. Codes imitate the MoH shared active-ingredient code
 * style ("40.xxx": group 40 then item number, strings); they are illustrative, not the official list.
 * Route codes follow the DUONG_DUNG list style ("1.01" oral ...), also unverified against QĐ 5937.
 */
export interface Drug {
  /** MA_THUOC. */
  code: string;
  /** TEN_THUOC (brand/generic as dispensed). */
  name: string;
  activeIngredient: string;
  /** HAM_LUONG. */
  strength: string;
  /** DON_VI_TINH. */
  unit: string;
  /** DUONG_DUNG code. */
  route: string;
  /** DANG_BAO_CHE. */
  form: string;
  /** Amount per dose in `unit`. */
  perDose: number;
  timesPerDay: number;
  /** Usual course length for acute use; chronic drugs are dispensed per visit (28–30 days). */
  days: number;
  /** CACH_DUNG. */
  usage: string;
  /** DON_GIA in VND. */
  price: number;
  /** SO_DANG_KY. */
  registration: string;
  /** ICD-10 prefixes the drug is prescribed for. */
  treats: ReadonlyArray<string>;
  /** Dispensed for the long-term treatment of a chronic condition. */
  chronic?: boolean;
  /** Funded by a national target programme (TB, HIV) rather than billed to the patient/insurance. */
  programme?: boolean;
}

export const ROUTES: Readonly<Record<string, string>> = {
  '1.01': 'Uống',
  '1.03': 'Ngậm',
  '2.10': 'Tiêm bắp',
  '2.15': 'Tiêm tĩnh mạch',
  '2.17': 'Tiêm truyền tĩnh mạch',
  '2.04': 'Tiêm dưới da',
  '3.01': 'Bôi ngoài da',
  '3.05': 'Nhỏ mắt',
  '3.06': 'Nhỏ mũi',
  '4.02': 'Hít / xịt họng',
  '4.04': 'Đặt âm đạo',
};

type Row = readonly [
  code: string, name: string, ingredient: string, strength: string, unit: string, route: string, form: string,
  perDose: number, timesPerDay: number, days: number, usage: string, price: number, treats: string, flags?: string,
];

const AFTER = 'Uống sau ăn';
const BEFORE = 'Uống trước ăn 30 phút';
const MORNING = 'Uống buổi sáng';

const RAW: ReadonlyArray<Row> = [
  // Cardiovascular
  ['40.473', 'Amlodipin 5mg', 'Amlodipin', '5mg', 'Viên', '1.01', 'Viên nén', 1, 1, 30, MORNING, 320, 'I10 I11 I12 I15 I20 I25', 'c'],
  ['40.478', 'Nifedipin Retard 20mg', 'Nifedipin', '20mg', 'Viên', '1.01', 'Viên nén giải phóng chậm', 1, 2, 30, AFTER, 650, 'I10 I11 I15', 'c'],
  ['40.520', 'Enalapril 5mg', 'Enalapril', '5mg', 'Viên', '1.01', 'Viên nén', 1, 2, 30, AFTER, 450, 'I10 I11 I12 I50 E11.2', 'c'],
  ['40.525', 'Losartan 50mg', 'Losartan kali', '50mg', 'Viên', '1.01', 'Viên nén bao phim', 1, 1, 30, MORNING, 890, 'I10 I11 I12 E11.2 N18', 'c'],
  ['40.530', 'Telmisartan 40mg', 'Telmisartan', '40mg', 'Viên', '1.01', 'Viên nén', 1, 1, 30, MORNING, 1250, 'I10 I11 I25', 'c'],
  ['40.495', 'Bisoprolol 2,5mg', 'Bisoprolol fumarat', '2,5mg', 'Viên', '1.01', 'Viên nén bao phim', 1, 1, 30, MORNING, 700, 'I10 I20 I25 I48 I50', 'c'],
  ['40.505', 'Metoprolol 50mg', 'Metoprolol tartrat', '50mg', 'Viên', '1.01', 'Viên nén', 1, 2, 30, AFTER, 980, 'I10 I20 I25 I47', 'c'],
  ['40.555', 'Hydroclorothiazid 25mg', 'Hydroclorothiazid', '25mg', 'Viên', '1.01', 'Viên nén', 1, 1, 30, MORNING, 240, 'I10 I11', 'c'],
  ['40.560', 'Furosemid 40mg', 'Furosemid', '40mg', 'Viên', '1.01', 'Viên nén', 1, 1, 10, MORNING, 180, 'I50 N18 I11', 'c'],
  ['40.565', 'Spironolacton 25mg', 'Spironolacton', '25mg', 'Viên', '1.01', 'Viên nén', 1, 1, 30, MORNING, 1100, 'I50 K74 K70', 'c'],
  ['40.590', 'Atorvastatin 20mg', 'Atorvastatin', '20mg', 'Viên', '1.01', 'Viên nén bao phim', 1, 1, 30, 'Uống buổi tối', 950, 'E78 I25 I63 I69 I20 E11', 'c'],
  ['40.595', 'Rosuvastatin 10mg', 'Rosuvastatin', '10mg', 'Viên', '1.01', 'Viên nén bao phim', 1, 1, 30, 'Uống buổi tối', 1500, 'E78 I25 I63', 'c'],
  ['40.600', 'Fenofibrat 200mg', 'Fenofibrat', '200mg', 'Viên', '1.01', 'Viên nang', 1, 1, 30, AFTER, 1800, 'E78.1 E78.2 E78.5', 'c'],
  ['40.455', 'Aspirin 81mg', 'Acid acetylsalicylic', '81mg', 'Viên', '1.01', 'Viên nén bao tan trong ruột', 1, 1, 30, AFTER, 210, 'I20 I25 I63 I69 I21', 'c'],
  ['40.460', 'Clopidogrel 75mg', 'Clopidogrel', '75mg', 'Viên', '1.01', 'Viên nén bao phim', 1, 1, 30, AFTER, 1650, 'I20 I21 I25 I63 I69', 'c'],
  ['40.440', 'Isosorbid mononitrat 60mg', 'Isosorbid mononitrat', '60mg', 'Viên', '1.01', 'Viên nén giải phóng kéo dài', 1, 1, 30, MORNING, 2100, 'I20 I25', 'c'],
  // Diabetes, thyroid
  ['40.670', 'Metformin 850mg', 'Metformin hydroclorid', '850mg', 'Viên', '1.01', 'Viên nén bao phim', 1, 2, 30, AFTER, 420, 'E11 E14 O24', 'c'],
  ['40.675', 'Gliclazid 30mg', 'Gliclazid', '30mg', 'Viên', '1.01', 'Viên nén giải phóng có kiểm soát', 1, 1, 30, 'Uống trước ăn sáng', 1300, 'E11 E14', 'c'],
  ['40.678', 'Glimepirid 2mg', 'Glimepirid', '2mg', 'Viên', '1.01', 'Viên nén', 1, 1, 30, 'Uống trước ăn sáng', 900, 'E11', 'c'],
  ['40.690', 'Insulin hỗn hợp 30/70', 'Insulin người tác dụng trung bình/nhanh', '100UI/ml x 10ml', 'Lọ', '2.04', 'Hỗn dịch tiêm', 1, 1, 30, 'Tiêm dưới da trước ăn 30 phút theo liều chỉ định', 115000, 'E10 E11.7 E11.2', 'c'],
  ['40.720', 'Levothyroxin 50mcg', 'Levothyroxin natri', '50mcg', 'Viên', '1.01', 'Viên nén', 1, 1, 30, 'Uống lúc đói buổi sáng', 650, 'E03', 'c'],
  ['40.725', 'Thiamazol 5mg', 'Thiamazol', '5mg', 'Viên', '1.01', 'Viên nén', 2, 2, 30, AFTER, 900, 'E05', 'c'],
  // Antibiotics, anti-infectives
  ['40.100', 'Amoxicilin 500mg', 'Amoxicilin', '500mg', 'Viên', '1.01', 'Viên nang', 1, 3, 7, AFTER, 650, 'J01 J02 J03 J04 J06 J18 J20 J32 J35 J44.0 J44.1 H66 N39 N30 L01 L02 L03 K05 K04'],
  ['40.105', 'Amoxicilin + Acid clavulanic 625mg', 'Amoxicilin; Acid clavulanic', '500mg + 125mg', 'Viên', '1.01', 'Viên nén bao phim', 1, 2, 7, AFTER, 4300, 'J01 J15 J18 J20 J32 J44.0 J44.1 H66 N10 L03 K81'],
  ['40.110', 'Amoxicilin 250mg (gói)', 'Amoxicilin', '250mg', 'Gói', '1.01', 'Thuốc bột pha hỗn dịch uống', 1, 3, 7, 'Pha với nước, uống sau ăn', 1100, 'J02 J03 J06 J18 J20 J21 H66'],
  ['40.120', 'Cefuroxim 500mg', 'Cefuroxim', '500mg', 'Viên', '1.01', 'Viên nén bao phim', 1, 2, 7, AFTER, 3900, 'J01 J15 J18 J20 J32 J44 N10 N39'],
  ['40.125', 'Cefixim 200mg', 'Cefixim', '200mg', 'Viên', '1.01', 'Viên nang', 1, 2, 7, AFTER, 2600, 'J02 J03 J20 N30 N39 A01 A03'],
  ['40.140', 'Ceftriaxon 1g', 'Ceftriaxon', '1g', 'Lọ', '2.15', 'Bột pha tiêm', 1, 1, 5, 'Tiêm tĩnh mạch chậm', 18500, 'J15 J18 N10 A01 K81 K35 P36'],
  ['40.160', 'Azithromycin 500mg', 'Azithromycin', '500mg', 'Viên', '1.01', 'Viên nén bao phim', 1, 1, 3, 'Uống trước ăn 1 giờ', 5200, 'J02 J03 J15 J18 J20 J40'],
  ['40.170', 'Ciprofloxacin 500mg', 'Ciprofloxacin', '500mg', 'Viên', '1.01', 'Viên nén bao phim', 1, 2, 7, AFTER, 780, 'N30 N39 N10 A03 A09 A02 N41'],
  ['40.180', 'Metronidazol 250mg', 'Metronidazol', '250mg', 'Viên', '1.01', 'Viên nén', 2, 3, 7, AFTER, 190, 'A06 A09 K05 N76 N70 K25 K29.5'],
  ['40.190', 'Clarithromycin 500mg', 'Clarithromycin', '500mg', 'Viên', '1.01', 'Viên nén bao phim', 1, 2, 14, AFTER, 4800, 'K25 K26 K29 J15'],
  ['40.210', 'Fluconazol 150mg', 'Fluconazol', '150mg', 'Viên', '1.01', 'Viên nang', 1, 1, 1, AFTER, 3500, 'B37 B35 B36 N76'],
  ['40.230', 'Acyclovir 800mg', 'Aciclovir', '800mg', 'Viên', '1.01', 'Viên nén', 1, 5, 7, AFTER, 2900, 'B01 B02'],
  ['40.245', 'Mebendazol 500mg', 'Mebendazol', '500mg', 'Viên', '1.01', 'Viên nén nhai', 1, 1, 1, 'Nhai kỹ rồi nuốt', 2200, 'B77'],
  ['40.260', 'Tenofovir 300mg', 'Tenofovir disoproxil fumarat', '300mg', 'Viên', '1.01', 'Viên nén bao phim', 1, 1, 30, AFTER, 6800, 'B18.1', 'c'],
  // TB and HIV (national programmes)
  ['40.270', 'Rifampicin + Isoniazid + Pyrazinamid + Ethambutol (4FDC)', 'Rifampicin; Isoniazid; Pyrazinamid; Ethambutol', '150mg + 75mg + 400mg + 275mg', 'Viên', '1.01', 'Viên nén bao phim', 3, 1, 30, 'Uống lúc đói buổi sáng', 2100, 'A15 A16 A17 A18 A19', 'cp'],
  ['40.275', 'Rifampicin + Isoniazid (2FDC)', 'Rifampicin; Isoniazid', '150mg + 75mg', 'Viên', '1.01', 'Viên nén bao phim', 3, 1, 30, 'Uống lúc đói buổi sáng', 1300, 'A15 A16 A17 A18 A19', 'cp'],
  ['40.285', 'Tenofovir + Lamivudin + Dolutegravir (TLD)', 'Tenofovir; Lamivudin; Dolutegravir', '300mg + 300mg + 50mg', 'Viên', '1.01', 'Viên nén bao phim', 1, 1, 30, 'Uống cùng giờ mỗi ngày', 5600, 'B20 B21 B22 B23 B24 Z21', 'c'],
  ['40.290', 'Cotrimoxazol 960mg', 'Sulfamethoxazol; Trimethoprim', '800mg + 160mg', 'Viên', '1.01', 'Viên nén', 1, 1, 30, AFTER, 600, 'B20 B21 B22 B23 B24 Z21 N39', 'c'],
  // Analgesics, anti-inflammatory, musculoskeletal
  ['40.010', 'Paracetamol 500mg', 'Paracetamol', '500mg', 'Viên', '1.01', 'Viên nén', 1, 3, 5, 'Uống khi sốt hoặc đau, cách nhau ít nhất 4 giờ', 150, 'J00 J02 J03 J06 J11 J18 J20 A90 A91 B01 B34 R50 R51 G44 M54 M79 S0 S2 S3 S4 S5 S6 S8 S9 T14 K04 U07 H66'],
  ['40.012', 'Paracetamol 250mg (gói)', 'Paracetamol', '250mg', 'Gói', '1.01', 'Thuốc bột sủi', 1, 3, 3, 'Hòa tan với nước, uống khi sốt trên 38,5 độ', 900, 'J00 J02 J06 J18 J20 J21 A09 B08 B01 R50 H66'],
  ['40.030', 'Meloxicam 7,5mg', 'Meloxicam', '7,5mg', 'Viên', '1.01', 'Viên nén', 1, 1, 10, AFTER, 250, 'M15 M17 M19 M47 M54 M06 M13 M75 M77 S83 S93'],
  ['40.035', 'Diclofenac 50mg', 'Diclofenac natri', '50mg', 'Viên', '1.01', 'Viên nén bao tan trong ruột', 1, 2, 7, AFTER, 190, 'M54 M79 M25 M75 S80 S93 S30 S20 M10'],
  ['40.040', 'Celecoxib 200mg', 'Celecoxib', '200mg', 'Viên', '1.01', 'Viên nang', 1, 1, 10, AFTER, 890, 'M15 M17 M19 M47 M51 M06'],
  ['40.050', 'Colchicin 1mg', 'Colchicin', '1mg', 'Viên', '1.01', 'Viên nén', 1, 1, 7, AFTER, 600, 'M10'],
  ['40.055', 'Allopurinol 300mg', 'Allopurinol', '300mg', 'Viên', '1.01', 'Viên nén', 1, 1, 30, AFTER, 450, 'M10 E79', 'c'],
  ['40.060', 'Eperison 50mg', 'Eperison hydroclorid', '50mg', 'Viên', '1.01', 'Viên nén bao đường', 1, 3, 10, AFTER, 600, 'M54 M47 M50 M51 M53 M79'],
  ['40.065', 'Glucosamin 500mg', 'Glucosamin sulfat', '500mg', 'Viên', '1.01', 'Viên nang', 1, 3, 30, AFTER, 900, 'M15 M17 M19'],
  ['40.070', 'Calci carbonat + Vitamin D3', 'Calci carbonat; Cholecalciferol', '1250mg + 125UI', 'Viên', '1.01', 'Viên nén', 1, 2, 30, AFTER, 1200, 'M81 E55 O99 Z34 Z35', 'c'],
  ['40.080', 'Methylprednisolon 16mg', 'Methylprednisolon', '16mg', 'Viên', '1.01', 'Viên nén', 1, 1, 5, 'Uống sau ăn sáng', 1900, 'J45 J44.1 L50 T78 L23 M06'],
  // Respiratory, allergy
  ['40.300', 'Salbutamol 100mcg/liều (bình xịt)', 'Salbutamol', '100mcg/liều x 200 liều', 'Bình', '4.02', 'Thuốc phun mù định liều', 2, 3, 30, 'Xịt họng khi khó thở, tối đa 8 nhát/ngày', 72000, 'J45 J44 J46', 'c'],
  ['40.305', 'Budesonid + Formoterol 160/4,5mcg', 'Budesonid; Formoterol', '160mcg + 4,5mcg/liều x 120 liều', 'Bình', '4.02', 'Thuốc bột để hít', 1, 2, 30, 'Hít 1 nhát/lần, súc miệng sau khi hít', 285000, 'J45 J44', 'c'],
  ['40.310', 'Salbutamol 2mg', 'Salbutamol', '2mg', 'Viên', '1.01', 'Viên nén', 1, 3, 5, AFTER, 120, 'J20 J21 J45 J44'],
  ['40.320', 'Acetylcystein 200mg', 'Acetylcystein', '200mg', 'Gói', '1.01', 'Thuốc bột uống', 1, 3, 5, 'Hòa tan với nước, uống sau ăn', 900, 'J20 J18 J40 J42 J44 J06 J15 J47 R05'],
  ['40.325', 'Ambroxol 30mg', 'Ambroxol hydroclorid', '30mg', 'Viên', '1.01', 'Viên nén', 1, 2, 5, AFTER, 300, 'J20 J40 J42 J44 R05 J18'],
  ['40.335', 'Loratadin 10mg', 'Loratadin', '10mg', 'Viên', '1.01', 'Viên nén', 1, 1, 7, 'Uống buổi tối', 250, 'J30 L50 L20 L23 T78 T63 H10 J31'],
  ['40.340', 'Cetirizin 10mg', 'Cetirizin dihydroclorid', '10mg', 'Viên', '1.01', 'Viên nén bao phim', 1, 1, 7, 'Uống buổi tối', 200, 'J30 L50 L20 L23 T78 J00 J06 B01 L30'],
  ['40.345', 'Natri clorid 0,9% nhỏ mũi', 'Natri clorid', '0,9% x 10ml', 'Lọ', '3.06', 'Dung dịch nhỏ mũi', 2, 3, 5, 'Nhỏ mỗi bên mũi 2 giọt/lần', 2500, 'J00 J01 J06 J30 J31 J32 J21'],
  // Digestive
  ['40.400', 'Omeprazol 20mg', 'Omeprazol', '20mg', 'Viên', '1.01', 'Viên nang tan trong ruột', 1, 2, 14, BEFORE, 350, 'K21 K25 K26 K29 K30 K92'],
  ['40.405', 'Esomeprazol 40mg', 'Esomeprazol', '40mg', 'Viên', '1.01', 'Viên nén bao tan trong ruột', 1, 1, 14, BEFORE, 2400, 'K21 K25 K26 K29'],
  ['40.410', 'Nhôm hydroxyd + Magnesi hydroxyd', 'Nhôm hydroxyd; Magnesi hydroxyd', '400mg + 800mg/10ml', 'Gói', '1.01', 'Hỗn dịch uống', 1, 3, 7, 'Uống khi đau, sau ăn 1 giờ', 2900, 'K21 K25 K26 K29 K30'],
  ['40.415', 'Domperidon 10mg', 'Domperidon', '10mg', 'Viên', '1.01', 'Viên nén', 1, 3, 5, BEFORE, 180, 'K30 R11 K29 O21 K21'],
  ['40.420', 'Oresol 245', 'Natri clorid; Kali clorid; Natri citrat; Glucose khan', '4,1g/gói', 'Gói', '1.01', 'Thuốc bột pha dung dịch uống', 1, 4, 3, 'Pha 1 gói với 200ml nước đun sôi để nguội, uống dần', 1200, 'A09 A08 A02 A03 A06 K52 E86'],
  ['40.425', 'Diosmectit 3g', 'Diosmectit', '3g', 'Gói', '1.01', 'Thuốc bột pha hỗn dịch uống', 1, 3, 3, 'Pha với nửa cốc nước, uống giữa các bữa ăn', 2700, 'A09 A08 K52 K58'],
  ['40.430', 'Kẽm gluconat 10mg', 'Kẽm gluconat', '10mg', 'Gói', '1.01', 'Thuốc cốm', 1, 1, 10, AFTER, 1800, 'A09 A08 E44'],
  ['40.435', 'Lactulose 10g', 'Lactulose', '10g/15ml', 'Gói', '1.01', 'Dung dịch uống', 1, 2, 7, 'Uống buổi sáng và tối', 3300, 'K59 K64 K74'],
  ['40.438', 'Drotaverin 40mg', 'Drotaverin hydroclorid', '40mg', 'Viên', '1.01', 'Viên nén', 1, 3, 5, AFTER, 300, 'K58 R10 N20 N94 K80 K30'],
  ['40.445', 'Silymarin 140mg', 'Silymarin', '140mg', 'Viên', '1.01', 'Viên nang', 1, 3, 30, AFTER, 1500, 'K76 K70 K74 B18'],
  // Nervous system, mental health
  ['40.800', 'Betahistin 16mg', 'Betahistin dihydroclorid', '16mg', 'Viên', '1.01', 'Viên nén', 1, 2, 10, AFTER, 900, 'H81 R42'],
  ['40.805', 'Piracetam 800mg', 'Piracetam', '800mg', 'Viên', '1.01', 'Viên nén bao phim', 1, 3, 30, AFTER, 700, 'I63 I69 I67 G45 F03'],
  ['40.810', 'Gabapentin 300mg', 'Gabapentin', '300mg', 'Viên', '1.01', 'Viên nang', 1, 2, 14, 'Uống buổi tối', 1100, 'G62 M54.4 M51 M50 E11.4 B02 G56'],
  ['40.815', 'Vitamin 3B (B1, B6, B12)', 'Thiamin; Pyridoxin; Cyanocobalamin', '125mg + 125mg + 250mcg', 'Viên', '1.01', 'Viên nén bao phim', 1, 2, 15, AFTER, 800, 'G62 M54 M47 M50 M51 E11.4 G51'],
  ['40.820', 'Natri valproat 500mg', 'Natri valproat', '500mg', 'Viên', '1.01', 'Viên nén bao tan trong ruột', 1, 2, 30, AFTER, 3100, 'G40 F31', 'c'],
  ['40.830', 'Olanzapin 10mg', 'Olanzapin', '10mg', 'Viên', '1.01', 'Viên nén bao phim', 1, 1, 30, 'Uống buổi tối', 2300, 'F20 F31', 'c'],
  ['40.835', 'Risperidon 2mg', 'Risperidon', '2mg', 'Viên', '1.01', 'Viên nén bao phim', 1, 2, 30, AFTER, 1200, 'F20 F84 F90', 'c'],
  ['40.840', 'Sertralin 50mg', 'Sertralin', '50mg', 'Viên', '1.01', 'Viên nén bao phim', 1, 1, 30, 'Uống buổi sáng sau ăn', 2600, 'F32 F33 F41 F43', 'c'],
  ['40.845', 'Mirtazapin 30mg', 'Mirtazapin', '30mg', 'Viên', '1.01', 'Viên nén bao phim', 1, 1, 30, 'Uống trước khi ngủ', 3600, 'F32 F33 F41.2 F51', 'c'],
  ['40.850', 'Diazepam 5mg', 'Diazepam', '5mg', 'Viên', '1.01', 'Viên nén', 1, 1, 7, 'Uống trước khi ngủ', 160, 'F41 F51 G47 F10'],
  ['40.855', 'Levodopa + Carbidopa 250/25mg', 'Levodopa; Carbidopa', '250mg + 25mg', 'Viên', '1.01', 'Viên nén', 1, 3, 30, 'Uống trước ăn 30 phút', 2900, 'G20', 'c'],
  // Eye, ENT, skin, gynaecology
  ['40.900', 'Tobramycin 0,3% nhỏ mắt', 'Tobramycin', '0,3% x 5ml', 'Lọ', '3.05', 'Dung dịch nhỏ mắt', 1, 4, 7, 'Nhỏ mắt 1 giọt/lần', 28000, 'H10 H00 T15'],
  ['40.905', 'Natri hyaluronat 0,1% nhỏ mắt', 'Natri hyaluronat', '0,1% x 5ml', 'Lọ', '3.05', 'Dung dịch nhỏ mắt', 1, 4, 30, 'Nhỏ mắt 1 giọt/lần', 52000, 'H11 H25 H52 H10'],
  ['40.910', 'Timolol 0,5% nhỏ mắt', 'Timolol maleat', '0,5% x 5ml', 'Lọ', '3.05', 'Dung dịch nhỏ mắt', 1, 2, 30, 'Nhỏ mắt 1 giọt/lần sáng và tối', 35000, 'H40', 'c'],
  ['40.920', 'Fusidic acid 2% kem', 'Acid fusidic', '2% x 15g', 'Tuýp', '3.01', 'Kem bôi da', 1, 2, 7, 'Bôi lớp mỏng lên vùng da tổn thương', 45000, 'L01 L02 L08 L03 S61 S91 T14.1 S01'],
  ['40.925', 'Clotrimazol 1% kem', 'Clotrimazol', '1% x 10g', 'Tuýp', '3.01', 'Kem bôi da', 1, 2, 14, 'Bôi lên vùng da bị nấm', 12000, 'B35 B36 B37'],
  ['40.930', 'Permethrin 5% kem', 'Permethrin', '5% x 30g', 'Tuýp', '3.01', 'Kem bôi da', 1, 1, 1, 'Bôi toàn thân buổi tối, tắm sau 8–12 giờ', 42000, 'B86'],
  ['40.935', 'Hydrocortison 1% kem', 'Hydrocortison acetat', '1% x 10g', 'Tuýp', '3.01', 'Kem bôi da', 1, 2, 7, 'Bôi lớp mỏng lên vùng da tổn thương', 15000, 'L20 L23 L30 L40 T23 T30 L50'],
  ['40.940', 'Povidon iod 10%', 'Povidon iod', '10% x 20ml', 'Lọ', '3.01', 'Dung dịch dùng ngoài', 1, 2, 5, 'Sát khuẩn vết thương', 9000, 'S0 S2 S3 S4 S5 S6 S8 S9 T14 T23 T30 L02 Z48'],
  ['40.950', 'Metronidazol + Neomycin + Nystatin (viên đặt)', 'Metronidazol; Neomycin; Nystatin', '500mg + 65.000UI + 100.000UI', 'Viên', '4.04', 'Viên nén đặt âm đạo', 1, 1, 10, 'Đặt âm đạo buổi tối trước khi ngủ', 4100, 'N76 N72 N70'],
  // Pregnancy, nutrition, blood
  ['40.960', 'Sắt fumarat + Acid folic', 'Sắt fumarat; Acid folic', '162mg + 0,75mg', 'Viên', '1.01', 'Viên nang', 1, 1, 30, 'Uống xa bữa ăn', 900, 'Z34 Z35 O99 D50 D64 O80 O82 Z39', 'c'],
  ['40.965', 'Vitamin C 500mg', 'Acid ascorbic', '500mg', 'Viên', '1.01', 'Viên nén', 1, 1, 10, AFTER, 160, 'A90 A91 J06 J00 D50 B34'],
  ['40.970', 'Oxytocin 5UI', 'Oxytocin', '5UI/1ml', 'Ống', '2.10', 'Dung dịch tiêm', 1, 1, 1, 'Tiêm bắp sau sổ thai', 6500, 'O80 O82'],
  // Infusions
  ['40.980', 'Natri clorid 0,9% 500ml', 'Natri clorid', '0,9% x 500ml', 'Chai', '2.17', 'Dung dịch tiêm truyền', 1, 2, 3, 'Truyền tĩnh mạch XL giọt/phút', 9800, 'A09 A90 A91 E86 J18 J15 K85 K92 N10 K35 O80 O82 S72 S82 I63 I64 I61 T62 K81'],
  ['40.985', 'Ringer lactat 500ml', 'Natri clorid; Kali clorid; Calci clorid; Natri lactat', '500ml', 'Chai', '2.17', 'Dung dịch tiêm truyền', 1, 1, 3, 'Truyền tĩnh mạch XXX giọt/phút', 11500, 'A09 A90 A91 E86 K85 K92 O80 O82 K35 T62'],
  ['40.990', 'Glucose 5% 500ml', 'Glucose', '5% x 500ml', 'Chai', '2.17', 'Dung dịch tiêm truyền', 1, 1, 3, 'Truyền tĩnh mạch XXX giọt/phút', 10500, 'E16 A09 J18 I50 K85 T62'],
];

export const DRUGS: ReadonlyArray<Drug> = RAW.map((r, i) => {
  const [code, name, activeIngredient, strength, unit, route, form, perDose, timesPerDay, days, usage, price, treats, flags] = r;
  const drug: Drug = {
    code, name, activeIngredient, strength, unit, route, form, perDose, timesPerDay, days, usage, price,
    // Registration numbers imitate the VD-xxxxx-yy pattern of domestic products.
    registration: `VD-${String(21000 + i * 137).padStart(5, '0')}-${String(18 + (i % 6)).padStart(2, '0')}`,
    treats: treats.split(' '),
  };
  if (flags?.includes('c')) drug.chronic = true;
  if (flags?.includes('p')) drug.programme = true;
  return drug;
});

const BY_CODE: ReadonlyMap<string, Drug> = new Map(DRUGS.map((d) => [d.code, d]));

export function drugByCode(code: string): Drug | undefined {
  return BY_CODE.get(code);
}

/** Drugs indicated for an ICD-10 code (prefix match on the canonical "X00.0" form). */
export function drugsFor(icd: string): Drug[] {
  const c = icd.trim().toUpperCase();
  return DRUGS.filter((d) => d.treats.some((p) => c.startsWith(p)));
}

/** LIEU_DUNG text in the "per dose * times/day * days" form the standard asks for outpatients. */
export function doseText(drug: Drug, days: number): string {
  const unit = drug.unit.toLocaleLowerCase('vi');
  return `${drug.perDose} ${unit}/lần * ${drug.timesPerDay} lần/ngày * ${days} ngày`;
}

/** Tender info TT_THAU "decision;package;group;year" for the synthetic provincial tender. */
export function tenderInfo(drug: Drug): string {
  return `1234/QĐ-SYT;G1;N${drug.route.startsWith('1') ? 4 : 2};2024`;
}
