import { viDate } from '@openhssk/core';
import type { ImmDoseStatus, ImmNextDue, ImmSeriesStatus } from '@openhssk/core/api';

/** Plain Vietnamese for the national schedule's states (citizen book, verification, station). */

export const DOSE_STATUS_VI: Readonly<Record<ImmDoseStatus, string>> = {
  done: 'Đã tiêm',
  due: 'Đến hạn tiêm',
  overdue: 'Quá hạn',
  not_yet_due: 'Chưa đến hạn',
  invalid: 'Không được tính',
  not_applicable: 'Không áp dụng',
};

export const SERIES_STATUS_VI: Readonly<Record<ImmSeriesStatus, string>> = {
  complete: 'Đã tiêm đủ',
  due: 'Đến hạn tiêm',
  overdue: 'Quá hạn',
  not_yet_due: 'Chưa đến hạn',
  not_applicable: 'Không áp dụng',
};

/** Tag colour class of a state: green done, red overdue/invalid, amber due. */
export const statusClass = (s: string) => (s === 'done' || s === 'complete' ? 'tag final' : s === 'overdue' || s === 'invalid' ? 'tag warn' : s === 'due' ? 'tag due' : 'tag');

/** "Quá hạn: nên tiêm ngay" / "Đến hạn: tiêm từ 12/03/2026" / "Chưa đến hạn: ngày dự kiến 01/06/2026". */
export function nextDueText(n: Pick<ImmNextDue, 'status' | 'date'>): string {
  if (n.status === 'overdue') return 'Quá hạn: nên đưa đi tiêm sớm';
  if (n.status === 'due') return 'Đến hạn: tiêm được ngay';
  return `Chưa đến hạn: ngày dự kiến ${viDate(n.date)}`;
}

/** Route of a dose as a station records it. */
export const ROUTE_VI: Readonly<Record<string, string>> = { IM: 'Tiêm bắp', SC: 'Tiêm dưới da', ID: 'Tiêm trong da', PO: 'Uống' };

export const SEVERITY_VI: Readonly<Record<string, string>> = { mild: 'Nhẹ', moderate: 'Vừa', severe: 'Nặng' };

export const REACTION_STATUS_VI: Readonly<Record<string, string>> = { new: 'Mới, chưa xử lý', acknowledged: 'Cơ sở đã tiếp nhận', closed: 'Đã xử lý xong' };

export const SLOT_STATUS_VI: Readonly<Record<string, string>> = { requested: 'Đã gửi, chờ trạm xếp lịch', scheduled: 'Đã được xếp lịch', done: 'Đã tiêm', cancelled: 'Đã hủy' };
