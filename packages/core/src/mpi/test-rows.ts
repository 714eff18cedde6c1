// Test support: hand-written source rows for the matcher's table-driven tests.
import { type MpiRecord, normalizeSourceRecord } from './record.ts';

let seq = 0;

/** A population-list row with every canonical column, blank unless given; each gets its own source id. */
export function sourceRow(fields: Partial<Record<string, string>>): Record<string, string> {
  const blank = {
    source_system: 'MIS2022', source_id: `T${++seq}`, ho_ten: '', ngay_sinh: '', gioi_tinh: '', so_cccd: '', so_bhyt: '',
    so_dien_thoai: '', dia_chi: '', ma_xa: '', ma_ho_gia_dinh: '',
  };
  return { ...blank, ...Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined)) };
}

/** Normalized records of rows a test expects to be usable; an unusable one fails the test with its issues. */
export function normalizeAll(rows: Array<Record<string, string>>): MpiRecord[] {
  return rows.map((r) => {
    const { record, issues } = normalizeSourceRecord(r);
    if (!record) throw new Error(`row ${r.source_id} is not usable: ${JSON.stringify(issues)}`);
    return record;
  });
}
