export * from './drugs.ts';
export * from './icd10.ts';
export * from './labs.ts';
export * from './services.ts';
