import { createHash } from 'node:crypto';
import { DomainError } from '@openhssk/core';
import type { VitalSignRecord } from '@openhssk/core/fhir';
import { sql } from 'kysely';
import { type Actor, audit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { placeSubject, type ReceivedSubject } from '../mpi/index.ts';
import { type IdentityFollower, rehomePersonRows } from '../person/index.ts';

/**
 * Vital signs other systems send (FHIR Observation of the vital-signs profile; fhir/write-observation.ts
 * maps the resource to a ReceivedVital). Owner of `vital_sign` (migration 072). One row per posted
 * resource, keyed by (sender, identifier): a re-post answers the stored row, a corrected one replaces
 * it. The person is placed through the MPI in the row's own transaction (mpi placeSubject); rows follow
 * merges and relinks (mpi/follow.ts → moveVitalRows).
 */

export interface ReceivedVital {
  sender: { facilityCode: string; clientId: string };
  identifier: { system: string; value: string };
  subject: ReceivedSubject;
  loinc: string;
  value: number | null;
  systolic: number | null;
  diastolic: number | null;
  unit: string;
  /** Vietnam wall-clock 'yyyy-mm-dd hh:mm:ss'. */
  effectiveAt: string;
  status: VitalSignRecord['status'];
  performer: string | null;
  note: string | null;
}

export interface VitalResult {
  id: number;
  personId: string;
  created: boolean;
}

export const VITAL_SOURCE = (facilityCode: string) => `FHIR-${facilityCode}`;

const COLUMNS = sql`v.id, v.person_id, v.loinc, v.value::float8 as value, v.systolic::float8 as systolic, v.diastolic::float8 as diastolic, v.unit,
  to_char(v.effective_at, 'YYYY-MM-DD HH24:MI:SS') as effective_at, v.status, v.performer_ref, v.note, v.sender_facility_code, v.identifier_system,
  v.identifier_value, v.updated_at`;

export interface VitalRow extends VitalSignRecord {
  sender_client_id: string;
  created_at: Date;
  sender_facility_name: string | null;
}

const ROW_COLUMNS = sql`${COLUMNS}, v.sender_client_id, v.created_at, f.name as sender_facility_name`;
const num = (r: VitalRow): VitalRow => ({ ...r, id: Number(r.id) });

/** Stores one received vital sign and writes the access log, in one transaction. */
export async function receiveVital(db: Db, v: ReceivedVital, who: { actor: Actor; requestId?: string | undefined }): Promise<VitalResult> {
  const hash = createHash('sha256')
    .update(JSON.stringify([v.subject, v.loinc, v.value, v.systolic, v.diastolic, v.unit, v.effectiveAt, v.status, v.performer, v.note]))
    .digest('hex');
  return db.transaction().execute(async (tx) => {
    const placed = await placeSubject(tx, VITAL_SOURCE(v.sender.facilityCode), v.subject);
    if (!placed) {
      throw new DomainError(
        'unprocessable',
        'PATIENT_UNKNOWN',
        'Không xác định được người được đo: gửi kèm Patient (contained) có họ tên và ngày sinh.',
        'The person measured is not known here: send a contained Patient with name and birth date.',
      );
    }
    if (placed.born && v.effectiveAt.slice(0, placed.born.length) < placed.born) {
      throw new DomainError('unprocessable', 'OBSERVATION_BEFORE_BIRTH', 'Thời điểm đo trước ngày sinh của người được đo.', 'The observation is dated before the person’s birth.');
    }
    const r = await sql<{ id: string; person_id: string; inserted: boolean }>`
      insert into vital_sign (person_id, person_source_system, person_source_id, loinc, value, systolic, diastolic, unit, effective_at, status, performer_ref, note,
        sender_facility_code, sender_client_id, identifier_system, identifier_value, content_hash)
      values (${placed.personId}, ${placed.source?.system ?? null}, ${placed.source?.id ?? null}, ${v.loinc}, ${v.value}, ${v.systolic}, ${v.diastolic}, ${v.unit},
        ${v.effectiveAt}::timestamp, ${v.status}, ${v.performer}, ${v.note}, ${v.sender.facilityCode}, ${v.sender.clientId}, ${v.identifier.system},
        ${v.identifier.value}, ${hash})
      on conflict (sender_facility_code, identifier_system, identifier_value) do update set
        person_id = excluded.person_id, person_source_system = excluded.person_source_system, person_source_id = excluded.person_source_id, loinc = excluded.loinc,
        value = excluded.value, systolic = excluded.systolic, diastolic = excluded.diastolic, unit = excluded.unit, effective_at = excluded.effective_at,
        status = excluded.status, performer_ref = excluded.performer_ref, note = excluded.note, sender_client_id = excluded.sender_client_id,
        content_hash = excluded.content_hash, updated_at = now()
      where vital_sign.content_hash is distinct from excluded.content_hash
      returning id, person_id, (xmax = 0) as inserted`.execute(tx);
    const stored =
      r.rows[0] ??
      (
        await sql<{ id: string; person_id: string; inserted: boolean }>`select id, person_id, false as inserted from vital_sign
          where sender_facility_code = ${v.sender.facilityCode} and identifier_system = ${v.identifier.system} and identifier_value = ${v.identifier.value}`.execute(tx)
      ).rows[0]!;
    const id = Number(stored.id);
    const created = stored.inserted === true;
    await audit(tx, {
      actor: who.actor,
      action: created ? 'fhir.create' : 'fhir.create.existing',
      personId: stored.person_id,
      resource: `Observation/vs-${id}`,
      requestId: who.requestId,
      detail: { identifier: `${v.identifier.system}|${v.identifier.value}`.slice(0, 300), loinc: v.loinc },
    });
    return { id, personId: stored.person_id, created };
  });
}

/** Vital signs by id or by person (each list ordered by person, then id). */
export async function vitalSigns(db: Db, q: { ids?: readonly number[]; personIds?: readonly string[]; senders?: readonly string[] }): Promise<VitalRow[]> {
  const conds = [];
  if (q.ids) conds.push(sql`v.id = any(${q.ids.map(String)}::bigint[])`);
  if (q.personIds) conds.push(sql`v.person_id = any(${[...q.personIds]}::text[])`);
  if (conds.length === 0) return [];
  if (q.senders) conds.push(sql`v.sender_facility_code = any(${[...q.senders, '-----']}::text[])`);
  const r = await sql<VitalRow>`select ${ROW_COLUMNS} from vital_sign v left join facility f on f.code = v.sender_facility_code
    where ${sql.join(conds, sql` and `)} order by v.person_id, v.id`.execute(db);
  return r.rows.map(num);
}

/** A merge (or ids a relink retired): the vital signs of `from` belong to `to`. Returns the ids moved. */
export async function moveVitalRows(tx: Db, moves: ReadonlyArray<{ from: string; to: string }>): Promise<number[]> {
  return (await rehomePersonRows(tx, 'vital_sign', moves)).map((x) => Number(x.id));
}

/** An undone merge: the listed rows still on `from` go back to `to`. */
export async function returnVitalRows(tx: Db, ids: readonly number[], from: string, to: string): Promise<number[]> {
  if (ids.length === 0) return [];
  const r = await rehomePersonRows(tx, 'vital_sign', [{ from, to }], { where: sql`x.id = any(${ids.map(String)}::bigint[])` });
  return r.map((x) => Number(x.id));
}

/** What `hssk demo purge` removes: vital signs of demo persons or sent by demo facilities. */
export async function purgeVitalRows(tx: Db, persons: readonly string[], facilities: readonly string[]): Promise<number> {
  const r = await sql`delete from vital_sign where person_id = any(${[...persons]}::text[]) or sender_facility_code = any(${[...facilities]}::text[])`.execute(tx);
  return Number(r.numAffectedRows ?? 0);
}

/** The vital sign a sender already stored under this identifier. */
export async function vitalIdByIdentifier(db: Db, facilityCode: string, identifier: { system: string; value: string }): Promise<number | undefined> {
  const r = await sql<{ id: string }>`select id from vital_sign
    where sender_facility_code = ${facilityCode} and identifier_system = ${identifier.system} and identifier_value = ${identifier.value}`.execute(db);
  return r.rows[0] ? Number(r.rows[0].id) : undefined;
}

/** Vital signs other systems sent follow the MPI's decisions (src/identity-followers.ts). */
export const vitalFollower: IdentityFollower<number[]> = {
  name: 'vitals',
  tables: ['vital_sign'],
  move: moveVitalRows,
  async giveBack(tx, moved, from, to) {
    await returnVitalRows(tx, moved ?? [], from, to);
  },
};
