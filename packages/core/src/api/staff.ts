// The signed-in staff member (GET /api/v1/staff/me), shared by the server and the staff and station web apps.

export const STAFF_ROLES = [
  'system_admin', 'health_officer', 'facility_admin', 'clinician', 'receptionist',
  'station_head', 'station_clinician', 'station_nurse', 'population_collaborator',
] as const;
export type StaffRoleName = (typeof STAFF_ROLES)[number];

/**
 * Staff of a commune health station (QĐ 3532): trạm trưởng, y sĩ/bác sĩ, điều dưỡng/nữ hộ sinh,
 * cộng tác viên dân số. Their facility is a station, and the station's commune is their area.
 */
export const STATION_ROLES = ['station_head', 'station_clinician', 'station_nurse', 'population_collaborator'] as const satisfies readonly StaffRoleName[];
export type StationRole = (typeof STATION_ROLES)[number];
/** Roles that belong to one facility (the others work over an administrative area). */
export const FACILITY_ROLES: readonly StaffRoleName[] = ['facility_admin', 'clinician', 'receptionist', ...STATION_ROLES];
/**
 * Roles a facility admin may hand out: never admin roles, so no one can raise their own rights. A
 * station's own admin hands out its station roles (refused at a facility outside a commune).
 */
export const FACILITY_ADMIN_GRANTS: readonly StaffRoleName[] = ['clinician', 'receptionist', ...STATION_ROLES];
/** Station staff who read and write clinical data (the 831 record, check-ups, registers). */
export const STATION_CLINICAL_ROLES: readonly StaffRoleName[] = ['station_head', 'station_clinician', 'station_nurse'];
/** Station staff who may diagnose, enrol, decide proposals and end an enrolment. */
export const STATION_CLINICIAN_ROLES: readonly StaffRoleName[] = ['station_head', 'station_clinician'];

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
