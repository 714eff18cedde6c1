import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { type IdentityFollower, rehomePersonRows } from '../person/index.ts';

/**
 * Household register rows keyed by person follow the MPI's decisions (mpi/follow.ts calls these in
 * the decision's transaction): memberships, events recorded at the station and headships. Ids per
 * kind, so an undone merge returns exactly these and nothing the station recorded since.
 */
export interface MovedStationRows {
  members: number[];
  events: number[];
  /** Households whose head was the moved person. */
  heads: number[];
  /** Current memberships the merge closed (left_reason 'merged'): the person had two, one stays. */
  closedMembers: number[];
  /** Death events marked duplicate_of the death that stands: both persons' deaths had been recorded. */
  duplicateDeaths: number[];
}

export const NO_STATION_ROWS: MovedStationRows = { members: [], events: [], heads: [], closedMembers: [], duplicateDeaths: [] };

type Move = { from: string; to: string };
const ids = (rows: ReadonlyArray<{ id: string | number }>) => rows.map((r) => Number(r.id));
const byTarget = (moves: readonly Move[]) => {
  const to = new Map<string, string>();
  for (const m of moves) to.set(m.from, m.to);
  return to;
};

interface OpenMembership {
  id: number;
  person_id: string;
  origin: 'population' | 'station';
  joined_on: string | null;
}

/**
 * Which of one person's current memberships stays after a merge: one the station recorded (a birth or
 * move in is newer knowledge than the population list), then the most recent join, then the
 * surviving person's own. The others close with reason 'merged'.
 */
function keptMembership(rows: readonly OpenMembership[], survivor: string): OpenMembership {
  const rank = (m: OpenMembership) => [m.origin === 'station' ? 1 : 0, m.joined_on ?? '', m.person_id === survivor ? 1 : 0] as const;
  return [...rows].sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    return y[0] - x[0] || y[1].localeCompare(x[1]) || y[2] - x[2] || a.id - b.id;
  })[0]!;
}

/** Every register row of each `from` person now belongs to its `to` person (a merge, or ids a relink retired). */
export async function moveStationRows(tx: Db, moves: readonly Move[]): Promise<MovedStationRows> {
  const real = moves.filter((m) => m.from !== m.to);
  if (real.length === 0) return NO_STATION_ROWS;
  const target = byTarget(real);
  const involved = [...new Set(real.flatMap((m) => [m.from, m.to]))];
  const json = JSON.stringify(real.map((m) => ({ f: m.from, t: m.to })));

  // One current membership per person (migration 021's partial unique index).
  const open = (
    await sql<OpenMembership>`select id::int as id, person_id, origin, joined_on::text as joined_on from station_member
      where person_id = any(${involved}::text[]) and closed_at is null`.execute(tx)
  ).rows;
  const groups = new Map<string, OpenMembership[]>();
  for (const m of open) {
    const survivor = target.get(m.person_id) ?? m.person_id;
    groups.set(survivor, [...(groups.get(survivor) ?? []), m]);
  }
  const closing: number[] = [];
  for (const [survivor, rows] of groups) {
    if (rows.length < 2) continue;
    const kept = keptMembership(rows, survivor);
    closing.push(...rows.filter((r) => r.id !== kept.id).map((r) => r.id));
  }
  if (closing.length > 0) {
    await sql`update station_member set closed_at = now(), left_reason = 'merged' where id = any(${closing}::int8[])`.execute(tx);
  }

  // One standing death per person: the first recorded stands, as a second device's record is refused.
  const deaths = (
    await sql<{ id: number; person_id: string }>`select id::int as id, person_id from station_event
      where kind = 'death' and duplicate_of is null and person_id = any(${involved}::text[]) order by recorded_at, id`.execute(tx)
  ).rows;
  const standing = new Map<string, number>();
  const duplicates: Array<{ id: number; of: number }> = [];
  for (const d of deaths) {
    const survivor = target.get(d.person_id) ?? d.person_id;
    const first = standing.get(survivor);
    if (first === undefined) standing.set(survivor, d.id);
    else duplicates.push({ id: d.id, of: first });
  }
  for (const d of duplicates) await sql`update station_event set duplicate_of = ${d.of} where id = ${d.id}`.execute(tx);

  const members = await rehomePersonRows(tx, 'station_member', real);
  const events = await rehomePersonRows(tx, 'station_event', real);
  const heads = await sql<{ id: string | number }>`
    update station_household x set head_person_id = m.t from jsonb_to_recordset(${json}::jsonb) as m(f text, t text)
     where x.head_person_id = m.f returning x.id`.execute(tx);
  return { members: ids(members), events: ids(events), heads: ids(heads.rows), closedMembers: closing, duplicateDeaths: duplicates.map((d) => d.id) };
}

/**
 * An undone merge: the listed rows that still sit on `from` (the merged person) go back to `to`,
 * then what the merge closed or marked is undone — a membership it closed reopens unless its person
 * has a current one again (a move recorded since the merge stands).
 */
export async function returnStationRows(tx: Db, rows: MovedStationRows, from: string, to: string): Promise<MovedStationRows> {
  const back = async (table: 'station_member' | 'station_event', wanted: readonly number[]) =>
    wanted.length === 0
      ? []
      : ids(await rehomePersonRows(tx, table, [{ from, to }], { where: sql`x.id = any(${wanted.map(String)}::int8[])` }));
  const members = await back('station_member', rows.members);
  const events = await back('station_event', rows.events);
  const heads =
    rows.heads.length === 0
      ? []
      : ids((await sql<{ id: string | number }>`update station_household set head_person_id = ${to} where head_person_id = ${from} and id = any(${rows.heads.map(String)}::int8[]) returning id`.execute(tx)).rows);
  const reopened =
    rows.closedMembers.length === 0
      ? []
      : ids(
          (
            await sql<{ id: string | number }>`update station_member x set closed_at = null, left_reason = null
              where x.id = any(${rows.closedMembers.map(String)}::int8[]) and x.left_reason = 'merged'
                and not exists (select 1 from station_member o where o.person_id = x.person_id and o.closed_at is null)
              returning x.id`.execute(tx)
          ).rows,
        );
  const cleared =
    rows.duplicateDeaths.length === 0
      ? []
      : ids(
          (
            await sql<{ id: string | number }>`update station_event x set duplicate_of = null
              where x.id = any(${rows.duplicateDeaths.map(String)}::int8[])
                and not exists (select 1 from station_event o where o.kind = 'death' and o.person_id = x.person_id and o.duplicate_of is null)
              returning x.id`.execute(tx)
          ).rows,
        );
  return { members, events, heads, closedMembers: reopened, duplicateDeaths: cleared };
}

/** The household register as an MPI follower (wired in src/identity-followers.ts). */
export const stationFollower: IdentityFollower<MovedStationRows> = {
  name: 'station',
  tables: ['station_member', 'station_event', 'station_household'],
  move: moveStationRows,
  async giveBack(tx, moved, from, to) {
    await returnStationRows(tx, { ...NO_STATION_ROWS, ...moved }, from, to);
  },
};
