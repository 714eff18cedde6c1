-- Staff authentication hardening (issue 13): idle timeout of staff sessions and per-client login throttling.

-- Last use of a staff session, for the idle timeout. Keyed by a random value kept in the session's data
-- rather than by the session id (auth stores only its hash, and that scheme stays auth's business).
-- staff_id lets disabling an account drop its rows with its sessions.
create table staff_session_activity (
  key text primary key,
  staff_id text not null references staff_account(id) on delete cascade,
  last_seen_at timestamptz not null default now()
);
create index staff_session_activity_staff on staff_session_activity(staff_id);
create index staff_session_activity_seen on staff_session_activity(last_seen_at);

-- Failed staff logins per client address in a window that opens at the client's first failure (so a
-- burst cannot straddle two fixed windows and get twice the allowance). Counted with one atomic upsert
-- before the password is checked, so concurrent attempts cannot all slip under the limit; a success
-- gives its count back, so a busy hospital NAT is not throttled by its own correct logins.
create table staff_login_throttle (
  client text primary key,
  window_start timestamptz not null,
  failures int not null default 0
);
create index staff_login_throttle_window on staff_login_throttle(window_start);
