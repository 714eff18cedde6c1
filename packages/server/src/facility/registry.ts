import { DomainError, parseFacilityCode } from '@openhssk/core';
import { hashSecret, randomToken, verifySecret } from '../auth/index.ts';
import type { Db } from '../db/index.ts';

export interface NewFacility {
  code: string;
  name: string;
  level?: string | undefined;
  adminUnitCode?: string | undefined;
  bhytContract?: boolean | undefined;
  testMode?: boolean | undefined;
}

export async function createFacility(db: Db, f: NewFacility): Promise<void> {
  const code = parseFacilityCode(f.code);
  if (!code.ok) throw new DomainError('invalid', code.error.code, code.error.message_vi, code.error.message_en);
  const exists = await db.selectFrom('facility').select('code').where('code', '=', f.code).executeTakeFirst();
  if (exists) throw new DomainError('conflict', 'FACILITY_EXISTS', `Cơ sở ${f.code} đã tồn tại.`, `Facility ${f.code} already exists.`);
  await db
    .insertInto('facility')
    .values({
      code: code.value,
      name: f.name,
      level: f.level ?? null,
      admin_unit_code: f.adminUnitCode ?? null,
      bhyt_contract: f.bhytContract ?? true,
      test_mode: f.testMode ?? false,
    })
    .execute();
}

export async function getFacility(db: Db, code: string) {
  return db.selectFrom('facility').selectAll().where('code', '=', code).executeTakeFirst();
}

/** Issues a new API credential; the secret is shown once and only its hash is stored. */
export async function issueCredential(db: Db, facilityCode: string): Promise<{ clientId: string; clientSecret: string }> {
  const clientId = `${facilityCode}-${randomToken(6)}`;
  const clientSecret = randomToken(24);
  await db
    .insertInto('facility_credential')
    .values({ client_id: clientId, facility_code: facilityCode, secret_hash: await hashSecret(clientSecret) })
    .execute();
  return { clientId, clientSecret };
}

/**
 * Returns the facility code for a valid credential. A revocation time in the future is a rotation
 * grace period: the old secret keeps working until the HIS has been reconfigured.
 */
export async function checkCredential(db: Db, clientId: string, clientSecret: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('facility_credential')
    .select(['facility_code', 'secret_hash'])
    .where('client_id', '=', clientId)
    .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', new Date())]))
    .executeTakeFirst();
  if (!row) return undefined;
  return (await verifySecret(clientSecret, row.secret_hash)) ? row.facility_code : undefined;
}

/**
 * Rotation: a new credential now; the facility's other credentials stop working after
 * `graceHours` (0 = at once). Tokens already issued live until their own short expiry.
 */
export async function rotateCredential(db: Db, facilityCode: string, graceHours = 0) {
  const revokeAt = new Date(Date.now() + Math.max(0, graceHours) * 3600_000);
  return db.transaction().execute(async (tx) => {
    const revoked = await tx
      .updateTable('facility_credential')
      .set({ revoked_at: revokeAt })
      .where('facility_code', '=', facilityCode)
      .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', revokeAt)]))
      .returning('client_id')
      .execute();
    const fresh = await issueCredential(tx, facilityCode);
    return { ...fresh, revoked: revoked.map((r) => r.client_id), revokedAt: revokeAt };
  });
}

/** The facility a client id belongs to, revoked or not: for attributing refused logins in the audit log. */
export async function credentialFacility(db: Db, clientId: string): Promise<string | undefined> {
  const row = await db.selectFrom('facility_credential').select('facility_code').where('client_id', '=', clientId).executeTakeFirst();
  return row?.facility_code;
}
