export { type Db, type DatabaseHandle, type DatabaseOptions, openDatabase } from './database.ts';
export { migrate } from './migrate.ts';
export type { Schema } from './schema.ts';
