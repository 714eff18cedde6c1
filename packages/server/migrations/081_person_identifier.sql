-- Issue 21 (Citus): the identifier directory that lets a check-in by CCCD or BHXH number route to one
-- shard. On a cluster person is distributed by id, so `where so_cccd = …` asks every shard; this table
-- is distributed by the identifier (citus/090), and the lookup becomes two routed steps: identifier →
-- person ids here, then the person by id. On one node it is a second index of person, derived from
-- person's columns by every writer of them (person/identifiers.ts) in the writer's transaction.
create table person_identifier (
  identifier text not null,
  kind text not null check (kind in ('cccd', 'bhxh')),
  person_id text not null references person(id) on delete cascade,
  primary key (identifier, kind, person_id)
);
-- The writers re-derive a person's rows by person id.
create index person_identifier_person on person_identifier(person_id);

insert into person_identifier (identifier, kind, person_id)
select so_cccd, 'cccd', id from person where so_cccd is not null
union
select bhxh, 'bhxh', id from person where bhxh is not null;

-- An imported dose belongs to the person of its source record (immunization dosesOf). Its person_id is
-- now kept equal to that person by every relink (person/source-records.ts setSourceLinks), so the dose
-- read can join on person_id and stay on one shard; doses whose source record was re-pointed before
-- this migration catch up here.
update vaccination v set person_id = sr.person_id, updated_at = now()
  from source_record sr
 where sr.source_system = v.person_source_system and sr.source_id = v.person_source_id
   and sr.person_id is not null and v.person_id is distinct from sr.person_id;
