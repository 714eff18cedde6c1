-- A visit announced by an unsigned XML0 check-in rests on the facility's bearer token alone; only a
-- signed one (or a front-desk check-in by a logged-in receptionist) may open a clinician's access.
alter table visit add column signature_verified boolean not null default false;
