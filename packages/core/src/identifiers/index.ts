export * from './result.ts';
export * from './cccd.ts';
export * from './bhyt.ts';
export * from './facility.ts';
export * from './provinces.ts';
