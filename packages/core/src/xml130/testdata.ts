/**
 * Deterministic, valid episode tables for tests, benchmarks and demos. Every value passes
 * validateEpisode for the given facility; tests break single fields to exercise one rule.
 */
export type EpisodeTables = Record<string, Array<Record<string, string>>>;

function money(n: number): string {
  return n.toFixed(2);
}

export function sampleEpisode(i: number, facilityCode = '01001', opts: { drugs?: number; services?: number } = {}): EpisodeTables {
  const maLk = `${facilityCode}24${String(i).padStart(6, '0')}`;
  const drugs = opts.drugs ?? 3;
  const services = opts.services ?? 4;
  const ngayVao = '202403011000';
  const ngayRa = '202403051530';
  const xml2: Array<Record<string, string>> = [];
  let tThuoc = 0;
  for (let d = 1; d <= drugs; d++) {
    const amount = 1000 * d + 0.5;
    tThuoc += amount;
    xml2.push({
      MA_LK: maLk, STT: String(d), MA_THUOC: `40.${d}`, MA_NHOM: '4', TEN_THUOC: `Paracetamol ${d} & co <500mg>`, DON_VI_TINH: 'viên',
      HAM_LUONG: '500mg', DUONG_DUNG: '1.01', LIEU_DUNG: '1 viên * 2 lần * 3 ngày', SO_DANG_KY: 'VD-1234-20', TT_THAU: 'QD1;G1;N1;2024',
      PHAM_VI: '1', TYLE_TT_BH: '100', SO_LUONG: '1', DON_GIA: money(amount), THANH_TIEN_BV: money(amount), THANH_TIEN_BH: money(amount),
      T_NGUONKHAC_NSNN: '0', T_NGUONKHAC_VTNN: '0', T_NGUONKHAC_VTTN: '0', T_NGUONKHAC_CL: '0', T_NGUONKHAC: '0', MUC_HUONG: '80',
      T_BNTT: '0', T_BNCCT: money(amount * 0.2), T_BHTT: money(amount * 0.8), MA_KHOA: 'K01', MA_BAC_SI: '000123/HNO', MA_DICH_VU: '13.0001.0001',
      NGAY_YL: '202403021000', MA_PTTT: '1', NGUON_CTRA: '1',
    });
  }
  const xml3: Array<Record<string, string>> = [];
  let tVtyt = 0;
  let tDv = 0;
  for (let s = 1; s <= services; s++) {
    const supply = s % 2 === 0;
    const amount = 20000 * s;
    if (supply) tVtyt += amount;
    else tDv += amount;
    xml3.push({
      MA_LK: maLk, STT: String(s), MA_DICH_VU: supply ? '' : `01.000${s}.1778`, MA_VAT_TU: supply ? `N03.02.0${s}0` : '', MA_NHOM: supply ? '10' : '1',
      TEN_VAT_TU: supply ? 'Bơm tiêm 5ml' : '', TEN_DICH_VU: supply ? '' : 'Khám Nội', DON_VI_TINH: supply ? 'cái' : 'lần', PHAM_VI: '1',
      SO_LUONG: '1', DON_GIA_BV: money(amount), DON_GIA_BH: money(amount), TT_THAU: supply ? 'QD2;G2;N1;2024' : '', TYLE_TT_DV: '100',
      TYLE_TT_BH: '100', THANH_TIEN_BV: money(amount), THANH_TIEN_BH: money(amount), MUC_HUONG: '80', T_NGUONKHAC_NSNN: '0',
      T_NGUONKHAC_VTNN: '0', T_NGUONKHAC_VTTN: '0', T_NGUONKHAC_CL: '0', T_NGUONKHAC: '0', T_BNTT: '0', T_BNCCT: money(amount * 0.2),
      T_BHTT: money(amount * 0.8), MA_KHOA: 'K01', MA_BAC_SI: '000123/HNO', NGUOI_THUC_HIEN: '000123/HNO', MA_BENH: 'J18.9',
      NGAY_YL: '202403011100', NGAY_TH_YL: '202403011130', MA_PTTT: '1',
    });
  }
  const tong = tThuoc + tVtyt + tDv;
  const xml1: Record<string, string> = {
    MA_LK: maLk, STT: String(i), MA_BN: `BN${i}`, HO_TEN: 'Nguyễn Văn An', SO_CCCD: '001085123456', NGAY_SINH: '198506150000', GIOI_TINH: '1',
    MA_QUOCTICH: '000', MA_DANTOC: '01', MA_NGHE_NGHIEP: '00000', DIA_CHI: 'Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội', MATINH_CU_TRU: '01',
    MAHUYEN_CU_TRU: '001', MAXA_CU_TRU: '00001', MA_THE_BHYT: 'DN4010123456789', MA_DKBD: '01001', GT_THE_TU: '20240101', GT_THE_DEN: '20241231',
    LY_DO_VV: 'Sốt cao', CHAN_DOAN_VAO: 'Viêm phổi', CHAN_DOAN_RV: 'Viêm phổi; tăng huyết áp', MA_BENH_CHINH: 'J18.9', MA_BENH_KT: 'I10;E11.9',
    MA_DOITUONG_KCB: '1.1', NGAY_VAO: ngayVao, NGAY_VAO_NOI_TRU: '202403011200', NGAY_RA: ngayRa, SO_NGAY_DTRI: '5', KET_QUA_DTRI: '1',
    MA_LOAI_RV: '1', T_THUOC: money(tThuoc), T_VTYT: money(tVtyt), T_TONGCHI_BV: money(tong), T_TONGCHI_BH: money(tong), T_BNTT: '0',
    T_BNCCT: money(tong * 0.2), T_BHTT: money(tong - tong * 0.2), T_NGUONKHAC: '0', T_BHTT_GDV: '0', NAM_QT: '2024', THANG_QT: '03',
    MA_LOAI_KCB: '03', MA_KHOA: 'K01', MA_CSKCB: facilityCode, CAN_NANG: '60.50', MA_HSBA: `HS${i}`,
  };
  const tables: EpisodeTables = { XML1: [xml1] };
  if (drugs > 0) tables['XML2'] = xml2;
  if (services > 0) tables['XML3'] = xml3;
  tables['XML5'] = [{ MA_LK: maLk, STT: '1', DIEN_BIEN_LS: 'Bệnh nhân tỉnh, sốt 39°C', THOI_DIEM_DBLS: '202403011300', NGUOI_THUC_HIEN: '000123/HNO' }];
  return tables;
}

export function sampleCheckinRow(facilityCode = '01001'): Record<string, string> {
  return {
    MA_LK: `${facilityCode}24000001`, STT: '1', MA_BN: 'BN1', HO_TEN: 'Trần Thị Bình', SO_CCCD: '001185123456', NGAY_SINH: '198501010000',
    GIOI_TINH: '2', MA_THE_BHYT: 'HT2010123456789', MA_DOITUONG_KCB: '1.1', NGAY_VAO: '202403011000', MA_LOAI_KCB: '01',
    MA_CSKCB: facilityCode, MA_DICH_VU: '01.0001.1778', TEN_DICH_VU: 'Khám Nội', NGAY_YL: '202403011015',
  };
}
