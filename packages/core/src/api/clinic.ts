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
  /**
   * Judged on today's Vietnam date from the latest card data received (XML0/XML1, card list):
   * unknown when no validity was ever received — never "valid" by default.
   */
  bhyt_status: 'valid' | 'expired' | 'not_yet_valid' | 'unknown' | 'none';
}
