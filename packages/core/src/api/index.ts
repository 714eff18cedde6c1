export type * from './book.ts';
export * from './book-display.ts';
export type * from './clinic.ts';
export type * from './immunization.ts';
export type * from './primary-care.ts';
export type * from './reports.ts';
export * from './reports-display.ts';
export type * from './staff.ts';
export type * from './station.ts';
