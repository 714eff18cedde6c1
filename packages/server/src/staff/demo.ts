import type { Db } from '../db/index.ts';
import { createStaff, STATION_FACILITY_LEVEL } from './accounts.ts';
import type { StaffRole } from './tables.ts';
import { staffDb } from './tables.ts';

export const DEMO_STAFF_PASSWORD = 'demo-Staff1';

/**
 * Demo staff of the demo district (idempotent): front desk, clinician and facility admin at 51001
 * (or the first registered facility), the head and a nurse of commune station 51242, an officer of
 * the district, a system admin.
 */
export async function seedDemoStaff(db: Db, log: (m: string) => void = () => {}): Promise<Array<{ username: string; role: StaffRole }>> {
  const facility =
    (await db.selectFrom('facility').select('code').where('code', '=', '51001').executeTakeFirst()) ??
    (await db.selectFrom('facility').select('code').orderBy('code').limit(1).executeTakeFirst());
  const district = await db.selectFrom('admin_unit').select('code').where('level', '=', 'district').orderBy('code').limit(1).executeTakeFirst();
  const wanted: Array<{ username: string; fullName: string; role: StaffRole; facilityCode?: string; adminUnitCode?: string }> = [
    { username: 'quantri', fullName: 'Quản trị hệ thống', role: 'system_admin' },
  ];
  if (facility) {
    wanted.push(
      { username: 'letan', fullName: 'Lễ tân Trần Thị Lan', role: 'receptionist', facilityCode: facility.code },
      { username: 'bacsi', fullName: 'BS. Nguyễn Văn Minh', role: 'clinician', facilityCode: facility.code },
      { username: 'quantri.coso', fullName: 'Quản trị cơ sở Lê Văn Hùng', role: 'facility_admin', facilityCode: facility.code },
    );
  }
  // The first commune station of the demo district (Trạm Y tế xã Nghĩa Kỳ): its head and a nurse.
  const station = await db.selectFrom('facility as f').innerJoin('admin_unit as u', 'u.code', 'f.admin_unit_code').select('f.code')
    .where('f.code', '=', '51242').where('f.level', '=', STATION_FACILITY_LEVEL).where('u.level', '=', 'commune').executeTakeFirst();
  if (station) {
    wanted.push(
      { username: 'tram.truong', fullName: 'Trạm trưởng Võ Thị Thu', role: 'station_head', facilityCode: station.code },
      { username: 'dieuduong.xa', fullName: 'Điều dưỡng Huỳnh Văn Tâm', role: 'station_nurse', facilityCode: station.code },
    );
  }
  if (district) wanted.push({ username: 'canbo.huyen', fullName: 'Cán bộ Y tế huyện Phạm Thị Hoa', role: 'health_officer', adminUnitCode: district.code });
  const sdb = staffDb(db);
  for (const w of wanted) {
    if (await sdb.selectFrom('staff_account').select('id').where('username', '=', w.username).executeTakeFirst()) continue;
    // A known password is acceptable only for demo accounts, so no forced change here.
    await createStaff(db, { ...w, password: DEMO_STAFF_PASSWORD });
  }
  log(`Demo staff (password "${DEMO_STAFF_PASSWORD}"): ${wanted.map((w) => `${w.username} (${w.role}${w.facilityCode ? ` ${w.facilityCode}` : ''}${w.adminUnitCode ? ` ${w.adminUnitCode}` : ''})`).join(', ')}`);
  return wanted.map((w) => ({ username: w.username, role: w.role }));
}
