-- Primary care at the commune health station (issue 15): the QĐ 831 personal health record, periodic
-- check-ups and the chronic-disease registers. Every row carries person_id (distribution key) and who
-- recorded it: staff account, role and station. Written only by packages/server/src/primary-care/.

-- Idempotency ledger: one row per client entry applied (831 item, check-up, follow-up, enrolment).
-- A replay of the same entry_id from the offline app returns the stored outcome and changes nothing;
-- the same id with other content is refused (content_sha256).
create table pc_entry (
  entry_id uuid primary key,
  person_id text not null references person(id),
  kind text not null check (kind in ('record', 'checkup', 'followup', 'enrolment')),
  content_sha256 text not null,
  staff_id text not null references staff_account(id),
  facility_code text not null references facility(code),
  recorded_at timestamptz not null,
  received_at timestamptz not null default now(),
  outcome jsonb not null
);
create index pc_entry_person on pc_entry(person_id, received_at desc);

-- The 831 record, one row per field value: (section, item, field). Single sections use item_id '';
-- list sections (allergies, surgeries…) one uuid per item chosen by the client, and '' for the
-- section's own "none" flag. A cleared field keeps its row with a JSON null (who cleared it, when).
create table pc_record_field (
  person_id text not null references person(id),
  section text not null,
  item_id text not null,
  field text not null,
  value jsonb not null,
  entry_id uuid not null,
  recorded_at timestamptz not null,
  recorded_by text not null references staff_account(id),
  recorded_role text not null,
  facility_code text not null references facility(code),
  received_at timestamptz not null default now(),
  primary key (person_id, section, item_id, field)
);

-- Every value that stopped being current: replaced by an edit made on top of it ('superseded') or on
-- the losing side of a concurrent edit ('conflict', field-level last writer by the client's
-- recorded_at). Nothing entered is ever deleted.
create table pc_record_field_history (
  id bigserial primary key,
  person_id text not null references person(id),
  section text not null,
  item_id text not null,
  field text not null,
  value jsonb not null,
  entry_id uuid not null,
  recorded_at timestamptz not null,
  recorded_by text not null references staff_account(id),
  recorded_role text not null,
  facility_code text not null references facility(code),
  reason text not null check (reason in ('superseded', 'conflict')),
  by_entry_id uuid not null,
  archived_at timestamptz not null default now()
);
create index pc_record_field_history_person on pc_record_field_history(person_id, section, item_id, field, archived_at desc);

-- Which 831 sections are filled, per person (kept with each write; the "đủ" count reads it).
create table pc_person_summary (
  person_id text primary key references person(id),
  filled_sections text[] not null,
  updated_at timestamptz not null default now()
);

-- Periodic check-up (khám sức khỏe định kỳ): an encounter of the station.
create table pc_checkup (
  id bigserial primary key,
  entry_id uuid not null unique,
  person_id text not null references person(id),
  facility_code text not null references facility(code),
  examined_on date not null,
  recorded_at timestamptz not null,
  recorded_by text not null references staff_account(id),
  recorded_role text not null,
  reason text,
  history text,
  pulse smallint,
  sbp smallint,
  dbp smallint,
  temperature numeric(4, 1),
  resp_rate smallint,
  height_cm numeric(4, 1),
  weight_kg numeric(4, 1),
  waist_cm numeric(4, 1),
  bmi numeric(4, 1),
  vision_right text,
  vision_left text,
  vision_corrected boolean,
  exam jsonb not null default '{}',
  paraclinical jsonb not null default '[]',
  diagnoses text[] not null default '{}',
  diagnosis_text text,
  advice text,
  sensitivity text[] not null default '{}',
  received_at timestamptz not null default now()
);
create index pc_checkup_person on pc_checkup(person_id, examined_on desc);

-- Chronic-disease registers. A proposal (from a hospital episode or a station check-up) waits for a
-- station clinician; an enrolment is active until closed. At most one open (proposed or active) row
-- per person and register. next_due / last_* follow the latest visit so day lists are one lookup.
create table pc_enrolment (
  id bigserial primary key,
  person_id text not null references person(id),
  register text not null check (register in ('hypertension', 'diabetes', 'copd', 'asthma')),
  status text not null check (status in ('proposed', 'active', 'declined', 'closed')),
  source text not null check (source in ('station', 'hospital_episode', 'station_checkup')),
  icd10 text not null,
  episode_id bigint references episode(id),
  checkup_id bigint references pc_checkup(id),
  proposed_at timestamptz,
  enrolled_on date,
  facility_code text references facility(code),
  decided_by text references staff_account(id),
  decided_at timestamptz,
  decision_note text,
  entry_id uuid unique,
  last_followup_id bigint,
  last_visit_date date,
  last_control text check (last_control in ('controlled', 'uncontrolled', 'unknown')),
  next_due date,
  created_at timestamptz not null default now(),
  check ((status = 'active') = (enrolled_on is not null and next_due is not null) or status = 'closed')
);
create unique index pc_enrolment_open on pc_enrolment(person_id, register) where status in ('proposed', 'active');
create index pc_enrolment_due on pc_enrolment(register, next_due) where status = 'active';
create index pc_enrolment_proposed on pc_enrolment(register) where status = 'proposed';

-- Monthly follow-up visit of an enrolled person.
create table pc_followup (
  id bigserial primary key,
  entry_id uuid not null unique,
  enrolment_id bigint not null references pc_enrolment(id),
  person_id text not null references person(id),
  register text not null,
  facility_code text not null references facility(code),
  visit_date date not null,
  recorded_at timestamptz not null,
  recorded_by text not null references staff_account(id),
  recorded_role text not null,
  sbp smallint,
  dbp smallint,
  pulse smallint,
  glucose_mmol numeric(4, 1),
  glucose_kind text,
  hba1c numeric(3, 1),
  weight_kg numeric(4, 1),
  medicines jsonb not null default '[]',
  adherence text,
  exacerbations smallint,
  symptom_control text,
  next_due date not null,
  control text not null check (control in ('controlled', 'uncontrolled', 'unknown')),
  note text,
  received_at timestamptz not null default now()
);
create index pc_followup_enrolment on pc_followup(enrolment_id, visit_date desc, id desc);
create index pc_followup_person on pc_followup(person_id, visit_date desc);

-- Small state of the module: the episode id up to which hospital episodes were scanned for proposals.
create table pc_state (
  key text primary key,
  value bigint not null
);
