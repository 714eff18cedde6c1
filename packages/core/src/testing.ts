// Test support only: sample XML 130 tables for tests, benchmarks and fuzzing. Product code never imports it.

export { type EpisodeTables, sampleCheckinRow, sampleEpisode } from './xml130/testdata.ts';
