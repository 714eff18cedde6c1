import { DomainError } from '@openhssk/core';
import type { Db } from '../db/index.ts';
import type { ReceiptQueryInput } from './http-schemas.ts';
import type { Receipt } from './receipt.ts';

export interface ReceiptQuery {
  from?: Date | undefined;
  to?: Date | undefined;
  status?: Receipt['status'] | undefined;
  page: number;
  pageSize: number;
}

function instant(name: string, v: string | undefined): Date | undefined {
  if (v === undefined || v === '') return undefined;
  const d = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) ? new Date(v) : undefined;
  if (!d || Number.isNaN(d.getTime())) {
    throw new DomainError('invalid', 'VALIDATION_FAILED', `Tham số ${name} phải là ngày giờ ISO 8601.`, `Parameter ${name} must be an ISO 8601 date or date-time.`);
  }
  return d;
}

/** The schema has checked types and ranges; what is left is whether the instants are real dates. */
export function parseReceiptQuery(q: ReceiptQueryInput): ReceiptQuery {
  return {
    from: instant('from', q.from),
    to: instant('to', q.to),
    status: q.status,
    page: q.page ?? 1,
    pageSize: q.page_size ?? 50,
  };
}

/** A facility's receipts, newest first; issue texts stay in the receipt detail to keep pages small. */
export async function listReceipts(db: Db, facilityCode: string, q: ReceiptQuery) {
  let base = db.selectFrom('submission').where('facility_code', '=', facilityCode);
  if (q.from) base = base.where('received_at', '>=', q.from);
  if (q.to) base = base.where('received_at', '<', q.to);
  if (q.status) base = base.where('status', '=', q.status);
  const [{ total }] = (await base.select((eb) => eb.fn.countAll<string>().as('total')).execute()) as [{ total: string }];
  const rows = await base
    .select(['id', 'received_at', 'channel', 'status', 'size_bytes', 'receipt'])
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize)
    .execute();
  return {
    page: q.page,
    page_size: q.pageSize,
    total: Number(total),
    items: rows.map((r) => {
      const receipt = r.receipt as unknown as Receipt;
      return {
        receipt_id: r.id,
        received_at: new Date(r.received_at).toISOString(),
        channel: r.channel,
        status: r.status,
        size_bytes: r.size_bytes,
        counts: receipt.counts,
        episodes: receipt.episodes.map((e) => {
          let errors = 0;
          for (const i of e.issues) if (i.severity === 'error') errors++;
          return { index: e.index, ma_lk: e.ma_lk, status: e.status, version: e.version, errors, warnings: e.issues.length - errors };
        }),
      };
    }),
  };
}

/** Every stored version of one episode of the facility, oldest first, with the receipt that brought it. */
export async function listEpisodeVersions(db: Db, facilityCode: string, maLk: string) {
  const rows = await db
    .selectFrom('episode as e')
    .innerJoin('submission as s', 's.id', 'e.submission_id')
    .select(['e.version', 'e.is_current', 'e.status', 'e.submission_id', 's.received_at', 's.channel', 'e.content_sha256', 'e.issues'])
    .where('e.facility_code', '=', facilityCode)
    .where('e.ma_lk', '=', maLk)
    .orderBy('e.version')
    .execute();
  return rows.map((r) => ({
    version: r.version,
    is_current: r.is_current,
    status: r.status,
    receipt_id: r.submission_id,
    received_at: new Date(r.received_at).toISOString(),
    channel: r.channel,
    content_sha256: r.content_sha256,
    issue_count: Array.isArray(r.issues) ? r.issues.length : 0,
  }));
}
