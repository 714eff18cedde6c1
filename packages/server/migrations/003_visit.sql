-- Open visits: known from the facility's check-in message (XML0) before the episode's XML1 arrives
-- under the same MA_LK, which closes the visit.
create table visit (
  id bigserial primary key,
  facility_code text not null references facility(code),
  ma_lk text not null,
  person_id text references person(id),
  patient_source_id text not null,
  ho_ten text not null,
  so_cccd text,
  ma_the_bhyt text,
  ma_loai_kcb text,
  ngay_vao timestamp not null,
  id_method text not null,
  status text not null check (status in ('open', 'closed')),
  checkin jsonb not null,
  received_at timestamptz not null default now(),
  closed_at timestamptz,
  episode_id bigint references episode(id),
  unique (facility_code, ma_lk)
);
create index visit_person on visit(person_id, ngay_vao desc);
