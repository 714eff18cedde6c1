/**
 * Immunization schedule engine (issue 16): the national expanded-programme schedule as versioned,
 * sourced data, product-name matching, duplicate detection, per-person evaluation and monthly
 * planning. Pure: no database, no HTTP. See docs/immunization.md.
 */
export * from './antigens.ts';
export * from './coverage.ts';
export * from './dates.ts';
export * from './duplicates.ts';
export * from './engine.ts';
export * from './explain.ts';
export * from './planning.ts';
export * from './products.ts';
export * from './schedule-vn.ts';
export * from './sources.ts';
export * from './stock.ts';
export * from './types.ts';
