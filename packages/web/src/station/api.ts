import { ApiProblem, api } from '../api.ts';

export { ApiProblem };

/**
 * Shapes of the answers the station app reads (server: station/ and primary-care/ routes). Written
 * out here because the web app may use only the browser-safe core entry points; the form itself
 * (sections, fields, code lists, measures, registers) is data from GET /api/v1/primary-care/form.
 */

export type Role =
  | 'system_admin' | 'health_officer' | 'facility_admin' | 'clinician' | 'receptionist'
  | 'station_head' | 'station_clinician' | 'station_nurse' | 'population_collaborator';

export interface StaffMe {
  id: string;
  username: string;
  name: string;
  role: Role;
  facility_code: string | null;
  admin_unit_code: string | null;
  must_change_password: boolean;
  totp_enabled: boolean;
  totp_required: boolean;
  facility?: { code: string; name: string } | null;
  admin_unit?: { code: string; name: string; level: string } | null;
}

export const STATION_ROLES: readonly Role[] = ['station_head', 'station_clinician', 'station_nurse', 'population_collaborator'];
/** Who reads and writes clinical data (the 831 record, check-ups, registers). */
export const CLINICAL_ROLES: readonly Role[] = ['station_head', 'station_clinician', 'station_nurse'];
/** Who may diagnose, enrol and decide proposals. */
export const CLINICIAN_ROLES: readonly Role[] = ['station_head', 'station_clinician'];

// ---- the 831 form as data ----

export type FieldType =
  | { kind: 'text'; maxLength: number }
  | { kind: 'code'; list: string }
  | { kind: 'codes'; list: string }
  | { kind: 'number'; min: number; max: number; decimals: number; unit: string }
  | { kind: 'integer'; min: number; max: number; unit?: string }
  | { kind: 'boolean' }
  | { kind: 'date'; partial: boolean }
  | { kind: 'icd10' }
  | { kind: 'phone' }
  | { kind: 'email' };

export interface FieldDef {
  key: string;
  label_vi: string;
  type: FieldType;
  required?: boolean;
  requiredWhen?: { field: string; in: readonly string[] };
  contact?: boolean;
}

export interface Applicability {
  sex?: 1 | 2;
  minAge?: number;
  maxAge?: number;
  label_vi: string;
}

export interface SectionDef {
  key: string;
  part: 'I' | 'II' | 'III';
  label_vi: string;
  kind: 'single' | 'list';
  fields: readonly FieldDef[];
  appliesTo?: Applicability;
  requiredFor?: Applicability;
  filledWhen?: readonly string[];
  sumChecks?: ReadonlyArray<{ parts: readonly string[]; total: string; message_vi: string }>;
}

export interface CodeList {
  id: string;
  label_vi: string;
  verified: boolean;
  codes: Readonly<Record<string, string>>;
}

export interface Measure {
  label_vi: string;
  unit: string;
  min: number;
  max: number;
  decimals: number;
}

export type ControlRule =
  | { kind: 'blood_pressure'; sbpBelow: number; dbpBelow: number }
  | { kind: 'glycaemia'; hba1cBelow: number; fastingMin: number; fastingMax: number }
  | { kind: 'no_exacerbation' }
  | { kind: 'symptom_control'; controlled: readonly string[] };

export type FollowUpMeasure = 'sbp' | 'dbp' | 'glucose_mmol' | 'glucose_kind' | 'hba1c' | 'exacerbations' | 'symptom_control';

export interface RegisterDef {
  key: string;
  label_vi: string;
  icd10Categories: readonly string[];
  followUpIntervalDays: number;
  requiredAnyOf: ReadonlyArray<readonly FollowUpMeasure[]>;
  control: ControlRule;
  verified: boolean;
}

export interface FormData831 {
  sections: SectionDef[];
  code_lists: Record<string, CodeList>;
  registers: RegisterDef[];
  measures: Record<string, Measure>;
  organ_systems: Record<string, string>;
  vision_special: Record<string, string>;
}

export type FieldValue = string | number | boolean | string[];

