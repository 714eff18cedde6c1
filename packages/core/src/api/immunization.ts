// Response shapes of the immunization registry's API (server: immunization/), shared by the server
// and the web app. Dates are 'yyyy-mm-dd'; instants are ISO strings as JSON carries them.

export type ImmDoseStatus = 'done' | 'due' | 'overdue' | 'not_yet_due' | 'invalid' | 'not_applicable';
export type ImmSeriesStatus = 'complete' | 'due' | 'overdue' | 'not_yet_due' | 'not_applicable';
export type ImmNextStatus = 'due' | 'overdue' | 'not_yet_due';

export interface ImmAntigen {
  code: string;
  name_vi: string;
  name_en: string;
}

/** One recorded dose as the book lists it. */
export interface ImmDoseView {
  id: number;
  vaccine_code: string | null;
  vaccine_name: string;
  product: { id: string; name_vi: string; name_en: string } | null;
  antigens: ImmAntigen[];
  dose_no: number | null;
  given_on: string;
  facility_code: string | null;
  facility_name: string | null;
  lot_no: string | null;
  route: string | null;
  body_site: string | null;
  reaction: string | null;
  source: string;
  /** Another record of the same real dose (another source, ±1 day): listed, counted once. */
  duplicate_of: number | null;
  /** False for a product the registry does not recognise: listed, not counted against the schedule. */
  recognised: boolean;
}

export interface ImmAntigenHistory {
  antigen: string;
  name_vi: string;
  name_en: string;
  doses: Array<{ id: number; given_on: string; vaccine_name: string; dose_no: number | null; facility_name: string | null }>;
}

export interface ImmNextDue {
  series: string;
  name_vi: string;
  name_en: string;
  dose: number;
  status: ImmNextStatus;
  date: string;
}

export interface ImmScheduleDose {
  dose: number;
  status: ImmDoseStatus;
  date: string | null;
  recommended_date: string | null;
  earliest_date: string | null;
  last_date: string | null;
  /** invalid: the rule that failed (min_age, min_interval, min_interval_after_chain); not_applicable: why. */
  reason: string | null;
  text_vi: string;
  text_en: string;
}

export interface ImmScheduleSeries {
  series: string;
  name_vi: string;
  name_en: string;
  status: ImmSeriesStatus;
  next_date: string | null;
  doses: ImmScheduleDose[];
}

export type ImmSchedule =
  | {
      evaluable: true;
      as_of: string;
      schedule_id: string;
      schedule_title_vi: string;
      next_due: ImmNextDue[];
      series: ImmScheduleSeries[];
    }
  | { evaluable: false; as_of: string; reason: { code: string; message_vi: string; message_en: string } };

/** The person's doses, by antigen, and the national schedule's view of them. */
export interface ImmVaccinationBook {
  vaccinations: ImmDoseView[];
  by_antigen: ImmAntigenHistory[];
  schedule: ImmSchedule;
}

export type ImmReactionSeverity = 'mild' | 'moderate' | 'severe';
export type ImmReactionStatus = 'new' | 'acknowledged' | 'closed';
export type ImmSlotStatus = 'requested' | 'scheduled' | 'done' | 'cancelled';

/** A reaction the citizen reported, as their book lists it. */
export interface ImmOwnReaction {
  id: number | string;
  vaccination_id: number | string;
  onset_on: string;
  severity: ImmReactionSeverity;
  symptoms: string[];
  detail: string | null;
  status: ImmReactionStatus;
  facility_code: string | null;
  staff_note: string | null;
  created_at: string | Date;
}

/** A slot request (đăng ký tiêm) as the citizen's book lists it. */
export interface ImmOwnSlotRequest {
  id: number | string;
  status: ImmSlotStatus;
  series: string[];
  note: string | null;
  staff_note?: string | null;
  created_at: string | Date;
  session_on: string | null;
  place: string | null;
}

/** GET /api/v1/book/vaccinations */
export interface BookVaccinations extends ImmVaccinationBook {
  reactions: ImmOwnReaction[];
  slot_requests: ImmOwnSlotRequest[];
  viewing_child: { name: string; relation: string } | null;
}

/** GET /api/v1/book/immunization/family */
export interface ImmFamily {
  persons: Array<{
    id: string;
    ho_ten: string;
    ngay_sinh: string | null;
    relation: string;
    doses_recorded: number;
    due: number;
    overdue: number;
    next_due: ImmNextDue[];
    evaluable: boolean;
  }>;
}

