import { DomainError, forbidden } from '@openhssk/core';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { audit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { typedRoutes } from '../http/index.ts';
import { requireStaff, type StaffContext, staffActor, unitDescendants } from '../staff/index.ts';
import { decideReview, getReview, listReviews, undoMerge } from './review.ts';
import { mpiDb } from './tables.ts';

const REVIEWERS = ['system_admin', 'health_officer'] as const;

/** An officer reviews only pairs where a record lives in their area; a system admin reviews all. */
async function inScope(db: Db, s: StaffContext, communes: Array<string | null | undefined>): Promise<boolean> {
  if (s.role === 'system_admin') return true;
  if (!s.adminUnitCode) return false;
  const area = new Set(await unitDescendants(db, s.adminUnitCode));
  return communes.some((c) => !!c && area.has(c));
}

const count = (description: string) => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description });
const idParams = Type.Object({ id: count('row id') });
const pageSize = (description: string) => Type.Integer({ minimum: 0, maximum: 1000, description });
const pageQuery = Type.Object({ limit: Type.Optional(pageSize('page size')), offset: Type.Optional(count('rows to skip')) });
const reviewsQuery = Type.Object({
  status: Type.Optional(Type.String({ maxLength: 32, description: 'merged or separate; pending for anything else' })),
  limit: Type.Optional(pageSize('page size; default 50')),
  offset: Type.Optional(count('rows to skip')),
});
// The decision is checked in the handler, after the reviewer's role, so its error keeps its own code.
const decisionBody = Type.Union([Type.Object({ decision: Type.Optional(Type.String({ maxLength: 32, description: 'merged or separate' })) }), Type.Null()]);

export function registerMpiRoutes(fastify: FastifyInstance, db: Db) {
  const app = typedRoutes(fastify);
  const reviewer = (req: FastifyRequest) => requireStaff(db, req, { roles: REVIEWERS });

  app.get('/api/v1/mpi/reviews', { schema: { summary: 'Uncertain record pairs waiting for a decision', tags: ['mpi'], querystring: reviewsQuery } }, async (req) => {
    const s = await reviewer(req);
    const q = req.query;
    const status = q.status === 'merged' || q.status === 'separate' ? q.status : 'pending';
    const all = await listReviews(db, { status, limit: q.limit ?? 50, offset: q.offset ?? 0 });
    const visible = [];
    for (const r of all) {
      if (await inScope(db, s, [r.a?.fields.ma_xa, r.b?.fields.ma_xa])) visible.push(r);
    }
    for (const r of visible) {
      for (const personId of new Set([r.a?.person_id, r.b?.person_id])) {
        if (personId) await audit(db, { actor: staffActor(s), action: 'mpi.review.read', personId, resource: `mpi_review/${r.id}`, requestId: req.id });
      }
    }
    return { reviews: visible };
  });

  app.post('/api/v1/mpi/reviews/:id/decision', { schema: { summary: 'Merge or keep separate', tags: ['mpi'], params: idParams, body: decisionBody } }, async (req) => {
    const s = await reviewer(req);
    const { id } = req.params;
    const decision = req.body?.decision;
    if (decision !== 'merged' && decision !== 'separate') {
      throw new DomainError('invalid', 'DECISION_INVALID', 'Quyết định phải là "merged" (gộp) hoặc "separate" (giữ riêng).', 'decision must be "merged" or "separate".');
    }
    const pair = await getReview(db, id);
    if (pair && !(await inScope(db, s, [pair.a?.fields.ma_xa, pair.b?.fields.ma_xa]))) throw forbidden();
    return decideReview(db, id, decision, staffActor(s));
  });

  app.post('/api/v1/mpi/merges/:id/undo', { schema: { summary: 'Undo a manual merge (unmerge)', tags: ['mpi'], params: idParams } }, async (req) => {
    const s = await requireStaff(db, req, { roles: ['system_admin'] });
    return undoMerge(db, req.params.id, staffActor(s));
  });

  app.get('/api/v1/mpi/imports', { schema: { summary: 'Population imports and their row issues', tags: ['mpi'] } }, async (req) => {
    await reviewer(req);
    const m = mpiDb(db);
    const imports = await m.selectFrom('mpi_import').selectAll().orderBy('id', 'desc').limit(100).execute();
    return { imports };
  });

  app.get('/api/v1/mpi/imports/:id/issues', { schema: { summary: 'Rejected and warned rows of one import', tags: ['mpi'], params: idParams } }, async (req) => {
    await reviewer(req);
    const { id } = req.params;
    const issues = await mpiDb(db).selectFrom('mpi_import_issue').selectAll().where('import_id', '=', id).orderBy('line').limit(5000).execute();
    return { issues };
  });

  app.get('/api/v1/mpi/corrections', { schema: { summary: 'Wrong information fixed by survivorship (report)', tags: ['mpi'], querystring: pageQuery } }, async (req) => {
    const s = await requireStaff(db, req, { roles: ['system_admin'] });
    const q = req.query;
    await audit(db, { actor: staffActor(s), action: 'mpi.corrections.read', requestId: req.id });
    const rows = await mpiDb(db)
      .selectFrom('mpi_correction')
      .selectAll()
      .orderBy('id')
      .limit(Math.min(q.limit ?? 100, 1000))
      .offset(q.offset ?? 0)
      .execute();
    const byField = await mpiDb(db).selectFrom('mpi_correction').select(['field', db.fn.countAll<number>().as('n')]).groupBy('field').execute();
    return { corrections: rows, by_field: byField };
  });
}
