import { DomainError, forbidden, invalid } from '@openhssk/core';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { STATION_ROLES, type StaffContext, type StaffRole, stationUnit, unitDescendants } from '../staff/index.ts';

/** Who opens the household register: station staff for their commune, officers of the unit above it read-only, system admins. */
export const REGISTER_READ_ROLES: readonly StaffRole[] = ['system_admin', 'health_officer', ...STATION_ROLES];
/** Who records births, deaths and moves: the station's own staff (the collaborator reports them in the hamlets). */
export const REGISTER_WRITE_ROLES: readonly StaffRole[] = STATION_ROLES;

const isStationRole = (role: StaffRole) => (STATION_ROLES as readonly StaffRole[]).includes(role);

/** The commune a request acts on, and what the caller may do there. */
export interface StationArea {
  commune: string;
  communeName: string | null;
  /** The caller's station (facility code); null for officers and admins, who belong to none. */
  stationCode: string | null;
  canWrite: boolean;
  /** Diagnoses, causes of death, birth weights, hospital episodes: not for population collaborators or officers. */
  clinical: boolean;
}

export const communeRequired = () =>
  invalid('COMMUNE_REQUIRED', 'Chọn xã/phường (tham số commune).', 'The commune query parameter is required for this role.');

const notStation = () =>
  new DomainError(
    'forbidden',
    'NOT_A_COMMUNE_STATION',
    'Cơ sở của bạn không phải trạm y tế của một xã/phường nên không có sổ hộ gia đình.',
    'Your facility is not a commune health station, so it has no household register.',
  );

/**
 * Decides the commune of a register request: a station's staff always act on their own commune
 * (another one asked for is refused), an officer on a commune inside their unit, an admin on any.
 */
export async function stationArea(db: Db, s: StaffContext, requested?: string): Promise<StationArea> {
  let commune: string;
  let communeName: string | null = null;
  let stationCode: string | null = null;
  if (isStationRole(s.role)) {
    // The station's commune and its name, as staff/ decides it for every station route.
    const unit = await stationUnit(db, s);
    if (!unit) throw notStation();
    if (requested !== undefined && requested !== unit.code) throw forbidden();
    commune = unit.code;
    communeName = unit.name;
    stationCode = s.facilityCode;
  } else if (s.role === 'health_officer' || s.role === 'system_admin') {
    if (!requested) throw communeRequired();
    if (s.role === 'health_officer' && !(await unitDescendants(db, s.adminUnitCode ?? '')).includes(requested)) throw forbidden();
    const unit = await db.selectFrom('admin_unit').select(['name', 'level']).where('code', '=', requested).executeTakeFirst();
    if (!unit) throw new DomainError('not_found', 'COMMUNE_NOT_FOUND', `Không có xã/phường mã ${requested}.`, `No commune ${requested}.`);
    // An officer's unit lists districts and provinces too: the register exists per commune only.
    if (unit.level !== 'commune') throw invalid('NOT_A_COMMUNE', `Mã ${requested} không phải một xã/phường/thị trấn.`, `Unit ${requested} is not a commune.`);
    commune = requested;
    communeName = unit.name;
  } else {
    throw forbidden();
  }
  return {
    commune,
    communeName,
    stationCode,
    canWrite: (REGISTER_WRITE_ROLES as readonly StaffRole[]).includes(s.role) && stationCode !== null,
    clinical: s.role === 'system_admin' || (isStationRole(s.role) && s.role !== 'population_collaborator'),
  };
}

/** Like an unknown person: a caller outside the area learns nothing about who exists elsewhere. */
export const personNotInArea = () =>
  new DomainError('not_found', 'PERSON_NOT_IN_AREA', 'Không tìm thấy người này trong địa bàn của trạm.', 'No such person in the station’s area.');

export interface ScopeOptions {
  /** How long a check-in or referral at the station keeps a non-resident visible (HSSK_CARE_RELATIONSHIP_DAYS). */
  careDays: number;
}

/**
 * Whether a person is the station's: a resident of the commune (golden record), a current member of
 * one of its households (moved in, not yet on the lists), or — for the station's own staff — checked
 * in at the station or referred to it within the care window.
 */
export async function personInArea(db: Db, area: Pick<StationArea, 'commune' | 'stationCode'>, personId: string, opts: ScopeOptions): Promise<boolean> {
  const station = area.stationCode;
  const since = new Date(Date.now() - opts.careDays * 86_400_000);
  const r = await sql<{ ok: boolean }>`select (
      exists (select 1 from person where id = ${personId} and ma_xa = ${area.commune})
      or exists (select 1 from station_member where person_id = ${personId} and commune_code = ${area.commune} and closed_at is null)
      ${
        station
          ? sql`or exists (select 1 from visit where person_id = ${personId} and facility_code = ${station} and received_at >= ${since})
      or exists (select 1 from episode e join episode_row r on r.episode_id = e.id
                  where e.person_id = ${personId} and e.is_current and r.tbl = 'XML13' and cardinality(e.sensitivity) = 0
                    and coalesce(r.fields->>'MA_CSKCB_DEN', r.fields->>'MA_NOI_DEN') = ${station}
                    and coalesce(e.ngay_ra, e.ngay_vao) >= ${since.toISOString().slice(0, 10)}::timestamp)`
          : sql``
      }) as ok`.execute(db);
  return r.rows[0]?.ok === true;
}
