/**
 * Who may read the FHIR interface:
 *   - a SMART app the citizen authorized (smart/), with its opaque access token: that citizen's own
 *     compartment only, within the token's patient/ scopes; another person's data answers exactly as
 *     if it did not exist;
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
import { scopeAllows, smartAccess } from '../smart/index.ts';
import type { Facilities } from './sql.ts';
import { requireStaff, type StaffRole, staffActor, unitDescendants } from '../staff/index.ts';

export const FHIR_STAFF_ROLES: readonly StaffRole[] = ['system_admin', 'health_officer'];

export interface FhirCaller {
  actor: Actor;
  /** Facilities whose episodes the caller may read; 'all' for a system administrator; one person for a SMART app. */
  facilities: Facilities;
  /** SMART scopes of the token (patient/… or system/…); absent for staff and scope-less facility tokens. */
  scopes?: readonly string[] | undefined;
}

/** What a request needs of the caller's scopes: a resource type ('*' for operations returning every type) and how. */
export type FhirNeed = { type: string; perm: 'read' | 'search' } | 'export';

const insufficientScope = () =>
  new DomainError('forbidden', 'INSUFFICIENT_SCOPE', 'Mã truy cập không cho phép thao tác này.', 'The access token’s scopes do not allow this request.');

function checkScopes(caller: FhirCaller, need: FhirNeed | undefined): FhirCaller {
  if (!caller.scopes || need === undefined) return caller;
  // Bulk export is for systems: a patient token never starts one.
  if (need === 'export') {
    if (!Array.isArray(caller.facilities) || !scopeAllows(caller.scopes, '*', 'read')) throw insufficientScope();
    return caller;
  }
  if (!scopeAllows(caller.scopes, need.type, need.perm)) throw insufficientScope();
  return caller;
}

/**
 * A resource type a request returns beside its primary type (`_include`, `_revinclude`): a scoped
 * token must hold read on it too, or an app would read what the citizen did not agree to.
 */
export function requireScopeFor(caller: FhirCaller, type: string): void {
  if (caller.scopes && !scopeAllows(caller.scopes, type, 'read')) throw insufficientScope();
}

const tokenRevoked = () => new DomainError('unauthenticated', 'TOKEN_INVALID', 'Mã truy cập không hợp lệ hoặc đã hết hạn.', 'The access token is invalid or expired.');

export async function fhirCaller(db: Db, req: FastifyRequest, tokenKey: string, need?: FhirNeed): Promise<FhirCaller> {
  if (req.headers.authorization !== undefined) {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization)?.[1];
    // Facility tokens are JWTs; SMART app tokens are opaque (no dots).
    if (bearer !== undefined && !bearer.includes('.')) {
      const app = await smartAccess(db, bearer);
      if (!app) throw tokenRevoked();
      // Sensitive episodes only on the citizen's explicit choice for this app (smart module), and for no other caller.
      const facilities = app.includeSensitive ? { person: app.personId, includeSensitive: true } : { person: app.personId };
      return checkScopes({ actor: app.actor, facilities, scopes: app.scopes }, need);
    }
    const { facilityCode, clientId, scopes } = await verifyFacilityToken(tokenKey, req.headers.authorization);
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
    return checkScopes({ actor: { type: 'facility', id: clientId, facilityCode }, facilities: [facilityCode], scopes }, need);
  }
  const s = await requireStaff(db, req, { roles: FHIR_STAFF_ROLES });
  if (s.role === 'system_admin') return { actor: staffActor(s), facilities: 'all' };
  const units = s.adminUnitCode ? await unitDescendants(db, s.adminUnitCode) : [];
  const rows = units.length ? await db.selectFrom('facility').select('code').where('admin_unit_code', 'in', units).execute() : [];
  return { actor: staffActor(s), facilities: rows.map((r) => r.code) };
}
