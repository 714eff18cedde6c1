import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { type IdentityFollower, moveRowsOfPersons, returnRowsOfPersons } from '../person/index.ts';

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
    const json = JSON.stringify(logins.map((l) => ({ s: l.subject, f: l.from, t: l.to })));
    const moved = await sql<{ id: string; person_id: string }>`
      update correction_request x set person_id = m.t from jsonb_to_recordset(${json}::jsonb) as m(s text, f text, t text)
       where x.person_id = m.f and x.created_by = m.s and not x.on_behalf_of_child and x.created_at >= ${since}
      returning x.id::text as id, x.person_id`.execute(tx);
    if (moved.rows.length === 0) return;
    await sql`update correction_event e set person_id = r.person_id from correction_request r
      where r.id = e.request_id and r.id = any(${moved.rows.map((r) => r.id)}::int8[])`.execute(tx);
  },
};
