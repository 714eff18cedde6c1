import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { randomToken } from './password.ts';

export const SESSION_COOKIE = 'hssk_sid';

/** Only a hash of the session id is stored, so a database copy cannot be replayed as a login. */
const hashId = (id: string) => createHash('sha256').update(id).digest('hex');

export interface SessionData {
  [key: string]: unknown;
}

export async function createSession(
  db: Db,
  kind: string,
  subject: string,
  data: SessionData,
  ttlSeconds: number,
  id = randomToken(32),
): Promise<string> {
  await db
    .insertInto('session')
    .values({
      id_hash: hashId(id),
      kind,
      subject,
      data: JSON.stringify(data),
      expires_at: new Date(Date.now() + ttlSeconds * 1000),
    })
    .execute();
  return id;
}

export async function readSession(db: Db, kind: string, id: string | undefined) {
  if (!id) return undefined;
  return db
    .selectFrom('session')
    .select(['subject', 'data', 'expires_at'])
    .where('id_hash', '=', hashId(id))
    .where('kind', '=', kind)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
}

/** Reads and deletes in one step: for one-time state such as a pending OIDC login. */
export async function takeSession(db: Db, kind: string, id: string) {
  return db
    .deleteFrom('session')
    .where('id_hash', '=', hashId(id))
    .where('kind', '=', kind)
    .where('expires_at', '>', new Date())
    .returning(['subject', 'data'])
    .executeTakeFirst();
}

export async function deleteSession(db: Db, id: string | undefined) {
  if (!id) return;
  await db.deleteFrom('session').where('id_hash', '=', hashId(id)).execute();
}

export function setSessionCookie(reply: FastifyReply, id: string, ttlSeconds: number, secure: boolean) {
  reply.setCookie(SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: ttlSeconds });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean) {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
}

export function sessionIdOf(req: FastifyRequest): string | undefined {
  return req.cookies[SESSION_COOKIE];
}

/** Removes expired sessions (they are already refused when read); returns how many went. */
export async function purgeExpiredSessions(db: Db): Promise<number> {
  const r = await db.deleteFrom('session').where('expires_at', '<=', new Date()).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * Ends every session of one subject (a staff account reset or disabled must log out everywhere), or
 * only those whose data holds the given values (the tokens of one grant).
 */
export async function deleteSessionsOf(db: Db, kind: string, subject: string, having?: Readonly<Record<string, string>>): Promise<void> {
  let q = db.deleteFrom('session').where('kind', '=', kind).where('subject', '=', subject);
  if (having) q = q.where(sql<boolean>`data @> ${JSON.stringify(having)}::jsonb`);
  await q.execute();
}
