-- Issue 21 (Citus): the episode key directory. Ingest finds and locks the current version of each
-- MA_LK it receives by (facility_code, ma_lk); on a cluster episode is distributed by person_id, so
-- that lookup asks every shard and its FOR UPDATE is refused. This table is distributed by
-- facility_code (citus/091), so one envelope's keys are one routed statement that can lock them, and
-- it names the person whose shard holds the current version; the episode read then routes by person.
-- On one node it is a small second index of the current episodes, written by the episode writers
-- (ingest store, episodesFollowSourceRecords) in their transaction. It also keeps (facility_code,
-- ma_lk) unique across the nation on a cluster, where episode's own unique keys become per person.
create table episode_key (
  facility_code text not null,
  ma_lk text not null,
  -- The person of the current version; null while that episode is not linked (one node only).
  person_id text,
  primary key (facility_code, ma_lk)
);
-- Episodes follow their source record by person: the follower re-points its keys by person.
create index episode_key_person on episode_key(person_id);

insert into episode_key (facility_code, ma_lk, person_id)
select facility_code, ma_lk, person_id from episode where is_current;
