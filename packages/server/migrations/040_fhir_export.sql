-- FHIR Bulk Data export jobs (issue 17, packages/server/src/fhir/export.ts). A job holds no personal
-- data: who asked, the scope fixed at kick-off, and where the streaming pass stopped (the checkpoint a
-- restarted server resumes from). The NDJSON files themselves are in $HSSK_DATA_DIR/fhir-export/<id>/.
create table fhir_export_job (
  id text primary key,
  level text not null check (level in ('system', 'patient', 'group')),
  group_id text,
  types text[] not null,
  since timestamptz,
  actor jsonb not null,
  -- Facilities whose episodes the job may read; null = every facility (system administrator).
  facilities text[],
  request text not null,
  status text not null check (status in ('queued', 'running', 'completed', 'failed', 'cancelled')),
  checkpoint jsonb not null default '{}'::jsonb,
  -- The runner working on the job and until when its claim holds (renewed at every checkpoint): a job
  -- whose runner died is taken over once the claim lapses, never run twice at once.
  runner text,
  lease_until timestamptz,
  error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  completed_at timestamptz
);
create index fhir_export_job_pending on fhir_export_job(created_at) where status in ('queued', 'running');
