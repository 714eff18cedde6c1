// Encrypted logical backup and restore of the whole database, on PGlite and PostgreSQL alike.
export { runBackupCommand } from './cli.ts';
export { type BackupOptions, type BackupSummary, backupDatabase, MIN_PASSPHRASE_LENGTH } from './dump.ts';
export { type BackupHeader, FORMAT_VERSION } from './format.ts';
export { type PassphraseSource, readPassphrase } from './passphrase.ts';
export { type RestoreOptions, type RestoreSummary, restoreDatabase, verifyBackupFile } from './restore.ts';
