export * from './identifiers/index.ts';
export * from './text/vietnamese.ts';
