export * from './names.ts';
export * from './district.ts';
export * from './population.ts';
export * from './scenarios.ts';
export * from './episodes.ts';
