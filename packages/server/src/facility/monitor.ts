import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

export const LATE_AFTER_HOURS = 24;

interface ReceiptIssue {
  table?: string;
  row?: number;
  field?: string;
  code?: string;
  severity?: string;
  message_vi?: string;
}
interface ReceiptEpisode {
  ma_lk?: string | null;
  status?: string;
  issues?: ReceiptIssue[];
}

/** VN calendar day of a timestamptz, without relying on the server's or PGlite's time-zone data. */
const vnDay = sql<string>`to_char((received_at at time zone 'UTC') + interval '7 hours', 'YYYY-MM-DD')`;

/**
 * What a facility (or its health department) needs to see of its data flow: receipts with the
 * field-level errors, counts per day, and episodes sent more than 24 h after discharge
 * (QĐ 2733: shown on VNeID within 24 h). NGAY_RA is Vietnam wall-clock time, hence the −7 h.
 */
export async function submissionMonitor(db: Db, facilityCode: string, days = 30, limit = 50) {
  const since = new Date(Date.now() - days * 86400_000);
  const [subs, daily, late] = await Promise.all([
    db
      .selectFrom('submission')
      .select(['id', 'received_at', 'channel', 'status', 'episode_count', 'accepted_count', 'warning_count', 'rejected_count', 'receipt'])
      .where('facility_code', '=', facilityCode)
      .where('received_at', '>=', since)
      .orderBy('received_at', 'desc')
      .limit(limit)
      .execute(),
    db
      .selectFrom('submission')
      .select([
        vnDay.as('day'),
        db.fn.countAll<number>().as('submissions'),
        db.fn.sum<number>('episode_count').as('episodes'),
        db.fn.sum<number>('accepted_count').as('accepted'),
        db.fn.sum<number>('rejected_count').as('rejected'),
      ])
      .where('facility_code', '=', facilityCode)
      .where('received_at', '>=', since)
      .groupBy(vnDay)
      .orderBy(vnDay, 'desc')
      .execute(),
    db
      .selectFrom('episode as e')
      .select(['e.id', 'e.ma_lk', 'e.ngay_ra', 'e.received_at', 'e.submission_id', sql<number>`extract(epoch from (e.received_at - ((e.ngay_ra - interval '7 hours') at time zone 'UTC'))) / 3600`.as('hours_after_discharge')])
      .where('e.facility_code', '=', facilityCode)
      .where('e.received_at', '>=', since)
      .where('e.ngay_ra', 'is not', null)
      .where('e.version', '=', 1)
      .where(sql<boolean>`e.received_at - ((e.ngay_ra - interval '7 hours') at time zone 'UTC') > interval '${sql.raw(String(LATE_AFTER_HOURS))} hours'`)
      .orderBy('e.received_at', 'desc')
      .limit(200)
      .execute(),
  ]);
  return {
    facility_code: facilityCode,
    days,
    receipts: subs.map((s) => {
      const episodes = ((s.receipt as { episodes?: ReceiptEpisode[] }).episodes ?? []).filter((e) => (e.issues ?? []).length > 0);
      const issues = episodes.flatMap((e) => (e.issues ?? []).map((i) => ({ ma_lk: e.ma_lk ?? null, episode_status: e.status, table: i.table, row: i.row, field: i.field, code: i.code, severity: i.severity, message_vi: i.message_vi })));
      const { receipt: _r, ...rest } = s;
      return { ...rest, issues: issues.slice(0, 100), issue_count: issues.length };
    }),
    daily: daily.map((d) => ({ day: d.day, submissions: Number(d.submissions), episodes: Number(d.episodes ?? 0), accepted: Number(d.accepted ?? 0), rejected: Number(d.rejected ?? 0) })),
    late_episodes: late.map((l) => ({ ...l, hours_after_discharge: Math.round(Number(l.hours_after_discharge)) })),
    resubmit_vi:
      'Sửa dữ liệu trong phần mềm HIS rồi gửi lại gói XML của lượt khám (cùng MA_LK): hệ thống lưu thành phiên bản mới. Gửi lại đúng tệp cũ sẽ chỉ nhận lại biên nhận cũ.',
  };
}
