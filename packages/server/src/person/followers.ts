import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { rehomePersonRows } from './rehome.ts';
import type { SourceLink } from './source-records.ts';

/** One person id replaced by another: a merge (`from` into `to`), or an id a relink retired. */
export interface PersonMove {
  from: string;
  to: string;
}

/** One citizen login re-pointed from one person to another (a separation, an undone merge). */
export interface LoginMove {
  subject: string;
  from: string;
  to: string;
}

/**
 * A module whose personal rows follow the MPI's decisions, inside the decision's transaction.
 * `Moved` is what `move` reports (plain JSON: it is kept on the merge log, mpi_merge.moved_identity,
 * under `name`) and exactly what `giveBack` returns on an undo, so rows written since stay put.
 * A follower resolves its own one-row-per-person rules and records what it resolved.
 */
export interface IdentityFollower<Moved = unknown> {
  /** The key of this follower's record on the merge log; never renamed (old logs are read by it). */
  readonly name: string;
  /** The tables (with a person_id column) this follower moves; db tests check every such table is someone's. */
  readonly tables: readonly string[];
  /** Every row of each `from` person now belongs to its `to` person. */
  move(tx: Db, moves: readonly PersonMove[]): Promise<Moved>;
  /**
   * An undone merge: what `move` reported goes back from `from` (the merged person) to `to`. A
   * record logged by an earlier version of the follower may lack newer fields: default them.
   */
  giveBack(tx: Db, moved: Moved, from: string, to: string): Promise<void>;
  /** Rows a citizen made about themselves through a login since `since` go with that login when it moves. */
  followLogins?(tx: Db, logins: readonly LoginMove[], since: Date): Promise<void>;
  /**
   * Source records were (re-)linked to persons (setSourceLinks: every MPI link, relink, merge, undo,
   * separation): rows this follower keys by a source record move to the record's new person, in the
   * same transaction. Called for links to no person too (`p` null): leave those rows where they are.
   */
  followSourceLinks?(tx: Db, links: readonly SourceLink[]): Promise<void>;
}

/**
 * The followers, wired once by each composition root (app, command line, test support) from the one
 * list in src/identity-followers.ts, and read by the MPI when it decides.
 *
 * Why wired and not imported or self-registered: the owner modules (book, station, immunization, …)
 * use the MPI, so the MPI importing them is an import cycle, whose evaluation order already broke
 * start-up once (mpi/limits.ts). Registering at each module's load would depend on which modules a
 * process happened to import: a command that loads only the MPI would merge and silently leave rows
 * behind. Wired from one list, the order is that list's order and an unwired process refuses to
 * decide instead of deciding halfway.
 */
let wired: readonly IdentityFollower[] | undefined;

/** `followers` run in this order on every decision; wiring the same list again is harmless. */
export function wireFollowers(followers: readonly IdentityFollower[]): void {
  const names = followers.map((f) => f.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new Error(`identity follower '${twice}' is listed twice`);
  wired = [...followers];
}

/** The wired followers; throws when no composition root wired them (a decision must not half-apply). */
export function identityFollowers(): readonly IdentityFollower[] {
  if (wired === undefined) {
    throw new Error('identity followers are not wired: call wireIdentityFollowers() (src/identity-followers.ts) at start-up');
  }
  return wired;
}

const ids = (rows: ReadonlyArray<{ id: string | number }>) => rows.map((r) => Number(r.id));

/**
 * The plain case of `move`, for a table with a bigint `id` and no one-row-per-person rule: every row
 * of each `from` person now carries its `to` person, in one statement (leaving and coming back:
 * person/rehome.ts). Returns the moved ids.
 */
export async function moveRowsOfPersons(tx: Db, table: string, moves: readonly PersonMove[]): Promise<number[]> {
  return ids(await rehomePersonRows(tx, table, moves));
}

/** The plain case of `giveBack`: the listed rows that still sit on `from` go back to `to`. */
export async function returnRowsOfPersons(tx: Db, table: string, wanted: readonly number[] | undefined, from: string, to: string): Promise<number[]> {
  if (!wanted || wanted.length === 0) return [];
  return ids(await rehomePersonRows(tx, table, [{ from, to }], { where: sql`x.id = any(${wanted.map(String)}::int8[])` }));
}
