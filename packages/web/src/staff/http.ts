import type { StaffMe, StaffRoleName } from '@openhssk/core/api';
import { api } from '../api.ts';

export { ApiProblem } from '../api.ts';

export const get = <T,>(path: string) => api<T>(path);

export const post = <T,>(path: string, body: unknown = {}) =>
  api<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export const patch = <T,>(path: string, body: unknown) =>
  api<T>(path, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export const put = <T,>(path: string, body: unknown) =>
  api<T>(path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Certificate files go up as raw bytes: PEM and DER are both accepted by the server. */
export const upload = <T,>(path: string, file: File) =>
  api<T>(path, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: file });

// Declared once for the server and both staff apps (@openhssk/core/api staff.ts).
export type Role = StaffRoleName;
export type { StaffMe };

export const ROLE_VI: Record<Role, string> = {
  system_admin: 'Quản trị hệ thống',
  health_officer: 'Cán bộ quản lý y tế',
  facility_admin: 'Quản trị cơ sở',
  clinician: 'Bác sĩ',
  receptionist: 'Tiếp đón',
  station_head: 'Trạm trưởng trạm y tế',
  station_clinician: 'Y sĩ/bác sĩ trạm y tế',
  station_nurse: 'Điều dưỡng/nữ hộ sinh trạm y tế',
  population_collaborator: 'Cộng tác viên dân số',
};

/** 'YYYY-MM-DD…' or 'YYYYMMDD…' as dd/mm/yyyy. */
export function viDate(s: string | null | undefined): string {
  if (!s) return '—';
  const d = s.replace(/-/g, '');
  if (!/^\d{8}/.test(d)) return s;
  return `${d.slice(6, 8)}/${d.slice(4, 6)}/${d.slice(0, 4)}`;
}

const DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

/** One date-time style across the staff screens: dd/mm/yyyy HH:mm, Viet Nam time (the vi-VN locale puts the time first). */
export function viDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = Object.fromEntries(DATE_TIME.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

/** A delay as days and hours ("2 ngày 5 giờ"), not "gửi sau 53 giờ". */
export function viDelay(hours: number): string {
  const h = Math.max(0, Math.round(hours));
  const days = Math.floor(h / 24);
  const rest = h % 24;
  if (days === 0) return `${rest} giờ`;
  return rest === 0 ? `${days} ngày` : `${days} ngày ${rest} giờ`;
}
