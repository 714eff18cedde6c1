export { type BookSubject, DEPENDENT_MAX_AGE, guardiansOf, listDependents, resolveBookSubject } from './access.ts';
export { bookFollower, type MovedBookRows } from './follow.ts';
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
