-- Health-department reports (issue 8): summary tables kept current by an incremental refresher
-- (packages/server/src/reports/refresh.ts). Dashboard queries read only these tables, never episode.

-- How far each source table has been folded into the summaries.
create table report_watermark (
  name text primary key,
  last_id bigint not null default 0,
  last_at timestamptz,
  updated_at timestamptz not null default now()
);

-- Episodes by the facility that sent them and the Vietnam-local day they were received. Only the
-- first version of an episode counts: a resubmission corrects a record, it is not a new episode.
-- Delay buckets (discharge → received): d0 < 1 h, d1 1–6 h, d2 6–24 h, d3 1–3 days, d4 3–7 days,
-- d5 7–30 days, d6 ≥ 30 days; no_discharge = still in treatment or NGAY_RA missing.
create table report_episode_day (
  facility_code text not null,
  day date not null,
  episodes int not null default 0,
  no_discharge int not null default 0,
  d0 int not null default 0,
  d1 int not null default 0,
  d2 int not null default 0,
  d3 int not null default 0,
  d4 int not null default 0,
  d5 int not null default 0,
  d6 int not null default 0,
  delay_hours_sum double precision not null default 0,
  referrals int not null default 0,
  reexams int not null default 0,
  primary key (facility_code, day)
);
create index report_episode_day_day on report_episode_day(day);
-- The same by calendar month: a long period reads whole months here and only its partial months
-- from the daily table, so a year costs ~12 rows per facility instead of 365.
create table report_episode_month (like report_episode_day including all);

-- Visits by facility and check-in day: checkins = the clinician's check-in (method other than
-- 'xml0'), vneid = of those, checked in with the VNeID book QR.
create table report_visit_day (
  facility_code text not null,
  day date not null,
  visits int not null default 0,
  checkins int not null default 0,
  vneid int not null default 0,
  primary key (facility_code, day)
);
create index report_visit_day_day on report_visit_day(day);
create table report_visit_month (like report_visit_day including all);

-- Accepted submissions by facility and day: a facility is integrated in a period when it has one in
-- the last 7 days of the period.
create table report_facility_day (
  facility_code text not null,
  day date not null,
  accepted int not null default 0,
  primary key (facility_code, day)
);

-- What each person last contributed to report_person_agg, so a change is applied as a delta
-- (subtract the old contribution, add the new) without rescanning the population.
create table report_person_state (
  person_id text primary key,
  ma_xa text,
  upd_month date not null,
  resident boolean not null,
  has_record boolean not null,
  has_bhyt boolean not null,
  activated boolean not null,
  cccd_present boolean not null,
  cccd_valid boolean not null,
  bhyt_present boolean not null,
  bhyt_valid boolean not null,
  fields_filled smallint not null
);

-- Residents (persons with a MIS2022 record) by commune and the month their golden record was last
-- updated; the month lets "updated within 12 months" be answered for any date.
create table report_person_agg (
  ma_xa text not null,
  upd_month date not null,
  persons int not null default 0,
  has_record int not null default 0,
  has_bhyt int not null default 0,
  activated int not null default 0,
  cccd_present int not null default 0,
  cccd_valid int not null default 0,
  bhyt_present int not null default 0,
  bhyt_valid int not null default 0,
  fields_filled bigint not null default 0,
  primary key (ma_xa, upd_month)
);

-- Pending duplicate reviews by commune (recomputed each refresh: the pending set is small).
create table report_review_pending (
  ma_xa text primary key,
  pending int not null
);

-- End-of-day copy of the resident figures per commune, so a past period (the previous half-year of
-- the six-monthly report) shows the population as it was, not as it is now. fresh = updated within
-- the 12 months before that day.
create table report_person_daily (
  day date not null,
  ma_xa text not null,
  persons int not null,
  has_record int not null,
  has_bhyt int not null,
  activated int not null,
  cccd_present int not null,
  cccd_valid int not null,
  bhyt_present int not null,
  bhyt_valid int not null,
  fields_filled bigint not null,
  fresh int not null,
  pending_reviews int not null,
  primary key (day, ma_xa)
);

-- Refresher finds changed persons through these.
create index if not exists source_record_updated on source_record(updated_at);
create index if not exists person_updated on person(updated_at);
create index if not exists submission_received on submission(received_at);
