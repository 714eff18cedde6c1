import type { FastifyInstance } from 'fastify';
import { audit } from '../audit/index.ts';
import { recordConsent, requireCitizen } from '../auth/index.ts';
import type { Db } from '../db/index.ts';
import { revokeSharesBy } from './share.ts';

/** "Đồng ý sử dụng" and its withdrawal; the book owns consent because shares depend on it. */
export function registerConsentRoutes(app: FastifyInstance, db: Db) {
  app.post('/api/v1/me/consent', { schema: { summary: 'Consent to use the health book (“Đồng ý sử dụng”)', tags: ['book'] } }, async (req) => {
    const c = await requireCitizen(db, req);
    await recordConsent(db, c.subject, true);
    await audit(db, { actor: { type: 'citizen', id: c.subject, name: c.name }, action: 'consent.give', personId: c.personId, requestId: req.id });
    return { consented: true };
  });

  app.delete('/api/v1/me/consent', { schema: { summary: 'Withdraw consent; revokes every share', tags: ['book'] } }, async (req) => {
    const c = await requireCitizen(db, req);
    // Withdrawal and share revocation commit together: no share may outlive the consent it relied on.
    const revoked = await db.transaction().execute(async (tx) => {
      await recordConsent(tx, c.subject, false);
      return revokeSharesBy(tx, c.subject);
    });
    await audit(db, {
      actor: { type: 'citizen', id: c.subject, name: c.name },
      action: 'consent.withdraw',
      personId: c.personId,
      detail: { shares_revoked: revoked },
      requestId: req.id,
    });
    return { consented: false, shares_revoked: revoked };
  });
}
