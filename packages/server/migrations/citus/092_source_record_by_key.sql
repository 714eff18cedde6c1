-- Issue 21: source records are distributed by their own key, not by person.
-- A source record is the MPI's input: its person is what linking decides, and it changes on every
-- relink, merge, unmerge and review decision; a new record often has no person until the MPI places
-- it. Distributed by person_id (citus/090), every such decision would be a delete and re-insert on
-- another shard, a record could not be written before it was placed, and the writers' upserts by
-- (source_system, source_id) had no unique key to conflict on. By source_id, the key every writer
-- and reader names, the upserts route to one shard, a link is an update of an ordinary column, and
-- (source_system, source_id) is unique across the nation again. The MPI's blocking reads (by match
-- key) ask every shard either way; reads by person ask every shard now, as the MPI's own reads do.
set local citus.multi_shard_modify_mode to 'sequential';
alter table source_record drop constraint if exists source_record_person_id_fkey;
-- Back to a local table and out again (alter_distributed_table sends the workers a multi-command
-- string that fails inside the migration's transaction).
select undistribute_table('source_record');
drop index if exists source_record_dist_key;
alter table source_record add primary key (source_system, source_id);
select create_distributed_table('source_record', 'source_id', colocate_with => 'none');
