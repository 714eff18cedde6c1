import { DomainError, notFound, vietnamNow, vietnamToday } from '@openhssk/core';
import { STATION_CLINICAL_ROLES, STATION_CLINICIAN_ROLES } from '@openhssk/core/api';
import { type PersonFacts, personFacts } from '@openhssk/core/primary-care';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { requireStaff, type StaffContext, type StaffRole, staffActor, stationCommune } from '../staff/index.ts';

// Station roles that see and write clinical data (not the population collaborator), and those whose
// decisions need a clinician: enrolment, accepting or declining a proposal, a diagnosis.
export const CLINICAL_ROLES = STATION_CLINICAL_ROLES;
export const CLINICIAN_ROLES = STATION_CLINICIAN_ROLES;

export interface StationScope {
  staff: StaffContext;
  facilityCode: string;
  /** The commune the station serves: its residents are the station's people. */
  commune: string;
  actor: Actor;
}

/** A logged-in station staff member of one of `roles`, with the station's commune. */
export async function requireStation(db: Db, req: FastifyRequest, roles: readonly StaffRole[] = CLINICAL_ROLES): Promise<StationScope> {
  const staff = await requireStaff(db, req, { roles });
  const commune = await stationCommune(db, staff);
  if (!commune || !staff.facilityCode) {
    throw new DomainError(
      'forbidden',
      'STATION_WITHOUT_COMMUNE',
      'Trạm y tế của bạn chưa được gắn với một xã/phường: chưa thể xem hay ghi hồ sơ của người dân.',
      'Your station is not attached to a commune: records cannot be read or written yet.',
    );
  }
  return { staff, facilityCode: staff.facilityCode, commune, actor: staffActor(staff) };
}

export interface ScopedPerson {
  id: string;
  ho_ten: string;
  ngay_sinh: string | null;
  birth_year: number | null;
  gioi_tinh: number | null;
  ma_xa: string | null;
  /** resident: lives in the station's commune; checked_in: a recent visit at the station. */
  basis: 'resident' | 'checked_in';
  facts: PersonFacts;
}

/** Outside the station's people and unknown answer alike, so ids cannot be probed. */
export const personNotFound = () => notFound('người dân này trong địa bàn của trạm', 'Person in the station’s area');

/**
 * Persons the station may read and write: residents of its commune (golden record `ma_xa`), and
 * persons checked in at the station recently — a front-desk check-in or a signed XML0 at the
 * station's facility code within the care-relationship window, as for hospital clinicians.
 */
export async function scopedPersons(db: Db, scope: StationScope, ids: readonly string[], careDays: number): Promise<Map<string, ScopedPerson>> {
  const out = new Map<string, ScopedPerson>();
  const unique = [...new Set(ids)];
  if (unique.length === 0) return out;
  const today = vietnamToday();
  const rows = await db
    .selectFrom('person')
    .select(['id', 'ho_ten', 'ngay_sinh', 'birth_year', 'gioi_tinh', 'ma_xa'])
    .where('id', 'in', unique)
    .execute();
  const others = rows.filter((r) => r.ma_xa !== scope.commune).map((r) => r.id);
  const visited = new Set<string>();
  if (others.length > 0) {
    const since = vietnamNow(new Date(Date.now() - careDays * 86400_000));
    const visits = await db
      .selectFrom('visit')
      .select('person_id')
      .distinct()
      .where('facility_code', '=', scope.facilityCode)
      .where('person_id', 'in', others)
      .where('ngay_vao', '>=', since)
      // A date the sender chose in the future must not keep the relationship alive.
      .where('ngay_vao', '<=', vietnamNow(new Date(Date.now() + 86400_000)))
      // An unsigned XML0 rests on a bearer token alone and opens nothing (as for hospital clinicians).
      .where((eb) => eb.or([eb('id_method', '!=', 'xml0'), eb('signature_verified', '=', true)]))
      .execute();
    for (const v of visits) if (v.person_id) visited.add(v.person_id);
  }
  for (const r of rows) {
    const basis = r.ma_xa === scope.commune ? 'resident' : visited.has(r.id) ? 'checked_in' : undefined;
    if (basis) out.set(r.id, { ...r, basis, facts: personFacts(r.ngay_sinh, r.birth_year, r.gioi_tinh, today) });
  }
  return out;
}

export async function scopedPerson(db: Db, scope: StationScope, id: string, careDays: number): Promise<ScopedPerson> {
  const p = (await scopedPersons(db, scope, [id], careDays)).get(id);
  if (!p) throw personNotFound();
  return p;
}
