export { escapeHtml } from './html.ts';
export { errorHandler, httpStatusOf, problemBody, sendProblem, toDomainError } from './problem.ts';
export { rawBodySchema, typedRoutes } from './typed.ts';
