import { DomainError, notFound } from '@openhssk/core';
import { explainPair, PAIR_FIELDS, type PairExplanation } from '@openhssk/core/mpi';
import { sql } from 'kysely';
import { type Actor, audit } from '../audit/index.ts';
import { type Db, oneConnectionPerWorker } from '../db/index.ts';
import { createPersons, flagPersons, moveSourceRecords, newPersonId } from '../person/index.ts';
import { identityFollowsMerge, identityFollowsSeparation, identityFollowsUndo } from './follow.ts';
import { recomputePersons } from './persons.ts';
import { mpiDb } from './tables.ts';

const SOURCE_FIELDS = PAIR_FIELDS;

/**
 * A pending pair (aliased `r`) still needs a reviewer unless both records already belong to one
 * person (a later relink or another merge joined them). Judged when read, so an unmerge that
 * splits them again brings the pair back.
 */
const REVIEW_STILL_OPEN = sql<boolean>`not exists (
  select 1 from source_record sa join source_record sb on sb.person_id = sa.person_id
   where sa.source_system = r.a_system and sa.source_id = r.a_id and sb.source_system = r.b_system and sb.source_id = r.b_id)`;

export interface SourceView {
  source_system: string;
  source_id: string;
  person_id: string | null;
  fields: Record<(typeof SOURCE_FIELDS)[number], string | null>;
}

type SourceKey = { system: string; id: string };
const keyOf = (system: string, id: string) => `${system}\u0000${id}`;

/** The source records behind the given keys, in one query, by system and id. */
async function sourceRecords(db: Db, keys: readonly SourceKey[]): Promise<Map<string, SourceView>> {
  const out = new Map<string, SourceView>();
  if (keys.length === 0) return out;
  const rows = await db
    .selectFrom('source_record')
    .select(['source_system', 'source_id', 'person_id', ...SOURCE_FIELDS])
    .where((eb) => eb.or(keys.map((k) => eb.and([eb('source_system', '=', k.system), eb('source_id', '=', k.id)]))))
    .execute();
  for (const r of rows) {
    const fields = Object.fromEntries(SOURCE_FIELDS.map((f) => [f, r[f]])) as SourceView['fields'];
    out.set(keyOf(r.source_system, r.source_id), { source_system: r.source_system, source_id: r.source_id, person_id: r.person_id, fields });
  }
  return out;
}

type ReviewRow = { id: number; score: number; reasons: unknown; status: string; decided_by: string | null; decided_at: Date | null; a_system: string; a_id: string; b_system: string; b_id: string };

export interface ReviewView {
  id: number;
  score: number;
  /** The engine's reason codes, for tools; people read `explanation`. */
  reasons: unknown;
  status: string;
  decided_by: string | null;
  decided_at: Date | null;
  a: SourceView | undefined;
  b: SourceView | undefined;
  explanation: PairExplanation;
}

async function withRecords(db: Db, rows: readonly ReviewRow[]): Promise<ReviewView[]> {
  const records = await sourceRecords(db, rows.flatMap((r) => [{ system: r.a_system, id: r.a_id }, { system: r.b_system, id: r.b_id }]));
  return rows.map((r) => {
    const a = records.get(keyOf(r.a_system, r.a_id));
    const b = records.get(keyOf(r.b_system, r.b_id));
    return {
      id: r.id,
      score: r.score,
      reasons: r.reasons,
      status: r.status,
      decided_by: r.decided_by,
      decided_at: r.decided_at,
      a,
      b,
      explanation: explainPair(a?.fields ?? {}, b?.fields ?? {}),
    };
  });
}


export interface ReviewListOptions {
  status?: 'pending' | 'merged' | 'separate';
  limit?: number;
  offset?: number;
  /**
   * Communes the reader covers: a pair is listed when either record lives in one of them. Undefined
   * = every pair (system administrators). Filtered in SQL so the total and the pages agree.
   */
  communes?: readonly string[] | undefined;
}

/** Most review pairs one request returns. */
export const REVIEW_PAGE_MAX = 200;

/** Uncertain pairs with both records side by side and explained, strongest first, with the total open. */
export async function listReviews(db: Db, opts: ReviewListOptions = {}): Promise<{ total: number; reviews: ReviewView[] }> {
  const status = opts.status ?? 'pending';
  const communes = opts.communes;
  if (communes && communes.length === 0) return { total: 0, reviews: [] };
  const filtered = mpiDb(db)
    .selectFrom('mpi_review as r')
    .where('r.status', '=', status)
    .$if(status === 'pending', (q) => q.where(REVIEW_STILL_OPEN))
    .$if(communes !== undefined, (q) =>
      q.where((eb) => {
        const lives = (system: 'r.a_system' | 'r.b_system', id: 'r.a_id' | 'r.b_id') =>
          eb.exists(
            eb
              .selectFrom('source_record as s')
              .select(sql`1`.as('one'))
              .whereRef('s.source_system', '=', system)
              .whereRef('s.source_id', '=', id)
              .where('s.ma_xa', 'in', [...(communes ?? [])]),
          );
        return eb.or([lives('r.a_system', 'r.a_id'), lives('r.b_system', 'r.b_id')]);
      }),
    );
  const counted = await filtered.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
  const rows = await filtered
    .selectAll('r')
    .orderBy('r.score', 'desc')
    .orderBy('r.id')
    .limit(Math.min(opts.limit ?? 50, REVIEW_PAGE_MAX))
    .offset(opts.offset ?? 0)
    .execute();
  return { total: Number(counted.n), reviews: await withRecords(db, rows) };
}

export async function getReview(db: Db, id: number): Promise<ReviewView | undefined> {
  const r = await mpiDb(db).selectFrom('mpi_review').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? (await withRecords(db, [r]))[0] : undefined;
}

