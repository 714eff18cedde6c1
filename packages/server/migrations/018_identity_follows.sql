-- What a manual merge moved besides source records: the citizen logins and the book rows (shares,
-- declarations, vaccinations) of the merged-away person, so an undo returns exactly those
-- (issue 14 §5). Null for merges made before this column: their undo re-resolves logins by CCCD.
alter table mpi_merge add column moved_identity jsonb;
