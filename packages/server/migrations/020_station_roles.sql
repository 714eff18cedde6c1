-- Commune health station staff (issue 15, QĐ 3532): trạm trưởng, y sĩ/bác sĩ, điều dưỡng/nữ hộ sinh and
-- cộng tác viên dân số belong to one station (a facility whose unit is a commune); the commune is their area.
alter table staff_account drop constraint staff_account_role_check;
alter table staff_account add constraint staff_account_role_check check (role in (
  'system_admin', 'health_officer', 'facility_admin', 'clinician', 'receptionist',
  'station_head', 'station_clinician', 'station_nurse', 'population_collaborator'
));
alter table staff_account drop constraint staff_account_check;
alter table staff_account add constraint staff_account_facility_scope check ((role in (
  'facility_admin', 'clinician', 'receptionist', 'station_head', 'station_clinician', 'station_nurse', 'population_collaborator'
)) = (facility_code is not null));
