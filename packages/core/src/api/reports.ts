// Response shapes of the reports API, shared by the server and the staff web app.

/**
 * KPI definitions (docs/reports.md has the long form). Person figures count residents: persons
 * with a MIS2022 (population list) source record, placed by person.ma_xa. Flow figures (episodes,
 * visits, submissions) are placed by the sending facility's admin_unit_code and counted by the
 * Viet Nam local day they were received (visits: check-in day).
 */
export interface Kpis {
  /** Persons on the population list (MIS2022): the permanent residents of the plans. */
  residents: number | null;
  /** có hồ sơ: residents with an identity record (below) AND health data (episode, primary-care entry, vaccination or declaration). */
  withRecord: number | null;
  /** The weaker figure: residents whose golden record holds the 831 core fields (name, birth date, sex, CCCD, address, commune). */
  withIdentity: number | null;
  /** Residents with any health data at all (whatever their identity record). */
  withHealthData: number | null;
  /** Integration on VNeID among permanent residents: an active book (consent) and a BHYT card number. */
  integratedResidents: number | null;
  withBhyt: number | null;
  /** Residents with an active consent to the citizen book (consent given, not withdrawn since). */
  activated: number | null;
  /** Visits checked in at the front desk (id_method other than 'xml0'); vneid = with the VNeID/book QR. */
  checkins: number;
  vneidCheckins: number;
  /** Of the front-desk check-ins, those made with the personal ID itself (VNeID QR or chip card). */
  personalIdCheckins: number;
  /** First-version episodes of all facilities carrying a 12-digit SO_CCCD: the identification proxy. */
  episodesWithCccd: number;
  insuredFacilities: number;
  /** Insured facilities with an accepted submission in the last 7 days of the period. */
  integratedFacilities: number;
  episodes: number;
  /** Episodes with a discharge time, the denominator of the delay figures. */
  discharged: number;
  visibleWithin24h: number;
  meanDelayHours: number | null;
  /** Counts per delay bucket, same order as DELAY_BUCKETS. */
  delayBuckets: number[];
  referrals: number;
  reexams: number;
  quality: {
    /** đúng: valid identifiers among those present (CCCD structure, BHYT pattern). */
    valid: number | null;
    /** đủ: filled fields among 7 (name, birth date, sex, CCCD, BHYT, address, phone). */
    complete: number | null;
    /** sạch: 1 − pending duplicate reviews per resident. */
    clean: number | null;
    /** sống: residents with any new data (record update, episode, visit, station entry, vaccination, declaration) in the period. */
    fresh: number | null;
    pendingReviews: number | null;
    /**
     * đúng, as citizens report it: correction requests ("báo thông tin sai") of the unit's residents —
     * open, open past the 10-working-day due date, and made / resolved / refused in the period.
     * Requests about sensitive visits are not counted.
     */
    corrections: { open: number; overdue: number; received: number; resolved: number; rejected: number };
  };
  rates: {
    withRecord: number | null;
    withIdentity: number | null;
    withHealthData: number | null;
    integratedResidents: number | null;
    /** episodesWithCccd / episodes. */
    identified: number | null;
    /** personalIdCheckins / checkins. */
    personalIdCheckins: number | null;
    withBhyt: number | null;
    activated: number | null;
    vneid: number | null;
    integrated: number | null;
    visible24h: number | null;
  };
}

export interface UnitRef {
  code: string;
  name: string;
  level: 'province' | 'district' | 'commune';
}

/** Indicators that have a target in the plans (docs/reports.md "Targets"). */
export type TargetIndicator = 'withRecord' | 'identified' | 'integratedResidents' | 'integratedFacilities';

export interface Target {
  /** Share between 0 and 1. */
  value: number;
  /** true: the figure must exceed the value ("> 80 %"); false: reach it ("≥ 95 %"). */
  strict: boolean;
  /** Where the value comes from: the unit that set it (its name for the screens), or null for the plans' default. */
  setBy: { unitCode: string; unitName: string; year: number; half: 0 | 1 | 2 } | null;
}

/** met / not met against the target; no_data when the figure has no denominator. */
export type TargetStatus = 'met' | 'not_met' | 'no_data';

export type Targets = Record<TargetIndicator, Target>;
export type TargetStatuses = Record<TargetIndicator, TargetStatus>;

/** A request for a facility code or an interop account (issue 19; server reports/onboarding.ts). */
export type OnboardingRequestKind = 'facility_code' | 'interop_account';
export type OnboardingRequestStatus = 'pending' | 'approved' | 'returned';
/** `D` is Date on the server and the ISO string it becomes in JSON. */
export interface OnboardingRequest<D = string> {
  id: number;
  kind: OnboardingRequestKind;
  status: OnboardingRequestStatus;
  facility_code: string | null;
  facility_name: string;
  admin_unit_code: string;
  applicant: string;
  note: string | null;
  filed_by: string;
  filed_at: D;
  decided_by: string | null;
  decided_at: D | null;
  return_reason: string | null;
  /** What approval created (facility code, credential client id; never a secret). */
  result: { facility_code?: string; client_id?: string } | null;
}
export interface OnboardingRequestEvent<D = string> {
  at: D;
  action: 'filed' | 'returned' | 'refiled' | 'approved';
  actor_name: string;
  reason: string | null;
}

/** One chronic-disease register's figures over a unit's communes (server primary-care/stats.ts). */
export interface RegisterFigures {
  active: number;
  proposed: number;
  /** Due on the day or earlier. */
  due: number;
  overdue: number;
  /** Enrolled at least the register's cohort days: the control rate's denominator. */
  cohort: number;
  /** Of the cohort: last visit within the control window and controlled at it. */
  controlled: number;
  /** controlled / cohort, null without a cohort. */
  control_rate: number | null;
}

/** The dashboard's chronic-care block for one unit (server reports/chronic-care.ts). */
export interface ChronicCareFigures {
  unit: string;
  /** The unit's residents as the KPI block counts them: persons on the population list (MIS2022), as of the last refresh. */
  residents: number;
  /** Residents with a station's 831 entry, and those whose 831 record is complete ("đủ"). */
  with_831: number;
  complete_831: number;
  hypertension: RegisterFigures;
  diabetes: RegisterFigures;
}
export interface ChronicCare {
  as_of: string;
  units: ChronicCareFigures[];
}
