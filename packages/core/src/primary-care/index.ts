// The 831 personal health record, periodic check-ups and chronic-disease registers of the commune
// health station, as data and pure functions (no I/O; browser-safe).
export * from './checkup.ts';
export * from './codesets.ts';
export * from './completeness.ts';
export * from './display.ts';
export * from './form.ts';
export * from './registers.ts';
export * from './validate.ts';
