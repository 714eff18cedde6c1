-- Issue 21: the episode key directory (migration 087) lives with the facility's other keyed rows
-- (relay_message, appointment_reminder): an envelope's lookup and lock of its MA_LKs is one shard.
set local citus.multi_shard_modify_mode to 'sequential';
select create_distributed_table('episode_key', 'facility_code', colocate_with => 'relay_message');
