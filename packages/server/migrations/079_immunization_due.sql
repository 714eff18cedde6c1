-- Immunization due state per person (issue 16, module immunization/): the core schedule engine's
-- first open dose of each series, cached with its dates, so "who is due or overdue on day D" in a
-- province is an indexed filter instead of an evaluation of every child per request. Dates, not
-- statuses: a row stays true as days pass (due from due_on, overdue from overdue_on, closed after
-- last_on). Rewritten in the writer's transaction when the person's doses change or an MPI decision
-- moves them, and per commune by the coverage refresh (imm_coverage_dirty, migration 028).
create table imm_due (
  person_id text not null,
  series text not null,
  dose smallint not null,
  -- The person's commune and birth date the row was computed from: a reader joins the golden record
  -- on both, so a row left behind by a move or a corrected birth date is never shown.
  commune_code text not null,
  born text not null,
  -- The recommended date (due from then), the first overdue date and the last day the programme gives it.
  due_on date not null,
  overdue_on date,
  last_on date,
  computed_on date not null,
  primary key (person_id, series)
);
-- Counts per commune and series: the communes under a unit, each read up to day D.
create index imm_due_commune_day on imm_due (commune_code, due_on) include (series, dose, overdue_on, last_on, born, person_id);
-- The list, paged by keyset in (commune, birth date, person) order.
create index imm_due_commune_born on imm_due (commune_code, born, person_id) include (series, dose, due_on, overdue_on, last_on);
-- A database upgraded with doses already recorded starts with an empty cache: forget when each commune's
-- coverage was last rebuilt, so the scheduled refresh rebuilds them all (and fills imm_due) first,
-- instead of answering "nobody due" for communes rebuilt earlier today.
delete from imm_coverage_refresh;
