import { createHash } from 'node:crypto';
import type { RelayEpisodeRow, RelayEpisodeStatus } from '@openhssk/core/api';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { PortalOutcome } from './portal-client.ts';
import { enqueueDelivery } from './queue.ts';

/**
 * The relay's own rows: one message per envelope or check-in of an opted-in facility, its attempts,
 * and what the facility sees per episode. Messages are created inside the ingest transaction
 * (storeSubmission, ingestCheckin), with their delivery job: an acknowledged envelope is never
 * left unforwarded, and a rolled-back one is never forwarded.
 */

export interface RelayMessage {
  id: number;
  facility_code: string;
  kind: 'envelope' | 'checkin';
  submission_id: string | null;
  sha256: string;
  ma_lks: string[];
  status: 'pending' | 'sent' | 'error';
  attempts: number;
  resends: number;
  had_error: boolean;
  ma_giao_dich: string | null;
  portal_time: string | null;
  portal_code: string | null;
  portal_message: string | null;
  last_error: string | null;
  sent_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const MESSAGE_COLUMNS = sql.raw(
  'id, facility_code, kind, submission_id, sha256, ma_lks, status, attempts, resends, had_error, ma_giao_dich, portal_time, portal_code, portal_message, last_error, sent_at, created_at, updated_at',
);

const relayOn = async (tx: Db, facilityCode: string) =>
  (await sql<{ enabled: boolean }>`select enabled from relay_setting where facility_code = ${facilityCode} and enabled`.execute(tx)).rows.length > 0;

async function addMessage(
  tx: Db,
  m: { facilityCode: string; kind: 'envelope' | 'checkin'; submissionId: string | null; checkinRaw: string | null; sha256: string; maLks: readonly string[] },
): Promise<number | undefined> {
  const r = await sql<{ id: string }>`insert into relay_message (facility_code, kind, submission_id, checkin_raw, sha256, ma_lks, status)
    values (${m.facilityCode}, ${m.kind}, ${m.submissionId}, ${m.checkinRaw}, ${m.sha256}, ${[...new Set(m.maLks)]}::text[], 'pending')
    on conflict (facility_code, sha256) do nothing returning id`.execute(tx);
  const id = r.rows[0] ? Number(r.rows[0].id) : undefined;
  if (id !== undefined) await enqueueDelivery(tx, id, `relay:${id}`);
  return id;
}

/**
 * Called by ingest inside the transaction that stores an accepted envelope (not a wholly rejected
 * one): queues it for the facility's portal when the facility opted in. The bytes stay in
 * submission_raw and are read at delivery.
 */
export async function relayEnvelope(tx: Db, s: { facilityCode: string; submissionId: string; sha256: string; maLks: readonly string[] }): Promise<void> {
  if (!(await relayOn(tx, s.facilityCode))) return;
  await addMessage(tx, { facilityCode: s.facilityCode, kind: 'envelope', submissionId: s.submissionId, checkinRaw: null, sha256: s.sha256, maLks: s.maLks });
}

/** Called by ingest inside the transaction that stores a check-in with at least one accepted row. */
export async function relayCheckin(tx: Db, c: { facilityCode: string; raw: Buffer; maLks: readonly string[] }): Promise<void> {
  if (!(await relayOn(tx, c.facilityCode))) return;
  const sha256 = createHash('sha256').update(c.raw).digest('hex');
  // Ingest refuses non-UTF-8 input before this point, so the text round-trips to the same bytes.
  await addMessage(tx, { facilityCode: c.facilityCode, kind: 'checkin', submissionId: null, checkinRaw: c.raw.toString('utf8'), sha256, maLks: c.maLks });
}

export async function messageById(db: Db, id: number): Promise<RelayMessage | undefined> {
  const r = await sql<RelayMessage>`select ${MESSAGE_COLUMNS} from relay_message where id = ${id}`.execute(db);
  const m = r.rows[0];
  return m ? { ...m, id: Number(m.id) } : undefined;
}

/** The bytes to forward, exactly as the facility sent them. */
export async function messageBytes(db: Db, m: RelayMessage): Promise<Buffer | undefined> {
  if (m.kind === 'envelope') {
    const r = await sql<{ raw: string | Buffer }>`select raw from submission_raw where submission_id = ${m.submission_id}`.execute(db);
    const raw = r.rows[0]?.raw;
    return raw === undefined ? undefined : Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8');
  }
  const r = await sql<{ checkin_raw: string }>`select checkin_raw from relay_message where id = ${m.id}`.execute(db);
  return r.rows[0] ? Buffer.from(r.rows[0].checkin_raw, 'utf8') : undefined;
}

const clip = (s: string | null | undefined) => (s ? s.slice(0, 1000) : null);

/** One attempt's answer and the message's new state (in the delivery job's transaction). */
export async function recordOutcome(tx: Db, messageId: number, o: PortalOutcome, opts: { dead?: boolean } = {}): Promise<void> {
  await sql`insert into relay_attempt (message_id, outcome, http_status, portal_code, ma_giao_dich, message)
    values (${messageId}, ${o.kind}, ${o.httpStatus}, ${o.code}, ${o.kind === 'sent' ? o.maGiaoDich : null}, ${clip(o.message)})`.execute(tx);
  if (o.kind === 'sent') {
    await sql`update relay_message set status = 'sent', attempts = attempts + 1, ma_giao_dich = ${o.maGiaoDich}, portal_time = ${o.time},
      portal_code = ${o.code}, portal_message = ${clip(o.message)}, sent_at = now(), updated_at = now() where id = ${messageId}`.execute(tx);
  } else if (o.kind === 'refused' || opts.dead) {
    await sql`update relay_message set status = 'error', had_error = true, attempts = attempts + 1, portal_code = ${o.code},
      portal_message = ${clip(o.message)}, last_error = ${clip(o.message)}, updated_at = now() where id = ${messageId}`.execute(tx);
  } else {
    await sql`update relay_message set attempts = attempts + 1, last_error = ${clip(o.message)}, updated_at = now() where id = ${messageId}`.execute(tx);
  }
}

/** A message whose job was lost for a reason outside the portal's answer (e.g. the relay was turned off). */
export async function markError(db: Db, messageId: number, message: string): Promise<void> {
  await sql`update relay_message set status = 'error', had_error = true, last_error = ${clip(message)}, portal_message = null, updated_at = now()
    where id = ${messageId} and status = 'pending'`.execute(db);
}

/**
 * Staff re-send after an error: the message goes back to pending with a new delivery job (a new
 * idempotency key per re-send). False when the message is not in error (already sent or waiting).
 */
export async function resendMessage(db: Db, facilityCode: string, messageId: number): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const r = await sql<{ resends: number }>`update relay_message set status = 'pending', resends = resends + 1, last_error = null, updated_at = now()
      where id = ${messageId} and facility_code = ${facilityCode} and status = 'error' returning resends`.execute(tx);
    const row = r.rows[0];
    if (!row) return false;
    await enqueueDelivery(tx, messageId, `relay:${messageId}:resend:${row.resends}`);
    return true;
  });
}

