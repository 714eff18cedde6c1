// Response shapes of the primary-care API (server primary-care/: the 831 record, check-ups,
// registers, sync), shared by the server and the offline station app. The form's own shapes are
// core's `/primary-care` definitions (types only here, so the web app stays on browser-safe entries).
import type { Applicability, CodeList, Completeness, ControlRule, FieldDef, FieldType, FieldValue, FollowUpMeasure, Measure, RegisterDef, SectionDef } from '../primary-care/index.ts';

export type { Applicability, CodeList, Completeness, ControlRule, FieldDef, FieldType, FieldValue, FollowUpMeasure, Measure, RegisterDef, SectionDef };

export interface CloseReasonDef {
  key: string;
  label_vi: string;
  label_en: string;
  noteRequired: boolean;
}

/** GET /api/v1/primary-care/form: the 831 form, code lists, registers, ranges and closing reasons as data. */
export interface FormData831 {
  sections: readonly SectionDef[];
  code_lists: Readonly<Record<string, CodeList>>;
  registers: readonly RegisterDef[];
  measures: Readonly<Record<string, Measure>>;
  organ_systems: Readonly<Record<string, string>>;
  vision_special: Readonly<Record<string, string>>;
  close_reasons: readonly CloseReasonDef[];
}

export interface Recorder {
  id: string;
  name: string | null;
  role: string;
}

/** One value of the 831 record with who recorded it, where and when (ISO instant). */
export interface FieldView {
  value: FieldValue | null;
  entry_id: string;
  recorded_at: string;
  recorded_by: Recorder;
  facility: { code: string; name: string | null };
}

export interface ItemView {
  item_id: string;
  removed: boolean;
  sensitivity: string | null;
  fields: Record<string, FieldView>;
}

export interface SectionView {
  key: string;
  label_vi: string;
  kind: 'single' | 'list';
  fields: Record<string, FieldView>;
  items: ItemView[];
  none: FieldView | null;
}

export interface Checkup {
  id: number;
  entry_id: string;
  examined_on: string;
  recorded_at: string;
  recorded_by_name: string | null;
  recorded_role: string;
  facility_name: string | null;
  pulse: number | null;
  sbp: number | null;
  dbp: number | null;
  temperature: number | null;
  height_cm: number | null;
  weight_kg: number | null;
  waist_cm: number | null;
  bmi: number | null;
  vision_right: string | null;
  vision_left: string | null;
  diagnoses: Array<{ code: string; name: string | null }>;
  diagnosis_text: string | null;
  advice: string | null;
  exam: Array<{ system: string; label_vi: string; note: string }>;
}

export interface FollowUpRow {
  id: number;
  entry_id: string;
  visit_date: string;
  sbp: number | null;
  dbp: number | null;
  pulse: number | null;
  glucose_mmol: number | null;
  glucose_kind: string | null;
  hba1c: number | null;
  weight_kg: number | null;
  medicines: Array<{ name: string; quantity: number | null; unit: string | null; days: number | null }>;
  adherence: string | null;
  control: 'controlled' | 'uncontrolled' | 'unknown';
  next_due: string;
  note: string | null;
  recorded_by_name: string | null;
  recorded_at: string;
}

export type EnrolmentStatus = 'proposed' | 'active' | 'declined' | 'closed';
/** A clinician's closing reason (FormData831.close_reasons) or 'merged' (an MPI merge found the person enrolled twice). */
export type CloseReason = string;

export interface Enrolment {
  id: number;
  register: string;
  status: EnrolmentStatus;
  source: string;
  icd10: string;
  icd10_name: string | null;
  label_vi: string;
  enrolled_on: string | null;
  last_visit_date: string | null;
  last_control: string | null;
  next_due: string | null;
  closed_on: string | null;
  close_reason: CloseReason | null;
  close_note: string | null;
  follow_ups: FollowUpRow[];
}

export interface PrimaryCarePerson {
  person: { id: string; ho_ten: string; ngay_sinh: string | null; gioi_tinh: number | null; ma_xa: string | null; age: number | null; basis: string };
  record: SectionView[];
  completeness: Completeness;
  checkups: Checkup[];
  registers: Enrolment[];
}

