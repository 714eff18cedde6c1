export * from './bhyt.ts';
export * from './cccd.ts';
export * from './facility.ts';
export * from './provinces.ts';
export * from './result.ts';
