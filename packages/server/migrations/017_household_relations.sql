-- Families for real deployments (issue 14 §6): parent/guardian → child relations derived from
-- population lists (household id, ages, relation to the household head) and entered or confirmed by
-- commune staff with the proof they saw. Rules: docs/architecture.md, "Families".

-- Relation to the household head as the list spelled it (raw, trimmed), read by core's
-- householdRelation when relations are derived. Absent from the content hash while empty, so lists
-- imported before this column existed do not look changed (mpi/import.ts contentHash).
alter table source_record add column quan_he_chu_ho text;

-- person_relation.source is where a relation comes from:
--   population_relation  derived from the relation-to-head column of a household
--   household_age        derived from the ages within a household that has no relation column
--   staff_confirmed      entered or confirmed by staff with proof (proof_type, proof_number)
--   demo                 written by the demo district (demo/seed.ts)
-- Only the two derived sources are rewritten by a derivation run, and only rows no staff decision
-- touched (decided_at is null). A relation staff removed stays as a row with removed_at set, so a
-- later derivation cannot bring it back; readers take rows with removed_at null.
alter table person_relation
  add column proof_type text check (proof_type in ('birth_certificate', 'court_decision', 'guardianship_registration')),
  add column proof_number text,
  add column note text,
  add column decided_by text,
  add column decided_at timestamptz,
  add column removed_at timestamptz,
  add column removal_reason text;

-- Until now only the demo wrote relations, under its registry's source name.
update person_relation set source = 'demo' where source = 'MIS2022';

-- A person as their own parent was never shown (the book skipped it) and is refused from now on.
delete from person_relation where person_id = related_person_id;
alter table person_relation add constraint person_relation_not_self check (person_id <> related_person_id);
alter table person_relation add constraint person_relation_staff_proof
  check (source <> 'staff_confirmed' or (proof_type is not null and proof_number is not null and decided_by is not null and decided_at is not null));
alter table person_relation add constraint person_relation_removal
  check (removed_at is null or (removal_reason is not null and decided_by is not null and decided_at is not null));
