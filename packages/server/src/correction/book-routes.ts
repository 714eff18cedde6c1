import type { CitizenCorrections } from '@openhssk/core/api';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { typedRoutes } from '../http/index.ts';
import { CLINICAL_FIELD_CODES, citizenRequests, createRequest, markRead, NOTE_MAX, PERSONAL_FIELD_CODES } from './requests.ts';

/**
 * The book's side: a citizen (or a parent in a child's book) reports what is wrong and follows the
 * answer. The book decides whose book a request reads and audits it, and hands both in, so this
 * module does not depend on the book (as the immunization section does).
 */
export interface CorrectionBookSubject {
  personId: string;
  citizen: { subject: string };
  dependent: { name: string; relation: string } | null;
  actor: Actor;
}

export interface CorrectionBookAccess<S extends CorrectionBookSubject> {
  subject(req: FastifyRequest, person: string | undefined): Promise<S>;
  record(req: FastifyRequest, s: S, action: string, resource?: string): Promise<void>;
}

const tags = ['book'];
const personQuery = Type.Object({
  person: Type.Optional(Type.String({ maxLength: 64, description: 'id of a dependent child; default the citizen' })),
  include_sensitive: Type.Optional(Type.String({ maxLength: 8, description: '1 or true to list requests about sensitive visits' })),
});
const truthy = (v: string | undefined) => v === '1' || v === 'true';

export function registerBookCorrectionRoutes<S extends CorrectionBookSubject>(fastify: FastifyInstance, db: Db, access: CorrectionBookAccess<S>) {
  const app = typedRoutes(fastify);

  app.post(
    '/api/v1/book/corrections',
    {
      schema: {
        summary: 'Report wrong information (báo thông tin sai): a visit that is not mine, a wrong diagnosis or medicine, wrong personal data',
        tags,
        querystring: personQuery,
        body: Type.Object(
          {
            kind: Type.Union([Type.Literal('not_mine'), Type.Literal('wrong_clinical'), Type.Literal('wrong_personal')]),
            episode_id: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'the visit (required for not_mine and wrong_clinical)' })),
            fields: Type.Optional(
              Type.Array(Type.Union([...new Set([...PERSONAL_FIELD_CODES, ...CLINICAL_FIELD_CODES])].map((f) => Type.Literal(f))), { maxItems: 13, uniqueItems: true }),
            ),
            // Length is judged after trimming, with a Vietnamese message, in the domain.
            note: Type.String({ maxLength: NOTE_MAX * 2 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const s = await access.subject(req, req.query.person);
      const r = await createRequest(db, s.personId, { subject: s.citizen.subject, actor: s.actor, onBehalfOfChild: s.dependent !== null }, req.body);
      await access.record(req, s, 'book.correction.create', `correction_request/${r.id}`);
      return reply.status(201).send(r);
    },
  );

  app.get(
    '/api/v1/book/corrections',
    { schema: { summary: 'My correction requests (yêu cầu sửa thông tin của tôi): status, due date, history and outcome', tags, querystring: personQuery } },
    async (req): Promise<CitizenCorrections> => {
      const s = await access.subject(req, req.query.person);
      const r = await citizenRequests(db, s.personId, { includeSensitive: truthy(req.query.include_sensitive) });
      await access.record(req, s, 'book.corrections.list');
      return { ...r, viewing_child: s.dependent };
    },
  );

  app.post(
    '/api/v1/book/corrections/read',
    {
      schema: {
        summary: 'The citizen has seen the latest answer of these requests (clears the unread marker)',
        tags,
        querystring: personQuery,
        body: Type.Object({ ids: Type.Array(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), { maxItems: 200 }) }, { additionalProperties: false }),
      },
    },
    async (req) => {
      const s = await access.subject(req, req.query.person);
      return { marked: await markRead(db, s.personId, req.body.ids) };
    },
  );
}
