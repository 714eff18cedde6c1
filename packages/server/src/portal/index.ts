export { registerPortalRoutes } from './routes.ts';
