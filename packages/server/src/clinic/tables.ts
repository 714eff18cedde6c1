import type { ColumnType, Generated } from 'kysely';
import type { Db } from '../db/index.ts';
import { staffDb } from '../staff/index.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Migration 013: unusual break-glass use by one clinician, listed to the facility admin. */
export interface BreakGlassAlertTable {
  id: Generated<number>;
  facility_code: string;
  staff_id: string;
  /** Grants by this clinician at this facility in the window when the alert was last updated. */
  grants: number;
  window_hours: number;
  first_grant_at: Timestamp;
  last_grant_at: Timestamp;
  created_at: Generated<Date>;
}

// A type alias, not an interface: withTables<T> needs an implicit index signature.
export type ClinicTables = { break_glass_alert: BreakGlassAlertTable };

/** The shared Db with the staff tables (break_glass_grant, staff_account) and the clinic's own. */
export const clinicDb = (db: Db) => staffDb(db).withTables<ClinicTables>();
