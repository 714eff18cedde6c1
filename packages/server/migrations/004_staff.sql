-- Staff accounts (issue 7). Roles and their scope: a system admin has none, a health-department
-- officer one admin unit (province / district / commune: the unit's level is the officer's level),
-- facility admins, clinicians and receptionists one facility.
create table staff_account (
  id text primary key,
  username text not null unique,
  full_name text not null,
  role text not null check (role in ('system_admin', 'health_officer', 'facility_admin', 'clinician', 'receptionist')),
  facility_code text references facility(code),
  admin_unit_code text references admin_unit(code),
  password_hash text not null,
  must_change_password boolean not null default false,
  totp_secret text,
  totp_enabled boolean not null default false,
  -- Last accepted TOTP time step: a code is accepted once, so a shoulder-surfed code cannot be replayed.
  totp_last_step bigint,
  failed_logins int not null default 0,
  locked_until timestamptz,
  disabled_at timestamptz,
  created_at timestamptz not null default now(),
  last_login_at timestamptz,
  check ((role in ('facility_admin', 'clinician', 'receptionist')) = (facility_code is not null)),
  check ((role = 'health_officer') = (admin_unit_code is not null))
);
create index staff_account_facility on staff_account(facility_code);

-- Emergency access to a person's cross-facility record: time-limited, with a typed reason,
-- listed to the facility admin and to the citizen (audit_event.break_glass).
create table break_glass_grant (
  id bigserial primary key,
  person_id text not null references person(id),
  staff_id text not null references staff_account(id),
  facility_code text not null references facility(code),
  reason text not null,
  granted_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index break_glass_grant_person on break_glass_grant(person_id, staff_id, expires_at desc);
create index break_glass_grant_facility on break_glass_grant(facility_code, granted_at desc);

-- Visits opened at the front desk carry no MA_LK yet; the facility's XML0/XML1 later uses its own.
create index visit_facility_person_day on visit(facility_code, person_id, ngay_vao);
create index episode_facility_person on episode(facility_code, person_id) where is_current;
create index citizen_account_person on citizen_account(person_id);
create index audit_facility_break_glass on audit_event(facility_code, at desc) where break_glass;

-- A front-desk visit (id_method other than xml0) is completed by the facility's own messages for
-- the same person and day, because its MA_LK is assigned by the HIS and differs from ours.
-- Statement-level with a transition table: one UPDATE per ingest batch, not one per episode.
create function close_frontdesk_visits_on_episode() returns trigger language plpgsql as $$
begin
  update visit v
     set status = 'closed', closed_at = now(), episode_id = n.id
    from new_episodes n
   where n.is_current and n.person_id is not null
     and v.status = 'open' and v.id_method <> 'xml0'
     and v.facility_code = n.facility_code and v.person_id = n.person_id
     and v.ngay_vao::date = n.ngay_vao::date;
  return null;
end $$;
create trigger episode_closes_frontdesk_visit after insert on episode
  referencing new table as new_episodes for each statement execute function close_frontdesk_visits_on_episode();

-- The HIS's own check-in (XML0) supersedes the front-desk visit: the book then shows one open visit.
create function close_frontdesk_visits_on_xml0() returns trigger language plpgsql as $$
begin
  update visit v
     set status = 'closed', closed_at = now()
    from new_visits n
   where n.id_method = 'xml0' and n.person_id is not null
     and v.id <> n.id and v.status = 'open' and v.id_method <> 'xml0'
     and v.facility_code = n.facility_code and v.person_id = n.person_id
     and v.ngay_vao::date = n.ngay_vao::date;
  return null;
end $$;
create trigger xml0_closes_frontdesk_visit after insert on visit
  referencing new table as new_visits for each statement execute function close_frontdesk_visits_on_xml0();
