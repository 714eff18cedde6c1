export { findPerson } from './front-desk.ts';
export { registerClinicRoutes } from './routes.ts';