/**
 * A reviewer's decision on one pair, applied at once to the two persons involved (no global
 * relink) and kept in mpi_review so later relinks respect it. Merges are logged for unmerge.
 */
export async function decideReview(db: Db, reviewId: number, decision: 'merged' | 'separate', actor: Actor) {
  return db.transaction().execute(async (tx) => {
    await oneConnectionPerWorker(tx);
    const m = mpiDb(tx as unknown as Db);
    const review = await m.selectFrom('mpi_review').selectAll().where('id', '=', reviewId).forUpdate().executeTakeFirst();
    if (!review) throw notFound('cặp hồ sơ cần xem xét', 'Review pair');
    const a = await tx.selectFrom('source_record').select(['person_id']).where('source_system', '=', review.a_system).where('source_id', '=', review.a_id).executeTakeFirst();
    const b = await tx.selectFrom('source_record').select(['person_id']).where('source_system', '=', review.b_system).where('source_id', '=', review.b_id).executeTakeFirst();
    if (!a?.person_id || !b?.person_id) {
      throw new DomainError('conflict', 'REVIEW_STALE', 'Một trong hai bản ghi không còn tồn tại hoặc chưa được liên kết.', 'One of the records no longer exists or is not linked.');
    }
    let mergeId: number | null = null;
    let separated = false;
    const affected = new Set([a.person_id, b.person_id]);
    if (decision === 'merged' && a.person_id !== b.person_id) {
      const moved = await tx.selectFrom('source_record').select(['source_system as s', 'source_id as i']).where('person_id', '=', b.person_id).execute();
      await moveSourceRecords(tx, moved, a.person_id, 'MPI_MANUAL_MERGE');
      const log = await m
        .insertInto('mpi_merge')
        .values({ review_id: reviewId, from_person: b.person_id, to_person: a.person_id, moved: JSON.stringify(moved), decided_by: actor.id })
        .returning('id')
        .executeTakeFirstOrThrow();
      mergeId = log.id;
      await identityFollowsMerge(tx, mergeId, b.person_id, a.person_id);
    } else if (decision === 'separate' && a.person_id === b.person_id) {
      const fresh = newPersonId();
      // A placeholder until recomputePersons below fills it from the record it receives.
      await createPersons(tx, [{ id: fresh, ho_ten: '—' }]);
      await moveSourceRecords(tx, [{ s: review.b_system, i: review.b_id }], fresh, 'MPI_MANUAL_SEPARATE');
      affected.add(fresh);
      separated = true;
    }
    await m.updateTable('mpi_review').set({ status: decision, decided_by: actor.id, decided_at: new Date() }).where('id', '=', reviewId).execute();
    await recomputePersons(tx, [...affected]);
    // Logins find their person by the golden CCCD, so they re-resolve once the split persons are rebuilt.
    if (separated) await identityFollowsSeparation(tx, [...affected]);
    await audit(tx as unknown as Db, {
      actor,
      action: `mpi.review.${decision}`,
      personId: a.person_id,
      resource: `mpi_review/${reviewId}`,
      detail: { persons: [...affected], merge_id: mergeId },
    });
    return { review_id: reviewId, decision, persons: [...affected], merge_id: mergeId };
  });
}

/** Undoes a manual merge: the moved records go back to their person, the pair is marked separate. */
export async function undoMerge(db: Db, mergeId: number, actor: Actor) {
  return db.transaction().execute(async (tx) => {
    await oneConnectionPerWorker(tx);
    const m = mpiDb(tx as unknown as Db);
    const merge = await m.selectFrom('mpi_merge').selectAll().where('id', '=', mergeId).forUpdate().executeTakeFirst();
    if (!merge) throw notFound('lần gộp hồ sơ', 'Merge');
    if (merge.undone_at) throw new DomainError('conflict', 'MERGE_ALREADY_UNDONE', 'Lần gộp này đã được hủy trước đó.', 'This merge was already undone.');
    const moved = merge.moved as Array<{ s: string; i: string }>;
    await moveSourceRecords(tx, moved, merge.from_person, 'MPI_MANUAL_SEPARATE');
    await m.updateTable('mpi_merge').set({ undone_by: actor.id, undone_at: new Date() }).where('id', '=', mergeId).execute();
    if (merge.review_id !== null) {
      await m.updateTable('mpi_review').set({ status: 'separate', decided_by: actor.id, decided_at: new Date() }).where('id', '=', merge.review_id).execute();
    }
    await flagPersons(tx, [merge.from_person], 'NO_SOURCE_RECORDS', false);
    await recomputePersons(tx, [merge.from_person, merge.to_person]);
    const logins = await identityFollowsUndo(tx, mergeId);
    await audit(tx as unknown as Db, { actor, action: 'mpi.merge.undo', personId: merge.to_person, resource: `mpi_merge/${mergeId}`, detail: { restored: merge.from_person, logins_returned: logins.length } });
    return { merge_id: mergeId, restored_person: merge.from_person };
  });
}

/** Open duplicate pairs per commune (of the first record's person), for the health-department figures. */
export async function pendingReviewsByCommune(db: Db): Promise<Array<{ ma_xa: string; pending: number }>> {
  const r = await sql<{ ma_xa: string; pending: number }>`
    select coalesce(p.ma_xa, sr.ma_xa) as ma_xa, count(*)::int as pending
      from mpi_review r
      join source_record sr on sr.source_system = r.a_system and sr.source_id = r.a_id
      left join person p on p.id = sr.person_id
     where r.status = 'pending' and ${REVIEW_STILL_OPEN} and coalesce(p.ma_xa, sr.ma_xa) is not null
     group by 1`.execute(db);
  return r.rows;
}
