import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { type IdentityFollower, moveRowsOfPersons, rehomePersonRows, returnRowsOfPersons } from '../person/index.ts';

/**
 * Correction requests follow the MPI's decisions: a request is about the book it was filed from, so
 * when that person is merged the request (and its history, which repeats the person for the
 * distributed table) goes with the book; an undo returns exactly these rows. A request's routing
 * (unit_code, owner) was decided when it was filed and stays.
 */
export interface MovedCorrections {
  requests: number[];
  events: number[];
}

export const correctionFollower: IdentityFollower<MovedCorrections> = {
  name: 'correction',
  tables: ['correction_request', 'correction_event'],
  async move(tx, moves) {
    return { requests: await moveRowsOfPersons(tx, 'correction_request', moves), events: await moveRowsOfPersons(tx, 'correction_event', moves) };
  },
  async giveBack(tx, moved, from, to) {
    await returnRowsOfPersons(tx, 'correction_request', moved.requests, from, to);
    await returnRowsOfPersons(tx, 'correction_event', moved.events, from, to);
  },
  /** A request a citizen filed about themselves on the person their login leaves goes with them, with its history. */
  async followLogins(tx: Db, logins, since) {
    for (const l of logins) {
      const move = [{ from: l.from, to: l.to }];
      const moved = await rehomePersonRows(tx, 'correction_request', move, {
        where: sql`x.created_by = ${l.subject} and not x.on_behalf_of_child and x.created_at >= ${since}`,
      });
      if (moved.length === 0) continue;
      await rehomePersonRows(tx, 'correction_event', move, { where: sql`x.request_id = any(${moved.map((r) => String(r.id))}::int8[])` });
    }
  },
};
