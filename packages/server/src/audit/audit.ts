import type { Db } from '../db/index.ts';

export interface Actor {
  /** `app`: a SMART app reading for the citizen who authorized it (id = client_id, name = the app's name). */
  type: 'citizen' | 'staff' | 'facility' | 'share' | 'system' | 'app';
  id: string;
  name?: string | undefined;
  role?: string | undefined;
  facilityCode?: string | undefined;
}

export interface AuditEntry {
  actor: Actor;
  action: string;
  personId?: string | null | undefined;
  resource?: string | undefined;
  breakGlass?: boolean | undefined;
  requestId?: string | undefined;
  detail?: Record<string, unknown> | undefined;
}

const row = (e: AuditEntry) => ({
  actor_type: e.actor.type,
  actor_id: e.actor.id,
  actor_name: e.actor.name ?? null,
  actor_role: e.actor.role ?? null,
  facility_code: e.actor.facilityCode ?? null,
  person_id: e.personId ?? null,
  action: e.action,
  resource: e.resource ?? null,
  break_glass: e.breakGlass ?? false,
  request_id: e.requestId ?? null,
  detail: e.detail ? JSON.stringify(e.detail) : null,
});

/** Records one access to health data; callers await it so a read is never served unaudited. */
export async function audit(db: Db, e: AuditEntry): Promise<void> {
  await db.insertInto('audit_event').values(row(e)).execute();
}

/** Rows per statement: 11 parameters each stays far below the protocol's 65,535. */
const MANY_CHUNK = 1000;

/**
 * Records many accesses at once (a list read shows each person): one multi-row INSERT per 1,000
 * entries instead of a round trip per row. The chain triggers chain the rows in the given order under
 * the head lock, so ids, prev_hash and hash follow exactly the rules of single inserts and `hssk audit
 * verify` reads them alike; the head row is written once per statement (migration 085), not per row. Each chunk is one statement; outside a
 * transaction the chunks commit one by one, so a commune-wide export does not hold the chain's head
 * lock (every other audited request waits on it) for all its rows. Callers await it before answering.
 */
export async function auditMany(db: Db, entries: readonly AuditEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += MANY_CHUNK) {
    await db.insertInto('audit_event').values(entries.slice(i, i + MANY_CHUNK).map(row)).execute();
  }
}
