import { DomainError } from '@openhssk/core';
import { hashSecret, portalPasswordDigest, randomToken, verifySecret } from '../auth/index.ts';
import type { Db } from '../db/index.ts';

/** Column added by migration 005; declared here so the shared schema file stays untouched. */
type PortalCredentialColumns = {
  facility_credential: { client_id: string; facility_code: string; revoked_at: Date | null; portal_password_hash: string | null };
};

const portalDb = (db: Db) => db.withTables<PortalCredentialColumns>();

export { portalPasswordDigest };

/**
 * Sets a new random portal password on an existing credential and returns it once. Only
 * scrypt(upper(md5(password))) is stored, because MD5 is what the portal protocol transmits.
 */
export async function issuePortalPassword(db: Db, clientId: string): Promise<string> {
  const password = randomToken(18);
  const hash = await hashSecret(portalPasswordDigest(password));
  const r = await portalDb(db)
    .updateTable('facility_credential')
    .set({ portal_password_hash: hash })
    .where('client_id', '=', clientId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) {
    throw new DomainError('not_found', 'NOT_FOUND', `Không tìm thấy tài khoản ${clientId} còn hiệu lực.`, `No active credential ${clientId}.`);
  }
  return password;
}

/** Facility code for a portal login (username = client_id, password = upper-case MD5), or undefined. */
export async function checkPortalPassword(db: Db, username: string, md5Upper: string): Promise<string | undefined> {
  const row = await portalDb(db)
    .selectFrom('facility_credential')
    .select(['facility_code', 'portal_password_hash'])
    .where('client_id', '=', username)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row?.portal_password_hash) return undefined;
  // Clients differ in hex case; the protocol says upper case, so normalise rather than refuse.
  return (await verifySecret(md5Upper.toUpperCase(), row.portal_password_hash)) ? row.facility_code : undefined;
}
