import { notFound } from '@openhssk/core';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { audit, personAccessLog } from '../audit/index.ts';
import { requireConsentedCitizen } from '../auth/index.ts';
import type { Config } from '../config.ts';
import { registerBookCorrectionRoutes } from '../correction/index.ts';
import type { Db } from '../db/index.ts';
import { typedRoutes } from '../http/index.ts';
import { registerBookImmunizationRoutes } from '../immunization/index.ts';
import { bookPrimaryCare } from '../primary-care/index.ts';
import { type BookSubject, listDependents, resolveBookSubject } from './access.ts';
import { registerConsentRoutes } from './consent.ts';
import { declareContact, declaredContact } from './contact.ts';
import { bookPdf, episodePdf } from './pdf.ts';
import {
  bookSummary,
  filterEpisodes,
  getEpisodeForPerson,
  getEpisodesForPerson,
  getPersonInfo,
  isSensitiveEpisode,
  listDeclarations,
  listEpisodes,
  listOpenVisits,
  sensitiveEpisodeIds,
} from './queries.ts';
import { createShare, listShares, openShare, revokeShare, SHARE_DEFAULT_MINUTES, SHARE_MAX_MINUTES } from './share.ts';
import { sharedBook, sharedEpisode } from './shared-view.ts';
import { bookDb, DECLARATION_KINDS } from './tables.ts';

const tags = ['book'];

