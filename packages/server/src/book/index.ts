export { followCitizenRows, type MovedBookRows, moveBookRows, NO_BOOK_ROWS, returnBookRows } from './follow.ts';
export { allergyDeclarations, listDeclarations, summaryRows } from './queries.ts';
export { registerBookRoutes } from './routes.ts';
