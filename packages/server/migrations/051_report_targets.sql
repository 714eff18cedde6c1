-- Report targets as data (issue 19): per administrative unit, indicator and year (or half-year).
-- A unit without its own row inherits the nearest ancestor's; without any, the plans' defaults in
-- reports/targets.ts apply. Each edit is also written to the audit log with the old and new value.
create table report_target (
  unit_code text not null references admin_unit(code),
  indicator text not null check (indicator in ('withRecord', 'identified', 'integratedResidents', 'integratedFacilities')),
  year int not null check (year between 2020 and 2100),
  -- 0 = the whole year; 1 or 2 = that half-year (the six-monthly report's period).
  half smallint not null default 0 check (half in (0, 1, 2)),
  value numeric(5, 4) not null check (value >= 0 and value <= 1),
  updated_by text not null,
  updated_at timestamptz not null default now(),
  primary key (unit_code, indicator, year, half)
);