/** `person` names a dependent child's book; without it the citizen's own book is read. */
const personQuery = Type.Object({ person: Type.Optional(Type.String({ maxLength: 64, description: 'id of a dependent child; default the citizen' })) });
const sensitiveQuery = Type.Object({
  ...personQuery.properties,
  include_sensitive: Type.Optional(Type.String({ maxLength: 8, description: '1 or true to include sensitive visits' })),
});
const EPISODES_PER_PAGE = 20;
const episodesQuery = Type.Object({
  ...personQuery.properties,
  year: Type.Optional(Type.Integer({ minimum: 1000, maximum: 9999 })),
  facility: Type.Optional(Type.String({ maxLength: 32, description: 'facility code' })),
  type: Type.Optional(Type.Union([Type.Literal('outpatient'), Type.Literal('inpatient'), Type.Literal('day_care'), Type.Literal('other')])),
  // Longer searches are cut to 100 characters rather than refused: the search box has no limit.
  q: Type.Optional(Type.String({ maxLength: 1000 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'page of the matching visits, from 1' })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: `visits per page (default ${EPISODES_PER_PAGE})` })),
});
const accessLogQuery = Type.Object({
  ...sensitiveQuery.properties,
  filter: Type.Optional(Type.Union([Type.Literal('others'), Type.Literal('all')], { description: 'others (default): not the reader’s own views' })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'next_before of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});
// Ids stay strings for the schema: a malformed id must answer 404 like someone else's, never 400,
// so the handler parses it. 100 is the router's own parameter limit.
const idParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
const tokenParams = Type.Object({ token: Type.String({ maxLength: 100 }) });
// A share names episodes by reference (shared-view.ts episodeRef), never by id.
const sharedEpisodeParams = Type.Object({ ...tokenParams.properties, ref: Type.String({ maxLength: 100 }) });

const idOf = (raw: string): number | undefined => {
  const id = Number(raw);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
};
const truthy = (v: string | undefined) => v === '1' || v === 'true';

function record(db: Db, req: { id: string }, s: BookSubject, action: string, resource?: string) {
  return audit(db, {
    actor: s.actor,
    action,
    personId: s.personId,
    resource,
    requestId: req.id,
    detail: s.dependent ? { on_behalf_of_child: true, relation: s.dependent.relation } : undefined,
  });
}

function sendPdf(reply: FastifyReply, pdf: Buffer, name: string) {
  return reply
    .type('application/pdf')
    .header('content-disposition', `attachment; filename="${name}"`)
    .header('cache-control', 'no-store')
    .send(pdf);
}

const optionalText = (maxLength: number) => Type.Optional(Type.Union([Type.String({ maxLength }), Type.Null()]));
const declarationBody = Type.Object(
  {
    kind: Type.Union(DECLARATION_KINDS.map((k) => Type.Literal(k))),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    detail: optionalText(1000),
    relation: optionalText(50),
    since: optionalText(20),
  },
  { additionalProperties: false },
);
const declarationValues = (b: Static<typeof declarationBody>) => ({
  kind: b.kind,
  title: b.title.trim(),
  detail: b.detail?.trim() || null,
  relation: b.relation?.trim() || null,
  since: b.since?.trim() || null,
});

// Lengths are checked again with Vietnamese messages in contact.ts; these bounds only stop abuse.
const contactBody = Type.Object(
  { so_dien_thoai: optionalText(40), dia_chi: optionalText(1000) },
  { additionalProperties: false },
);

const shareBody = Type.Object(
  {
    scope: Type.Optional(Type.Union([Type.Literal('summary'), Type.Literal('full')], { default: 'summary' })),
    include_sensitive: Type.Optional(Type.Boolean({ default: false })),
    include_contact: Type.Optional(Type.Boolean({ default: false, description: 'show the phone number and address to the doctor' })),
    minutes: Type.Optional(Type.Integer({ minimum: 5, maximum: SHARE_MAX_MINUTES, default: SHARE_DEFAULT_MINUTES })),
  },
  { additionalProperties: false },
);

export function registerBookRoutes(fastify: FastifyInstance, db: Db, config: Config) {
  registerConsentRoutes(fastify, db, config);
  const app = typedRoutes(fastify);
  app.get('/api/v1/book/dependents', { schema: { summary: 'Children under 14 whose books this citizen may open', tags } }, async (req) => {
    const c = await requireConsentedCitizen(db, req);
    const rows = await listDependents(db, c.personId);
    await audit(db, { actor: { type: 'citizen', id: c.subject, name: c.name }, action: 'book.dependents.list', personId: c.personId, requestId: req.id });
    return { dependents: rows.map((r) => ({ id: r.id, ho_ten: r.ho_ten, ngay_sinh: r.ngay_sinh ?? (r.birth_year ? String(r.birth_year) : null), relation: r.relation })) };
  });

  app.get('/api/v1/book/summary', { schema: { summary: 'Front page: personal data, BHYT card, chronic conditions, declarations', tags, querystring: sensitiveQuery } }, async (req) => {
    const s = await resolveBookSubject(db, req, req.query.person);
    const summary = await bookSummary(db, s.personId, { includeSensitive: truthy(req.query.include_sensitive) });
    if (!summary) throw notFound('sổ sức khỏe', 'Health book');
    await record(db, req, s, 'book.summary.read');
    return { ...summary, viewing_child: s.dependent };
  });

  app.get('/api/v1/book/episodes', { schema: { summary: 'Visits, newest first, with filters and diacritic-insensitive search', tags, querystring: episodesQuery } }, async (req) => {
    const q = req.query;
    const s = await resolveBookSubject(db, req, q.person);
    const [all, open_visits] = await Promise.all([listEpisodes(db, s.personId), listOpenVisits(db, s.personId)]);
    const matched = await filterEpisodes(db, all, { year: q.year, facility: q.facility || undefined, type: q.type, q: q.q?.slice(0, 100) || undefined });
    await record(db, req, s, 'book.episodes.list');
    const facilities = new Map(all.map((e) => [e.facility_code, e.facility_name ?? e.facility_code]));
    // A phone shows a page at a time; the year counts let each page's year headings say how many
    // visits that year holds in all, not only on this page.
    const perPage = q.per_page ?? EPISODES_PER_PAGE;
    const pages = Math.max(1, Math.ceil(matched.length / perPage));
    const page = Math.min(q.page ?? 1, pages);
    const byYear = new Map<number, number>();
    for (const e of matched) byYear.set(Number(e.ngay_vao.slice(0, 4)), (byYear.get(Number(e.ngay_vao.slice(0, 4))) ?? 0) + 1);
    return {
      episodes: matched.slice((page - 1) * perPage, page * perPage),
      matched: matched.length,
      page,
      pages,
      per_page: perPage,
      years_matched: [...byYear].map(([year, count]) => ({ year, count })).sort((a, b) => b.year - a.year),
      open_visits,
      total: all.length,
      facets: {
        years: [...new Set(all.map((e) => Number(e.ngay_vao.slice(0, 4))))].sort((a, b) => b - a),
        facilities: [...facilities].map(([code, name]) => ({ code, name })).sort((a, b) => a.name.localeCompare(b.name, 'vi')),
        types: [...new Set(all.map((e) => e.care_group))],
      },
    };
  });

  app.get('/api/v1/book/episodes/:id', { schema: { summary: 'One visit with diagnoses, medicines, services, labs, papers', tags, params: idParams, querystring: personQuery } }, async (req) => {
    const s = await resolveBookSubject(db, req, req.query.person);
    const id = idOf(req.params.id);
    const found = id ? await getEpisodeForPerson(db, s.personId, id) : undefined;
    // Someone else's episode and a missing one answer alike, so ids cannot be probed.
    if (!found) throw notFound('lượt khám', 'Episode');
    await record(db, req, s, 'book.episode.read', `episode/${id}`);
    return found;
  });

  app.get('/api/v1/book/episodes/:id/pdf', { schema: { summary: 'PDF of one visit', tags, params: idParams, querystring: personQuery } }, async (req, reply) => {
    const s = await resolveBookSubject(db, req, req.query.person);
    const id = idOf(req.params.id);
    const found = id ? await getEpisodeForPerson(db, s.personId, id) : undefined;
    const info = await getPersonInfo(db, s.personId);
    if (!found || !info) throw notFound('lượt khám', 'Episode');
    const pdf = await episodePdf(info, found);
    await record(db, req, s, 'book.episode.pdf', `episode/${id}`);
    return sendPdf(reply, pdf, `luot-kham-${id}.pdf`);
  });

  app.get('/api/v1/book/pdf', { schema: { summary: 'PDF of the whole book (sensitive visits only with include_sensitive=1)', tags, querystring: sensitiveQuery } }, async (req, reply) => {
    const s = await resolveBookSubject(db, req, req.query.person);
    const includeSensitive = truthy(req.query.include_sensitive);
    const [summary, episodes] = await Promise.all([bookSummary(db, s.personId, { includeSensitive }), listEpisodes(db, s.personId)]);
    if (!summary) throw notFound('sổ sức khỏe', 'Health book');
    const printed = includeSensitive ? episodes : episodes.filter((e) => !isSensitiveEpisode(e));
    const pdf = await bookPdf(summary, printed, await getEpisodesForPerson(db, s.personId, printed.map((e) => e.id)));
    await record(db, req, s, 'book.pdf', undefined);
    return sendPdf(reply, pdf, 'so-suc-khoe.pdf');
  });

  // Vaccinations, schedule, certificate, reaction reports and slot requests: the immunization registry's routes, on this book's access rules.
  registerBookImmunizationRoutes(fastify, db, config, {
    subject: (req, person) => resolveBookSubject(db, req, person),
    dependents: (personId) => listDependents(db, personId),
    record: (req, s, action, resource) => record(db, req, s, action, resource),
  });

  // "Báo thông tin sai": correction requests from the book, on the same access rules.
  registerBookCorrectionRoutes(fastify, db, {
    subject: (req, person) => resolveBookSubject(db, req, person),
    record: (req, s, action, resource) => record(db, req, s, action, resource),
  });

  app.get('/api/v1/book/declarations', { schema: { summary: 'Allergies, history and risk factors declared by the citizen', tags, querystring: personQuery } }, async (req) => {
    const s = await resolveBookSubject(db, req, req.query.person);
    const declarations = await listDeclarations(db, s.personId);
    await record(db, req, s, 'book.declarations.list');
    return { declarations };
  });

  // The station's professional entries (QĐ 831 record, check-ups, registers) and the citizen's own
  // declarations side by side, each marked with its source so no screen can mix them up.
  app.get(
    '/api/v1/book/primary-care',
    { schema: { summary: 'Health record kept by the commune station beside the citizen’s own declarations', tags, querystring: sensitiveQuery } },
    async (req) => {
      const s = await resolveBookSubject(db, req, req.query.person);
      const [professional, declarations] = await Promise.all([
        bookPrimaryCare(db, s.personId, { includeSensitive: truthy(req.query.include_sensitive) }),
        listDeclarations(db, s.personId),
      ]);
      await record(db, req, s, 'book.primary_care.read');
      return { professional, self_declared: { source: 'citizen' as const, declarations }, viewing_child: s.dependent };
    },
  );

  app.post('/api/v1/book/declarations', { schema: { summary: 'Declare an allergy, history item or risk factor', tags, querystring: personQuery, body: declarationBody } }, async (req, reply) => {
    const s = await resolveBookSubject(db, req, req.query.person);
    const row = await bookDb(db)
      .insertInto('citizen_declaration')
      .values({ person_id: s.personId, ...declarationValues(req.body), declared_by: s.citizen.subject })
      .returning(['id', 'kind', 'title', 'detail', 'relation', 'since', 'updated_at'])
      .executeTakeFirstOrThrow();
    await record(db, req, s, 'book.declaration.create', `declaration/${row.id}`);
    return reply.status(201).send(row);
  });

  app.put('/api/v1/book/declarations/:id', { schema: { summary: 'Change a declaration', tags, params: idParams, querystring: personQuery, body: declarationBody } }, async (req) => {
    const s = await resolveBookSubject(db, req, req.query.person);
    const id = idOf(req.params.id);
    const row = id
      ? await bookDb(db)
          .updateTable('citizen_declaration')
          .set({ ...declarationValues(req.body), declared_by: s.citizen.subject, updated_at: new Date() })
          .where('id', '=', id)
          .where('person_id', '=', s.personId)
          .returning(['id', 'kind', 'title', 'detail', 'relation', 'since', 'updated_at'])
          .executeTakeFirst()
      : undefined;
    if (!row) throw notFound('thông tin khai báo', 'Declaration');
    await record(db, req, s, 'book.declaration.update', `declaration/${id}`);
    return row;
  });

  app.delete('/api/v1/book/declarations/:id', { schema: { summary: 'Delete a declaration', tags, params: idParams, querystring: personQuery } }, async (req) => {
    const s = await resolveBookSubject(db, req, req.query.person);
    const id = idOf(req.params.id);
    const r = id ? await bookDb(db).deleteFrom('citizen_declaration').where('id', '=', id).where('person_id', '=', s.personId).executeTakeFirst() : undefined;
    if (!r || Number(r.numDeletedRows) === 0) throw notFound('thông tin khai báo', 'Declaration');
    await record(db, req, s, 'book.declaration.delete', `declaration/${id}`);
    return { deleted: true };
  });

  app.get('/api/v1/book/contact', { schema: { summary: 'Phone and address: the registry’s and the citizen’s own declaration', tags, querystring: personQuery } }, async (req) => {
    const s = await resolveBookSubject(db, req, req.query.person);
    const [info, declared] = await Promise.all([getPersonInfo(db, s.personId), declaredContact(db, s.personId)]);
    if (!info) throw notFound('sổ sức khỏe', 'Health book');
    await record(db, req, s, 'book.contact.read');
    return { registry: { so_dien_thoai: info.person.so_dien_thoai, dia_chi: info.person.dia_chi }, declared };
  });

  // The citizen's own value is stored beside the registry's and never replaces it: the registry is
  // corrected by its owner (the population list, the MPI), and the station sees both, marked apart.
  app.put('/api/v1/book/contact', { schema: { summary: 'Declare the current phone and address (empty: no declared value)', tags, querystring: personQuery, body: contactBody } }, async (req) => {
    const s = await resolveBookSubject(db, req, req.query.person);
    const r = await declareContact(db, s.personId, s.citizen.subject, { so_dien_thoai: req.body.so_dien_thoai ?? null, dia_chi: req.body.dia_chi ?? null });
    if (r.changed.length > 0) {
      await audit(db, {
        actor: s.actor,
        action: 'book.contact.update',
        personId: s.personId,
        requestId: req.id,
        // Which fields changed, not the values: the history rows hold those.
        detail: { fields: r.changed, ...(s.dependent ? { on_behalf_of_child: true, relation: s.dependent.relation } : {}) },
      });
    }
    return { declared: r.declared, changed: r.changed };
  });

  app.get(
    '/api/v1/book/access-log',
    { schema: { summary: 'Who viewed this book, in plain sentences, others first; paged by `before`', tags, querystring: accessLogQuery } },
    async (req) => {
      const q = req.query;
      const s = await resolveBookSubject(db, req, q.person);
      const page = await personAccessLog(db, {
        personId: s.personId,
        viewerSubject: s.citizen.subject,
        filter: q.filter ?? 'others',
        before: q.before,
        limit: q.limit ?? 20,
        withheldEpisodes: truthy(q.include_sensitive) ? new Set() : await sensitiveEpisodeIds(db, s.personId),
        showEmergencyReasons: truthy(q.include_sensitive),
      });
      await record(db, req, s, 'book.access_log.read');
      return { ...page, viewing_child: s.dependent };
    },
  );

  app.get('/api/v1/book/shares', { schema: { summary: 'Shares of this book', tags, querystring: personQuery } }, async (req) => {
    const s = await resolveBookSubject(db, req, req.query.person);
    return { shares: await listShares(db, s.personId) };
  });

  app.post(
    '/api/v1/book/shares',
    {
      schema: {
        summary: 'Share with a doctor: link + QR, 30 minutes by default',
        tags,
        querystring: personQuery,
        body: shareBody,
      },
    },
    async (req, reply) => {
      const s = await resolveBookSubject(db, req, req.query.person);
      const b = req.body;
      const share = await createShare(db, config.publicUrl, {
        personId: s.personId,
        createdBy: s.citizen.subject,
        scope: b.scope ?? 'summary',
        includeSensitive: b.include_sensitive ?? false,
        includeContact: b.include_contact ?? false,
        minutes: b.minutes ?? SHARE_DEFAULT_MINUTES,
      });
      await record(db, req, s, 'book.share.create', `share/${share.id}`);
      return reply.status(201).send(share);
    },
  );

  app.delete('/api/v1/book/shares/:id', { schema: { summary: 'Revoke a share', tags, params: idParams, querystring: personQuery } }, async (req) => {
    const s = await resolveBookSubject(db, req, req.query.person);
    const id = idOf(req.params.id);
    if (!id || !(await revokeShare(db, s.personId, id))) throw notFound('mã chia sẻ', 'Share');
    await record(db, req, s, 'book.share.revoke', `share/${id}`);
    return { revoked: true };
  });

  // Opened by a doctor without logging in: the token is the only credential, and every view is logged.
  app.get('/api/v1/shared/:token', { schema: { summary: 'Shared view of a book (no login)', tags: ['share'], params: tokenParams } }, async (req) => {
    const share = await openShare(db, req.params.token);
    const summary = await bookSummary(db, share.person_id, { includeSensitive: share.include_sensitive });
    if (!summary) throw notFound('sổ sức khỏe', 'Health book');
    // A doctor needs identity and clinical data; phone and address only when the citizen included them.
    const view = await sharedBook(db, share.person_id, share, summary);
    await audit(db, shareAudit(share.id, share.person_id, 'share.view', req.id));
    return { share: { scope: share.scope, include_sensitive: share.include_sensitive, include_contact: share.include_contact, expires_at: share.expires_at }, ...view };
  });

  app.get('/api/v1/shared/:token/episodes/:ref', { schema: { summary: 'One visit through a full share, by the reference the share listed', tags: ['share'], params: sharedEpisodeParams } }, async (req) => {
    const share = await openShare(db, req.params.token);
    const info = share.scope === 'full' ? await getPersonInfo(db, share.person_id) : undefined;
    const found = info ? await sharedEpisode(db, share.person_id, share, req.params.ref, info.person) : undefined;
    // A left-out sensitive episode, another person's and a made-up reference answer alike.
    if (!found) throw notFound('lượt khám', 'Episode');
    await audit(db, shareAudit(share.id, share.person_id, 'share.episode.read', req.id, `episode/${found.episodeId}`));
    return found.view;
  });
}

const shareAudit = (shareId: number, personId: string, action: string, requestId: string, resource?: string) => ({
  actor: { type: 'share' as const, id: `share/${shareId}`, name: 'Người xem qua mã chia sẻ' },
  action,
  personId,
  resource: resource ?? `share/${shareId}`,
  requestId,
});
