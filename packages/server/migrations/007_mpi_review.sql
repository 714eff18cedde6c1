-- Manual merges are logged with the records they moved so they can be undone (unmerge).
create table mpi_merge (
  id bigserial primary key,
  review_id bigint references mpi_review(id),
  from_person text not null references person(id),
  to_person text not null references person(id),
  moved jsonb not null,
  decided_by text not null,
  decided_at timestamptz not null default now(),
  undone_by text,
  undone_at timestamptz
);
create index mpi_merge_persons on mpi_merge(to_person, from_person);
