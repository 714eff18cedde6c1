-- Appointments and reminders (appointments/ module, issue 18 item 3). Appointments themselves are the
-- XML14 (re-exam) and XML13 (referral) rows of current episodes, read where they are; these tables hold
-- what the platform adds: reminders with their delivery status, in-app notifications, the citizen's
-- channel choices.

-- One reminder per appointment and channel. The appointment is named by its episode's business key
-- (facility, MA_LK), so a re-sent episode version updates the reminder instead of adding one, and the
-- person is read from the current episode at delivery (it follows MPI merges without a hook).
create table appointment_reminder (
  id bigserial primary key,
  facility_code text not null,
  ma_lk text not null,
  kind text not null check (kind in ('re_exam', 'referral')),
  channel text not null check (channel in ('in_app', 'email', 'sms')),
  appointment_date date not null,
  target_facility text not null,
  due_at timestamptz not null,
  status text not null default 'pending' check (status in ('pending', 'deferred', 'sent', 'failed', 'skipped', 'cancelled')),
  status_reason text,
  attempts int not null default 0,
  last_error text,
  sent_at timestamptz,
  sent_to text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (facility_code, ma_lk, kind, channel)
);
create index appointment_reminder_status on appointment_reminder (status, due_at);

-- The planner's place in the episode sequence (one row).
create table appointment_planner_state (
  id int primary key default 1 check (id = 1),
  last_episode_id bigint not null default 0
);
insert into appointment_planner_state (id, last_episode_id) values (1, 0);

-- In-app notifications of the citizen's book (reminders, correction-request outcomes, ...), written by
-- notifyCitizen in the writer's transaction; source_key makes a notification idempotent.
create table citizen_notification (
  id bigserial primary key,
  person_id text not null,
  kind text not null,
  title text not null,
  body text not null,
  link text,
  source_key text,
  created_at timestamptz not null default now(),
  read_at timestamptz,
  unique (person_id, source_key)
);
create index citizen_notification_person on citizen_notification (person_id, created_at desc);

-- The citizen's choices per outside channel: opted out, and the address to use (an e-mail address the
-- citizen gave; for SMS a number given here wins over the phone on record).
create table notification_preference (
  person_id text not null,
  channel text not null check (channel in ('email', 'sms')),
  opted_out boolean not null default false,
  address text,
  updated_at timestamptz not null default now(),
  primary key (person_id, channel)
);
