import { viDate, viDateTime, viNumber } from '@openhssk/core';
import type { FieldDef, FieldValue, FormData831, Role } from './api.ts';

/** Screen wording of the station app: roles, relations, events, registers' lists. */

export const ROLE_VI: Readonly<Record<string, string>> = {
  station_head: 'Trạm trưởng',
  station_clinician: 'Y sĩ/bác sĩ',
  station_nurse: 'Điều dưỡng/nữ hộ sinh',
  population_collaborator: 'Cộng tác viên dân số',
  clinician: 'Bác sĩ',
  system_admin: 'Quản trị hệ thống',
  health_officer: 'Cán bộ quản lý y tế',
} satisfies Partial<Record<Role, string>>;

export const RELATION_VI: Readonly<Record<string, string>> = {
  head: 'Chủ hộ',
  spouse: 'Vợ/chồng',
  child: 'Con',
  child_in_law: 'Con dâu/con rể',
  grandchild: 'Cháu',
  parent: 'Bố/mẹ',
  grandparent: 'Ông/bà',
  sibling: 'Anh/chị/em',
  other: 'Khác',
};

export const EVENT_VI: Readonly<Record<string, string>> = { birth: 'Sinh', death: 'Tử vong', move_in: 'Chuyển đến', move_out: 'Chuyển đi' };

export const SEX_VI: Readonly<Record<number, string>> = { 1: 'Nam', 2: 'Nữ', 3: 'Chưa xác định' };

export const CONTROL_VI: Readonly<Record<string, string>> = { controlled: 'Đã kiểm soát', uncontrolled: 'Chưa kiểm soát', unknown: 'Chưa đánh giá' };

export const LIST_VI: Readonly<Record<string, string>> = {
  overdue: 'Quá hạn tái khám',
  uncontrolled: 'Chưa kiểm soát',
  due: 'Đến hạn theo dõi',
  active: 'Đang quản lý',
  proposed: 'Đề xuất đưa vào sổ',
};

export const STATUS_VI: Readonly<Record<string, string>> = {
  pending: 'Chưa đồng bộ',
  applied: 'Đã ghi nhận',
  already_applied: 'Đã có trên máy chủ',
  conflict: 'Có xung đột',
  refused: 'Bị từ chối',
};

export const relationText = (relation: string | null, label: string | null) => label ?? (relation ? (RELATION_VI[relation] ?? relation) : 'Chưa rõ quan hệ');

/** "1985 (41 tuổi)" style for lists; the full date where known. */
export function birthText(ngaySinh: string | null | undefined): string {
  if (!ngaySinh) return 'Không rõ ngày sinh';
  return ngaySinh.length >= 10 ? viDate(ngaySinh) : ngaySinh.slice(0, 4);
}

/** A stored value as the form's data names it: code labels, Có/Không, number with unit. */
export function displayValue(form: FormData831, def: FieldDef, value: FieldValue | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  const t = def.type;
  switch (t.kind) {
    case 'code':
      return typeof value === 'string' ? (form.code_lists[t.list]?.codes[value] ?? value) : String(value);
    case 'codes':
      return Array.isArray(value) ? value.map((c) => form.code_lists[t.list]?.codes[c] ?? c).join('; ') : String(value);
    case 'boolean':
      return value === true ? 'Có' : 'Không';
    case 'number':
      return `${viNumber(String(value))} ${t.unit}`;
    case 'integer':
      return t.unit ? `${value} ${t.unit}` : String(value);
    case 'date':
      return typeof value === 'string' ? viDate(value) : String(value);
    default:
      return Array.isArray(value) ? value.join('; ') : String(value);
  }
}

/** Who and when, as shown under each recorded value. */
export function recordedText(name: string | null | undefined, role: string | null | undefined, facility: string | null | undefined, at: string | number | null | undefined): string {
  const who = [name ?? (role ? (ROLE_VI[role] ?? role) : 'Không rõ'), facility].filter(Boolean).join(', ');
  return `${who} · ${viDateTime(at)}`;
}

/** A v4 uuid; randomUUID exists only in secure contexts, getRandomValues everywhere. */
export function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
