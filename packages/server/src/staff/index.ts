export { CLI_ACTOR, createStaff, type NewStaff, resetPassword, setStaffDisabled } from './accounts.ts';
export { DEMO_STAFF_PASSWORD, seedDemoStaff } from './demo.ts';
export { isStation, STATION_FACILITY_LEVEL } from './accounts.ts';
export { coversFacility, requireStaff, stationCommune, STAFF_COOKIE, type StaffContext, type StaffGuard, staffActor, unitAncestry, unitDescendants } from './guard.ts';
export { registerStaffRoutes } from './routes.ts';
export { FACILITY_ROLES, STAFF_ROLES, STATION_ROLES, type StaffRole, type StationRole, staffDb } from './tables.ts';
export { totpCode } from './totp.ts';
