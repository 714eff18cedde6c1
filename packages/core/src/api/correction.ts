/** Correction requests ("Báo thông tin sai", issue 18 item 4): shapes shared by server and web. */

export type CorrectionKind = 'not_mine' | 'wrong_clinical' | 'wrong_personal';
export type CorrectionStatus = 'new' | 'in_progress' | 'resolved' | 'rejected';
export type CorrectionResolution = 'resent' | 'mpi_decision' | 'golden_field';
/** Personal data fields a citizen can say are wrong. */
export type CorrectionPersonalField = 'ho_ten' | 'ngay_sinh' | 'gioi_tinh' | 'so_cccd' | 'so_bhyt' | 'so_dien_thoai' | 'dia_chi';
/** Clinical data of a visit a citizen can say is wrong. */
export type CorrectionClinicalField = 'diagnosis' | 'medicine' | 'service' | 'result' | 'dates' | 'other';

export interface CorrectionEventView {
  at: string;
  action: 'created' | 'taken' | 'status' | 'resolved' | 'rejected' | 'reopened';
  /** Who acted, as the citizen may see it: the citizen, the facility (by name) or the MPI officer's unit. */
  actor: string;
  from_status: CorrectionStatus | null;
  to_status: CorrectionStatus | null;
  note: string | null;
}

export interface CitizenCorrection {
  id: number;
  kind: CorrectionKind;
  fields: string[];
  note: string;
  episode_label: string | null;
  status: CorrectionStatus;
  due_on: string;
  created_at: string;
  updated_at: string;
  /** Who handles it, as the citizen may see it. */
  handled_by: string;
  resolution_kind: CorrectionResolution | null;
  /** The outcome in words (resolution or refusal reason). */
  outcome: string | null;
  unread: boolean;
  history: CorrectionEventView[];
}

export interface CitizenCorrections {
  requests: CitizenCorrection[];
  unread: number;
  viewing_child: { name: string; relation: string } | null;
}

export interface StaffCorrection {
  id: number;
  kind: CorrectionKind;
  fields: string[];
  note: string;
  status: CorrectionStatus;
  owner_kind: 'facility' | 'mpi';
  identity: boolean;
  facility_code: string | null;
  facility_name: string | null;
  unit_code: string | null;
  assignee_name: string | null;
  due_on: string;
  overdue: boolean;
  created_at: string;
  on_behalf_of_child: boolean;
  person: { id: string; ho_ten: string; ngay_sinh: string | null; ma_xa: string | null };
  episode: { id: number; ma_lk: string; version: number; label: string | null } | null;
  /** A version of the visit the facility sent after the request: the request can be resolved by it. */
  newer_version: { episode_id: number; version: number; received_at: string; still_this_person: boolean } | null;
  personal_before: Record<string, string | null> | null;
  resolution_kind: CorrectionResolution | null;
  resolution_ref: string | null;
  resolution_note: string | null;
  /** What this staff member may do: facility resolutions (resent) or MPI ones (mpi_decision, golden_field). */
  can: { take: boolean; resolve: CorrectionResolution[]; reject: boolean };
}

export interface StaffCorrectionDetail extends StaffCorrection {
  history: Array<CorrectionEventView & { actor_type: string }>;
}
