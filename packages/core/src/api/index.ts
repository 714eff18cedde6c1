export type * from './book.ts';
export type * from './clinic.ts';
export type * from './reports.ts';
