export { issuePortalPassword } from './credentials.ts';
export { registerPortalRoutes } from './routes.ts';
