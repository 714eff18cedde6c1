import type { Resident } from '@openhssk/core/synth';

const CSV_HEADER = 'source_system,source_id,ho_ten,ngay_sinh,gioi_tinh,so_cccd,so_bhyt,so_dien_thoai,dia_chi,ma_xa,ma_ho_gia_dinh';
const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * The residents as the MIS 2022 population registry exports them (canonical MPI columns).
 * Deterministic for a seed: the purge recognises the demo import of an older database by its hash.
 */
export function registryCsv(residents: readonly Resident[]): string {
  const lines = [CSV_HEADER];
  for (const r of residents) {
    const birth = r.birthMonth === 0 ? String(r.birthYear) : `${String(r.birthDay).padStart(2, '0')}/${String(r.birthMonth).padStart(2, '0')}/${r.birthYear}`;
    lines.push(
      ['MIS2022', r.id, r.fullName, birth, r.sex === 'male' ? 'Nam' : 'Nữ', r.cccd ?? '', r.bhyt?.number ?? '', r.phone ?? '', r.address, r.communeCode, r.householdId]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
