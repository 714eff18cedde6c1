export { registerFamilyRoutes } from './routes.ts';
