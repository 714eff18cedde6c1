export { FHIR_STAFF_ROLES, type FhirCaller } from './access.ts';
export { registerFhirRoutes } from './routes.ts';
export { createExportRunner, type ExportRunner, exportDir, kickOffExport } from './export.ts';
