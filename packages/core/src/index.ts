export * from './errors.ts';
export * from './identifiers/index.ts';
export * from './text/legacy-encoding.ts';
export * from './text/numbers.ts';
export * from './text/vietnamese.ts';
export * from './time/format.ts';
export * from './time/vietnam.ts';
export * from './time/working-days.ts';
