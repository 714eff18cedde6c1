export { listDeclarations, summaryRows } from './queries.ts';
export { registerBookRoutes } from './routes.ts';