export interface HistoryRow {
  id: number;
  section: string;
  item_id: string;
  field: string;
  value: FieldValue | null;
  entry_id: string;
  recorded_at: string;
  recorded_by: string;
  recorded_by_name: string | null;
  recorded_role: string;
  /** superseded: edited on top; conflict: lost a concurrent edit; merged: lost to the other person's value in an MPI merge. */
  reason: 'superseded' | 'conflict' | 'merged';
  archived_at: string;
}

export interface RegisterRow {
  id: number;
  person_id: string;
  ho_ten: string;
  ngay_sinh: string | null;
  gioi_tinh: number | null;
  dia_chi: string | null;
  status: string;
  source: string;
  icd10: string;
  icd10_name: string | null;
  enrolled_on: string | null;
  proposed_at: string | null;
  last_visit_date: string | null;
  last_control: string | null;
  next_due: string | null;
  overdue: boolean;
  episode: { facility_name: string | null; ngay_vao: string | null; ngay_ra: string | null } | null;
}

export type RegisterListKind = 'overdue' | 'uncontrolled' | 'due' | 'active' | 'proposed';

/** One side of a concurrent edit of an 831 field. */
export interface ValueVersion {
  value: FieldValue | null;
  entry_id: string;
  recorded_at: string;
  recorded_by: string;
  recorded_role: string;
  facility_code: string;
}

/** A concurrent edit resolved by last writer (client time, then entry id): both values, which won. */
export interface FieldConflict {
  section: string;
  item_id: string;
  field: string;
  kept: ValueVersion;
  lost: ValueVersion;
  /** true: this entry's value won and the stored one went to history; false: this entry's value is in history. */
  entry_won: boolean;
}

export type PcEntryKind = 'record' | 'checkup' | 'followup' | 'enrolment';
export type PcEntryStatus = 'applied' | 'already_applied' | 'conflict' | 'refused';

/** One entry's answer from POST /api/v1/primary-care/sync. */
export interface PcEntryResult {
  entryId: string;
  kind: PcEntryKind;
  status: PcEntryStatus;
  /** What the entry produced (ids, computed values); for a replay, what the first application produced. */
  outcome?: Record<string, unknown> | undefined;
  /** Concurrent edits this entry met: both values, the one kept and the one moved to history. */
  conflicts?: FieldConflict[] | undefined;
  error?: { code: string; message_vi: string; message_en: string; issues?: Array<{ field: string; code?: string; message_vi: string; message_en?: string }> | undefined } | undefined;
}

/** One value the station recorded, as the citizen's book shows it: text, who, role, station, when. */
export interface BookStationValue {
  field: string;
  label_vi: string;
  value: FieldValue | null;
  text: string;
  recorded_at: string;
  recorded_by: string | null;
  recorded_role: string;
  facility_name: string;
}

/**
 * GET /api/v1/book/primary-care: what the commune station recorded (`professional`, source
 * 'station') beside the citizen's own declarations (`self_declared`, source 'citizen'), never merged.
 */
export interface BookPrimaryCare {
  professional: {
    source: 'station';
    sections: Array<{ key: string; label_vi: string; fields: BookStationValue[]; items: Array<{ item_id: string; fields: BookStationValue[] }>; none: BookStationValue | null }>;
    checkups: Array<{
      id: number;
      examined_on: string;
      facility_name: string;
      recorded_by: string | null;
      recorded_role: string;
      sbp: number | null;
      dbp: number | null;
      pulse: number | null;
      height_cm: number | null;
      weight_kg: number | null;
      bmi: number | null;
      diagnoses: Array<{ code: string; name: string | null }>;
      diagnosis_text: string | null;
      advice: string | null;
    }>;
    registers: Array<{
      register: string;
      label_vi: string;
      status: EnrolmentStatus;
      icd10: string;
      icd10_name: string | null;
      enrolled_on: string | null;
      facility_name: string | null;
      next_due: string | null;
      last_control: string | null;
      trend: Array<{ date: string; sbp: number | null; dbp: number | null; glucose_mmol: number | null; hba1c: number | null; control: string }>;
    }>;
    hidden_sensitive: number;
  };
  self_declared: { source: 'citizen'; declarations: unknown[] };
}
