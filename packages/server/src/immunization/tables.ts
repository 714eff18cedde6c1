import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Db, Schema } from '../db/index.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Migration 006's table as extended by migration 023; this module is its only writer. */
export interface VaccinationTable {
  id: Generated<number>;
  person_id: string;
  vaccine_code: string | null;
  vaccine_name: string;
  dose_no: number | null;
  /** 'yyyy-mm-dd' (date columns arrive as text, db/types.ts). */
  given_on: string;
  facility_code: string | null;
  lot_no: string | null;
  reaction: string | null;
  source: string;
  created_at: Generated<Date>;
  antigens: Generated<string[]>;
  product_id: string | null;
  source_record_id: string | null;
  person_source_system: string | null;
  person_source_id: string | null;
  facility_ref: string | null;
  route: string | null;
  body_site: string | null;
  recorded_by: string | null;
  recorded_by_name: string | null;
  entry_id: string | null;
  duplicate_of: number | null;
  import_id: number | null;
  content_hash: string | null;
  updated_at: Generated<Date>;
}

export interface ImmImportTable {
  id: Generated<number>;
  file_name: string;
  file_sha256: string;
  source_system: string;
  mapping: string;
  started_at: Generated<Date>;
  finished_at: Timestamp | null;
  row_count: Generated<number>;
  accepted: Generated<number>;
  rejected: Generated<number>;
  inserted: Generated<number>;
  updated: Generated<number>;
  unchanged: Generated<number>;
  duplicates: Generated<number>;
  warnings: Generated<number>;
  status: Generated<'running' | 'done' | 'failed'>;
}

export interface ImmImportIssueTable {
  id: Generated<number>;
  import_id: number;
  line: number;
  field: string;
  code: string;
  severity: 'error' | 'warning';
  message_vi: string;
  message_en: string;
}

export interface ImmSessionTable {
  id: Generated<number>;
  commune_code: string;
  session_on: string;
  place: string | null;
  note: string | null;
  created_by: string;
  created_at: Generated<Date>;
}

export type ReactionSeverity = 'mild' | 'moderate' | 'severe';
export type ReactionStatus = 'new' | 'acknowledged' | 'closed';

export interface ImmReactionReportTable {
  id: Generated<number>;
  vaccination_id: number;
  person_id: string;
  facility_code: string | null;
  commune_code: string | null;
  onset_on: string;
  severity: ReactionSeverity;
  symptoms: string[];
  detail: string | null;
  reported_by: string;
  status: Generated<ReactionStatus>;
  handled_by: string | null;
  handled_by_name: string | null;
  handled_at: Timestamp | null;
  staff_note: string | null;
  created_at: Generated<Date>;
}

export type SlotStatus = 'requested' | 'scheduled' | 'done' | 'cancelled';

export interface ImmSlotRequestTable {
  id: Generated<number>;
  person_id: string;
  commune_code: string;
  session_id: number | null;
  series: string[];
  note: string | null;
  requested_by: string;
  status: Generated<SlotStatus>;
  handled_by: string | null;
  handled_at: Timestamp | null;
  staff_note: string | null;
  created_at: Generated<Date>;
}

/** Migration 027: vaccine receipts of a site (the only stored stock facts). */
export interface ImmStockReceiptTable {
  id: Generated<number>;
  facility_code: string;
  product_id: string;
  lot_no: string;
  expires_on: string;
  doses_per_vial: number;
  vials: number;
  received_on: string;
  supplier: string | null;
  note: string | null;
  entry_id: string | null;
  content_hash: string | null;
  recorded_by: string;
  recorded_by_name: string;
  created_at: Generated<Date>;
}

// A type alias, not an interface: withTables<T> needs an implicit index signature.
export type ImmunizationTables = {
  vaccination: VaccinationTable;
  imm_import: ImmImportTable;
  imm_import_issue: ImmImportIssueTable;
  imm_session: ImmSessionTable;
  imm_reaction_report: ImmReactionReportTable;
  imm_slot_request: ImmSlotRequestTable;
  imm_stock_receipt: ImmStockReceiptTable;
};

export type ImmDb = Kysely<Schema & ImmunizationTables>;

/** The shared Db typed with this module's tables (migrations 006, 023 and 027). */
export const immDb = (db: Db): ImmDb => db.withTables<ImmunizationTables>();
