import type { OperationOutcome } from '@medplum/fhirtypes';
import { DomainError } from '@openhssk/core';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { httpStatusOf, toDomainError, typedRoutes } from '../http/index.ts';
import { fhirCaller } from './access.ts';
import { capabilityStatement } from './capability.ts';
import { everythingBundle, summaryBundle } from './everything.ts';
import { cancelExport, type ExportLevel, exportDir, exportFile, exportStatus, kickOffExport } from './export.ts';
import { type FhirQuery, PUBLIC_TYPES, readResource, searchBundle } from './search.ts';
import { registerFhirWrites } from './write-routes.ts';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const tags = ['fhir'];

const typeParam = Type.String({ pattern: '^[A-Z][A-Za-z]{1,63}$', description: 'FHIR resource type' });
const params = Type.Object({ type: typeParam });
const readParams = Type.Object({ type: typeParam, id: Type.String({ minLength: 1, maxLength: 64, description: 'logical id' }) });
const value = Type.String({ maxLength: 2048 });
const query = Type.Record(Type.String({ maxLength: 64 }), Type.Union([value, Type.Array(value, { maxItems: 20 })]), {
  description: 'FHIR search parameters (see /fhir/R4/metadata); a repeated parameter is a list',
});

const ISSUE_CODE: Partial<Record<DomainError['kind'], OperationOutcome['issue'][number]['code']>> = {
  invalid: 'invalid',
  unauthenticated: 'login',
  forbidden: 'forbidden',
  not_found: 'not-found',
  rate_limited: 'throttled',
  too_large: 'too-costly',
  internal: 'exception',
  unavailable: 'transient',
  unprocessable: 'business-rule',
  unsupported_media: 'not-supported',
};

/** A domain error as an OperationOutcome, Vietnamese first, English in diagnostics. */
function outcome(e: DomainError): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: ISSUE_CODE[e.kind] ?? 'processing',
        details: { coding: [{ system: 'https://openhssk.vn/problems', code: e.code.toLowerCase().replace(/_/g, '-') }], text: e.message_vi },
        diagnostics: e.message_en,
      },
    ],
  };
}

/**
 * FHIR R4 read/search under /fhir/R4 (issue 17, first slice). Errors are OperationOutcomes; their HTTP
 * status comes from http/ like every other error of the API.
 */
