// Response shapes of the reports API, shared by the server and the staff web app.

/**
 * KPI definitions (docs/reports.md has the long form). Person figures count residents: persons
 * with a MIS2022 (population list) source record, placed by person.ma_xa. Flow figures (episodes,
 * visits, submissions) are placed by the sending facility's admin_unit_code and counted by the
 * Viet Nam local day they were received (visits: check-in day).
 */
export interface Kpis {
  residents: number | null;
  /** Residents whose golden record holds the 831 core fields: name, birth date, sex, CCCD, address, commune. */
  withRecord: number | null;
  withBhyt: number | null;
  /** Residents with an active consent to the citizen book (consent given, not withdrawn since). */
  activated: number | null;
  /** Visits checked in at the front desk (id_method other than 'xml0'); vneid = with the VNeID/book QR. */
  checkins: number;
  vneidCheckins: number;
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
    /** sống: residents whose record was updated in the 12 months before the period end. */
    fresh: number | null;
    pendingReviews: number | null;
  };
  rates: {
    withRecord: number | null;
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
