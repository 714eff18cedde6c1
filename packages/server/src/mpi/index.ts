export { runMpi } from './cli.ts';
export { EXPORT_HEADER, exportLinks } from './export.ts';
export { type ImportIssue, type ImportOptions, type ImportResult, importFile, MpiImportError } from './import.ts';
export { holdAgainstRelink, type IncomingPlacement, linkIncoming, type SourceKey } from './incremental.ts';
export { type RelinkOptions, type RelinkStats, relinkAll } from './link.ts';
export { pendingReviewsByCommune } from './review.ts';
export { registerMpiRoutes } from './routes.ts';
export {
  PERSON_CONTENT, type PersonRow, type PlacedSubject, placeSourcePersons, placeSubject, type ReceivedSubject, type SourcePerson, type SourcePersonFields, sourceKey, sourcePerson,
} from './place.ts';
