import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

/** One citizen login re-pointed from one person to another. */
export interface AccountMove {
  subject: string;
  from: string;
  to: string;
}

/**
 * Citizen logins follow their person: a citizen session holds only the login subject, and every
 * request reads the person from citizen_account, so re-pointing the account here is what moves an
 * already open session too. `onlySubjects` limits the move (an undo returns exactly the logins its
 * merge moved). Returns who moved.
 */
export async function moveCitizenAccounts(db: Db, fromPersonId: string, toPersonId: string, onlySubjects?: readonly string[]): Promise<AccountMove[]> {
  if (onlySubjects?.length === 0 || fromPersonId === toPersonId) return [];
  const rows = await db
    .updateTable('citizen_account')
    .set({ person_id: toPersonId })
    .where('person_id', '=', fromPersonId)
    .$if(onlySubjects !== undefined, (q) => q.where('subject', 'in', [...(onlySubjects ?? [])]))
    .returning('subject')
    .execute();
  return rows.map((r) => ({ subject: r.subject, from: fromPersonId, to: toPersonId }));
}

/**
 * Many person ids replaced at once (a relink that retired ids): each login on an old id moves to
 * its new one, in one statement.
 */
export async function repointCitizenAccounts(db: Db, moves: ReadonlyArray<{ from: string; to: string }>): Promise<AccountMove[]> {
  const real = moves.filter((m) => m.from !== m.to);
  if (real.length === 0) return [];
  const r = await sql<AccountMove>`
    update citizen_account c set person_id = m.t
      from jsonb_to_recordset(${JSON.stringify(real.map((m) => ({ f: m.from, t: m.to })))}::jsonb) as m(f text, t text)
     where c.person_id = m.f
    returning c.subject, m.f as "from", m.t as "to"`.execute(db);
  return r.rows;
}

/**
 * After the persons' records changed hands (a separation, an undone merge): a login whose personal
 * ID is now the golden CCCD of exactly one of these persons belongs to that person, the way login
 * resolves it. Logins whose CCCD none of them carries stay where they are.
 */
export async function accountsFollowIdentity(db: Db, personIds: readonly string[]): Promise<AccountMove[]> {
  if (personIds.length === 0) return [];
  // The owners are read first, then the logins updated by value: on a cluster person is distributed
  // and citizen_account a reference table, which no statement may modify while reading the other.
  const owners = (
    await sql<{ so_cccd: string; id: string }>`select p.so_cccd, min(p.id) as id from person p
       where p.id = any(${[...personIds]}::text[]) and p.so_cccd is not null
       group by p.so_cccd having count(*) = 1`.execute(db)
  ).rows;
  if (owners.length === 0) return [];
  const r = await sql<AccountMove>`
    with owner as (select * from jsonb_to_recordset(${JSON.stringify(owners)}::jsonb) as o(so_cccd text, id text)),
    moved as (
      select c.subject, c.person_id as "from", o.id as "to" from citizen_account c join owner o on o.so_cccd = c.subject
       where c.person_id = any(${[...personIds]}::text[]) and c.person_id <> o.id
    )
    update citizen_account c set person_id = moved."to" from moved where c.subject = moved.subject
    returning moved.subject, moved."from", moved."to"`.execute(db);
  return r.rows;
}
