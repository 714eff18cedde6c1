// Response shapes of the citizen book API, shared by the server and the web app.

export interface EpisodeSummary {
  id: number;
  facility_code: string;
  facility_name: string | null;
  ma_lk: string;
  version: number;
  ma_loai_kcb: string;
  care_group: CareGroup;
  ngay_vao: string;
  ngay_ra: string | null;
  ma_benh_chinh: string | null;
  ten_benh_chinh: string | null;
  chan_doan_rv: string | null;
  ket_qua_dtri: number | null;
  sensitivity: string[];
}

export type CareGroup = 'outpatient' | 'inpatient' | 'day_care' | 'other';
