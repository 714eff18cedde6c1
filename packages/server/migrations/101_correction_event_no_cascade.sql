-- A correction request's history (correction_event) no longer goes with its request by cascade.
-- The MPI moves a request to another person by deleting and re-inserting it (person/rehome.ts: on a
-- Citus cluster person_id places a row on its shard and cannot be updated, issue 21); a cascade fired
-- by that delete would take the history with it, while NO ACTION is checked at the statement's end,
-- when the request is back with the same id. The one deleter of requests (the demo purge,
-- correction/purge.ts) now deletes their history first, which a cluster needed anyway: Citus cannot
-- enforce this key (citus/090 drops it there), so the cascade never ran on a cluster.
alter table correction_event drop constraint if exists correction_event_request_id_fkey;
do $$
begin
  -- On a Citus database both tables are distributed by person_id and the key is not enforceable.
  if not exists (select 1 from pg_extension where extname = 'citus') then
    alter table correction_event add constraint correction_event_request_id_fkey foreign key (request_id) references correction_request(id);
  end if;
end $$;
