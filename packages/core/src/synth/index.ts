export * from './district.ts';
export * from './episodes.ts';
export * from './names.ts';
export * from './population.ts';
export * from './scenarios.ts';