export type EpisodeRelayStatus = RelayEpisodeStatus;
export type EpisodeRelayRow = RelayEpisodeRow;

interface StatusInput {
  status: RelayMessage['status'] | null;
  resends: number | null;
  had_error: boolean | null;
  earlier_sent: boolean;
}

/** What the facility sees: "đã gửi lại" when delivered after an error, a staff re-send or an earlier sent version. */
function displayStatus(m: StatusInput): EpisodeRelayStatus {
  if (m.status === 'error') return 'error';
  if (m.status === 'sent') return (m.resends ?? 0) > 0 || m.had_error || m.earlier_sent ? 'resent' : 'sent';
  return 'not_sent';
}

/**
 * The facility's current episodes of the last `days` days with the relay state of the envelope that
 * brought their current version and of their latest check-in. Only codes and states: no patient data.
 */
export async function episodeStatuses(db: Db, facilityCode: string, opts: { days: number; limit: number; status?: EpisodeRelayStatus | undefined }): Promise<EpisodeRelayRow[]> {
  const since = new Date(Date.now() - opts.days * 86_400_000);
  const r = await sql<{
    ma_lk: string;
    version: number;
    received_at: Date;
    id: string | null;
    status: RelayMessage['status'] | null;
    attempts: number | null;
    resends: number | null;
    had_error: boolean | null;
    ma_giao_dich: string | null;
    sent_at: Date | null;
    portal_message: string | null;
    last_error: string | null;
    earlier_sent: boolean;
    c_status: RelayMessage['status'] | null;
    c_resends: number | null;
    c_had_error: boolean | null;
  }>`
    with e as (
      select ma_lk, version, received_at, submission_id from episode
       where facility_code = ${facilityCode} and is_current and received_at >= ${since}
       -- Unfiltered, only the page's episodes are looked up in the relay's rows.
       ${opts.status === undefined ? sql`order by received_at desc, ma_lk limit ${opts.limit}` : sql``}
    ),
    x as (
      select e.ma_lk, e.version, e.received_at, m.id, m.status, m.attempts, m.resends, m.had_error, m.ma_giao_dich, m.sent_at, m.portal_message, m.last_error,
             exists (select 1 from relay_message p where p.facility_code = ${facilityCode} and p.kind = 'envelope' and p.ma_lks @> array[e.ma_lk]
                      and p.status = 'sent' and p.id < m.id) as earlier_sent,
             c.status as c_status, c.resends as c_resends, c.had_error as c_had_error
        from e
        left join relay_message m on m.facility_code = ${facilityCode} and m.kind = 'envelope' and m.submission_id = e.submission_id
        left join lateral (select status, resends, had_error from relay_message q
                            where q.facility_code = ${facilityCode} and q.kind = 'checkin' and q.ma_lks @> array[e.ma_lk]
                            order by q.id desc limit 1) c on true
    )
    select * from x
     where ${
       opts.status === undefined
         ? sql`true`
         : opts.status === 'error'
           ? sql`x.status = 'error'`
           : opts.status === 'not_sent'
             ? sql`(x.status is null or x.status = 'pending')`
             : sql`x.status = 'sent'`
     }
     order by x.received_at desc, x.ma_lk
     limit ${opts.limit * 2}`.execute(db);
  const rows = r.rows.map((x) => ({
    ma_lk: x.ma_lk,
    version: x.version,
    received_at: new Date(x.received_at).toISOString(),
    status: displayStatus(x),
    queued: x.status === 'pending',
    attempts: x.attempts ?? 0,
    message_id: x.id === null ? null : Number(x.id),
    ma_giao_dich: x.ma_giao_dich,
    sent_at: x.sent_at ? new Date(x.sent_at).toISOString() : null,
    portal_message: x.portal_message,
    last_error: x.last_error,
    checkin_status: x.c_status === null ? null : displayStatus({ status: x.c_status, resends: x.c_resends, had_error: x.c_had_error, earlier_sent: false }),
  }));
  // "sent" and "resent" share one SQL filter; the distinction is made above.
  return (opts.status === 'sent' || opts.status === 'resent' ? rows.filter((x) => x.status === opts.status) : rows).slice(0, opts.limit);
}

