import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Db, Schema } from '../db/index.ts';
import type { ImportIssue } from './import.ts';

export interface MpiImportTable {
  id: Generated<number>;
  file_name: string;
  file_sha256: string;
  source_system: string | null;
  mapping: Generated<unknown>;
  started_at: Generated<Date>;
  finished_at: Date | null;
  row_count: Generated<number>;
  accepted: Generated<number>;
  rejected: Generated<number>;
  warnings: Generated<number>;
  status: Generated<'running' | 'done' | 'failed'>;
}

export interface MpiImportIssueTable extends ImportIssue {
  id: Generated<number>;
  import_id: number;
}

export interface MpiReviewTable {
  id: Generated<number>;
  a_system: string;
  a_id: string;
  b_system: string;
  b_id: string;
  score: number;
  reasons: unknown;
  status: Generated<'pending' | 'merged' | 'separate'>;
  decided_by: string | null;
  decided_at: Date | null;
  created_at: Generated<Date>;
}

export interface MpiCorrectionTable {
  id: Generated<number>;
  person_id: string;
  field: string;
  from_value: string;
  to_value: string;
  reason_vi: string;
  reason_en: string;
  created_at: Generated<Date>;
}

export interface MpiMergeTable {
  id: Generated<number>;
  review_id: number | null;
  from_person: string;
  to_person: string;
  moved: ColumnType<unknown, string, string>;
  decided_by: string;
  decided_at: Generated<Date>;
  undone_by: string | null;
  undone_at: Date | null;
}

// A type alias, not an interface: withTables<T> needs an implicit index signature.
export type MpiTables = {
  mpi_import: MpiImportTable;
  mpi_import_issue: MpiImportIssueTable;
  mpi_review: MpiReviewTable;
  mpi_correction: MpiCorrectionTable;
  mpi_merge: MpiMergeTable;
};

export type MpiDb = Kysely<Schema & MpiTables>;

/** The shared Db type predates these tables; this widens it without touching db/tables.ts. */
export function mpiDb(db: Db): MpiDb {
  return db.withTables<MpiTables>();
}
