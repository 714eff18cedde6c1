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

// The clinician summary's screen (CheckinPage) reads the shared date helpers through this module.
export { viDate, viDateTime } from '@openhssk/core';
