import { createHash } from 'node:crypto';
import { type MpiRecord, matchKeys, normalizeSourceRecord, type RecordIssue, SOURCE_COLUMNS } from '@openhssk/core/mpi';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { type IdentityKeys, linkDeterministic, upsertImportedSourceRecords } from '../person/index.ts';
import { holdAgainstRelink, linkIncoming, type SourceKey } from './incremental.ts';

/**
 * Persons that other systems describe alongside their own data (immunization exports, FHIR writes):
 * each becomes a source record of its system, placed by the MPI in the writer's transaction.
 */

export type PersonRow = Record<string, string | string[] | null> & { source_system: string; source_id: string; content_hash: string };

// The person's source record is hashed exactly as the MPI import hashes it (mpi/import.ts contentHash),
// so a TIEMCHUNG list imported there and the same person here agree on "unchanged".
export const PERSON_CONTENT = SOURCE_COLUMNS.filter((c) => c !== 'source_system' && c !== 'source_id');
function personHash(row: Record<string, string | null>): string {
  const fields: Record<string, string | null> = {};
  for (const c of PERSON_CONTENT) {
    const v = row[c] || null;
    if (v !== null || c !== 'quan_he_chu_ho') fields[c] = v;
  }
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/** The person columns of an export row (or of a received FHIR Patient), as the source wrote them. */
export type SourcePersonFields = Record<Exclude<(typeof PERSON_CONTENT)[number], 'quan_he_chu_ho'>, string>;

export interface SourcePerson {
  record?: MpiRecord | undefined;
  issues: RecordIssue[];
  row?: PersonRow;
  /** 'yyyy-mm-dd' when the full birth date is known. */
  born?: string | undefined;
}

/**
 * The person as a source system knows them, checked by the MPI's own rules, as the source record
 * row the MPI links. Without the source's person id the person's details name the record: the same
 * child on two rows is one source record, and the MPI links records of one person across ids anyway.
 */
export function sourcePerson(system: string, personSourceId: string, fields: SourcePersonFields): SourcePerson {
  const { record, issues } = normalizeSourceRecord({ source_system: system, source_id: personSourceId || 'pending', ...fields });
  if (!record) return { record, issues };
  const id =
    personSourceId ||
    `~${createHash('sha256').update(`${record.nameKey}|${record.birthYear}-${record.birthMonth ?? ''}-${record.birthDay ?? ''}|${record.cccd ?? ''}|${record.bhxh ?? ''}`).digest('hex').slice(0, 24)}`;
  const row: PersonRow = { source_system: system, source_id: id, content_hash: '' };
  const raw = fields as Record<string, string>;
  for (const c of PERSON_CONTENT) row[c] = c === 'quan_he_chu_ho' ? null : (raw[c] ?? '').trim() || null;
  row.content_hash = personHash(row as Record<string, string | null>);
  row.match_keys = matchKeys({ ...record, sourceId: id });
  const born = record.birthMonth && record.birthDay ? `${record.birthYear}-${String(record.birthMonth).padStart(2, '0')}-${String(record.birthDay).padStart(2, '0')}` : undefined;
  return { record, issues, row, born };
}


const key = (system: string, id: string) => `${system}\u0000${id}`;
export const sourceKey = key;

/**
 * Places the source records `keys` name, writing those of `persons` that are new or changed: a new
 * record with a valid CCCD or BHXH number of exactly one person starts there (linkDeterministic),
 * then linkIncoming decides. The caller holds holdAgainstRelink. Returns each key's person and what
 * happened to records placed now.
 */
export async function placeSourcePersons(
  tx: Db,
  persons: readonly PersonRow[],
  identities: ReadonlyMap<string, IdentityKeys>,
  keys: readonly SourceKey[],
): Promise<{ personOf: Map<string, string>; outcomes: Map<string, 'joined' | 'new' | 'kept'> }> {
const wanted = new Map(keys.map((k) => [key(k.system, k.id), { s: k.system, i: k.id }]));
  const stored = new Map<string, { hash: string; person: string | null }>();
  if (wanted.size > 0) {
    const r = await sql<{ source_system: string; source_id: string; content_hash: string; person_id: string | null }>`
      select sr.source_system, sr.source_id, sr.content_hash, sr.person_id from source_record sr
        join jsonb_to_recordset(${JSON.stringify([...wanted.values()])}::jsonb) as k(s text, i text) on sr.source_system = k.s and sr.source_id = k.i`.execute(tx);
    for (const row of r.rows) stored.set(key(row.source_system, row.source_id), { hash: row.content_hash, person: row.person_id });
  }
  const changed = persons.filter((p) => stored.get(key(p.source_system, p.source_id))?.hash !== p.content_hash);
  // As ingest does for patients: a new record with a valid CCCD or BHXH number of exactly one person
  // starts on that person, and linkIncoming keeps it there unless name and birth date both contradict
  // it — one indexed lookup instead of a candidate search per child.
  const fresh = changed.filter((p) => !stored.has(key(p.source_system, p.source_id)));
  const links = await linkDeterministic(tx, fresh.map((p) => identities.get(key(p.source_system, p.source_id)) ?? { cccd: null, bhxh: null }));
  const linked = new Map(fresh.map((p, i) => [p, links[i]!]));
  if (changed.length > 0) {
    await upsertImportedSourceRecords(tx, changed.map((p) => ({ ...p, person_id: linked.get(p)?.personId ?? null, link_rule: linked.get(p)?.rule ?? null })));
  }
  const changedKeys = new Set(changed.map((p) => key(p.source_system, p.source_id)));
  const place = [...wanted.entries()].filter(([k]) => changedKeys.has(k) || !stored.get(k)?.person).map(([, v]) => ({ system: v.s, id: v.i }));
  const personOf = new Map<string, string>();
  for (const [k, v] of stored) if (v.person) personOf.set(k, v.person);
  const byId = new Set(fresh.filter((p) => linked.get(p)?.personId).map((p) => key(p.source_system, p.source_id)));
  const outcomes = new Map<string, 'joined' | 'new' | 'kept'>();
  for (const p of await linkIncoming(tx, place, { relink: true })) {
    const k = key(p.system, p.id);
    if (p.personId) personOf.set(k, p.personId);
    // A new record that stayed on the person its id named joined that person.
    outcomes.set(k, p.outcome === 'joined' || (p.outcome === 'kept' && byId.has(k)) ? 'joined' : p.outcome === 'new' ? 'new' : 'kept');
  }
  return { personOf, outcomes };
}

/** The person a received FHIR resource is about, as its sender named them. */
export type ReceivedSubject =
  /** A contained Patient: the MPI places it. `sourceId` is the sender's own patient id ('' when none). */
  | { kind: 'record'; sourceId: string; fields: SourcePersonFields }
  /** Only national ids (CCCD, or the BHXH number of a BHYT card): the person must already be known. */
  | { kind: 'identity'; cccd: string | null; bhxh: string | null }
  /** A Patient (golden record) id the sender may read. */
  | { kind: 'person'; personId: string };

export interface PlacedSubject {
  personId: string;
  /** The source record a contained Patient became. */
  source: SourceKey | null;
  /** 'yyyy-mm-dd' birth date (or just the year) the data must not precede. */
  born: string | null;
}

/**
 * Places a received resource's subject in the writer's transaction: a contained Patient through
 * the MPI (as an export row's person), a national id by the deterministic rule only, a Patient id
 * as it is. Undefined when the person cannot be identified (the caller says why in its own terms).
 */
export async function placeSubject(tx: Db, system: string, subject: ReceivedSubject): Promise<PlacedSubject | undefined> {
  if (subject.kind === 'record') {
    await holdAgainstRelink(tx);
    const p = sourcePerson(system, subject.sourceId, subject.fields);
    if (!p.record || !p.row || p.issues.some((i) => i.severity === 'error')) return undefined;
    const k = { system, id: p.row.source_id };
    const { personOf } = await placeSourcePersons(tx, [p.row], new Map([[key(k.system, k.id), { cccd: p.record.cccd ?? null, bhxh: p.record.bhxh ?? null }]]), [k]);
    const personId = personOf.get(key(k.system, k.id));
    return personId ? { personId, source: k, born: p.born ?? String(p.record.birthYear) } : undefined;
  }
  let personId: string | null | undefined;
  if (subject.kind === 'person') personId = subject.personId;
  else personId = (await linkDeterministic(tx, [{ cccd: subject.cccd, bhxh: subject.bhxh }]))[0]?.personId;
  if (!personId) return undefined;
  const row = await tx.selectFrom('person').select(['id', 'ngay_sinh']).where('id', '=', personId).executeTakeFirst();
  return row ? { personId: row.id, source: null, born: row.ngay_sinh } : undefined;
}