/** GET /api/v1/book/vaccinations/certificate */
export interface ImmCertificateLink {
  jws: string;
  verify_url: string;
  kid: string;
  /** The verification link as a QR code (data: URL of an SVG), as the PDF prints it. */
  qr: string;
}

/** POST /api/v1/book/vaccinations/{id}/reactions */
export interface ImmReactionInput {
  onset_on: string;
  symptoms: string[];
  severity: ImmReactionSeverity;
  detail?: string;
}

export interface ImmReactionCreated {
  id: number | string;
  status: ImmReactionStatus;
  severity: ImmReactionSeverity;
  routed_to: string | null;
  advice: { code: 'REPORT_SENT' | 'SEEK_CARE_NOW'; message_vi: string; message_en: string };
}

/** POST /api/v1/book/immunization/slot-requests */
export interface ImmSlotRequested {
  created: boolean;
  request: ImmOwnSlotRequest;
}

/** GET /api/v1/immunization/catalog (reference data, no login). */
export interface ImmCatalog {
  products: Array<{ id: string; name_vi: string; name_en: string; antigens: readonly string[]; programme: boolean; aliases: readonly string[] }>;
  routes: readonly string[];
  reaction_symptoms: Array<{ code: string; vi: string; en: string; serious: boolean }>;
}

/** POST /api/v1/immunization/verify (always 200). */
export type ImmVerification =
  | {
      valid: true;
      kid: string;
      issuer: string;
      issued_at: string;
      holder: { name: string; birth_date: string | null };
      doses: Array<{ date: string; antigens: ImmAntigen[]; dose_no: number | null; facility_code: string | null; facility_name: string | null }>;
    }
  | { valid: false; code: string; message_vi: string; message_en: string };

/** POST /api/v1/immunization/station/doses (one entry of …/batch). */
export interface ImmDoseEntry {
  entry_id: string;
  person_id: string;
  given_on: string;
  vaccine: string;
  dose_no?: number;
  lot_no?: string;
  route?: 'IM' | 'SC' | 'ID' | 'PO';
  body_site?: string;
  reaction?: string;
  client_recorded_at?: string;
}

/** GET /api/v1/immunization/persons/{personId} */
export interface ImmStationPerson extends ImmVaccinationBook {
  person: { id: string; ho_ten: string; ngay_sinh: string | null; gioi_tinh: number | null };
}

export interface ImmSession {
  id: number | string;
  session_on: string;
  place: string | null;
  note: string | null;
}

export interface ImmPlannedDose {
  series: string;
  name_vi: string;
  name_en: string;
  dose: number;
  status: 'due' | 'overdue';
  date: string;
}

/** GET /api/v1/immunization/plan */
export interface ImmPlan {
  commune: string;
  commune_name: string | null;
  month: string;
  as_of: string;
  schedule_id: string;
  population: { evaluated: number; birth_date_incomplete: number };
  by_series: Array<{ series: string; name_vi: string; name_en: string; dose: number; due: number; overdue: number }>;
  by_antigen: Array<{ antigen: string; name_vi: string; name_en: string; due: number; overdue: number }>;
  vaccine_needs: Array<{ product: string; name_vi: string; name_en: string; doses: number; wastageFactor: number; supplyDoses: number; dosesPerVial: number; vials: number; verified: boolean }>;
  sessions: ImmSession[];
  /** Null when the commune has no station site to hold stock. */
  stock_shortfalls: ImmStockShortfall[] | null;
  total: number;
  page: number;
  page_size: number;
  persons: Array<{
    person_id: string;
    ho_ten: string;
    ngay_sinh: string;
    gioi_tinh: number | null;
    dia_chi: string | null;
    so_dien_thoai: string | null;
    ma_ho_gia_dinh: string | null;
    group: 'child' | 'woman';
    guardian: { person_id: string; ho_ten: string; so_dien_thoai: string | null; relation: string } | null;
    doses: ImmPlannedDose[];
  }>;
}

/** GET /api/v1/immunization/slot-requests */
export interface ImmSlotRequestList {
  commune: string;
  requests: Array<{
    id: number | string;
    status: ImmSlotStatus;
    series: string[];
    note: string | null;
    staff_note: string | null;
    created_at: string | Date;
    session_id: number | string | null;
    session_on: string | null;
    person_id: string;
    ho_ten: string;
    ngay_sinh: string | null;
    so_dien_thoai: string | null;
    dia_chi: string | null;
  }>;
}

