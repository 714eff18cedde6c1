import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

/** The identifiers a front desk finds a person by (clinic/identify.ts PatientKey kinds). */
export type IdentifierKind = 'cccd' | 'bhxh';

/**
 * person_identifier (migration 081) is a second index of person's so_cccd and bhxh, kept as its own
 * table so that a Citus cluster can distribute it by the identifier (issue 21): a check-in by number
 * then reads one shard here and one shard of person, instead of every shard of person.
 *
 * It is derived, never edited: after each write of person rows (registry.ts, golden.ts) their
 * directory rows are re-derived from what the person rows say now, in the writer's transaction. Merges
 * and relinks rewrite golden records through those writers, so the directory follows them; a purge
 * deletes persons, and the foreign key (or, on a cluster, the purge itself) removes their rows.
 */
export async function syncPersonIdentifiers(tx: Db, personIds: readonly string[]): Promise<void> {
  if (personIds.length === 0) return;
  const ids = [...new Set(personIds)];
  const current = await sql<{ person_id: string; kind: IdentifierKind; identifier: string }>`
    select p.id as person_id, x.kind, x.identifier from person p
      cross join lateral (values ('cccd', p.so_cccd), ('bhxh', p.bhxh)) as x(kind, identifier)
     where p.id = any(${ids}::text[]) and x.identifier is not null`.execute(tx);
  const keep = current.rows.map((r) => `${r.kind}:${r.identifier}:${r.person_id}`);
  await sql`delete from person_identifier
     where person_id = any(${ids}::text[]) and not (kind || ':' || identifier || ':' || person_id = any(${keep}::text[]))`.execute(tx);
  if (current.rows.length === 0) return;
  await sql`insert into person_identifier (identifier, kind, person_id)
    select identifier, kind, person_id from jsonb_to_recordset(${JSON.stringify(current.rows)}::jsonb) as x(identifier text, kind text, person_id text)
    on conflict do nothing`.execute(tx);
}

/**
 * The persons holding this identifier, from the directory (one shard on a cluster). Usually one; two
 * golden records with one number would be an MPI defect, which the caller resolves.
 */
export async function personIdsByIdentifier(db: Db, kind: IdentifierKind, identifier: string): Promise<string[]> {
  const r = await sql<{ person_id: string }>`
    select person_id from person_identifier where identifier = ${identifier} and kind = ${kind} order by person_id`.execute(db);
  return r.rows.map((x) => x.person_id);
}
