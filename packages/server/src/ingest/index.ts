export { anyVersionSensitive, birthDateToIso, episodeColumns, episodeContentHash, sensitivityOfEpisode } from './episode-record.ts';
export { checkDeclaredBody, registerIngestRateLimit, requestFacility, setRequestFacility } from './guard.ts';
export { formatSummary, type ImportOptions, type ImportSummary, importExitCode, importXml130Files, JOURNAL_FILE } from './import-files.ts';
export { closePreparePool, setPrepareWorkers, warmPreparePool } from './prepare-pool.ts';
export type { EpisodeOutcome, EpisodeStatus, Receipt } from './receipt.ts';
export { registerIngestRoutes } from './routes.ts';
export { type IngestRequest, type IngestResult, ingestEnvelope } from './service.ts';
export { closeVisits, openFrontDeskVisit } from './visits.ts';
export { type CheckinOutcome, ingestCheckin } from './xml0-checkin.ts';
