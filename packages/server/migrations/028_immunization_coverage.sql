-- Immunization coverage summary (issue 16 item 7; module immunization/). A province report must not
-- evaluate every child per request: each commune's children under 3 are evaluated once (core
-- childCoverage) into counts per birth month; a report sums those rows over the communes under a unit.
-- Rows are rebuilt per commune: when a dose is recorded or imported for its residents (the commune is
-- marked in imm_coverage_dirty) and by the scheduled refresh of the oldest communes.
create table imm_coverage_cohort (
  commune_code text not null,
  birth_month text not null check (birth_month ~ '^\d{4}-\d{2}$'),
  -- Living residents born that month with a full birth date (the denominator, MPI population).
  children int not null,
  hepb_24h int not null,
  -- Of the children who had reached the age when the row was built (null indicators are not counted).
  reached_1y int not null,
  full_u1 int not null,
  reached_2y int not null,
  mr_u2 int not null,
  primary key (commune_code, birth_month)
);

-- When each commune's rows were last built (also for communes with no children: they are not rebuilt each run).
create table imm_coverage_refresh (
  commune_code text primary key,
  refreshed_at timestamptz not null,
  as_of date not null
);
create index imm_coverage_refresh_age on imm_coverage_refresh(refreshed_at);

-- Communes whose rows are out of date since a dose or a person changed.
create table imm_coverage_dirty (
  commune_code text primary key,
  since timestamptz not null default now()
);
