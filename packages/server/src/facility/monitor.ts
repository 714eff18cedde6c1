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
const vnDay = sql<string>`to_char(vn_day(received_at), 'YYYY-MM-DD')`;

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
      .select(['e.id', 'e.ma_lk', 'e.ngay_ra', 'e.received_at', 'e.submission_id', sql<number>`extract(epoch from (e.received_at - vn_instant(e.ngay_ra))) / 3600`.as('hours_after_discharge')])
      .where('e.facility_code', '=', facilityCode)
      .where('e.received_at', '>=', since)
      .where('e.ngay_ra', 'is not', null)
      .where('e.version', '=', 1)
      .where(sql<boolean>`e.received_at - vn_instant(e.ngay_ra) > interval '${sql.raw(String(LATE_AFTER_HOURS))} hours'`)
      .orderBy('e.received_at', 'desc')
      .limit(200)
      .execute(),
  ]);
  const revoked = await revokedCertificateEpisodes(db, facilityCode);
  const revokedIds = new Set(revoked.certificates.map((c) => String(c.id)));
  return {
    facility_code: facilityCode,
    days,
    receipts: subs.map((s) => {
      const episodes = ((s.receipt as { episodes?: ReceiptEpisode[] }).episodes ?? []).filter((e) => (e.issues ?? []).length > 0);
      const issues = episodes.flatMap((e) => (e.issues ?? []).map((i) => ({ ma_lk: e.ma_lk ?? null, episode_status: e.status, table: i.table, row: i.row, field: i.field, code: i.code, severity: i.severity, message_vi: i.message_vi })));
      const { receipt: _r, ...rest } = s;
      const certId = (s.receipt as { signature?: { certificate_id?: string } }).signature?.certificate_id;
      return { ...rest, issues: issues.slice(0, 100), issue_count: issues.length, certificate_revoked: !!certId && revokedIds.has(certId) };
    }),
    daily: daily.map((d) => ({ day: d.day, submissions: Number(d.submissions), episodes: Number(d.episodes ?? 0), accepted: Number(d.accepted ?? 0), rejected: Number(d.rejected ?? 0) })),
    late_episodes: late.map((l) => ({ ...l, hours_after_discharge: Math.round(Number(l.hours_after_discharge)) })),
    revoked_certificate_episodes: revoked,
    resubmit_vi:
      'Sửa dữ liệu trong phần mềm HIS rồi gửi lại gói XML của lượt khám (cùng MA_LK): hệ thống lưu thành phiên bản mới. Gửi lại đúng tệp cũ sẽ chỉ nhận lại biên nhận cũ.',
  };
}

const REVOKED_LABEL_VI = 'Tiếp nhận bằng chứng thư số đã bị thu hồi: cần kiểm tra lại';

/**
 * Episodes let in by a certificate revoked since (over all time, not the look-back window: a
 * revocation usually means a stolen key, and everything it signed is suspect). The receipt names
 * the verifying certificate (signature.certificate_id); an index on that expression (migration 011)
 * finds the submissions; episode has no index on submission_id (one more index on the hottest
 * insert path was not worth it), so the episode scan is bounded by the time span of those
 * submissions through the received_at index.
 */
export async function revokedCertificateEpisodes(db: Db, facilityCode: string, limit = 200) {
  const certificates = await db
    .selectFrom('facility_certificate as c')
    .innerJoin('submission as s', (j) => j.onRef('s.facility_code', '=', 'c.facility_code').on(sql<string>`s.receipt #>> '{signature,certificate_id}'`, '=', sql<string>`cast(c.id as text)`))
    .select((eb) => ['c.id', 'c.fingerprint256', 'c.subject', 'c.revoked_at', eb.fn.count<number>('s.id').as('submissions'), eb.fn.min('s.received_at').as('first_at'), eb.fn.max('s.received_at').as('last_at')])
    .where('c.facility_code', '=', facilityCode)
    .where('c.revoked_at', 'is not', null)
    .groupBy(['c.id', 'c.fingerprint256', 'c.subject', 'c.revoked_at'])
    .execute();
  const empty = { count: 0, label_vi: REVOKED_LABEL_VI, certificates: [] as typeof certificates, episodes: [] as RevokedEpisode[] };
  if (certificates.length === 0) return empty;
  // Episode and submission rows are written in one transaction with the same now(); the day of
  // margin only keeps the bound safe should a backfill ever set one without the other.
  const from = new Date(Math.min(...certificates.map((c) => new Date(c.first_at).getTime())) - 86400_000);
  const to = new Date(Math.max(...certificates.map((c) => new Date(c.last_at).getTime())) + 86400_000);
  const affected = db
    .selectFrom('episode as e')
    .innerJoin('submission as s', 's.id', 'e.submission_id')
    .innerJoin('facility_certificate as c', (j) => j.on(sql<string>`cast(c.id as text)`, '=', sql<string>`s.receipt #>> '{signature,certificate_id}'`))
    .where('e.facility_code', '=', facilityCode)
    .where('e.received_at', '>=', from)
    .where('e.received_at', '<=', to)
    .where('s.facility_code', '=', facilityCode)
    .where('c.facility_code', '=', facilityCode)
    .where('c.revoked_at', 'is not', null);
  const [episodes, total] = await Promise.all([
    affected
      .select(['e.id', 'e.ma_lk', 'e.version', 'e.is_current', 'e.received_at', 'e.submission_id', 'c.fingerprint256', 'c.revoked_at'])
      .orderBy('e.received_at', 'desc')
      .orderBy('e.id', 'desc')
      .limit(limit)
      .execute(),
    affected.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    count: Number(total.n),
    label_vi: REVOKED_LABEL_VI,
    certificates: certificates.map((c) => ({ ...c, submissions: Number(c.submissions) })),
    episodes: episodes satisfies RevokedEpisode[],
  };
}

interface RevokedEpisode {
  id: number;
  ma_lk: string;
  version: number;
  is_current: boolean;
  received_at: Date;
  submission_id: string;
  fingerprint256: string;
  revoked_at: Date | null;
}
