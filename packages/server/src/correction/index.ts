/**
 * Correction requests ("Báo thông tin sai", issue 18 item 4): the citizen reports a visit that is not
 * theirs, a wrong diagnosis or medicine, or wrong personal data; the request goes to the facility
 * that sent the visit and, for identity data, to the area's MPI officer; status, owner, due date
 * (10 working days) and history; resolved by a re-sent version, an MPI decision or a changed golden
 * record. Owns correction_request, correction_event, correction_holiday (migration 065).
 */
export { type CorrectionBookAccess, type CorrectionBookSubject, registerBookCorrectionRoutes } from './book-routes.ts';
export { type CorrectionFigures, correctionFigures, NO_CORRECTIONS } from './figures.ts';
export { purgeCorrectionDemo } from './purge.ts';
export { registerCorrectionRoutes } from './routes.ts';
export { dueDate, SLA_WORKING_DAYS } from './store.ts';
export { correctionFollower, type MovedCorrections } from './follow.ts';
