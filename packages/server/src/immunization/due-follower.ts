import { sql } from 'kysely';
import type { IdentityFollower } from '../person/index.ts';
import { markCoverageDirty } from './coverage.ts';
import { lockDueOf, refreshDue } from './due.ts';
import { dosesFollowSourceLinks } from './store.ts';

/** The persons whose rows the follower rewrote (rewritten again on an undo). */
export interface RecomputedDue {
  persons: string[];
}

/**
 * The immunization registry as an MPI follower (wired in src/identity-followers.ts after the book's,
 * which moves the doses on a merge); doses imported for a source record follow its link here.
 * Its due-state rows are derived: the merged-in person's are dropped (it keeps a golden record
 * but is nobody to invite) and the surviving person's recomputed from the doses it now holds. The
 * golden record is rebuilt after the followers run; if that changes the commune or the birth date,
 * readers hide the rows until the commune is rebuilt (both communes are marked).
 */
export const dueFollower: IdentityFollower<RecomputedDue> = {
  name: 'immunization_due',
  tables: ['imm_due'],
  async move(tx, moves) {
    const real = moves.filter((m) => m.from !== m.to);
    if (real.length === 0) return { persons: [] };
    const persons = [...new Set(real.flatMap((m) => [m.from, m.to]))];
    const communes = await tx.selectFrom('person').select('ma_xa').distinct().where('id', 'in', persons).execute();
    // Locks before the delete: a commune rebuild waiting on rows this transaction deleted while it waits on the rebuild's lock is a deadlock.
    await lockDueOf(tx, persons);
    await sql`delete from imm_due where person_id = any(${real.map((m) => m.from)}::text[])`.execute(tx);
    await refreshDue(tx, real.map((m) => m.to));
    await markCoverageDirty(tx, communes.map((c) => c.ma_xa));
    return { persons };
  },
  // The registry's own rows keyed by a source record: doses follow the record's link (the due state
  // is recomputed as before, by the next refresh of the persons involved).
  followSourceLinks: dosesFollowSourceLinks,
  async giveBack(tx, _moved, from, to) {
    const communes = await tx.selectFrom('person').select('ma_xa').distinct().where('id', 'in', [from, to]).execute();
    await refreshDue(tx, [from, to]);
    await markCoverageDirty(tx, communes.map((c) => c.ma_xa));
  },
};
