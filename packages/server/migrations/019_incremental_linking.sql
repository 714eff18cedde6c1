-- Linking as data arrives: each source record keeps its blocking keys (ids, phone, household, name
-- with birth year, family+given name with birth year, birth date) so that a newcomer's candidates
-- are one GIN lookup instead of a global relink. Null until the record is (re)normalized: imports
-- and ingest write them, and the next relink fills the rows written before this migration.
alter table source_record add column match_keys text[];
-- A GIN index buffers new entries in a pending list that every search reads sequentially (4 MB by
-- default: a 20 ms scan per lookup after a relink); a small list keeps newcomer lookups sub-millisecond.
create index source_record_match_keys on source_record using gin (match_keys) with (gin_pending_list_limit = 128);

-- The match model the last global relink estimated (EM), used to score newcomers between relinks.
create table mpi_model (
  id smallint primary key default 1 check (id = 1),
  model jsonb not null,
  records integer not null,
  estimated_at timestamptz not null default now()
);