/** Counts per state of the facility's messages (the summary line of the screen). */
export async function messageCounts(db: Db, facilityCode: string): Promise<Record<RelayMessage['status'], number>> {
  const r = await sql<{ status: RelayMessage['status']; n: string }>`select status, count(*) as n from relay_message where facility_code = ${facilityCode} group by status`.execute(db);
  const out: Record<RelayMessage['status'], number> = { pending: 0, sent: 0, error: 0 };
  for (const row of r.rows) out[row.status] = Number(row.n);
  return out;
}

/** The dead-letter list: messages in error, newest first, with the portal's message. */
export async function errorMessages(db: Db, facilityCode: string, limit: number): Promise<RelayMessage[]> {
  const r = await sql<RelayMessage>`select ${MESSAGE_COLUMNS} from relay_message where facility_code = ${facilityCode} and status = 'error'
    order by updated_at desc limit ${limit}`.execute(db);
  return r.rows.map((m) => ({ ...m, id: Number(m.id) }));
}

/** Removes the relay rows of these facilities (demo purge; the facilities are about to go). */
export async function purgeRelayRows(tx: Db, facilityCodes: readonly string[]): Promise<number> {
  if (facilityCodes.length === 0) return 0;
  const r = await sql`delete from relay_message where facility_code = any(${[...facilityCodes]}::text[])`.execute(tx);
  await sql`delete from relay_setting where facility_code = any(${[...facilityCodes]}::text[])`.execute(tx);
  return Number(r.numAffectedRows ?? 0);
}
