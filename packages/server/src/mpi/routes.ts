import { DomainError, forbidden } from '@openhssk/core';
import { PAIR_FIELDS, type PairField } from '@openhssk/core/mpi';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { audit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { typedRoutes } from '../http/index.ts';
import { requireStaff, type StaffContext, staffActor, unitDescendants } from '../staff/index.ts';
import { decideReview, getReview, listReviews, REVIEW_PAGE_MAX, type ReviewView, undoMerge } from './review.ts';
import { mpiDb } from './tables.ts';

const REVIEWERS = ['system_admin', 'health_officer'] as const;

/** The communes an officer covers; undefined for a system admin, who reviews every pair. */
async function reviewerCommunes(db: Db, s: StaffContext): Promise<string[] | undefined> {
  if (s.role === 'system_admin') return undefined;
  return s.adminUnitCode ? unitDescendants(db, s.adminUnitCode) : [];
}

/**
 * Every person whose identity data a page shows gets one access event (a person in several pairs
 * once, naming the pairs): the citizen's access log lists events by person, so a single event for
 * the whole page would hide the read from the people it concerns.
 */
async function auditShown(db: Db, s: StaffContext, reviews: readonly ReviewView[], requestId: string) {
  const pairsOf = new Map<string, number[]>();
  for (const r of reviews) {
    for (const personId of new Set([r.a?.person_id, r.b?.person_id])) {
      if (personId) pairsOf.set(personId, [...(pairsOf.get(personId) ?? []), r.id]);
    }
  }
  for (const [personId, pairs] of pairsOf) {
    await audit(db, { actor: staffActor(s), action: 'mpi.review.read', personId, resource: 'mpi_review', requestId, detail: { pairs } });
  }
}

/** An officer reviews only pairs where a record lives in their area; a system admin reviews all. */
async function inScope(db: Db, s: StaffContext, communes: Array<string | null | undefined>): Promise<boolean> {
  const area = await reviewerCommunes(db, s);
  return area === undefined || communes.some((c) => !!c && area.includes(c));
}

const count = (description: string) => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description });
const idParams = Type.Object({ id: count('row id') });
const pageSize = (description: string) => Type.Integer({ minimum: 0, maximum: 1000, description });
const pageQuery = Type.Object({ limit: Type.Optional(pageSize('page size')), offset: Type.Optional(count('rows to skip')) });
const reviewsQuery = Type.Object({
  status: Type.Optional(Type.String({ maxLength: 32, description: 'merged or separate; pending for anything else' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: REVIEW_PAGE_MAX, description: `page size; default 50, at most ${REVIEW_PAGE_MAX}` })),
  offset: Type.Optional(count('pairs to skip')),
});
// The decision is checked in the handler, after the reviewer's role, so its error keeps its own code.
const decisionBody = Type.Union([Type.Object({ decision: Type.Optional(Type.String({ maxLength: 32, description: 'merged or separate' })) }), Type.Null()]);

const nullableText = Type.Union([Type.String(), Type.Null()]);
const sourceView = Type.Object({
  source_system: Type.String(),
  source_id: Type.String(),
  person_id: nullableText,
  fields: Type.Object(Object.fromEntries(PAIR_FIELDS.map((f) => [f, nullableText])) as Record<PairField, typeof nullableText>),
});
const fieldExplanation = Type.Object({
  field: Type.Union(PAIR_FIELDS.map((f) => Type.Literal(f))),
  label_vi: Type.String(),
  label_en: Type.String(),
  a: nullableText,
  b: nullableText,
  status: Type.Union(['same', 'similar', 'typo', 'differs', 'missing'].map((s) => Type.Literal(s)), {
    description: 'same; similar (written differently, or a near miss such as swapped day/month); typo (identifier one digit apart); differs; missing (not on both sides)',
  }),
  note_vi: nullableText,
  note_en: nullableText,
});
const reviewList = Type.Object({
  total: Type.Integer({ description: 'pairs matching the filter (for pending: still open and in the reader\'s area)' }),
  limit: Type.Integer(),
  offset: Type.Integer(),
  reviews: Type.Array(
    Type.Object({
      id: Type.Integer(),
      score: Type.Number(),
      reasons: Type.Unknown({ description: "the engine's reason codes (for tools; people read explanation)" }),
      status: Type.String(),
      decided_by: nullableText,
      decided_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      a: Type.Union([sourceView, Type.Null()]),
      b: Type.Union([sourceView, Type.Null()]),
      explanation: Type.Object({ fields: Type.Array(fieldExplanation), summary_vi: Type.String(), summary_en: Type.String() }),
    }),
  ),
});

export function registerMpiRoutes(fastify: FastifyInstance, db: Db) {
  const app = typedRoutes(fastify);
  const reviewer = (req: FastifyRequest) => requireStaff(db, req, { roles: REVIEWERS });

  app.get(
    '/api/v1/mpi/reviews',
    { schema: { summary: 'Uncertain record pairs waiting for a decision, explained field by field', tags: ['mpi'], querystring: reviewsQuery, response: { 200: reviewList } } },
    async (req) => {
      const s = await reviewer(req);
      const q = req.query;
      const status = q.status === 'merged' || q.status === 'separate' ? q.status : 'pending';
      const limit = q.limit ?? 50;
      const offset = q.offset ?? 0;
      const communes = await reviewerCommunes(db, s);
      const { total, reviews } = await listReviews(db, { status, limit, offset, communes });
      await auditShown(db, s, reviews, req.id);
      return {
        total,
        limit,
        offset,
        reviews: reviews.map((r) => ({ ...r, a: r.a ?? null, b: r.b ?? null, decided_at: r.decided_at ? new Date(r.decided_at).toISOString() : null })),
      };
    },
  );

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
