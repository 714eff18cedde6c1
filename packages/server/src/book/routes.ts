import type { FastifyInstance } from 'fastify';
import { audit } from '../audit/audit.ts';
import { requireConsentedCitizen } from '../auth/citizen.ts';
import type { Db } from '../db/index.ts';
import { notFound } from '../http/problem.ts';
import { getEpisodeForPerson, listEpisodes, listOpenVisits } from './queries.ts';

export function registerBookRoutes(app: FastifyInstance, db: Db) {
  app.get('/api/v1/book/episodes', { schema: { summary: "The citizen's own visits, newest first", tags: ['book'] } }, async (req) => {
    const c = await requireConsentedCitizen(db, req);
    const [episodes, open_visits] = await Promise.all([listEpisodes(db, c.personId), listOpenVisits(db, c.personId)]);
    await audit(db, { actor: { type: 'citizen', id: c.subject, name: c.name }, action: 'book.episodes.list', personId: c.personId, requestId: req.id });
    return { episodes, open_visits };
  });

  app.get('/api/v1/book/episodes/:id', { schema: { summary: 'One visit of the citizen with all its tables', tags: ['book'] } }, async (req) => {
    const c = await requireConsentedCitizen(db, req);
    const id = Number((req.params as { id: string }).id);
    const found = Number.isSafeInteger(id) ? await getEpisodeForPerson(db, c.personId, id) : undefined;
    // Someone else's episode and a missing one answer alike, so ids cannot be probed.
    if (!found) throw notFound('lượt khám', 'Episode');
    await audit(db, {
      actor: { type: 'citizen', id: c.subject, name: c.name },
      action: 'book.episode.read',
      personId: c.personId,
      resource: `episode/${id}`,
      requestId: req.id,
    });
    return found;
  });
}
