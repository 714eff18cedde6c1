import { noticeFollower } from './appointments/index.ts';
import { bookFollower } from './book/index.ts';
import { correctionFollower } from './correction/index.ts';
import { dueFollower } from './immunization/index.ts';
import { type IdentityFollower, relationFollower, wireFollowers } from './person/index.ts';
import { careFollower } from './primary-care/index.ts';
import { stationFollower } from './station/index.ts';
import { vitalFollower } from './vitals/index.ts';

/**
 * Every module whose personal rows follow the MPI's decisions, in the order they move. The one list,
 * here at the composition root because only the composition root may import every module: the MPI
 * cannot (those modules use it: an import cycle), and a module registering itself at load would be
 * followed only in processes that happened to load it. See person/followers.ts.
 */
export const IDENTITY_FOLLOWERS: readonly IdentityFollower[] = [bookFollower, relationFollower, stationFollower, careFollower, correctionFollower, noticeFollower, vitalFollower, dueFollower];

/**
 * Tables with a person column (person_id, related_person_id, from_person, …) that no follower moves, and why; db tests fail on a table in
 * neither list. Login accounts are moved by the MPI itself, first (mpi/follow.ts).
 */
export const NOT_FOLLOWED: Readonly<Record<string, string>> = {
  citizen_account: 'the login is the identity itself: the MPI re-points it first, before any follower (mpi/follow.ts)',
  source_record: 'the MPI decision itself: it moves the source records',
  mpi_merge: 'the merge log itself (from_person, to_person): which person went into which, as decided; the undo reads it',
  episode: 'follows its source record (person/source-records.ts episodesFollowSourceRecords), in the same decision',
  episode_row: 'follows its episode, in the same decision',
  appointment_plan_queue: "follows its episode's rows: triggers on episode_row drop a moved row's entry and queue its new person (migration 096), in the same decision",
  episode_key: 'the person of the current episode of a (facility, MA_LK): rewritten with the episode (ingest store, episodesFollowSourceRecords)',
  visit: 'follows its source record, in the same decision',
  mpi_correction: "the history of one golden record's fields; a merge rebuilds the survivor's record, an undo revives the retired one with its history",
  person_identifier: "derived from person's so_cccd and bhxh by every writer of person rows, in its transaction (person/identifiers.ts): merges and relinks rewrite golden records through those writers",
  report_person_state: "derived: the report refresher rebuilds each changed person's state",
  audit_event: 'history of who read whom at the time; one hash chain, never rewritten',
  break_glass_grant: 'an emergency grant opened one record to one clinician for hours; moving it would widen it to the merged-in record',
};

/** Called once by each composition root (app, command line, test support) before any MPI decision. */
export function wireIdentityFollowers(): void {
  wireFollowers(IDENTITY_FOLLOWERS);
}
