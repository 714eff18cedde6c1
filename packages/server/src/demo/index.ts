export { DEMO_PASSWORD, type DemoOptions, ensureDemoData } from './seed.ts';
