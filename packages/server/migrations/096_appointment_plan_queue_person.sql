-- The reminder planner's queue names the person (migration 096).
--
-- On a Citus cluster episode_row is distributed by person_id: the trigger that queues an episode runs
-- on the row's shard, and its insert stays there only when the queue is distributed the same way
-- (citus/090). So a queue entry carries the person of the row that queued it, and follows that row
-- when the MPI moves the episode (a relink, a merge, an undo, a separation), from triggers in the
-- moving transaction: the planner reads the episode's rows by person and episode, and a stale person
-- would hide them. The MPI moves rows by deleting and re-inserting them (person/source-records.ts
-- movePersonRows: a distribution column cannot change in place), so the entry of a deleted row is
-- dropped and the re-inserted row queues its new person (no code updates episode_row.person_id in
-- place). person_id is null while the episode is not yet linked, like episode_row's.
alter table appointment_plan_queue add column person_id text;

update appointment_plan_queue q set person_id = r.person_id
  from episode_row r where r.episode_id = q.episode_id and r.tbl in ('XML14', 'XML13') and r.person_id is not null;

create or replace function appointment_plan_enqueue() returns trigger language plpgsql as $$
begin
  insert into appointment_plan_queue (person_id, episode_id) values (new.person_id, new.episode_id) on conflict do nothing;
  return null;
end $$;

-- Row events of one statement fire in the order the rows changed: a moved row's delete (entry of the
-- old person dropped) comes before its re-insert (entry of the new person queued).
create function appointment_plan_forget() returns trigger language plpgsql as $$
begin
  delete from appointment_plan_queue where episode_id = old.episode_id and person_id is not distinct from old.person_id;
  return null;
end $$;
create trigger episode_row_leaves_appointment_plan after delete on episode_row
  for each row when (old.tbl in ('XML14', 'XML13'))
  execute function appointment_plan_forget();
