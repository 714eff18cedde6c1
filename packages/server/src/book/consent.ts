import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type Actor, audit } from '../audit/index.ts';
import { type CitizenContext, consentStatus, recordConsent, requireCitizen } from '../auth/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { typedRoutes } from '../http/index.ts';
import { revokeSharesBy } from './share.ts';

const tags = ['book'];
const crossFacilityBody = Type.Object(
  { given: Type.Boolean({ description: 'true: clinicians where the citizen is being treated may see history from other facilities; false: withdraw' }) },
  { additionalProperties: false },
);

const actorOf = (c: CitizenContext): Actor => ({ type: 'citizen', id: c.subject, name: c.name });

/**
 * The citizen's two choices, each given and withdrawn with its own time and audit row:
 * (a) "Đồng ý sử dụng" the health book, (b) cross-facility history for clinicians where the citizen
 * is being treated. The book owns consent because shares depend on it.
 */
export function registerConsentRoutes(fastify: FastifyInstance, db: Db, config: Config) {
  const app = typedRoutes(fastify);
  const status = async (subject: string) => ({ ...(await consentStatus(db, subject)), cross_facility_hours: config.crossFacilityHours });

  app.get('/api/v1/me/consent', { schema: { summary: 'Both consent choices with their times', tags } }, async (req) => {
    const c = await requireCitizen(db, req);
    return status(c.subject);
  });

  app.post('/api/v1/me/consent', { schema: { summary: 'Consent to use the health book (“Đồng ý sử dụng”); does not give the cross-facility choice', tags } }, async (req) => {
    const c = await requireCitizen(db, req);
    await recordConsent(db, c.subject, true);
    await audit(db, { actor: actorOf(c), action: 'consent.give', personId: c.personId, requestId: req.id });
    return { consented: true };
  });

  app.delete('/api/v1/me/consent', { schema: { summary: 'Withdraw consent; withdraws the cross-facility choice and revokes every share', tags } }, async (req) => {
    const c = await requireCitizen(db, req);
    // Withdrawal and share revocation commit together: no share may outlive the consent it relied on.
    const { revoked, change } = await db.transaction().execute(async (tx) => {
      const change = await recordConsent(tx, c.subject, false);
      return { change, revoked: await revokeSharesBy(tx, c.subject) };
    });
    await audit(db, {
      actor: actorOf(c),
      action: 'consent.withdraw',
      personId: c.personId,
      detail: { shares_revoked: revoked, cross_facility_withdrawn: change.crossFacilityWithdrawn },
      requestId: req.id,
    });
    if (change.crossFacilityWithdrawn) {
      await audit(db, { actor: actorOf(c), action: 'consent.cross_facility.withdraw', personId: c.personId, detail: { with_book_consent: true }, requestId: req.id });
    }
    return { consented: false, cross_facility_consent: false, shares_revoked: revoked };
  });

  app.put(
    '/api/v1/me/consent/cross-facility',
    { schema: { summary: 'Give or withdraw: clinicians where I am being treated may see my history from other facilities', tags, body: crossFacilityBody } },
    async (req) => {
      const c = await requireCitizen(db, req);
      const given = req.body.given;
      const change = await recordConsent(db, c.subject, given, 'cross_facility');
      if (change.changed) {
        await audit(db, { actor: actorOf(c), action: given ? 'consent.cross_facility.give' : 'consent.cross_facility.withdraw', personId: c.personId, requestId: req.id });
      }
      return status(c.subject);
    },
  );
}
