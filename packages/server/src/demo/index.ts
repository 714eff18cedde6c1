export { adoptLegacyDemo, DEMO_KINDS, DEMO_STAFF_USERNAMES, type DemoKind, type DemoPresence, demoKeys, demoPresence } from './markers.ts';
export { type PurgeOptions, type PurgeRefusal, type PurgeResult, purgeDemo } from './purge.ts';
export { DEMO_PASSWORD, type DemoOptions, ensureDemoData, ensureDemoStaff } from './seed.ts';
