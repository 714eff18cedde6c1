import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { countText, percentText } from '@openhssk/core/api';
import type { Db } from '../db/index.ts';
import { getUnit } from './kpis.ts';
import { changeText, lastDueWeek, takeWeeklySnapshot, weeklyTable, weeklyWorkbook, weekOf } from './weekly.ts';


/**
 * `hssk reports weekly [--week YYYY-MM-DD] [--unit CODE] [--out FILE.xlsx]`: stores the week's
 * snapshot when it is not stored yet (as the background job would), prints the table and writes it
 * as XLSX. Without --unit every province is printed.
 */
export async function runReportsCli(db: Db, sub: string | undefined, args: string[]): Promise<number> {
  if (sub !== 'weekly') {
    console.error('hssk reports weekly [--week YYYY-MM-DD] [--unit CODE] [--out FILE.xlsx]');
    return 2;
  }
  const { values } = parseArgs({ args, options: { week: { type: 'string' }, unit: { type: 'string' }, out: { type: 'string' } } });
  if (values.week !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.week)) {
    console.error('--week: YYYY-MM-DD (any day of the Friday–Thursday week)');
    return 2;
  }
  const weekEnd = values.week ? weekOf(values.week) : lastDueWeek();
  const snap = await takeWeeklySnapshot(db, weekEnd);
  console.log(snap.existed ? `Tuần kết thúc ${weekEnd}: đã có số liệu chốt.` : `Tuần kết thúc ${weekEnd}: đã chốt ${snap.rows} dòng.`);
  const roots = values.unit
    ? [values.unit]
    : (await db.selectFrom('admin_unit').select('code').where('parent_code', 'is', null).where('level', '=', 'province').orderBy('code').execute()).map((r) => r.code);
  for (const code of roots) {
    const unit = await getUnit(db, code);
    if (!unit) {
      console.error(`Không có đơn vị hành chính ${code}.`);
      return 1;
    }
    const t = await weeklyTable(db, unit, weekEnd);
    console.log(`\n${unit.name} — tuần ${t.period.from}…${t.period.to}`);
    for (const r of t.rows) {
      console.log(
        [r.unit.code, r.unit.name, `liên thông ${r.integratedFacilities}/${r.insuredFacilities} (${changeText.count(r.change?.integratedFacilities ?? null)})`,
          `định danh ${percentText(r.identifiedRate)} (${changeText.points(r.change?.identifiedRate ?? null)})`,
          `sổ có dữ liệu ${countText(r.withHealthData)} (${changeText.count(r.change?.withHealthData ?? null)})`].join(' | '),
      );
    }
    if (values.out) {
      const out = roots.length > 1 ? values.out.replace(/(\.xlsx)?$/, `-${code}.xlsx`) : values.out;
      await writeFile(out, await weeklyWorkbook(t));
      console.log(`→ ${out}`);
    }
  }
  return 0;
}
