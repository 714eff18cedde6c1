import { notFound, vietnamToday } from '@openhssk/core';
import type { BookVaccinations, ImmCertificateLink, ImmFamily } from '@openhssk/core/api';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { Actor } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { typedRoutes } from '../http/index.ts';
import { certificatePayload, signCertificate, verifyUrl } from './certificate.ts';
import { bookView, nextDueOf, vaccinationBook } from './history.ts';
import { createReactionReport, REACTION_SYMPTOM_CODES, reactionReportsOf, requestSlot, slotRequestsOf } from './requests.ts';
import { certificateFor, certificateKeys, type ImmunizationConfig, subjectPerson } from './routes.ts';
import { doseOfPerson, dosesOf } from './store.ts';

/**
 * The book's immunization section: the citizen's own doses and their children's, what is due next,
 * the certificate, reaction reports and slot requests. The book decides whose book a request reads
 * (the citizen, or a dependent child) and audits each read; it hands both in, so this module does
 * not depend on the book.
 */
export interface BookSubjectRef {
  personId: string;
  citizen: { subject: string; personId: string };
  dependent: { name: string; relation: string } | null;
  actor: Actor;
}

export interface BookAccess<S extends BookSubjectRef = BookSubjectRef> {
  /** The book the request may read: the citizen's own, or `person` (a dependent child); anything else is 404. */
  subject(req: FastifyRequest, person: string | undefined): Promise<S>;
  /** Children whose books this person opens. */
  dependents(personId: string): Promise<ReadonlyArray<{ id: string; ho_ten: string; ngay_sinh: string | null; relation: string }>>;
  /** Audits one read or write of the subject's book. */
  record(req: FastifyRequest, s: S, action: string, resource?: string): Promise<void>;
}

const tags = ['book'];
const personQuery = Type.Object({ person: Type.Optional(Type.String({ maxLength: 64, description: 'id of a dependent child; default the citizen' })) });
// Ids stay strings: a malformed id answers 404 like someone else's.
const doseParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
const DATE = '^\\d{4}-\\d{2}-\\d{2}$';

const idOf = (raw: string): number | undefined => {
  const id = Number(raw);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
};

function sendPdf(reply: FastifyReply, pdf: Buffer, name: string) {
  return reply.type('application/pdf').header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'no-store').send(pdf);
}

