-- Appointments debts (migration 082).

-- 1. The reminder planner no longer walks episode ids behind a time holdback: an ingest transaction
-- that took an id and committed after the holdback was passed over for good. Every stored XML14
-- (re-exam) or XML13 (referral) row queues its episode from inside the writing transaction, so the
-- queue row becomes visible exactly when the episode does, whatever the id order or commit time.
-- A trigger, so every writer of episode_row (ingest, FHIR writes, corrections, tests) is covered.
create table appointment_plan_queue (
  episode_id bigint primary key
);

create function appointment_plan_enqueue() returns trigger language plpgsql as $$
begin
  insert into appointment_plan_queue (episode_id) values (new.episode_id) on conflict do nothing;
  return null;
end $$;
create trigger episode_row_plans_appointment after insert on episode_row
  for each row when (new.tbl in ('XML14', 'XML13')) execute function appointment_plan_enqueue();

-- Episodes stored since the planner's last position are queued once; the position is not used again.
insert into appointment_plan_queue (episode_id)
  select distinct r.episode_id from episode_row r
   where r.tbl in ('XML14', 'XML13') and r.episode_id > (select last_episode_id from appointment_planner_state where id = 1)
  on conflict do nothing;
alter table appointment_planner_state drop column last_episode_id;
