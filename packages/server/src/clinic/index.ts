export { type BreakGlassAlert, listBreakGlassAlerts } from './alerts.ts';
export { findPerson } from './front-desk.ts';
export { type ClinicConfig, registerClinicRoutes } from './routes.ts';
