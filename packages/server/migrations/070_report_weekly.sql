-- Weekly Đề án 06 progress (issue 19): one stored snapshot per week ending Thursday 15:00 (Viet Nam
-- time, when the plans ask for the weekly report) and per table: each province and each district
-- (also one ended by the 2025 reform, so its officers keep their table) with the units listed under
-- it for that week (a province: its districts, or its communes after the reform; a district: its communes). "Change since last week"
-- compares two stored snapshots, so a figure corrected later does not rewrite last week's report.
create table report_weekly (
  week_end date not null,
  unit_code text not null,
  -- The province or district whose table this row belongs to (its own total row has unit_code = root_code).
  root_code text not null,
  unit_name text not null,
  unit_level text not null,
  insured_facilities int not null,
  integrated_facilities int not null,
  episodes int not null,
  episodes_with_cccd int not null,
  residents int,
  with_health_data int,
  taken_at timestamptz not null default now(),
  primary key (root_code, week_end, unit_code)
);
