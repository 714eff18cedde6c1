import type { StaffCorrection, StaffCorrectionDetail } from '@openhssk/core/api';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/index.ts';
import { typedRoutes } from '../http/index.ts';
import { requireStaff } from '../staff/index.ts';
import { detail, HANDLER_ROLES, handlerOf, queue, reject, resolve, take } from './handling.ts';

const tags = ['corrections'];
const idParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });

/** Staff side: the facility admin's queue (its visits) and the MPI officer's (identity data of its area). */
export function registerCorrectionRoutes(fastify: FastifyInstance, db: Db) {
  const app = typedRoutes(fastify);
  const handler = async (req: FastifyRequest) => handlerOf(db, await requireStaff(db, req, { roles: HANDLER_ROLES }));

  app.get(
    '/api/v1/corrections',
    {
      schema: {
        summary: 'Correction requests the caller handles, open and overdue first',
        tags,
        querystring: Type.Object({
          status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('new'), Type.Literal('in_progress'), Type.Literal('resolved'), Type.Literal('rejected')])),
          overdue: Type.Optional(Type.Boolean()),
        }),
      },
    },
    async (req): Promise<{ requests: StaffCorrection[] }> => {
      const h = await handler(req);
      return { requests: await queue(db, h, { status: req.query.status, overdue: req.query.overdue }, req.id) };
    },
  );

  app.get('/api/v1/corrections/:id', { schema: { summary: 'One request with its history and any re-sent version of the visit', tags, params: idParams } }, async (req): Promise<StaffCorrectionDetail> => {
    return detail(db, await handler(req), req.params.id, req.id);
  });

  // Nothing to send: the body may be empty, {} or null.
  const noBody = Type.Union([Type.Object({}, { additionalProperties: false }), Type.Null()]);
  app.post('/api/v1/corrections/:id/take', { schema: { summary: 'Take the request (đang xử lý)', tags, params: idParams, body: noBody } }, async (req) => {
    return take(db, await handler(req), req.params.id, req.id);
  });

  app.post(
    '/api/v1/corrections/:id/reject',
    { schema: { summary: 'Refuse the request with a reason the citizen reads', tags, params: idParams, body: Type.Object({ reason: Type.String({ maxLength: 1000 }) }, { additionalProperties: false }) } },
    async (req) => reject(db, await handler(req), req.params.id, req.body.reason, req.id),
  );

  app.post(
    '/api/v1/corrections/:id/resolve',
    {
      schema: {
        summary: 'Resolve: re-sent version of the visit (facility), MPI merge/separation, or corrected golden-record field',
        tags,
        params: idParams,
        body: Type.Object(
          {
            resolution: Type.Union([Type.Literal('resent'), Type.Literal('mpi_decision'), Type.Literal('golden_field')]),
            ref: Type.Optional(Type.String({ maxLength: 40, description: 'mpi_decision: mpi_review/N or mpi_merge/N' })),
            note: Type.Optional(Type.String({ maxLength: 1000, description: 'shown to the citizen' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => resolve(db, await handler(req), req.params.id, req.body, req.id),
  );
}
