export { FHIR_STAFF_ROLES, type FhirCaller } from './access.ts';
export { createExportRunner, type ExportRunner, exportDir, exportSourceCounts, exportToFolder, type FolderExport, kickOffExport } from './export.ts';
export { registerFhirRoutes } from './routes.ts';
