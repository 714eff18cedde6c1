import { type AccountMove, accountsFollowIdentity, moveCitizenAccounts, repointCitizenAccounts } from '../auth/index.ts';
import { followCitizenRows, type MovedBookRows, moveBookRows, NO_BOOK_ROWS, returnBookRows } from '../book/index.ts';
import type { Db } from '../db/index.ts';
import { type MovedCareRows, moveCareRows, NO_CARE_ROWS, returnCareRows } from '../primary-care/index.ts';
import { type MovedStationRows, moveStationRows, NO_STATION_ROWS, returnStationRows } from '../station/index.ts';
import { moveVitalRows, returnVitalRows } from '../vitals/index.ts';
import { mpiDb } from './tables.ts';

/**
 * What the citizen sees follows the MPI's decisions inside the decision's own transaction: logins
 * (and so the open sessions, which read the person through the login on every request), doctor
 * shares, declarations and doses — and what the commune station recorded about the person (household
 * register, 831 record, check-ups, registers). Each owner module moves its own rows and resolves its
 * own one-row-per-person rules; this file only sequences them and keeps the record an undo needs
 * (mpi_merge.moved_identity, migration 018).
 */

export interface MovedIdentity {
  accounts: string[];
  book: MovedBookRows;
  station: MovedStationRows;
  care: MovedCareRows;
  /** Vital signs other systems sent (vitals/). */
  vitals: number[];
}

// Migration 018's column, typed beside the only code that reads and writes it.
type MovedIdentityColumn = { mpi_merge: { moved_identity: string | MovedIdentity | null } };
const mergeDb = (db: Db) => mpiDb(db).withTables<MovedIdentityColumn>();

/** A merge of `from` into `to`: everything of `from` moves, and what moved is kept on the merge log. */
export async function identityFollowsMerge(tx: Db, mergeId: number, from: string, to: string): Promise<MovedIdentity> {
  const accounts = await moveCitizenAccounts(tx, from, to);
  const book = await moveBookRows(tx, [{ from, to }]);
  const station = await moveStationRows(tx, [{ from, to }]);
  const care = await moveCareRows(tx, [{ from, to }]);
  const vitals = await moveVitalRows(tx, [{ from, to }]);
  const moved: MovedIdentity = { accounts: accounts.map((a) => a.subject), book, station, care, vitals };
  await mergeDb(tx).updateTable('mpi_merge').set({ moved_identity: JSON.stringify(moved) }).where('id', '=', mergeId).execute();
  return moved;
}

function parseMoved(v: string | MovedIdentity | null): MovedIdentity {
  const m = typeof v === 'string' ? (JSON.parse(v) as MovedIdentity) : v;
  // A merge logged before a module existed moved none of its rows.
  return {
    accounts: m?.accounts ?? [],
    book: { ...NO_BOOK_ROWS, ...m?.book },
    station: { ...NO_STATION_ROWS, ...m?.station },
    care: { ...NO_CARE_ROWS, ...m?.care },
    vitals: m?.vitals ?? [],
  };
}

/**
 * An undone merge, after the records went back and both golden records were rebuilt: the logins
 * and rows the merge moved go back to `from`; so do logins whose CCCD is now `from`'s (a citizen
 * who first logged in while the two were one), and the shares and declarations those citizens made
 * on the merged person since the merge.
 */
export async function identityFollowsUndo(tx: Db, mergeId: number): Promise<AccountMove[]> {
  const merge = await mergeDb(tx).selectFrom('mpi_merge').select(['from_person', 'to_person', 'decided_at', 'moved_identity']).where('id', '=', mergeId).executeTakeFirstOrThrow();
  const { from_person: from, to_person: to } = merge;
  const moved = parseMoved(merge.moved_identity);
  const back = [...(await moveCitizenAccounts(tx, to, from, moved.accounts)), ...(await accountsFollowIdentity(tx, [from, to]))];
  await returnBookRows(tx, moved.book, to, from);
  await returnStationRows(tx, moved.station, to, from);
  await returnCareRows(tx, moved.care, to, from);
  await returnVitalRows(tx, moved.vitals, to, from);
  await followCitizenRows(tx, back, new Date(merge.decided_at));
  return back;
}

/**
 * A separation, after the golden records were rebuilt: logins go to the person now carrying their
 * CCCD, with the shares and declarations they made on the person they leave. What staff recorded
 * (household register, primary care) stays on the person that keeps the id: nothing says which of
 * the two it was about, and the station sees both and can record again on the right one.
 */
export async function identityFollowsSeparation(tx: Db, personIds: readonly string[]): Promise<AccountMove[]> {
  const moved = await accountsFollowIdentity(tx, personIds);
  await followCitizenRows(tx, moved, new Date(0));
  return moved;
}

/**
 * For a relink (link.ts), inside its transaction and after the golden records are written.
 * `retired`: each person id that no longer holds any record, with the id that now holds (most of)
 * its records; its logins and book rows move there. `changed`: other persons whose records changed
 * (a split keeps the old id for one part). Then logins re-resolve by CCCD among all of them.
 */
export async function identityFollowsRelink(tx: Db, retired: ReadonlyArray<{ from: string; to: string }>, changed: readonly string[] = []): Promise<AccountMove[]> {
  const real = retired.filter((m) => m.from !== m.to);
  const involved = [...new Set([...real.flatMap((m) => [m.from, m.to]), ...changed])];
  if (involved.length === 0) return [];
  const accounts = await repointCitizenAccounts(tx, real);
  await moveBookRows(tx, real);
  await moveStationRows(tx, real);
  await moveCareRows(tx, real);
  await moveVitalRows(tx, real);
  const resolved = await accountsFollowIdentity(tx, involved);
  await followCitizenRows(tx, resolved, new Date(0));
  return [...accounts, ...resolved];
}
