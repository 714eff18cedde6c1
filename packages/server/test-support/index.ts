// Test and benchmark support; product code never imports it (checked by scripts/check-boundaries.mjs).
export { facilityWithToken, startTestApp, type TestDatabase } from './app.ts';
export { CookieJar, follow, send } from './cookie-jar.ts';
export { createTestDatabase } from './database.ts';
export { type PortalChild, startPortalChild } from './portal-child.ts';
export { type RelayScenarioResult, relayScenario, signedEnvelopes } from './relay-scenario.ts';
export { createScratchPostgres, DEFAULT_ADMIN_URL, type ScratchDatabase } from './scratch-postgres.ts';
export { type SmartClient, startSmartApp } from './smart-app.ts';
export { sheetRows } from './xlsx.ts';
