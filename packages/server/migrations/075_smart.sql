-- SMART on FHIR (issue 17 item 5). Owned by the smart module.
--
-- Apps a system administrator registered: patient-facing apps the citizen authorizes through the
-- health book's login and a consent screen. A public app (no secret) must use PKCE; a confidential
-- one authenticates with its secret (only a hash is kept).
create table smart_app (
  client_id text primary key,
  name text not null,
  redirect_uris text[] not null,
  confidential boolean not null default false,
  secret_hash text,
  -- The most the app may ever get (e.g. patient/*.rs); the citizen's consent grants at most these.
  scopes text[] not null,
  created_by text not null,
  created_at timestamptz not null default now(),
  disabled_at timestamptz,
  check (confidential = (secret_hash is not null))
);

-- A citizen's authorization of one app, keyed by the citizen account (subject = personal id), not by
-- person: the patient of every token is read from citizen_account at use, so an MPI merge is followed
-- without rewriting this table. Revoking ends every token of the app for that citizen at once.
create table smart_authorization (
  subject text not null,
  client_id text not null,
  scopes text[] not null,
  granted_at timestamptz not null default now(),
  revoked_at timestamptz,
  last_used_at timestamptz,
  primary key (subject, client_id)
);
