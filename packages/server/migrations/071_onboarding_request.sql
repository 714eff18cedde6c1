-- Requests for a facility code or an interop (API) account (issue 19, QĐ 2733 onboarding): filed by
-- a facility admin or, for an applicant without an account, by an officer on their behalf; a
-- province/district officer approves (the code or account is created through the facility module)
-- or returns it with a reason; a returned request may be corrected and filed again.
-- No foreign keys to facility or admin_unit: a request is history and must not block the demo purge
-- or a unit's removal; the codes are checked when the request is filed.
create table onboarding_request (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('facility_code', 'interop_account')),
  status text not null default 'pending' check (status in ('pending', 'approved', 'returned')),
  -- The existing facility (interop account), or the code assigned on approval (facility code).
  facility_code text,
  facility_name text not null,
  -- Where the facility is: decides which officers see and decide the request.
  admin_unit_code text not null,
  applicant text not null,
  note text,
  filed_by text not null,
  filed_at timestamptz not null default now(),
  decided_by text,
  decided_at timestamptz,
  return_reason text,
  -- What approval created (facility code, credential client id; never a secret).
  result jsonb
);
create index onboarding_request_unit on onboarding_request(admin_unit_code, status);
create index onboarding_request_facility on onboarding_request(facility_code);

-- Every step of a request, in order (filed, returned, refiled, approved).
create table onboarding_request_event (
  id bigint generated always as identity primary key,
  request_id bigint not null references onboarding_request(id) on delete cascade,
  at timestamptz not null default now(),
  action text not null check (action in ('filed', 'returned', 'refiled', 'approved')),
  actor_id text not null,
  actor_name text not null,
  reason text
);
create index onboarding_request_event_request on onboarding_request_event(request_id, id);
