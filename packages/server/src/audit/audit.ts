import type { Db } from '../db/index.ts';

export interface Actor {
  type: 'citizen' | 'staff' | 'facility' | 'share' | 'system';
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

/** Records one access to health data; callers await it so a read is never served unaudited. */
export async function audit(db: Db, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_event')
    .values({
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
    })
    .execute();
}