export function registerBookImmunizationRoutes<S extends BookSubjectRef>(fastify: FastifyInstance, db: Db, config: ImmunizationConfig, access: BookAccess<S>) {
  const app = typedRoutes(fastify);
  const keys = certificateKeys(db, config);
  const personOf = async (s: BookSubjectRef) => {
    const p = await subjectPerson(db, s.personId);
    if (!p) throw notFound('sổ sức khỏe', 'Health book');
    return p;
  };

  app.get(
    '/api/v1/book/vaccinations',
    { schema: { summary: 'Vaccinations: every dose, history by antigen, what the national schedule says is done and due next', tags, querystring: personQuery } },
    async (req): Promise<BookVaccinations> => {
      const s = await access.subject(req, req.query.person);
      // Side by side: the section must answer within the book's 50 ms.
      const [person, doses, reactions, slotRequests] = await Promise.all([personOf(s), dosesOf(db, [s.personId]), reactionReportsOf(db, s.personId), slotRequestsOf(db, s.personId)]);
      const view = bookView(person, doses);
      const mine = new Set(doses.map((d) => d.id));
      await access.record(req, s, 'book.vaccinations.list');
      return { ...view, reactions: reactions.filter((r) => mine.has(Number(r.vaccination_id))), slot_requests: slotRequests, viewing_child: s.dependent };
    },
  );

  app.get(
    '/api/v1/book/immunization/family',
    { schema: { summary: 'What is due next for the citizen and each child whose book they open', tags } },
    async (req): Promise<ImmFamily> => {
      const self = await access.subject(req, undefined);
      const me = await personOf(self);
      const children = await access.dependents(me.id);
      const kids = await Promise.all(children.map(async (c) => ({ person: await subjectPerson(db, c.id), relation: c.relation })));
      const persons = [{ ...me, relation: 'self' }, ...kids.flatMap((k) => (k.person ? [{ ...k.person, relation: k.relation }] : []))];
      const due = await nextDueOf(db, persons);
      for (const [i, p] of persons.entries()) {
        const s: S = i === 0 ? self : { ...self, personId: p.id, dependent: { name: p.ho_ten, relation: p.relation }, actor: { ...self.actor, role: p.relation } };
        await access.record(req, s, 'book.immunization.family');
      }
      return { persons: persons.map((p, i) => ({ id: p.id, ho_ten: p.ho_ten, ngay_sinh: p.ngay_sinh, relation: p.relation, ...due[i]! })) };
    },
  );

  app.get(
    '/api/v1/book/vaccinations/certificate.pdf',
    { schema: { summary: 'Vaccination certificate (PDF) with a QR code anyone can verify', tags, querystring: personQuery } },
    async (req, reply) => {
      const s = await access.subject(req, req.query.person);
      const pdf = await certificateFor(db, config, await keys(), await personOf(s));
      await access.record(req, s, 'book.vaccination.certificate');
      return sendPdf(reply, pdf, 'giay-chung-nhan-tiem-chung.pdf');
    },
  );

  app.get(
    '/api/v1/book/vaccinations/certificate',
    { schema: { summary: 'The signed certificate payload (JWS) and the verification link the QR code holds', tags, querystring: personQuery } },
    async (req): Promise<ImmCertificateLink> => {
      const s = await access.subject(req, req.query.person);
      const person = await personOf(s);
      const k = await keys();
      const jws = await signCertificate(k, certificatePayload(config.publicUrl, person, (await vaccinationBook(db, person)).vaccinations));
      await access.record(req, s, 'book.vaccination.certificate');
      const url = verifyUrl(config.publicUrl, jws);
      // The same QR code as the PDF's, for showing on the phone's screen.
      const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }).catch(() => QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'L', margin: 2 }));
      return { jws, verify_url: url, kid: k.signer.kid, qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
    },
  );

  app.post(
    '/api/v1/book/vaccinations/:id/reactions',
    {
      schema: {
        summary: 'Report a reaction after a dose (báo phản ứng sau tiêm): sent to the facility that gave it',
        tags,
        params: doseParams,
        querystring: personQuery,
        body: Type.Object(
          {
            onset_on: Type.String({ pattern: DATE, description: 'when the reaction began' }),
            symptoms: Type.Array(Type.Union(REACTION_SYMPTOM_CODES.map((c) => Type.Literal(c))), { minItems: 1, maxItems: REACTION_SYMPTOM_CODES.length, uniqueItems: true }),
            severity: Type.Union([Type.Literal('mild'), Type.Literal('moderate'), Type.Literal('severe')]),
            detail: Type.Optional(Type.String({ maxLength: 1000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const s = await access.subject(req, req.query.person);
      const id = idOf(req.params.id);
      const dose = id ? await doseOfPerson(db, s.personId, id) : undefined;
      if (!dose) throw notFound('mũi tiêm', 'Dose');
      const report = await createReactionReport(db, dose, s.citizen.subject, req.body, vietnamToday());
      await access.record(req, s, 'book.vaccination.reaction.create', `imm_reaction_report/${report.id}`);
      return reply.status(201).send(report);
    },
  );

  app.post(
    '/api/v1/book/immunization/slot-requests',
    {
      schema: {
        summary: 'Ask for a slot at the commune’s next immunization session (đăng ký tiêm)',
        tags,
        querystring: personQuery,
        body: Type.Object({ note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const s = await access.subject(req, req.query.person);
      const person = await personOf(s);
      const view = await vaccinationBook(db, person);
      const due = view.schedule.evaluable ? view.schedule.next_due.filter((n) => n.status !== 'not_yet_due').map((n) => `${n.series}#${n.dose}`) : [];
      const r = await requestSlot(db, person.id, s.citizen.subject, due, req.body.note);
      await access.record(req, s, 'book.immunization.slot_request', `imm_slot_request/${r.request.id}`);
      return reply.status(r.created ? 201 : 200).send({ created: r.created, request: r.request });
    },
  );
}
