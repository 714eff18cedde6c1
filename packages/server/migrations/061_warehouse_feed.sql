-- Warehouse feed (issue 19 item 5). Incremental extracts need a change time on every exported type:
-- facilities (Organization) had none. A trigger keeps it, so every writer of the registry sets it.
alter table facility add column updated_at timestamptz not null default now();
create function facility_touch() returns trigger language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end $$;
create trigger facility_touch before update on facility for each row execute function facility_touch();

-- An upper bound of the change-time window of a bulk export (fhir/export.ts). Only the warehouse
-- extract sets it, so its counts can be compared with the source over the same window.
alter table fhir_export_job add column until_at timestamptz;

-- One row per warehouse extract (module warehouse/): the window, where the files went, what was
-- written per type, and what the source held for the same window when it ran.
create table warehouse_extract (
  id bigserial primary key,
  since timestamptz,
  until timestamptz not null,
  export_job_id text,
  out_dir text not null,
  status text not null check (status in ('running', 'completed', 'failed')),
  counts jsonb not null default '{}'::jsonb,
  source_counts jsonb not null default '{}'::jsonb,
  error text,
  started_at timestamptz not null default now(),
  finished_at timestamptz
);
create index warehouse_extract_latest on warehouse_extract(status, until desc);
