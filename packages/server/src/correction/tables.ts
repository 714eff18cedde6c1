import type { CorrectionKind, CorrectionResolution, CorrectionStatus } from '@openhssk/core/api';
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Db, Schema } from '../db/index.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type JsonText<T> = ColumnType<T, string | null, string | null>;

/** Migration 065; this module is the only writer. */
export interface CorrectionRequestTable {
  id: Generated<number>;
  person_id: string;
  kind: CorrectionKind;
  fields: Generated<string[]>;
  note: string;
  episode_id: number | null;
  facility_code: string | null;
  ma_lk: string | null;
  episode_version: number | null;
  episode_label: string | null;
  sensitive: Generated<boolean>;
  owner_kind: 'facility' | 'mpi';
  identity: Generated<boolean>;
  unit_code: string | null;
  status: Generated<CorrectionStatus>;
  assignee_id: string | null;
  assignee_name: string | null;
  due_on: string;
  resolution_kind: CorrectionResolution | null;
  resolution_ref: string | null;
  resolution_note: string | null;
  personal_before: JsonText<Record<string, string | null> | null>;
  created_by: string;
  created_by_name: string | null;
  on_behalf_of_child: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  closed_at: Timestamp | null;
  citizen_unread: Generated<boolean>;
}

export interface CorrectionEventTable {
  id: Generated<number>;
  request_id: number;
  person_id: string;
  at: Generated<Date>;
  actor_type: string;
  actor_id: string;
  actor_name: string | null;
  action: 'created' | 'taken' | 'status' | 'resolved' | 'rejected' | 'reopened';
  from_status: CorrectionStatus | null;
  to_status: CorrectionStatus | null;
  detail: JsonText<Record<string, unknown> | null>;
}

export interface CorrectionHolidayTable {
  day: string;
  name: string;
}

// A type alias, not an interface: withTables<T> needs an implicit index signature.
export type CorrectionTables = {
  correction_request: CorrectionRequestTable;
  correction_event: CorrectionEventTable;
  correction_holiday: CorrectionHolidayTable;
};

export type CorrectionDb = Kysely<Schema & CorrectionTables>;

export const correctionDb = (db: Db): CorrectionDb => db.withTables<CorrectionTables>();
