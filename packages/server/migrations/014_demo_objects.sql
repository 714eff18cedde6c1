-- Everything the demo district creates is listed here (demo/seed.ts), so a production start can
-- refuse a database that still holds any of it and `hssk demo purge` can remove exactly that.
-- Rows that follow from these (source records of the demo import, episodes of demo facilities,
-- the persons they form) are found from them when the purge runs (demo/purge.ts).
--   facility         facility.code
--   staff_account    staff_account.id
--   dev_idp_account  dev_idp_account.personal_id
--   admin_unit       admin_unit.code (only units the demo inserted, not ones that were there)
--   mpi_import       mpi_import.id (the demo population list)
--   person           person.id (persons formed from demo records when the seed finished)
--   app_state        app_state.key (demo marker, demo citizens list, demo signing certificates)
--   file             path of a file the demo wrote (demo facility credentials)
create table demo_object (
  kind text not null check (kind in ('facility', 'staff_account', 'dev_idp_account', 'admin_unit', 'mpi_import', 'person', 'app_state', 'file')),
  key text not null,
  created_at timestamptz not null default now(),
  primary key (kind, key)
);

-- When a staff password was last set, so a production start can tell a one-time password just
-- issued (the new administrator still has to log in once) from one left unused for days
-- (startup/checks.ts). Kept by a trigger so every writer of password_hash stamps it without
-- having to remember; rows of before this migration count from their creation.
alter table staff_account add column password_set_at timestamptz;
update staff_account set password_set_at = created_at;
alter table staff_account alter column password_set_at set default now();
alter table staff_account alter column password_set_at set not null;

create function staff_account_password_set_at() returns trigger language plpgsql as $$
begin
  new.password_set_at := now();
  return new;
end $$;
create trigger staff_account_password_set_at before update of password_hash on staff_account
  for each row when (old.password_hash is distinct from new.password_hash)
  execute function staff_account_password_set_at();
