-- Vietnam time in SQL, in one place (the TypeScript side is @openhssk/core vietnamToday/vietnamNow):
-- UTC+7 all year, no daylight saving, independent of the session's TimeZone setting.

-- The Vietnam calendar day of an instant.
create function vn_day(at timestamptz) returns date language sql immutable parallel safe
  as $$ select ((at at time zone 'UTC') + interval '7 hours')::date $$;

-- The instant of a zone-less Vietnam wall-clock time (XML 130 NGAY_VAO/NGAY_RA are stored that way).
create function vn_instant(local timestamp) returns timestamptz language sql immutable parallel safe
  as $$ select (local - interval '7 hours') at time zone 'UTC' $$;
