-- Correction requests ("Báo thông tin sai", issue 18 item 4): a citizen says a visit is not theirs, a
-- diagnosis or medicine is wrong, or their personal data is wrong. Owned by the correction module.
create table correction_request (
  id bigserial primary key,
  -- Whose book the request is about (a parent files for a child: person_id is the child's).
  person_id text not null,
  kind text not null check (kind in ('not_mine', 'wrong_clinical', 'wrong_personal')),
  -- Fields the citizen says are wrong (wrong_personal: ho_ten, ngay_sinh …; wrong_clinical: diagnosis, medicine …).
  fields text[] not null default '{}',
  note text not null,
  -- The visit the request is about: facility + MA_LK name the episode across its versions, the
  -- version the citizen saw is kept so a later re-sent version can be recognised.
  episode_id bigint,
  facility_code text,
  ma_lk text,
  episode_version int,
  -- What the citizen saw, without clinical content (the request outlives the episode leaving the book).
  episode_label text,
  -- A request about a sensitive visit stays with the sending facility: never in a cross-facility queue.
  sensitive boolean not null default false,
  -- Routing: 'facility' (episode data) or 'mpi' (identity data without a visit); unit_code is the
  -- person's commune (or the facility's unit), read by the MPI officer's area and the reports.
  owner_kind text not null check (owner_kind in ('facility', 'mpi')),
  identity boolean not null default false,
  unit_code text,
  status text not null default 'new' check (status in ('new', 'in_progress', 'resolved', 'rejected')),
  assignee_id text,
  assignee_name text,
  due_on date not null,
  resolution_kind text check (resolution_kind in ('resent', 'mpi_decision', 'golden_field')),
  resolution_ref text,
  resolution_note text,
  -- The value of the named personal field when the request was made (golden_field resolutions compare against it).
  personal_before jsonb,
  created_by text not null,
  created_by_name text,
  on_behalf_of_child boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  closed_at timestamptz,
  -- The citizen has not yet opened the latest change of status.
  citizen_unread boolean not null default false
);
create index correction_request_person on correction_request(person_id, created_at desc);
create index correction_request_facility on correction_request(facility_code, status) where facility_code is not null;
create index correction_request_unit on correction_request(unit_code, status);
create index correction_request_episode on correction_request(facility_code, ma_lk) where ma_lk is not null;
create index correction_request_creator on correction_request(created_by, created_at);

-- Every change of a request, in order: creation, taking, status, resolution, the citizen reading it.
create table correction_event (
  id bigserial primary key,
  request_id bigint not null references correction_request(id) on delete cascade,
  person_id text not null,
  at timestamptz not null default now(),
  actor_type text not null,
  actor_id text not null,
  actor_name text,
  action text not null,
  from_status text,
  to_status text,
  detail jsonb
);
create index correction_event_request on correction_event(request_id, id);

-- Days that are not working days besides Saturdays and Sundays (public holidays, Tết); data, so an
-- operator adds each year's lunar holidays and compensatory days when the government announces them.
create table correction_holiday (
  day date primary key,
  name text not null
);
insert into correction_holiday (day, name) values
  ('2026-01-01', 'Tết Dương lịch'),
  ('2026-02-16', 'Tết Nguyên đán'), ('2026-02-17', 'Tết Nguyên đán'), ('2026-02-18', 'Tết Nguyên đán'),
  ('2026-02-19', 'Tết Nguyên đán'), ('2026-02-20', 'Tết Nguyên đán'),
  ('2026-04-27', 'Giỗ Tổ Hùng Vương (nghỉ bù)'),
  ('2026-04-30', 'Ngày Giải phóng miền Nam'), ('2026-05-01', 'Quốc tế Lao động'),
  ('2026-09-01', 'Quốc khánh'), ('2026-09-02', 'Quốc khánh'),
  ('2027-01-01', 'Tết Dương lịch'),
  ('2027-04-30', 'Ngày Giải phóng miền Nam'), ('2027-05-01', 'Quốc tế Lao động'),
  ('2027-09-02', 'Quốc khánh')
on conflict do nothing;
