export { type BookSubject, DEPENDENT_MAX_AGE, guardiansOf, listDependents, resolveBookSubject } from './access.ts';
export { followCitizenRows, type MovedBookRows, moveBookRows, NO_BOOK_ROWS, returnBookRows } from './follow.ts';
export {
  allergyDeclarations,
  daysOf,
  facilityLabel,
  facilityNames,
  getEpisodeForPerson,
  labResult,
  listDeclarations,
  type RecordSummary,
  recordSummary,
  referralDestination,
  sensitiveEpisodeIds,
  sexOf,
  summaryRows,
  xmlDay,
} from './queries.ts';
export { registerBookRoutes } from './routes.ts';
