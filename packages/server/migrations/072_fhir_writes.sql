-- FHIR R4 writes (issue 17 item 6, issue 16 item 1): Immunization and vital-sign Observation
-- resources posted by external systems with their facility client-credentials token.

-- Doses received as FHIR Immunization (module immunization/). `source` is 'FHIR-<MACSKCB>' of the
-- sender and `source_record_id` the sender's identifier as a FHIR token 'system|value', so the
-- existing unique (source, source_record_id) makes a re-post a no-op; `source_identifier_system`
-- keeps the system apart to give the identifier back as it was sent. `sender_client_id` is the
-- credential that posted it (Provenance.agent), `created_at`/`updated_at` when.
alter table vaccination
  add column source_identifier_system text,
  add column sender_facility_code text,
  add column sender_client_id text;
-- What a facility sent is readable by that facility (fhir/access.ts): found by sender, then person.
create index vaccination_sender on vaccination(sender_facility_code, person_id) where sender_facility_code is not null;

-- Vital signs received as FHIR Observation (module vitals/): one row per posted resource; a blood
-- pressure panel is one row with both components. Values are stored in the unit the mapping
-- defines for the code (docs/fhir.md), converted from the UCUM unit sent when it differs.
create table vital_sign (
  id bigserial primary key,
  person_id text not null references person(id),
  -- The MPI source record the posted Patient became (null when the person was named by an id):
  -- kept so a later relink can be traced to it.
  person_source_system text,
  person_source_id text,
  loinc text not null,
  value numeric,                                 -- single-value codes
  systolic numeric,                              -- 85354-9 panel
  diastolic numeric,
  unit text not null,
  effective_at timestamp not null,               -- Vietnam wall-clock time, as XML 130
  status text not null check (status in ('final', 'amended', 'corrected', 'preliminary')),
  performer_ref text,                            -- the performer as the sender named it
  note text check (length(note) <= 1000),
  sender_facility_code text not null references facility(code),
  sender_client_id text not null,
  identifier_system text not null,
  identifier_value text not null,
  content_hash text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((loinc = '85354-9') = (systolic is not null and diastolic is not null and value is null))
);
-- One row per (sender, identifier): a re-post answers the stored row.
create unique index vital_sign_identifier on vital_sign(sender_facility_code, identifier_system, identifier_value);
create index vital_sign_person on vital_sign(person_id, effective_at);
create index vital_sign_sender on vital_sign(sender_facility_code, person_id);
