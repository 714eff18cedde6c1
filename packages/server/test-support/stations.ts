import type { Db } from '../src/db/index.ts';
import type { NewStaff } from '../src/staff/index.ts';

/** Commune A (xã Nghĩa Kỳ, district 528 Tư Nghĩa) and its station. */
export const COMMUNE_A = '21556';
export const STATION_A = '51242';
/** Commune B and its station; which district it lies in is the test's choice (see twoCommuneStations). */
export const COMMUNE_B = '21559';
export const STATION_B = '51243';

/**
 * The station tests' place: province 51 (Quảng Ngãi) with districts 528 (Tư Nghĩa) and 529 (Mộ Đức),
 * commune A in 528 with its station, commune B (`b`: its name and district) with its station, and
 * any `facilities` besides. A health officer of 528 and one of 529 then see A, and B by its district.
 */
export async function twoCommuneStations(
  db: Db,
  b: { name: string; district: '528' | '529' },
  facilities: ReadonlyArray<{ code: string; name: string; admin_unit_code: string | null }> = [],
): Promise<void> {
  await db.insertInto('admin_unit').values([
    { code: '51', level: 'province', name: 'Quảng Ngãi', parent_code: null, valid_from: null, valid_to: null },
    { code: '528', level: 'district', name: 'Tư Nghĩa', parent_code: '51', valid_from: null, valid_to: null },
    { code: '529', level: 'district', name: 'Mộ Đức', parent_code: '51', valid_from: null, valid_to: null },
    { code: COMMUNE_A, level: 'commune', name: 'xã Nghĩa Kỳ', parent_code: '528', valid_from: null, valid_to: null },
    { code: COMMUNE_B, level: 'commune', name: b.name, parent_code: b.district, valid_from: null, valid_to: null },
  ]).execute();
  await db.insertInto('facility').values([
    { code: STATION_A, name: 'Trạm Y tế xã Nghĩa Kỳ', level: 'xã', admin_unit_code: COMMUNE_A },
    { code: STATION_B, name: `Trạm Y tế ${b.name}`, level: 'xã', admin_unit_code: COMMUNE_B },
    ...facilities,
  ]).execute();
}

/** The stations' staff, for staffSessions: each station's vaccinator, A's head and collaborator, and an officer per district. */
export const STATION_STAFF: ReadonlyArray<readonly [string, NewStaff['role'], Pick<NewStaff, 'facilityCode' | 'adminUnitCode'>]> = [
  ['nurseA', 'station_nurse', { facilityCode: STATION_A }],
  ['headA', 'station_head', { facilityCode: STATION_A }],
  ['collabA', 'population_collaborator', { facilityCode: STATION_A }],
  ['nurseB', 'station_nurse', { facilityCode: STATION_B }],
  ['officer528', 'health_officer', { adminUnitCode: '528' }],
  ['officer529', 'health_officer', { adminUnitCode: '529' }],
];
