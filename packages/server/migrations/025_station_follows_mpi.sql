-- Household register rows follow the MPI's decisions (issue 15; station/follow.ts). A merge moves a
-- person's memberships, events and headships to the surviving person id; an undo moves exactly those
-- rows back. Two constraints of migration 021 meet on a merge and get an explicit resolution:
--   * one current membership per person: the membership that loses is closed with left_reason
--     'merged' (and reopened by the undo);
--   * one death per person: a second death record of what turned out to be the same person is kept,
--     marked duplicate_of the death that stands (cleared by the undo).

alter table station_member drop constraint station_member_left_reason_check;
alter table station_member add constraint station_member_left_reason_check
  check (left_reason in ('death', 'move_out', 'moved_elsewhere', 'population_list', 'merged'));

alter table station_event add column duplicate_of bigint references station_event(id);
drop index station_event_one_death;
create unique index station_event_one_death on station_event(person_id) where kind = 'death' and duplicate_of is null;
