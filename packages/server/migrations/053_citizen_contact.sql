-- Contact details the citizen keeps up to date in the book (issue 18 item 6): phone and current
-- address, stored beside the registry's values in `person`, never over them. Append-only: each
-- change is a new row (the latest per person is current), so the history stays and an MPI merge
-- moves rows without a key clash. Owned by book/; the commune station reads the latest row.
create table citizen_contact (
  id bigserial primary key,
  person_id text not null references person(id),
  so_dien_thoai text,
  dia_chi text,
  declared_by text not null,          -- citizen subject (a parent declares for a child)
  declared_at timestamptz not null default now()
);
create index citizen_contact_latest on citizen_contact(person_id, id desc);
