import { addWorkingDays } from '@openhssk/core';
import type { CorrectionStatus } from '@openhssk/core/api';
import { type Insertable, sql, type Updateable } from 'kysely';
import type { Actor } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { type CorrectionEventTable, type CorrectionRequestTable, correctionDb } from './tables.ts';

/** The service level: a request is answered within 10 working days (weekends and public holidays excluded). */
export const SLA_WORKING_DAYS = 10;

/** Holidays from `from` on (a year is enough for any due date). */
async function holidaysFrom(db: Db, from: string): Promise<Set<string>> {
  const rows = await correctionDb(db).selectFrom('correction_holiday').select('day').where('day', '>=', from).where(sql<boolean>`day < ${from}::date + 400`).execute();
  return new Set(rows.map((r) => r.day));
}

export async function dueDate(db: Db, createdOn: string): Promise<string> {
  return addWorkingDays(createdOn, SLA_WORKING_DAYS, await holidaysFrom(db, createdOn));
}

export type NewRequest = Omit<Insertable<CorrectionRequestTable>, 'due_on'>;
type EventValues = Pick<Insertable<CorrectionEventTable>, 'action' | 'from_status' | 'to_status'> & { detail?: Record<string, unknown> | undefined };

const eventRow = (requestId: number, personId: string, actor: Actor, e: EventValues): Insertable<CorrectionEventTable> => ({
  request_id: requestId,
  person_id: personId,
  actor_type: actor.type,
  actor_id: actor.id,
  actor_name: actor.name ?? null,
  action: e.action,
  from_status: e.from_status ?? null,
  to_status: e.to_status ?? null,
  detail: e.detail ? JSON.stringify(e.detail) : null,
});

/** The request and its first history row, in one transaction. */
export async function insertRequest(db: Db, values: NewRequest, dueOn: string, actor: Actor) {
  return db.transaction().execute(async (tx) => {
    const c = correctionDb(tx);
    const row = await c.insertInto('correction_request').values({ ...values, due_on: dueOn }).returning(['id', 'status', 'due_on', 'created_at']).executeTakeFirstOrThrow();
    await c.insertInto('correction_event').values(eventRow(row.id, values.person_id, actor, { action: 'created', from_status: null, to_status: 'new' })).execute();
    return row;
  });
}

/**
 * One change of a request with its history row, in one transaction. The row is locked and its status
 * checked against `from`: two staff acting at once cannot both resolve it.
 */
export async function changeRequest(
  db: Db,
  id: number,
  from: readonly CorrectionStatus[],
  set: Updateable<CorrectionRequestTable>,
  actor: Actor,
  event: EventValues,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const c = correctionDb(tx);
    const cur = await c.selectFrom('correction_request').select(['status', 'person_id']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!cur || !from.includes(cur.status)) return false;
    await c.updateTable('correction_request').set({ ...set, updated_at: new Date() }).where('id', '=', id).execute();
    await c.insertInto('correction_event').values(eventRow(id, cur.person_id, actor, { ...event, from_status: cur.status })).execute();
    return true;
  });
}

export async function requestById(db: Db, id: number) {
  return correctionDb(db).selectFrom('correction_request').selectAll().where('id', '=', id).executeTakeFirst();
}

export type RequestRow = NonNullable<Awaited<ReturnType<typeof requestById>>>;

export async function eventsOf(db: Db, ids: readonly number[]) {
  if (ids.length === 0) return [];
  return correctionDb(db).selectFrom('correction_event').selectAll().where('request_id', 'in', [...ids]).orderBy('request_id').orderBy('id').execute();
}

/** Requests a citizen account made in the last 24 hours (the rate limit counts the account, whichever book it wrote in). */
export async function recentByCreator(db: Db, createdBy: string): Promise<number> {
  const r = await correctionDb(db)
    .selectFrom('correction_request')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('created_by', '=', createdBy)
    .where('created_at', '>', new Date(Date.now() - 24 * 3600_000))
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/**
 * The latest version of each visit that is newer than the one the request was about: the facility
 * re-sent it (ingest keeps versions by facility + MA_LK).
 */
export async function newerVersions(db: Db, rows: ReadonlyArray<Pick<RequestRow, 'id' | 'facility_code' | 'ma_lk' | 'episode_version'>>) {
  const wanted = rows.filter((r) => r.facility_code && r.ma_lk && r.episode_version !== null);
  const out = new Map<number, { episode_id: number; version: number; received_at: Date; person_id: string | null }>();
  if (wanted.length === 0) return out;
  const found = await db
    .selectFrom('episode')
    .select(['id', 'facility_code', 'ma_lk', 'version', 'received_at', 'person_id'])
    .where((eb) => eb.or(wanted.map((r) => eb.and([eb('facility_code', '=', r.facility_code!), eb('ma_lk', '=', r.ma_lk!), eb('version', '>', r.episode_version!)]))))
    .orderBy('version', 'desc')
    .execute();
  for (const r of wanted) {
    const v = found.find((e) => e.facility_code === r.facility_code && e.ma_lk === r.ma_lk && e.version > r.episode_version!);
    if (v) out.set(r.id, { episode_id: v.id, version: v.version, received_at: v.received_at, person_id: v.person_id });
  }
  return out;
}
