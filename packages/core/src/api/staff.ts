// The signed-in staff member (GET /api/v1/staff/me), shared by the server and the staff and station web apps.

export type StaffRoleName =
  | 'system_admin' | 'health_officer' | 'facility_admin' | 'clinician' | 'receptionist'
  | 'station_head' | 'station_clinician' | 'station_nurse' | 'population_collaborator';

export interface StaffMe {
  id: string;
  username: string;
  name: string;
  role: StaffRoleName;
  facility_code: string | null;
  admin_unit_code: string | null;
  must_change_password: boolean;
  totp_enabled: boolean;
  /** The role must use TOTP (production policy): while not enrolled, only the enrolment screen is open. */
  totp_required: boolean;
  facility?: { code: string; name: string } | null;
  admin_unit?: { code: string; name: string; level: string } | null;
}