export function registerFhirRoutes(fastify: FastifyInstance, db: Db, config: Pick<Config, 'publicUrl' | 'dataDir'>, tokenKey: string) {
  const base = `${config.publicUrl}/fhir/R4`;
  const filesDir = exportDir(config.dataDir);
  const startedAt = new Date().toISOString();
  fastify.register(async (scope) => {
    scope.setErrorHandler((error, req, reply) => {
      const e = toDomainError(error instanceof Error ? error : new Error(String(error)));
      if (e.kind === 'internal') req.log.error({ err: error }, 'unhandled error');
      return reply.status(httpStatusOf(e)).type(FHIR_JSON).send(outcome(e));
    });
    const app = typedRoutes(scope);
    const send = (reply: FastifyReply, body: unknown) => reply.type(FHIR_JSON).header('cache-control', 'no-store').send(body);
    const callerFor = (req: FastifyRequest, type: string, perm: 'read' | 'search') =>
      PUBLIC_TYPES.has(type) ? Promise.resolve(undefined) : fhirCaller(db, req, tokenKey, { type, perm });
    const everyType = { type: '*', perm: 'read' } as const;

    app.get('/fhir/R4/metadata', { schema: { summary: 'FHIR CapabilityStatement (public)', tags, querystring: query } }, async (_req, reply) =>
      send(reply, capabilityStatement(base, startedAt)),
    );

    const patientParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'Patient id (golden record)' }) });
    app.get(
      '/fhir/R4/Patient/:id/$everything',
      { schema: { summary: 'Everything about one patient the caller may see (searchset Bundle, paged by whole episodes)', tags, params: patientParams, querystring: query } },
      async (req, reply) => {
        const caller = await fhirCaller(db, req, tokenKey, everyType);
        return send(reply, await everythingBundle({ db, caller, id: req.params.id, query: req.query, base, requestId: req.id }));
      },
    );
    app.get(
      '/fhir/R4/Patient/:id/$summary',
      { schema: { summary: 'International Patient Summary document (Bundle of type document, Vietnamese narrative)', tags, params: patientParams, querystring: query } },
      async (req, reply) => {
        const caller = await fhirCaller(db, req, tokenKey, everyType);
        return send(reply, await summaryBundle({ db, caller, id: req.params.id, query: req.query, base, requestId: req.id }));
      },
    );

    // Bulk Data export (async pattern): kick-off → 202 + Content-Location, status polling, NDJSON files.
    const kickOff = async (req: FastifyRequest, params: FhirQuery, reply: FastifyReply, level: ExportLevel, groupId?: string) => {
      const caller = await fhirCaller(db, req, tokenKey, 'export');
      const id = await kickOffExport({ db, caller, level, ...(groupId ? { groupId } : {}), query: params, request: `${config.publicUrl}${req.url}`, prefer: [req.headers.prefer].flat().join(',') });
      return reply.status(202).header('content-location', `${base}/$export-status/${id}`).header('cache-control', 'no-store').send();
    };
    const exportSchema = (summary: string) => ({ schema: { summary, tags, querystring: query } });
    app.get('/fhir/R4/$export', exportSchema('Bulk export of everything the caller may read (system level; Prefer: respond-async)'), (req, reply) => kickOff(req, req.query, reply, 'system'));
    app.get('/fhir/R4/Patient/$export', exportSchema('Bulk export of all patients the caller may read and their data'), (req, reply) => kickOff(req, req.query, reply, 'patient'));
    app.get(
      '/fhir/R4/Group/:id/$export',
      { schema: { summary: 'Bulk export of a group: facility-<MACSKCB> or unit-<administrative unit code>', tags, querystring: query, params: Type.Object({ id: Type.String({ maxLength: 64 }) }) } },
      (req, reply) => kickOff(req, req.query, reply, 'group', req.params.id),
    );
    const jobParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
    app.get('/fhir/R4/$export-status/:id', { schema: { summary: 'Export status: 202 while running, the manifest when complete', tags, params: jobParams } }, async (req, reply) => {
      const caller = await fhirCaller(db, req, tokenKey, 'export');
      const s = await exportStatus(db, caller, req.params.id, base);
      if (s.state === 'in-progress') return reply.status(202).header('x-progress', encodeURIComponent(s.progress)).header('retry-after', '2').header('cache-control', 'no-store').send();
      if (s.state === 'completed') return reply.type('application/json; charset=utf-8').header('cache-control', 'no-store').send(s.manifest);
      if (s.state === 'cancelled') throw new DomainError('not_found', 'FHIR_EXPORT_CANCELLED', 'Yêu cầu trích xuất đã bị hủy.', 'The export was cancelled.');
      throw new DomainError('internal', 'FHIR_EXPORT_FAILED', 'Trích xuất không thành công.', `The export failed: ${s.error}`);
    });
    app.delete('/fhir/R4/$export-status/:id', { schema: { summary: 'Cancel an export and delete its files', tags, params: jobParams } }, async (req, reply) => {
      const caller = await fhirCaller(db, req, tokenKey, 'export');
      await cancelExport(db, caller, req.params.id, filesDir);
      return reply.status(202).send();
    });
    app.get(
      '/fhir/R4/$export-file/:id/:file',
      { schema: { summary: 'One NDJSON file of a completed export', tags, params: Type.Object({ id: Type.String({ maxLength: 64 }), file: Type.String({ maxLength: 64 }) }) } },
      async (req, reply) => {
        const caller = await fhirCaller(db, req, tokenKey, 'export');
        const stream = await exportFile(db, caller, req.params.id, req.params.file, filesDir);
        return reply.type('application/fhir+ndjson').header('cache-control', 'no-store').send(stream);
      },
    );

    app.get('/fhir/R4/:type', { schema: { summary: 'FHIR search (searchset Bundle with next links)', tags, params, querystring: query } }, async (req, reply) => {
      const caller = await callerFor(req, req.params.type, 'search');
      return send(reply, await searchBundle({ db, caller, type: req.params.type, query: req.query, base, requestId: req.id }));
    });

    app.get('/fhir/R4/:type/:id', { schema: { summary: 'FHIR read', tags, params: readParams, querystring: query } }, async (req, reply) => {
      const caller = await callerFor(req, req.params.type, 'read');
      return send(reply, await readResource({ db, caller, type: req.params.type, id: req.params.id, requestId: req.id }));
    });

    registerFhirWrites(scope, db, tokenKey, base);

    // Anything else below /fhir/R4 (history, operations, compartments) is not implemented in this slice.
    app.get('/fhir/R4/*', { schema: { summary: 'Not implemented in this slice', tags, params: Type.Object({ '*': Type.String({ maxLength: 1024 }) }) } }, async () => {
      throw new DomainError(
        'not_found',
        'FHIR_INTERACTION_UNSUPPORTED',
        'Thao tác FHIR này chưa được hỗ trợ (chỉ có đọc và tìm kiếm; xem /fhir/R4/metadata).',
        'This FHIR interaction is not supported (read and search only; see /fhir/R4/metadata).',
      );
    });
  });
}
