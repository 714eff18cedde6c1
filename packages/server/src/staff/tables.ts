import type { StaffRoleName } from '@openhssk/core/api';
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Db, Schema } from '../db/index.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

// Role lists are shared with the web apps (@openhssk/core/api staff.ts).
export { FACILITY_ADMIN_GRANTS, FACILITY_ROLES, STAFF_ROLES, STATION_ROLES, type StationRole } from '@openhssk/core/api';
export type StaffRole = StaffRoleName;

export interface StaffAccountTable {
  id: string;
  username: string;
  full_name: string;
  role: StaffRole;
  facility_code: string | null;
  admin_unit_code: string | null;
  password_hash: string;
  must_change_password: Generated<boolean>;
  totp_secret: string | null;
  totp_enabled: Generated<boolean>;
  totp_last_step: ColumnType<number | null, number | null | undefined, number | null>;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  disabled_at: Timestamp | null;
  created_at: Generated<Date>;
  last_login_at: Timestamp | null;
}

export interface BreakGlassGrantTable {
  id: Generated<number>;
  person_id: string;
  staff_id: string;
  facility_code: string;
  reason: string;
  granted_at: Generated<Date>;
  expires_at: Timestamp;
}

export interface StaffSessionActivityTable {
  key: string;
  staff_id: string;
  last_seen_at: Timestamp;
}

export interface StaffLoginThrottleTable {
  client: string;
  window_start: Timestamp;
  failures: number;
}

// A type alias, not an interface: withTables<T> needs an implicit index signature.
export type StaffTables = {
  staff_account: StaffAccountTable;
  break_glass_grant: BreakGlassGrantTable;
  staff_session_activity: StaffSessionActivityTable;
  staff_login_throttle: StaffLoginThrottleTable;
};

export type StaffDb = Kysely<Schema & StaffTables>;

/** The shared Db typed with the tables of migrations 004 and 012 (kept out of db/tables.ts: this module owns them). */
export const staffDb = (db: Db): StaffDb => db.withTables<StaffTables>();
