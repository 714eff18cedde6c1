-- Master patient index: population imports, their row-level issues, manual review of uncertain
-- pairs and the corrections survivorship made to golden records.

create table mpi_import (
  id bigserial primary key,
  file_name text not null,
  file_sha256 text not null,
  -- --source given on the command line (fills rows whose file lacks source_system).
  source_system text,
  -- Column mapping used; the same bytes read through another mapping are a different import.
  mapping jsonb not null default '{}',
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  row_count int not null default 0,
  accepted int not null default 0,
  rejected int not null default 0,
  warnings int not null default 0,
  status text not null default 'running' check (status in ('running', 'done', 'failed'))
);
create index mpi_import_sha on mpi_import(file_sha256);

create table mpi_import_issue (
  id bigserial primary key,
  import_id bigint not null references mpi_import(id) on delete cascade,
  line int not null,
  field text not null,
  code text not null,
  severity text not null check (severity in ('error', 'warning')),
  message_vi text not null,
  message_en text not null
);
create index mpi_import_issue_import on mpi_import_issue(import_id, line);

-- Pairs are stored with (a_system, a_id) < (b_system, b_id) so one pair has one row.
create table mpi_review (
  id bigserial primary key,
  a_system text not null,
  a_id text not null,
  b_system text not null,
  b_id text not null,
  score real not null,
  reasons jsonb not null default '[]',
  status text not null default 'pending' check (status in ('pending', 'merged', 'separate')),
  decided_by text,
  decided_at timestamptz,
  created_at timestamptz not null default now(),
  unique (a_system, a_id, b_system, b_id)
);
create index mpi_review_status on mpi_review(status);

create table mpi_correction (
  id bigserial primary key,
  person_id text not null references person(id),
  field text not null,
  from_value text not null,
  to_value text not null,
  reason_vi text not null,
  reason_en text not null,
  created_at timestamptz not null default now()
);
create index mpi_correction_person on mpi_correction(person_id);

-- Relinking moves KCB patients between persons; their episodes are found by this key.
create index if not exists episode_patient_source on episode(patient_source_id);
