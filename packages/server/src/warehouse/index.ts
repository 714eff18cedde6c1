export { runWarehouse } from './cli.ts';
export { DEFAULT_OVERLAP_SECONDS, type ExtractRow, extractById, listExtracts, type ReconcileLine, reconcileExtract, runExtract, WAREHOUSE_ACTOR } from './extract.ts';
