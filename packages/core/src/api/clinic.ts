// Response shapes of the clinic check-in API, shared by the server and the staff web app.

export interface IdentityCard {
  person_id: string;
  ho_ten: string;
  ngay_sinh: string | null;
  gioi_tinh: number | null;
  so_cccd: string | null;
  so_bhyt: string | null;
  bhyt_valid_from: string | null;
  bhyt_valid_to: string | null;
  bhyt_facility_code: string | null;
  bhyt_facility_name: string | null;
  /** valid / expired / none, judged on today's Vietnam date. */
  bhyt_status: 'valid' | 'expired' | 'none';
}
