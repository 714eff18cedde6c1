import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { moveVaccinationRows, returnVaccinationRows } from '../immunization/index.ts';
import { type IdentityFollower, rehomePersonRows } from '../person/index.ts';

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
  const out: MovedBookRows = { ...NO_BOOK_ROWS };
  for (const [key, table] of TABLES) out[key] = ids(await rehomePersonRows(db, table, real));
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
    out[key] = ids(await rehomePersonRows(db, table, [{ from, to }], { where: sql`x.id = any(${wanted.map(String)}::int8[])` }));
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
  const out: MovedBookRows = { shares: [], declarations: [], contacts: [], vaccinations: [] };
  if (moves.length === 0) return out;
  // One statement per login and table: a login's rows are those it made (created_by or declared_by).
  for (const m of moves) {
    const move = [{ from: m.from, to: m.to }];
    out.shares.push(...ids(await rehomePersonRows(db, 'book_share', move, { where: sql`x.created_by = ${m.subject} and x.created_at >= ${since}` })));
    out.declarations.push(...ids(await rehomePersonRows(db, 'citizen_declaration', move, { where: sql`x.declared_by = ${m.subject} and x.created_at >= ${since}` })));
    out.contacts.push(...ids(await rehomePersonRows(db, 'citizen_contact', move, { where: sql`x.declared_by = ${m.subject} and x.declared_at >= ${since}` })));
  }
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
