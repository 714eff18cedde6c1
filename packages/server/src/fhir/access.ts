/**
 * Who may read the FHIR interface in this slice (system clients only; SMART and patient-facing apps
 * come later):
 *   - a facility's system, with the client-credentials bearer token it uses for ingest: the episodes it
 *     sent itself and the persons they belong to (its own patients), nothing from other facilities;
 *   - staff sessions of a system administrator (every facility) or a health officer (the facilities
 *     registered in their administrative unit and the units below it).
 * Clinicians read through the clinic module, with the citizen's consent or break-glass, not here.
 */
import { DomainError } from '@openhssk/core';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../audit/index.ts';
import { verifyFacilityToken } from '../auth/index.ts';
import type { Db } from '../db/index.ts';
import { requireStaff, type StaffRole, staffActor, unitDescendants } from '../staff/index.ts';

export const FHIR_STAFF_ROLES: readonly StaffRole[] = ['system_admin', 'health_officer'];

export interface FhirCaller {
  actor: Actor;
  /** Facilities whose episodes the caller may read; 'all' for a system administrator. */
  facilities: 'all' | string[];
}

const tokenRevoked = () => new DomainError('unauthenticated', 'TOKEN_INVALID', 'Mã truy cập không hợp lệ hoặc đã hết hạn.', 'The access token is invalid or expired.');

export async function fhirCaller(db: Db, req: FastifyRequest, tokenKey: string): Promise<FhirCaller> {
  if (req.headers.authorization !== undefined) {
    const { facilityCode, clientId } = await verifyFacilityToken(tokenKey, req.headers.authorization);
    // A token outlives its credential by up to its lifetime; personal data is read only while the
    // credential itself is still valid (a revocation in the future is a rotation grace period).
    const live = await db
      .selectFrom('facility_credential')
      .select('client_id')
      .where('client_id', '=', clientId)
      .where('facility_code', '=', facilityCode)
      .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', new Date())]))
      .executeTakeFirst();
    if (!live) throw tokenRevoked();
    return { actor: { type: 'facility', id: clientId, facilityCode }, facilities: [facilityCode] };
  }
  const s = await requireStaff(db, req, { roles: FHIR_STAFF_ROLES });
  if (s.role === 'system_admin') return { actor: staffActor(s), facilities: 'all' };
  const units = s.adminUnitCode ? await unitDescendants(db, s.adminUnitCode) : [];
  const rows = units.length ? await db.selectFrom('facility').select('code').where('admin_unit_code', 'in', units).execute() : [];
  return { actor: staffActor(s), facilities: rows.map((r) => r.code) };
}
