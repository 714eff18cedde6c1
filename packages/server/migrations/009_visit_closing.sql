-- Visits close in one place, ingest/visits.ts closeVisits(), called after every episode and check-in
-- write; the two triggers of migration 004 each held half of the rules.
drop trigger episode_closes_frontdesk_visit on episode;
drop function close_frontdesk_visits_on_episode();
drop trigger xml0_closes_frontdesk_visit on visit;
drop function close_frontdesk_visits_on_xml0();

-- closeVisits() looks only at a facility's open visits.
create index visit_open_facility on visit(facility_code) where status = 'open';
