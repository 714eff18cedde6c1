-- Relay to the insurance portal, "send once" (issue 19 item 4; module relay/). A facility that opts in
-- has every accepted envelope and XML0 check-in forwarded unchanged (still signed by the facility) to
-- its configured portal. The portal password is a server secret (auth/keys.ts store), never a column.
create table relay_setting (
  facility_code text primary key references facility(code),
  enabled boolean not null default false,
  portal_url text not null,
  username text not null,
  -- maTinh form field of the portal (province code); defaults to the first two digits of MACSKCB.
  ma_tinh text,
  updated_by text not null,
  updated_at timestamptz not null default now()
);

-- One row per message to forward: an envelope (its bytes stay in submission_raw, owned by ingest) or
-- a check-in (its bytes kept here: ingest stores only the parsed fields of XML0). The delivery itself
-- runs as a job of the jobs module; this row is what the facility sees.
create table relay_message (
  id bigserial primary key,
  facility_code text not null references facility(code),
  kind text not null check (kind in ('envelope', 'checkin')),
  submission_id text,
  checkin_raw text,
  sha256 text not null,
  -- The episodes (MA_LK) the message carries, for the per-episode view.
  ma_lks text[] not null,
  status text not null check (status in ('pending', 'sent', 'error')),
  attempts int not null default 0,
  -- Staff re-sends after an error (the episode then shows "đã gửi lại" once delivered).
  resends int not null default 0,
  had_error boolean not null default false,
  ma_giao_dich text,
  portal_time text,
  portal_code text,
  portal_message text,
  last_error text,
  sent_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint relay_message_payload check ((kind = 'envelope') = (submission_id is not null) and (kind = 'checkin') = (checkin_raw is not null))
);
alter table relay_message alter column checkin_raw set storage external;
-- The same bytes from the same facility are one message: never forwarded twice.
create unique index relay_message_once on relay_message(facility_code, sha256);
create index relay_message_facility on relay_message(facility_code, created_at desc);
create index relay_message_episodes on relay_message using gin (ma_lks);
create index relay_message_errors on relay_message(facility_code, updated_at desc) where status = 'error';

-- Every delivery attempt and its answer, for the facility's detail view and for support.
create table relay_attempt (
  id bigserial primary key,
  message_id bigint not null references relay_message(id) on delete cascade,
  at timestamptz not null default now(),
  outcome text not null check (outcome in ('sent', 'refused', 'transient')),
  http_status int,
  portal_code text,
  ma_giao_dich text,
  message text
);
create index relay_attempt_message on relay_attempt(message_id, at);
