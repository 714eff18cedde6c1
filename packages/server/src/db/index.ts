export { bulkInsert, type ColumnTypes, recordColumns, reserveIds, writeBehind } from './bulk.ts';
export { type DatabaseHandle, type DatabaseOptions, type Db, openDatabase } from './database.ts';
export { oneConnectionPerWorker } from './citus.ts';
export { hasCitus, migrate } from './migrate.ts';
export type { Schema, SourceRecordTable } from './tables.ts';
