export { type DayList, dayList, dayListPersons } from './day-list.ts';
export { type BirthEntry, type DeathEntry, MAX_BATCH, type MoveInEntry, type MoveOutEntry, type RegisterEntry } from './entries.ts';
export { applyBatch, applyEntry, type EntryOutcome, type EventContext, type EventResult, STATION_SOURCE } from './events.ts';
export { type MovedStationRows, stationFollower } from './follow.ts';
export { type Hamlet, hamletKey, parseHamlet } from './hamlet.ts';
export { ensureRegister, type RefreshStats, refreshRegister } from './households.ts';
export {
  applyEach, applyOnce, batchAnswer, checkEntryAgainst, entryHash, entryReused, OFFLINE_BATCH_BODY_LIMIT, OFFLINE_MAX_BATCH, type OfflineOutcome, offlineBatchBody, ReplayRace,
} from './offline.ts';
export { type DemoObjects, purgeStationDemo } from './purge.ts';
export { registerStationRoutes, type StationConfig } from './routes.ts';
export { personInArea, REGISTER_READ_ROLES, REGISTER_WRITE_ROLES, type StationArea, stationArea } from './scope.ts';
export { type SearchResult, searchRegister } from './search.ts';
