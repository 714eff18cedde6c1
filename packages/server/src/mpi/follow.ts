import { type AccountMove, accountsFollowIdentity, moveCitizenAccounts, repointCitizenAccounts } from '../auth/index.ts';
import type { Db } from '../db/index.ts';
import { identityFollowers, type LoginMove } from '../person/index.ts';
import { mpiDb } from './tables.ts';

/**
 * What the citizen sees follows the MPI's decisions inside the decision's own transaction: logins
 * (and so the open sessions, which read the person through the login on every request), then every
 * module's personal rows through the followers wired at start-up (person/followers.ts: book,
 * household register, primary care, correction requests, notifications, …). Each follower moves its
 * own rows and resolves its own one-row-per-person rules; this file only sequences them and keeps
 * the record an undo needs (mpi_merge.moved_identity, migration 018), one entry per follower name.
 *
 * Logins are not a follower: which person a login is decides where the rows a citizen made follow
 * (followLogins), so they move first, here. The auth module does not use the MPI: no import cycle.
 */

/** The merge log's record: `accounts` (login subjects) and each follower's own record under its name. */
export type MovedIdentity = { accounts?: string[] } & { [follower: string]: unknown };

// Migration 018's column, typed beside the only code that reads and writes it.
type MovedIdentityColumn = { mpi_merge: { moved_identity: string | MovedIdentity | null } };
const mergeDb = (db: Db) => mpiDb(db).withTables<MovedIdentityColumn>();

/** A merge of `from` into `to`: everything of `from` moves, and what moved is kept on the merge log. */
export async function identityFollowsMerge(tx: Db, mergeId: number, from: string, to: string): Promise<MovedIdentity> {
  const followers = identityFollowers();
  const accounts = await moveCitizenAccounts(tx, from, to);
  const moved: MovedIdentity = { accounts: accounts.map((a) => a.subject) };
  for (const f of followers) moved[f.name] = await f.move(tx, [{ from, to }]);
  await mergeDb(tx).updateTable('mpi_merge').set({ moved_identity: JSON.stringify(moved) }).where('id', '=', mergeId).execute();
  return moved;
}

async function followLogins(tx: Db, logins: readonly LoginMove[], since: Date): Promise<void> {
  if (logins.length === 0) return;
  for (const f of identityFollowers()) await f.followLogins?.(tx, logins, since);
}

/**
 * An undone merge, after the records went back and both golden records were rebuilt: the logins
 * and rows the merge moved go back to `from`; so do logins whose CCCD is now `from`'s (a citizen
 * who first logged in while the two were one), and the rows those citizens made on the merged
 * person since the merge. A follower without a record on the log (a merge logged before it
 * existed) moved nothing, so it gives nothing back.
 */
export async function identityFollowsUndo(tx: Db, mergeId: number): Promise<AccountMove[]> {
  const followers = identityFollowers();
  const merge = await mergeDb(tx).selectFrom('mpi_merge').select(['from_person', 'to_person', 'decided_at', 'moved_identity']).where('id', '=', mergeId).executeTakeFirstOrThrow();
  const { from_person: from, to_person: to } = merge;
  const moved: MovedIdentity = (typeof merge.moved_identity === 'string' ? JSON.parse(merge.moved_identity) : merge.moved_identity) ?? {};
  const back = [...(await moveCitizenAccounts(tx, to, from, moved.accounts ?? [])), ...(await accountsFollowIdentity(tx, [from, to]))];
  for (const f of followers) {
    const record = moved[f.name];
    if (record !== undefined && record !== null) await f.giveBack(tx, record, to, from);
  }
  await followLogins(tx, back, new Date(merge.decided_at));
  return back;
}

/**
 * A separation, after the golden records were rebuilt: logins go to the person now carrying their
 * CCCD, with the rows they made on the person they leave. What staff recorded (household register,
 * primary care) stays on the person that keeps the id: nothing says which of the two it was about,
 * and the station sees both and can record again on the right one.
 */
export async function identityFollowsSeparation(tx: Db, personIds: readonly string[]): Promise<AccountMove[]> {
  identityFollowers();
  const moved = await accountsFollowIdentity(tx, personIds);
  await followLogins(tx, moved, new Date(0));
  return moved;
}

/**
 * For a relink (link.ts), inside its transaction and after the golden records are written.
 * `retired`: each person id that no longer holds any record, with the id that now holds (most of)
 * its records; its logins and rows move there. `changed`: other persons whose records changed
 * (a split keeps the old id for one part). Then logins re-resolve by CCCD among all of them.
 */
export async function identityFollowsRelink(tx: Db, retired: ReadonlyArray<{ from: string; to: string }>, changed: readonly string[] = []): Promise<AccountMove[]> {
  const followers = identityFollowers();
  const real = retired.filter((m) => m.from !== m.to);
  const involved = [...new Set([...real.flatMap((m) => [m.from, m.to]), ...changed])];
  if (involved.length === 0) return [];
  const accounts = await repointCitizenAccounts(tx, real);
  if (real.length > 0) for (const f of followers) await f.move(tx, real);
  const resolved = await accountsFollowIdentity(tx, involved);
  await followLogins(tx, resolved, new Date(0));
  return [...accounts, ...resolved];
}
