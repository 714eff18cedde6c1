export * from './icd10.ts';
export * from './drugs.ts';
export * from './services.ts';
export * from './labs.ts';
