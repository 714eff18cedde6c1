import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { moveVaccinationRows, returnVaccinationRows } from '../immunization/index.ts';
import type { IdentityFollower } from '../person/index.ts';

/**
 * Book rows keyed by person that must follow the person when the MPI changes who is who: the
 * citizen's doctor shares, their own declarations (an allergy must not vanish from the merged
 * book), the contact details they declared and vaccination doses. Ids per table, so an undo returns exactly these.
 */
export interface MovedBookRows {
  shares: number[];
  declarations: number[];
  contacts: number[];
  vaccinations: number[];
}

export const NO_BOOK_ROWS: MovedBookRows = { shares: [], declarations: [], contacts: [], vaccinations: [] };

// Doses are the immunization registry's rows: it moves them (with the reaction reports and slot requests on them).
const TABLES = [
  ['shares', 'book_share'],
  ['declarations', 'citizen_declaration'],
  ['contacts', 'citizen_contact'],
] as const;

const ids = (rows: ReadonlyArray<{ id: string | number }>) => rows.map((r) => Number(r.id));

/** Every book row of each `from` person now belongs to its `to` person (a merge, or ids a relink retired). */
export async function moveBookRows(db: Db, moves: ReadonlyArray<{ from: string; to: string }>): Promise<MovedBookRows> {
  const real = moves.filter((m) => m.from !== m.to);
  if (real.length === 0) return NO_BOOK_ROWS;
  const json = JSON.stringify(real.map((m) => ({ f: m.from, t: m.to })));
  const out: MovedBookRows = { ...NO_BOOK_ROWS };
  for (const [key, table] of TABLES) {
    const r = await sql<{ id: string | number }>`
      update ${sql.table(table)} x set person_id = m.t
        from jsonb_to_recordset(${json}::jsonb) as m(f text, t text)
       where x.person_id = m.f
      returning x.id`.execute(db);
    out[key] = ids(r.rows);
  }
  out.vaccinations = await moveVaccinationRows(db, real);
  return out;
}

/** An undone merge: the listed rows that still sit on `from` go back to `to`. */
export async function returnBookRows(db: Db, rows: MovedBookRows, from: string, to: string): Promise<MovedBookRows> {
  const out: MovedBookRows = { ...NO_BOOK_ROWS };
  for (const [key, table] of TABLES) {
    // Merges logged before a table joined the list have no ids for it.
    const wanted = rows[key] ?? [];
    if (wanted.length === 0) continue;
    const r = await sql<{ id: string | number }>`
      update ${sql.table(table)} set person_id = ${to}
       where person_id = ${from} and id = any(${wanted.map(String)}::int8[])
      returning id`.execute(db);
    out[key] = ids(r.rows);
  }
  out.vaccinations = await returnVaccinationRows(db, rows.vaccinations, from, to);
  return out;
}

/**
 * A citizen's login moved to another person (a separation, an undone merge): the shares and
 * declarations that citizen made on the old person since `since` were made about themselves, so
 * they go along. Rows made for a child's book carry the child's person and are not touched.
 */
export async function followCitizenRows(db: Db, moves: ReadonlyArray<{ subject: string; from: string; to: string }>, since: Date): Promise<MovedBookRows> {
  const out: MovedBookRows = { ...NO_BOOK_ROWS };
  if (moves.length === 0) return out;
  const json = JSON.stringify(moves.map((m) => ({ s: m.subject, f: m.from, t: m.to })));
  const shares = await sql<{ id: string | number }>`
    update book_share x set person_id = m.t
      from jsonb_to_recordset(${json}::jsonb) as m(s text, f text, t text)
     where x.person_id = m.f and x.created_by = m.s and x.created_at >= ${since}
    returning x.id`.execute(db);
  const declarations = await sql<{ id: string | number }>`
    update citizen_declaration x set person_id = m.t
      from jsonb_to_recordset(${json}::jsonb) as m(s text, f text, t text)
     where x.person_id = m.f and x.declared_by = m.s and x.created_at >= ${since}
    returning x.id`.execute(db);
  const contacts = await sql<{ id: string | number }>`
    update citizen_contact x set person_id = m.t
      from jsonb_to_recordset(${json}::jsonb) as m(s text, f text, t text)
     where x.person_id = m.f and x.declared_by = m.s and x.declared_at >= ${since}
    returning x.id`.execute(db);
  out.shares = ids(shares.rows);
  out.declarations = ids(declarations.rows);
  out.contacts = ids(contacts.rows);
  return out;
}

/** The book's rows as an MPI follower (wired in src/identity-followers.ts); doses are the immunization registry's, moved through it. */
export const bookFollower: IdentityFollower<MovedBookRows> = {
  name: 'book',
  tables: ['book_share', 'citizen_declaration', 'citizen_contact', 'vaccination', 'imm_reaction_report', 'imm_slot_request'],
  move: moveBookRows,
  async giveBack(tx, moved, from, to) {
    await returnBookRows(tx, { ...NO_BOOK_ROWS, ...moved }, from, to);
  },
  async followLogins(tx, logins, since) {
    await followCitizenRows(tx, logins, since);
  },
};
