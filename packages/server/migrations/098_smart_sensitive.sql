-- Sensitive episodes on the citizen's explicit choice (issue 17 item 3). Owned by the smart module.
--
-- Whether the citizen, on the consent screen, also let the app read their sensitive episodes (HIV,
-- TB, mental health). Off unless they ticked the box: every authorization granted before this
-- migration keeps leaving them out. A reference table on Citus: the column follows by DDL propagation.
alter table smart_authorization add column include_sensitive boolean not null default false;
