-- Consent that says what it does, clinician access limited to current care, shares that never hint
-- at sensitive episodes (issue 13).

-- Choice (b), separate from "use the health book" (consent_at): clinicians of a facility where the
-- citizen is being treated may see their history from other facilities. Given and withdrawn on its
-- own; withdrawing the book consent withdraws it too (auth/citizen.ts recordConsent).
alter table citizen_account
  add column cross_facility_consent_at timestamptz,
  add column cross_facility_withdrawn_at timestamptz;

-- Shares leave phone and address out unless the citizen includes them. ref_key is a per-share secret
-- from which the share's episode references are derived (HMAC): a doctor never sees episode ids,
-- so neither their gaps nor a probe by id can tell that a sensitive episode exists.
alter table book_share
  add column include_contact boolean not null default false,
  add column ref_key text not null default gen_random_uuid()::text;

-- Unusual break-glass use by one clinician (more grants in 24 h than HSSK_BREAK_GLASS_ALERT_COUNT),
-- listed to the facility admin. One row per burst: later grants in the same burst update it.
create table break_glass_alert (
  id bigserial primary key,
  facility_code text not null references facility(code),
  staff_id text not null references staff_account(id),
  grants int not null,
  window_hours int not null,
  first_grant_at timestamptz not null,
  last_grant_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index break_glass_alert_facility on break_glass_alert(facility_code, last_grant_at desc);
create index break_glass_alert_staff on break_glass_alert(staff_id, facility_code, last_grant_at desc);
create index break_glass_grant_staff on break_glass_grant(staff_id, facility_code, granted_at desc);

