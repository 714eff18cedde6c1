import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** Timestamps: written as Date or ISO string, read as Date. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T extends object | null> = JSONColumnType<T, string, string>;

export interface AdminUnitTable {
  code: string;
  level: 'province' | 'district' | 'commune';
  name: string;
  parent_code: string | null;
  valid_from: string | null;
  valid_to: string | null;
}

export interface FacilityTable {
  code: string;
  name: string;
  level: string | null;
  admin_unit_code: string | null;
  bhyt_contract: Generated<boolean>;
  test_mode: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface FacilityCredentialTable {
  client_id: string;
  facility_code: string;
  secret_hash: string;
  created_at: Generated<Date>;
  revoked_at: Timestamp | null;
}

export interface FacilityCertificateTable {
  id: Generated<number>;
  facility_code: string;
  fingerprint256: string;
  subject: string;
  cert_pem: string;
  not_before: Timestamp;
  not_after: Timestamp;
  uploaded_at: Generated<Date>;
  revoked_at: Timestamp | null;
}

export interface PersonTable {
  id: string;
  ho_ten: string;
  name_key: string;
  ngay_sinh: string | null;
  birth_year: number | null;
  gioi_tinh: number | null;
  so_cccd: string | null;
  so_bhyt: string | null;
  bhxh: string | null;
  bhyt_valid_from: string | null;
  bhyt_valid_to: string | null;
  bhyt_facility_code: string | null;
  so_dien_thoai: string | null;
  dia_chi: string | null;
  ma_xa: string | null;
  ma_ho_gia_dinh: string | null;
  quality_flags: Generated<string[]>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface PersonRelationTable {
  /** The child. */
  person_id: string;
  /** The parent or guardian. */
  related_person_id: string;
  relation: 'parent' | 'guardian';
  /** population_relation | household_age | staff_confirmed | demo (migration 017). */
  source: string;
  created_at: Generated<Date>;
  proof_type: 'birth_certificate' | 'court_decision' | 'guardianship_registration' | null;
  proof_number: string | null;
  note: string | null;
  /** Staff account that confirmed or removed the relation; a derivation never rewrites such a row. */
  decided_by: string | null;
  decided_at: Timestamp | null;
  /** Removed by staff: kept so a derivation cannot add it again. */
  removed_at: Timestamp | null;
  removal_reason: string | null;
}

export interface SourceRecordTable {
  source_system: string;
  source_id: string;
  ho_ten: string | null;
  ngay_sinh: string | null;
  gioi_tinh: string | null;
  so_cccd: string | null;
  so_bhyt: string | null;
  so_dien_thoai: string | null;
  dia_chi: string | null;
  ma_xa: string | null;
  ma_ho_gia_dinh: string | null;
  quan_he_chu_ho: string | null;
  content_hash: string;
  person_id: string | null;
  link_rule: string | null;
  link_score: number | null;
  import_id: number | null;
  /** Blocking keys for incremental linking (core matchKeys); null until normalized (migration 019). */
  match_keys: string[] | null;
  updated_at: Generated<Date>;
}

export interface SubmissionTable {
  id: string;
  facility_code: string;
  channel: string;
  received_at: Generated<Date>;
  sha256: string;
  size_bytes: number;
  idempotency_key: string | null;
  status: string;
  episode_count: number;
  accepted_count: number;
  warning_count: number;
  rejected_count: number;
  receipt: Json<Record<string, unknown>>;
}

export interface SubmissionRawTable {
  submission_id: string;
  raw: string;
}

export interface EpisodeTable {
  id: Generated<number>;
  facility_code: string;
  ma_lk: string;
  version: number;
  is_current: boolean;
  submission_id: string;
  person_id: string | null;
  patient_source_id: string;
  status: string;
  ma_bn: string;
  ho_ten: string;
  so_cccd: string | null;
  ma_the_bhyt: string | null;
  ngay_sinh: string | null;
  gioi_tinh: number | null;
  ma_loai_kcb: string;
  /** Local wall-clock time 'YYYY-MM-DD HH:MM:SS' (XML 130 instants carry no zone). */
  ngay_vao: string;
  ngay_vao_noi_tru: string | null;
  ngay_ra: string | null;
  ma_benh_chinh: string | null;
  ma_benh_kt: string | null;
  chan_doan_vao: string | null;
  chan_doan_rv: string | null;
  ket_qua_dtri: number | null;
  ma_loai_rv: number | null;
  t_tongchi_bv: number | null;
  t_bhtt: number | null;
  t_bncct: number | null;
  t_bntt: number | null;
  sensitivity: Generated<string[]>;
  content_sha256: string;
  xml1: Json<Record<string, unknown>>;
  issues: Json<unknown[]>;
  received_at: Generated<Date>;
}

export interface EpisodeRowTable {
  episode_id: number;
  person_id: string | null;
  tbl: string;
  row_no: number;
  fields: Json<Record<string, string>>;
  extra: Json<Record<string, string>> | null;
}

/** Ingest's (facility, MA_LK) directory: the person of the current episode (migration 087). */
export interface EpisodeKeyTable {
  facility_code: string;
  ma_lk: string;
  person_id: string | null;
}

export interface AuditEventTable {
  id: Generated<number>;
  at: Generated<Date>;
  actor_type: string;
  actor_id: string;
  actor_name: string | null;
  actor_role: string | null;
  facility_code: string | null;
  person_id: string | null;
  action: string;
  resource: string | null;
  break_glass: Generated<boolean>;
  request_id: string | null;
  detail: Json<Record<string, unknown>> | null;
}

export interface CitizenAccountTable {
  subject: string;
  person_id: string | null;
  consent_at: Timestamp | null;
  consent_withdrawn_at: Timestamp | null;
  created_at: Generated<Date>;
  last_login_at: Timestamp | null;
}

export interface SessionTable {
  id_hash: string;
  kind: string;
  subject: string;
  data: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
  expires_at: Timestamp;
}

export interface AppStateTable {
  key: string;
  value: Json<Record<string, unknown> | unknown[]>;
  updated_at: Generated<Date>;
}

export interface DevIdpAccountTable {
  personal_id: string;
  password_hash: string;
  identity_level: number;
  ho_ten: string;
  ngay_sinh: string | null;
  gioi_tinh: string | null;
  created_at: Generated<Date>;
}

export interface VisitTable {
  id: Generated<number>;
  facility_code: string;
  ma_lk: string;
  person_id: string | null;
  patient_source_id: string;
  ho_ten: string;
  so_cccd: string | null;
  ma_the_bhyt: string | null;
  ma_loai_kcb: string | null;
  ngay_vao: string;
  id_method: string;
  status: 'open' | 'closed';
  checkin: Json<Record<string, unknown>>;
  /** XML0 check-ins only: the message carried a signature of an approved certificate. */
  signature_verified: Generated<boolean>;
  received_at: Generated<Date>;
  closed_at: Timestamp | null;
  episode_id: number | null;
}

export interface Schema {
  admin_unit: AdminUnitTable;
  facility: FacilityTable;
  facility_credential: FacilityCredentialTable;
  facility_certificate: FacilityCertificateTable;
  person: PersonTable;
  person_relation: PersonRelationTable;
  source_record: SourceRecordTable;
  submission: SubmissionTable;
  submission_raw: SubmissionRawTable;
  episode: EpisodeTable;
  episode_row: EpisodeRowTable;
  episode_key: EpisodeKeyTable;
  audit_event: AuditEventTable;
  citizen_account: CitizenAccountTable;
  session: SessionTable;
  app_state: AppStateTable;
  dev_idp_account: DevIdpAccountTable;
  visit: VisitTable;
}
