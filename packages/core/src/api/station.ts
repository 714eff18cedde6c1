// Response shapes of the commune station's household register API (server station/), shared by the
// server and the offline station app. Dates are 'YYYY-MM-DD', instants ISO 8601 strings (as sent).

export type HouseholdRelationKey = 'head' | 'spouse' | 'child' | 'child_in_law' | 'grandchild' | 'parent' | 'grandparent' | 'sibling' | 'other';
export type RegisterEventKind = 'birth' | 'death' | 'move_in' | 'move_out';
export type MemberJoinReason = 'population' | 'birth' | 'move_in';
export type MemberLeaveReason = 'death' | 'move_out' | 'moved_elsewhere' | 'population_list' | 'merged';

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

/** What the register shows of a person: identity and contact, nothing clinical. */
export interface PersonCard {
  id: string;
  ho_ten: string;
  ngay_sinh: string | null;
  gioi_tinh: number | null;
  so_cccd: string | null;
  so_bhyt: string | null;
  so_dien_thoai: string | null;
}

/** Phone and address the citizen declared in their book: kept beside the registry's, never over it. */
export interface DeclaredContact {
  so_dien_thoai: string | null;
  dia_chi: string | null;
  declared_at: string;
}

export interface MemberView extends PersonCard {
  /** Only in the household view; null when the citizen declared nothing. */
  citizen_contact?: DeclaredContact | null;
  membership_id: number;
  relation: HouseholdRelationKey | null;
  relation_label: string | null;
  joined_on: string | null;
  joined_reason: MemberJoinReason;
  left_on: string | null;
  left_reason: MemberLeaveReason | null;
  current: boolean;
  deceased_on: string | null;
}

export interface EventView {
  id: number;
  entry_id: string;
  kind: RegisterEventKind;
  occurred_on: string;
  person_id: string | null;
  person_name: string | null;
  household_id: number | null;
  recorded_by_name: string | null;
  recorded_at: string;
  client_recorded_at: string | null;
  /** What was recorded beyond the kind and date; clinical details (cause of death, birth weight) only for clinical roles. */
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
  /** The golden record places the person in this commune. */
  resident: boolean;
  household_id: number | null;
  household_code: string | null;
  hamlet: string | null;
  relation: string | null;
  relation_label: string | null;
  /** The station recorded the person's death. */
  deceased_on: string | null;
}

export interface SearchResult {
  total: number;
  page: number;
  page_size: number;
  /** How the free text was read: name, cccd, bhxh, phone (or none). */
  matched_by: 'name' | 'cccd' | 'bhxh' | 'phone' | 'none';
  hits: SearchHit[];
}

export interface StationPersonView {
  person: PersonCard & { dia_chi: string | null; ma_xa: string | null; resident: boolean; deceased_on: string | null; citizen_contact: DeclaredContact | null };
  memberships: Array<{
    membership_id: number;
    household_id: number;
    household_code: string;
    hamlet: string | null;
    commune_code: string;
    relation: HouseholdRelationKey | null;
    relation_label: string | null;
    joined_on: string | null;
    joined_reason: MemberJoinReason;
    left_on: string | null;
    left_reason: MemberLeaveReason | null;
    current: boolean;
  }>;
  events: EventView[];
}

export interface DayListPerson {
  person_id: string;
  ho_ten: string;
  ngay_sinh: string | null;
  so_dien_thoai: string | null;
}

export interface DayList {
  commune_code: string;
  on: string;
  days: number;
  /** false for collaborators and officers: hospital sections are left out, births carry no clinical detail. */
  clinical: boolean;
  appointments: Array<DayListPerson & { date: string | null; facility_code: string; facility_name: string | null; episode_id: number; diagnosis: string | null; icd10: string | null }> | null;
  discharges: Array<DayListPerson & { discharged_at: string | null; facility_code: string; facility_name: string | null; episode_id: number; diagnosis: string | null; outcome: number | null }> | null;
  referrals: Array<DayListPerson & { discharged_at: string | null; facility_code: string; facility_name: string | null; episode_id: number; diagnosis: string | null; plan: string | null; referral_no: string | null }> | null;
  births: Array<DayListPerson & { date: string; household_id: number | null; household_code: string | null; recorded_by_name: string | null; birth_weight_grams: number | null }>;
  follow_ups: Array<DayListPerson & { register: string; due_on: string }> | null;
}

/** One entry's answer from POST /api/v1/station/events and /events/batch. */
export interface StationEntryResult {
  entry_id: string | null;
  status: 'applied' | 'already_applied' | 'refused' | 'error';
  result?: Record<string, unknown>;
  error?: { code?: string; message_vi: string; message_en?: string };
}
