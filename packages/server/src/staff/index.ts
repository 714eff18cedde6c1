export { createStaff, resetPassword } from './accounts.ts';
export { coversFacility, requireStaff, type StaffContext, type StaffGuard, staffActor, unitAncestry, unitDescendants } from './guard.ts';
export { registerStaffRoutes } from './routes.ts';
export { FACILITY_ROLES, STAFF_ROLES, type StaffRole, staffDb } from './schema.ts';
