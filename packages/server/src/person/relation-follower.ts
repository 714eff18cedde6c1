import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { IdentityFollower, PersonMove } from './followers.ts';

/** A person_relation row as JSON (to_jsonb), so every column, present and future, travels with it. */
type RelationJson = { person_id: string; related_person_id: string; relation: string; decided_at: string | null } & Record<string, unknown>;

/** What a merge did to person_relation: rows re-keyed (old key → new key) and rows it removed, whole. */
export interface MovedRelations {
  moved: Array<{ c: string; g: string; r: string; nc: string; ng: string }>;
  dropped: RelationJson[];
}

const keyOf = (c: string, g: string, r: string) => `${c}\u0000${g}\u0000${r}`;

async function insertRows(tx: Db, rows: readonly RelationJson[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into person_relation select * from jsonb_populate_recordset(null::person_relation, ${JSON.stringify(rows)}::jsonb)
    on conflict do nothing`.execute(tx);
}

async function deleteKeys(tx: Db, keys: ReadonlyArray<{ c: string; g: string; r: string }>): Promise<RelationJson[]> {
  if (keys.length === 0) return [];
  const r = await sql<{ row: RelationJson }>`delete from person_relation x using jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) as k(c text, g text, r text)
     where x.person_id = k.c and x.related_person_id = k.g and x.relation = k.r returning to_jsonb(x) as row`.execute(tx);
  return r.rows.map((x) => x.row);
}

/**
 * A child's parents and guardians (person_relation, either side) follow the persons: a merged-in
 * parent's relation is the same human's, so it moves to the survivor, and the survivor's login then
 * opens the child's book and receives the child's reminders. Where the move meets a row the survivor
 * already has (same child, parent, relation), one row stays: a staff decision over a derivation
 * (the later decision when both are decided), else the survivor's. A relation between the two merged
 * persons themselves would make a person their own parent: it is removed. Removed rows are kept whole
 * on the merge log and come back with an undo. Derived rows moved by a relink are then brought in
 * line by the relink's derivation run as before.
 */
export async function moveRelations(tx: Db, moves: readonly PersonMove[]): Promise<MovedRelations> {
  const real = moves.filter((m) => m.from !== m.to);
  if (real.length === 0) return { moved: [], dropped: [] };
  const to = new Map(real.map((m) => [m.from, m.to]));
  const froms = [...to.keys()];
  const affected = (
    await sql<{ row: RelationJson }>`select to_jsonb(x) as row from person_relation x
      where x.person_id = any(${froms}::text[]) or x.related_person_id = any(${froms}::text[])`.execute(tx)
  ).rows.map((x) => x.row);
  if (affected.length === 0) return { moved: [], dropped: [] };
  const dropped: RelationJson[] = [];
  const contenders = new Map<string, Array<{ row: RelationJson; moving: boolean }>>();
  for (const row of affected) {
    const nc = to.get(row.person_id) ?? row.person_id;
    const ng = to.get(row.related_person_id) ?? row.related_person_id;
    if (nc === ng) {
      dropped.push(row);
      continue;
    }
    const k = keyOf(nc, ng, row.relation);
    contenders.set(k, [...(contenders.get(k) ?? []), { row, moving: true }]);
  }
  const targets = [...contenders.keys()].map((k) => {
    const [c, g, r] = k.split('\u0000') as [string, string, string];
    return { c, g, r };
  });
  const existing = (
    await sql<{ row: RelationJson }>`select to_jsonb(x) as row from person_relation x join jsonb_to_recordset(${JSON.stringify(targets)}::jsonb) as k(c text, g text, r text)
      on x.person_id = k.c and x.related_person_id = k.g and x.relation = k.r`.execute(tx)
  ).rows.map((x) => x.row);
  for (const row of existing) contenders.get(keyOf(row.person_id, row.related_person_id, row.relation))?.unshift({ row, moving: false });

  const moved: MovedRelations['moved'] = [];
  const inserts: RelationJson[] = [];
  const losersInPlace: RelationJson[] = [];
  for (const [k, list] of contenders) {
    const decided = list.filter((x) => x.row.decided_at !== null).sort((a, b) => Date.parse(b.row.decided_at ?? '') - Date.parse(a.row.decided_at ?? ''));
    const winner = decided[0] ?? list[0]!;
    for (const x of list) {
      if (x === winner) continue;
      dropped.push(x.row);
      if (!x.moving) losersInPlace.push(x.row);
    }
    if (winner.moving) {
      const [nc, ng] = k.split('\u0000') as [string, string];
      moved.push({ c: winner.row.person_id, g: winner.row.related_person_id, r: winner.row.relation, nc, ng });
      inserts.push({ ...winner.row, person_id: nc, related_person_id: ng });
    }
  }
  // Delete and insert rather than update: the key changes (on a cluster, the shard too).
  const rowKey = (x: RelationJson) => ({ c: x.person_id, g: x.related_person_id, r: x.relation });
  await deleteKeys(tx, [...affected, ...losersInPlace].map(rowKey));
  await insertRows(tx, inserts);
  return { moved, dropped };
}

/** An undone merge: the moved rows still under their new key go back to their old one, and the removed rows return. */
export async function returnRelations(tx: Db, record: Partial<MovedRelations>): Promise<void> {
  const moved = record.moved ?? [];
  if (moved.length > 0) {
    const back = new Map(moved.map((m) => [keyOf(m.nc, m.ng, m.r), m]));
    const rows = await deleteKeys(tx, moved.map((m) => ({ c: m.nc, g: m.ng, r: m.r })));
    await insertRows(
      tx,
      rows.map((row) => {
        const m = back.get(keyOf(row.person_id, row.related_person_id, row.relation))!;
        return { ...row, person_id: m.c, related_person_id: m.g };
      }),
    );
  }
  await insertRows(tx, record.dropped ?? []);
}

/** Families as an MPI follower (wired in src/identity-followers.ts). */
export const relationFollower: IdentityFollower<MovedRelations> = {
  name: 'relations',
  tables: ['person_relation'],
  move: moveRelations,
  async giveBack(tx, moved) {
    await returnRelations(tx, moved);
  },
};
