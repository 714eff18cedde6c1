export { runReportsCli } from './cli.ts';
export { forgetReportContributions } from './forget.ts';
export { type RefreshOptions, type RefreshResult, refreshReports } from './refresh.ts';
export { registerReportRoutes } from './routes.ts';
export { lastDueWeek, snapshotDueWeek, takeWeeklySnapshot, weekOf } from './weekly.ts';
