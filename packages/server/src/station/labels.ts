import type { HouseholdRelation } from '@openhssk/core/mpi';
import type { EventKind, JoinReason, LeaveReason } from './tables.ts';

/** How the register names a relation to the head when the list gave no label of its own. */
export const RELATION_VI: Readonly<Record<HouseholdRelation, string>> = {
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

export const JOIN_REASON_VI: Readonly<Record<JoinReason, string>> = {
  population: 'Theo danh sách dân cư',
  birth: 'Sinh',
  move_in: 'Chuyển đến',
};

export const LEAVE_REASON_VI: Readonly<Record<LeaveReason, string>> = {
  death: 'Tử vong',
  move_out: 'Chuyển đi',
  moved_elsewhere: 'Chuyển sang hộ khác',
  population_list: 'Không còn trong danh sách dân cư',
  merged: 'Gộp hồ sơ trùng (cùng một người)',
};

export const EVENT_KIND_VI: Readonly<Record<EventKind, string>> = {
  birth: 'Sinh',
  death: 'Tử vong',
  move_in: 'Chuyển đến',
  move_out: 'Chuyển đi',
};

export const SEX_VI: Readonly<Record<number, string>> = { 1: 'Nam', 2: 'Nữ', 3: 'Chưa xác định' };

