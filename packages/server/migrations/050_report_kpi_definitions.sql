-- KPI definitions of issue 19 (docs/reports.md "KPI definitions"): the summaries gain what the new
-- figures need. Dashboard queries still read only report_* tables.

-- Identification by personal ID, measured on every facility's episodes: first versions carrying a
-- SO_CCCD (12 digits). A proxy: a number typed from a paper card looks the same as one read from VNeID.
alter table report_episode_day add column with_cccd int not null default 0;
alter table report_episode_month add column with_cccd int not null default 0;
-- Check-ins whose method is known (not XML0) made with the personal ID: VNeID QR or the chip card.
alter table report_visit_day add column personal_id int not null default 0;
alter table report_visit_month add column personal_id int not null default 0;

-- Backfill what was already folded in (rows up to the watermark), so past periods are not shown as 0.
-- One scan of episode and visit, once.
with w as (select coalesce((select last_id from report_watermark where name = 'episode'), 0) as last_id),
x as (
  select facility_code, vn_day(received_at) as day, count(*) as n
    from episode, w
   where id <= w.last_id and version = 1 and so_cccd ~ '^[0-9]{12}$'
   group by 1, 2
)
update report_episode_day r set with_cccd = x.n from x where r.facility_code = x.facility_code and r.day = x.day;
with w as (select coalesce((select last_id from report_watermark where name = 'episode'), 0) as last_id),
x as (
  select facility_code, date_trunc('month', vn_day(received_at))::date as day, count(*) as n
    from episode, w
   where id <= w.last_id and version = 1 and so_cccd ~ '^[0-9]{12}$'
   group by 1, 2
)
update report_episode_month r set with_cccd = x.n from x where r.facility_code = x.facility_code and r.day = x.day;
with w as (select coalesce((select last_id from report_watermark where name = 'visit'), 0) as last_id),
x as (
  select facility_code, ngay_vao::date as day, count(*) as n
    from visit, w where id <= w.last_id and id_method in ('vneid_qr', 'chip_cccd') group by 1, 2
)
update report_visit_day r set personal_id = x.n from x where r.facility_code = x.facility_code and r.day = x.day;
with w as (select coalesce((select last_id from report_watermark where name = 'visit'), 0) as last_id),
x as (
  select facility_code, date_trunc('month', ngay_vao)::date as day, count(*) as n
    from visit, w where id <= w.last_id and id_method in ('vneid_qr', 'chip_cccd') group by 1, 2
)
update report_visit_month r set personal_id = x.n from x where r.facility_code = x.facility_code and r.day = x.day;

-- Person figures: "có hồ sơ" now needs health data; the identity-only record is kept separately;
-- integration = active book + BHYT card; upd_month becomes the month of the last new data of any
-- kind (golden record, episode, visit, station entry, vaccination, declaration). The meaning of the
-- per-person state changed, so it is rebuilt: the next refresh recomputes every person once.
delete from report_person_agg;
delete from report_person_state;
delete from report_watermark where name = 'person';
alter table report_person_state add column has_identity boolean not null default false;
alter table report_person_state add column has_health_data boolean not null default false;
alter table report_person_state add column integrated boolean not null default false;
alter table report_person_agg add column has_identity int not null default 0;
alter table report_person_agg add column has_health_data int not null default 0;
alter table report_person_agg add column integrated int not null default 0;

-- Snapshots taken before this migration counted the identity record as "có hồ sơ": moved to
-- has_identity, and the figures they cannot answer stay NULL (shown as "—").
alter table report_person_daily add column has_identity int;
alter table report_person_daily add column has_health_data int;
alter table report_person_daily add column integrated int;
-- fresh_by_month[k + 1] = residents whose last new data fell k calendar months before the snapshot
-- day's month (k = 0..23), so "new data in the period" can be answered for a past period.
alter table report_person_daily add column fresh_by_month int[];
update report_person_daily set has_identity = has_record;
alter table report_person_daily alter column has_record drop not null;
update report_person_daily set has_record = null;

-- The refresher finds persons with new data through these times.
create index if not exists visit_received on visit(received_at);
create index if not exists vaccination_updated on vaccination(updated_at);
create index if not exists citizen_declaration_updated on citizen_declaration(updated_at);
create index if not exists pc_entry_received on pc_entry(received_at);
create index if not exists station_event_recorded on station_event(recorded_at);
