import type { Actor } from '../audit/index.ts';
import { readSession } from '../auth/index.ts';
import type { Db } from '../db/index.ts';
import { smartDb } from './apps.ts';

/** A live SMART app token, as the FHIR interface needs it. */
export interface SmartAccess {
  actor: Actor;
  /** The citizen's person (golden record) now: followed through MPI merges at every request. */
  personId: string;
  scopes: string[];
  /**
   * The citizen let this app read their sensitive episodes too (HIV, TB, mental health): true only
   * when both the grant the token came from and the authorization standing now say so, so a later
   * grant without the choice narrows tokens already issued.
   */
  includeSensitive: boolean;
}

const OPAQUE = /^[A-Za-z0-9_-]{20,100}$/;

/** True when a bearer token has the form of this server's SMART app tokens (opaque, no dots). */
export const isSmartToken = (token: string) => OPAQUE.test(token);

/**
 * The app's name and the citizen's person while the authorization stands: not revoked, the app not
 * disabled, the book consent not withdrawn. Checked at token issue and at every FHIR request.
 */
export async function liveAuthorization(
  db: Db,
  subject: string,
  clientId: string,
): Promise<{ name: string; person_id: string | null; include_sensitive: boolean } | undefined> {
  return smartDb(db)
    .selectFrom('smart_authorization as a')
    .innerJoin('smart_app as p', 'p.client_id', 'a.client_id')
    .innerJoin('citizen_account as c', 'c.subject', 'a.subject')
    .select(['p.name', 'c.person_id', 'a.include_sensitive'])
    .where('a.subject', '=', subject)
    .where('a.client_id', '=', clientId)
    .where('a.revoked_at', 'is', null)
    .where('p.disabled_at', 'is', null)
    .where('c.consent_at', 'is not', null)
    .where('c.consent_withdrawn_at', 'is', null)
    .executeTakeFirst();
}

/**
 * The access of one SMART app token, or undefined when the token is unknown or expired, the
 * citizen revoked the app or withdrew the book consent, or the app was disabled: every one of them
 * ends the token's use at once, not at its expiry.
 */
export async function smartAccess(db: Db, token: string): Promise<SmartAccess | undefined> {
  if (!isSmartToken(token)) return undefined;
  const s = await readSession(db, 'smart_token', token);
  const data = s?.data as Record<string, unknown> | undefined;
  const clientId = data?.client_id;
  const subject = data?.subject;
  const scopes = data?.scopes;
  if (typeof clientId !== 'string' || typeof subject !== 'string' || !Array.isArray(scopes)) return undefined;
  const row = await liveAuthorization(db, subject, clientId);
  if (!row?.person_id) return undefined;
  return {
    actor: { type: 'app', id: clientId, name: row.name },
    personId: row.person_id,
    scopes: scopes.filter((x): x is string => typeof x === 'string'),
    includeSensitive: data?.include_sensitive === true && row.include_sensitive,
  };
}
