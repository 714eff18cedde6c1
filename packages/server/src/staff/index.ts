export { CLI_ACTOR, createStaff, isStation, type NewStaff, resetPassword, STATION_FACILITY_LEVEL, setStaffDisabled } from './accounts.ts';
export { DEMO_STAFF_PASSWORD, seedDemoStaff } from './demo.ts';
export { coversFacility, requireStaff, STAFF_COOKIE, type StaffContext, type StaffGuard, staffActor, stationCommune, stationUnit, unitAncestry, unitDescendants } from './guard.ts';
export { registerStaffRoutes } from './routes.ts';
export { FACILITY_ROLES, STAFF_ROLES, STATION_ROLES, type StaffRole, type StationRole, staffDb } from './tables.ts';
export { totpCode } from './totp.ts';
