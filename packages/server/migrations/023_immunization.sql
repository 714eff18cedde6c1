-- Immunization registry (issue 16; module immunization/). The `vaccination` table of migration 006
-- moves from book/ to immunization/, which is now its only writer: imported immunization-system
-- exports, doses recorded at commune stations. Rules: docs/architecture.md ("Immunization").

-- One row per dose as one source reported it. A real dose reported by two sources is two rows; the
-- later-judged one points at the one counted (`duplicate_of`, same person and antigen within ±1 day,
-- core findDuplicateDoses). Readers re-derive duplicates from the doses they read, so a link made
-- before an MPI relink changed who is who never double-counts or hides a dose.
alter table vaccination
  -- Antigens the dose protects against (core ANTIGENS), from the product the source named; empty
  -- when the product is not recognised (kept and shown, never counted by the schedule engine).
  add column antigens text[] not null default '{}',
  add column product_id text,                  -- core PRODUCTS id matched from the name or code
  -- The dose's id in its source system: (source, source_record_id) makes a re-import a no-op.
  add column source_record_id text,
  -- The person as the source system knows them (a source_record row the MPI links). For such rows the
  -- person is read through the source record, so doses follow every MPI decision; person_id is the
  -- placement at import time. Station doses have none: they name the person directly.
  add column person_source_system text,
  add column person_source_id text,
  add column facility_ref text,                -- facility code or name as the source wrote it
  add column route text,                       -- đường tiêm: IM, SC, ID, oral
  add column body_site text,                   -- vị trí tiêm
  add column recorded_by text,                 -- staff account id (station entries)
  add column recorded_by_name text,
  add column entry_id uuid,                    -- the station app's client-generated id (idempotent sync)
  add column duplicate_of bigint references vaccination(id),
  add column import_id bigint,
  add column content_hash text,
  add column updated_at timestamptz not null default now(),
  add constraint vaccination_person_source_pair check ((person_source_system is null) = (person_source_id is null));

create unique index vaccination_source_record on vaccination(source, source_record_id) where source_record_id is not null;
create unique index vaccination_entry on vaccination(entry_id) where entry_id is not null;
-- A commune's month plan reads the date and antigens of thousands of persons' doses: both ways to a
-- person's doses carry them, so the plan reads indexes only (migration 006's person index is replaced).
drop index vaccination_person;
create index vaccination_person on vaccination(person_id, given_on) include (antigens, person_source_id);
create index vaccination_person_source on vaccination(person_source_system, person_source_id) include (given_on, antigens) where person_source_id is not null;
-- Reactions are routed to the facility that gave the dose.
create index vaccination_facility on vaccination(facility_code, given_on desc) where facility_code is not null;

-- Planning reads the children and women of one commune by birth date (yyyy-mm-dd text sorts as a date);
-- id and sex ride along so the band query reads the index only.
create index person_commune_birth on person(ma_xa, ngay_sinh) include (id, gioi_tinh);

-- Imports of immunization-system exports, as mpi_import for population lists.
create table imm_import (
  id bigserial primary key,
  file_name text not null,
  file_sha256 text not null,
  source_system text not null,
  mapping jsonb not null default '{}',
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  row_count int not null default 0,
  accepted int not null default 0,
  rejected int not null default 0,
  inserted int not null default 0,
  updated int not null default 0,
  unchanged int not null default 0,
  duplicates int not null default 0,
  warnings int not null default 0,
  status text not null default 'running' check (status in ('running', 'done', 'failed'))
);
create index imm_import_sha on imm_import(file_sha256);

create table imm_import_issue (
  id bigserial primary key,
  import_id bigint not null references imm_import(id) on delete cascade,
  line int not null,
  field text not null,
  code text not null,
  severity text not null check (severity in ('error', 'warning')),
  message_vi text not null,
  message_en text not null
);
create index imm_import_issue_import on imm_import_issue(import_id, line);

-- The commune's immunization days (buổi tiêm chủng), set by its station.
create table imm_session (
  id bigserial primary key,
  commune_code text not null,
  session_on date not null,
  place text check (length(place) <= 200),
  note text check (length(note) <= 500),
  created_by text not null,
  created_at timestamptz not null default now(),
  unique (commune_code, session_on)
);

-- "Báo phản ứng sau tiêm": a citizen (or a parent) reports a reaction to one dose; the report goes to
-- the facility that gave it, or to the commune's station when that facility is not registered here.
create table imm_reaction_report (
  id bigserial primary key,
  vaccination_id bigint not null references vaccination(id),
  person_id text not null references person(id),
  facility_code text references facility(code),
  commune_code text,
  onset_on date not null,
  severity text not null check (severity in ('mild', 'moderate', 'severe')),
  symptoms text[] not null default '{}',
  detail text check (length(detail) <= 1000),
  reported_by text not null,                   -- personal id of the citizen (a parent for a child)
  status text not null default 'new' check (status in ('new', 'acknowledged', 'closed')),
  handled_by text,
  handled_by_name text,
  handled_at timestamptz,
  staff_note text check (length(staff_note) <= 1000),
  created_at timestamptz not null default now()
);
create index imm_reaction_facility on imm_reaction_report(facility_code, status, created_at desc);
create index imm_reaction_commune on imm_reaction_report(commune_code, status, created_at desc) where facility_code is null;
create index imm_reaction_person on imm_reaction_report(person_id);

-- "Đăng ký tiêm": a citizen asks for a slot at the commune's next session. One open request per person.
create table imm_slot_request (
  id bigserial primary key,
  person_id text not null references person(id),
  commune_code text not null,
  session_id bigint references imm_session(id),
  series text[] not null default '{}',         -- series due at the time of the request (core engine)
  note text check (length(note) <= 500),
  requested_by text not null,
  status text not null default 'requested' check (status in ('requested', 'scheduled', 'done', 'cancelled')),
  handled_by text,
  handled_at timestamptz,
  staff_note text check (length(staff_note) <= 500),
  created_at timestamptz not null default now()
);
create unique index imm_slot_request_open on imm_slot_request(person_id) where status in ('requested', 'scheduled');
create index imm_slot_request_commune on imm_slot_request(commune_code, status, created_at);