/** GET /api/v1/immunization/reactions */
export interface ImmReactionList {
  reports: Array<{
    id: number;
    status: ImmReactionStatus;
    severity: ImmReactionSeverity;
    symptoms: ImmAntigen[];
    onset_on: string;
    detail: string | null;
    created_at: string | Date;
    facility_code: string | null;
    commune_code: string | null;
    staff_note: string | null;
    handled_by_name: string | null;
    dose_id: number;
    vaccine_name: string;
    given_on: string;
    dose_no: number | null;
    lot_no: string | null;
    person_id: string;
    ho_ten: string;
    ngay_sinh: string | null;
    so_dien_thoai: string | null;
  }>;
}

/** GET /api/v1/immunization/stock: a vaccination site's stock, re-derived from receipts and recorded doses. */
export interface ImmStock {
  facility_code: string;
  facility_name: string | null;
  as_of: string;
  products: Array<{
    product: string;
    name_vi: string;
    received_doses: number;
    used_doses: number;
    wasted_doses: number;
    expired_doses: number;
    on_hand_doses: number;
    unstocked_doses: number;
    wastage_rate: number;
    opened_vial_rule: { keep: 'session' } | { keep: 'days'; days: number };
  }>;
  lots: Array<{
    receipt_id: number;
    product: string;
    lot_no: string;
    expires_on: string;
    received_on: string;
    doses_per_vial: number;
    vials: number;
    used_doses: number;
    wasted_doses: number;
    expired_doses: number;
    on_hand_doses: number;
    open_vial: { opened_on: string; left: number } | null;
  }>;
  alerts: Array<{ receipt_id: number; product: string; lot_no: string; expires_on: string; kind: 'expired' | 'expiring'; on_hand_doses: number; expired_doses: number }>;
}

/** The month plan's stock check: products whose planned supply exceeds the valid stock on hand. */
export interface ImmStockShortfall {
  product: string;
  name_vi: string;
  needed_doses: number;
  on_hand_doses: number;
  short_doses: number;
}

/** One coverage indicator: numerator over the MPI population of the cohort. */
export interface ImmCoverageIndicator {
  numerator: number;
  denominator: number;
  /** One decimal; null when the cohort is empty. */
  percent: number | null;
}

export interface ImmCoverageValues {
  hepb_birth_24h: ImmCoverageIndicator;
  fully_immunized_u1: ImmCoverageIndicator;
  mr_by_24m: ImmCoverageIndicator;
}

/** GET /api/v1/immunization/coverage */
export interface ImmCoverage {
  unit: { code: string; name: string; level: string };
  month: string;
  /** Birth months (first, last) of each indicator's cohort. */
  cohorts: { hepb_birth_24h: readonly [string, string]; fully_immunized_u1: readonly [string, string]; mr_by_24m: readonly [string, string] };
  total: ImmCoverageValues;
  /** The units directly under this one (drill-down). */
  rows: Array<ImmCoverageValues & { code: string; name: string; level: string; communes: number; stale_communes: number }>;
  /** When the oldest commune's figures were built; communes waiting for a rebuild. */
  oldest_refresh: string | null;
  stale_communes: number;
}

/** GET /api/v1/immunization/due: who is due or overdue on a day in a province, district or commune (cached engine output, migration 079). */
export interface ImmDueList {
  unit: { code: string; name: string; level: string };
  on: string;
  schedule_id: string;
  status: 'all' | 'due' | 'overdue';
  group: 'all' | 'children' | 'women';
  /** Persons with at least one dose open, and open doses per series/dose and per antigen, in the whole unit. */
  total: { persons: number; due: number; overdue: number };
  by_series: Array<{ series: string; name_vi: string; name_en: string; dose: number; due: number; overdue: number }>;
  by_antigen: Array<{ antigen: string; name_vi: string; name_en: string; due: number; overdue: number }>;
  /** One row per unit directly under the unit (drill-down); a commune's own row when the unit is a commune. */
  rows: Array<{ code: string; name: string; level: string; persons: number; due: number; overdue: number; by_series: Array<{ series: string; dose: number; due: number; overdue: number }> }>;
  /** Oldest computation date among the rows counted (the scheduled refresh rebuilds each commune at least daily). */
  computed_from: string | null;
  persons: Array<{
    person_id: string;
    ho_ten: string;
    ngay_sinh: string;
    gioi_tinh: number | null;
    commune_code: string;
    dia_chi: string | null;
    so_dien_thoai: string | null;
    group: 'child' | 'woman';
    guardian: { person_id: string; ho_ten: string; so_dien_thoai: string | null; relation: string } | null;
    doses: Array<ImmPlannedDose & { due_on: string; overdue_on: string | null; last_on: string | null }>;
  }>;
  /** Keyset cursor of the next page; null on the last page. */
  next: string | null;
}
