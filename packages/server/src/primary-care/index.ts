// Primary care at the commune health station (issue 15): the QĐ 831 personal health record,
// periodic check-ups and chronic-disease registers. Owns the pc_* tables of migration 022.
export { bookPrimaryCare } from './book-view.ts';
export { careFollower, type MovedCareRows } from './follow.ts';
export { type ProposalSweep, proposeFromEpisodes } from './proposals.ts';
export { purgePrimaryCareDemo } from './purge.ts';
export { followUpsDue } from './registers.ts';
export { registerPrimaryCareRoutes } from './routes.ts';
export { type CommuneFigures, communeFigures, totalFigures } from './stats.ts';
export { type EntryResult, MAX_BATCH, type SyncEntry } from './sync.ts';