export interface FieldView {
  value: FieldValue | null;
  entry_id: string;
  recorded_at: string;
  recorded_by: { id: string; name: string | null; role: string };
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

export interface Enrolment {
  id: number;
  register: string;
  status: 'proposed' | 'active' | 'declined' | 'closed' | string;
  source: string;
  icd10: string;
  icd10_name: string | null;
  label_vi: string;
  enrolled_on: string | null;
  last_visit_date: string | null;
  last_control: string | null;
  next_due: string | null;
  follow_ups: FollowUpRow[];
}

export interface Completeness {
  required: string[];
  filled: string[];
  missing: string[];
  complete: boolean;
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
  reason: 'superseded' | 'conflict';
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

// ---- household register ----

export interface RegisterSummary {
  commune_code: string;
  commune_name: string | null;
  built_at: string | null;
  households: number;
  members: number;
  hamlets: Array<{ hamlet: string | null; hamlet_key: string | null; households: number; members: number }>;
  can_write: boolean;
  clinical: boolean;
}

export interface HouseholdSummary {
  id: number;
  household_code: string;
  hamlet: string | null;
  address: string | null;
  head_person_id: string | null;
  head_name: string | null;
  members: number;
  dissolved_on: string | null;
}

export interface MemberView {
  membership_id: number;
  id: string;
  ho_ten: string;
  ngay_sinh: string | null;
  gioi_tinh: number | null;
  so_cccd: string | null;
  so_bhyt: string | null;
  so_dien_thoai: string | null;
  relation: string | null;
  relation_label: string | null;
  joined_on: string | null;
  joined_reason: string;
  left_on: string | null;
  left_reason: string | null;
  current: boolean;
  deceased_on: string | null;
}

export interface EventView {
  id: number;
  entry_id: string;
  kind: 'birth' | 'death' | 'move_in' | 'move_out';
  occurred_on: string;
  person_id: string | null;
  person_name: string | null;
  household_id: number | null;
  recorded_by_name: string | null;
  recorded_at: string;
  details: Record<string, unknown>;
}

export interface HouseholdView extends HouseholdSummary {
  commune_code: string;
  origin: 'population' | 'station';
  members_current: MemberView[];
  members_past: MemberView[];
  events: EventView[];
}

export interface SearchHit {
  person_id: string;
  ho_ten: string;
  ngay_sinh: string | null;
  gioi_tinh: number | null;
  so_cccd: string | null;
  so_bhyt: string | null;
  so_dien_thoai: string | null;
  resident: boolean;
  household_id: number | null;
  household_code: string | null;
  hamlet: string | null;
  relation: string | null;
  relation_label: string | null;
  deceased_on: string | null;
}

export interface SearchResult {
  total: number;
  page: number;
  page_size: number;
  matched_by: 'name' | 'cccd' | 'bhxh' | 'phone' | 'none';
  hits: SearchHit[];
}

export interface StationPersonView {
  person: { id: string; ho_ten: string; ngay_sinh: string | null; gioi_tinh: number | null; so_cccd: string | null; so_bhyt: string | null; so_dien_thoai: string | null; dia_chi: string | null; ma_xa: string | null; resident: boolean; deceased_on: string | null };
  memberships: Array<{ membership_id: number; household_id: number; household_code: string; hamlet: string | null; relation: string | null; relation_label: string | null; current: boolean; joined_on: string | null; left_on: string | null }>;
  events: EventView[];
}

interface DayListPerson {
  person_id: string;
  ho_ten: string;
  ngay_sinh: string | null;
  so_dien_thoai: string | null;
}

export interface DayList {
  commune_code: string;
  on: string;
  days: number;
  clinical: boolean;
  appointments: Array<DayListPerson & { episode_id: number; date: string | null; facility_name: string | null; diagnosis: string | null; icd10: string | null }> | null;
  discharges: Array<DayListPerson & { episode_id: number; discharged_at: string | null; facility_name: string | null; diagnosis: string | null }> | null;
  referrals: Array<DayListPerson & { episode_id: number; discharged_at: string | null; facility_name: string | null; diagnosis: string | null; plan: string | null }> | null;
  births: Array<DayListPerson & { date: string; household_id: number | null; household_code: string | null; recorded_by_name: string | null; birth_weight_grams: number | null }>;
  follow_ups: Array<DayListPerson & { register: string; due_on: string }> | null;
}

// ---- sync answers ----

export interface ValueVersion {
  value: FieldValue | null;
  entry_id: string;
  recorded_at: string;
  recorded_by: string;
  recorded_role: string;
  facility_code: string;
}

export interface FieldConflict {
  section: string;
  item_id: string;
  field: string;
  kept: ValueVersion;
  lost: ValueVersion;
  entry_won: boolean;
}

export interface PcEntryResult {
  entryId: string;
  kind: string;
  status: 'applied' | 'already_applied' | 'conflict' | 'refused';
  outcome?: Record<string, unknown>;
  conflicts?: FieldConflict[];
  error?: { code: string; message_vi: string; issues?: Array<{ field: string; message_vi: string }> };
}

export interface StationEntryResult {
  entry_id: string | null;
  status: 'applied' | 'already_applied' | 'refused' | 'error';
  result?: Record<string, unknown>;
  error?: { code?: string; message_vi: string };
}

// ---- calls ----

export const get = <T,>(path: string) => api<T>(path);
export const post = <T,>(path: string, body: unknown = {}) => api<T>(path, { method: 'POST', body: JSON.stringify(body) });

/** A failed fetch (no network, server unreachable) as opposed to an answer from the server. */
export const isNetworkError = (e: unknown) => !(e instanceof ApiProblem) || e.status === 502 || e.status === 503 || e.status === 504;
