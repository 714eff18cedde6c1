import { vietnamToday } from '@openhssk/core';
import { type HouseholdRelation, householdRelation } from '@openhssk/core/mpi';
import { sql } from 'kysely';
import { bulkInsert, type Db } from '../db/index.ts';
import { parseHamlet } from './hamlet.ts';
import { stationDb } from './tables.ts';

/** Lock namespace of the register's writers (the second key is the commune). */
export const REGISTER_LOCK = 7346150;

/** Serialises the writers of one commune's register for the rest of the transaction. */
export async function lockCommune(tx: Db, commune: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${REGISTER_LOCK}, hashtext(${commune}))`.execute(tx);
}

/** A household code as lists spell it differently ("hgd 12", "HGD12"): one key. */
export const householdCodeKey = (code: string) => code.replace(/\s/g, '').toUpperCase();

export interface RefreshStats {
  commune: string;
  households: number;
  members: number;
  /** Households first seen now. */
  householdsAdded: number;
  /** Memberships opened from the lists now. */
  joined: number;
  /** Memberships the lists no longer support (closed, kept as history). */
  closed: number;
  /** Persons left as the station recorded them (a birth, death or move wins over the lists). */
  keptByStation: number;
  builtAt: Date;
}

type PersonRow = [id: string, code: string, address: string | null];
type LabelRow = [personId: string, label: string];
type MemberRow = [id: number, personId: string, householdId: number, commune: string, origin: string, open: boolean, relation: string | null, label: string | null];

const mostCommon = <T>(values: readonly T[]): T | undefined => {
  const counts = new Map<T, number>();
  let best: T | undefined;
  let n = 0;
  for (const v of values) {
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    if (c > n) [best, n] = [v, c];
  }
  return best;
};

/** The relation the person's records in this household agree on; unknown or disagreeing labels give none. */
function relationOf(labels: readonly string[]): { relation: HouseholdRelation | null; label: string | null } {
  if (labels.length === 0) return { relation: null, label: null };
  const codes = new Set<string>();
  for (const l of labels) {
    const r = householdRelation(l);
    codes.add(r.ok && r.value ? r.value.code : '?');
  }
  const [only] = codes;
  return { relation: codes.size === 1 && only !== '?' ? (only as HouseholdRelation) : null, label: labels[0]!.trim() };
}

/**
 * Builds or brings up to date the household register of one commune from the population lists:
 * one household per household code of the commune's golden records, members with the relation to
 * the head their records of that household carry, the hamlet and address most members share.
 * The station's own records win: a person whose membership a station event opened or closed, or
 * whose death the station recorded, is left as it is; memberships the lists no longer support are
 * closed, never deleted. Idempotent.
 */
export async function refreshRegister(db: Db, commune: string, opts: { builtBy?: string | undefined; onlyIfMissing?: boolean } = {}): Promise<RefreshStats | undefined> {
  return db.transaction().execute(async (tx) => {
    await lockCommune(tx, commune);
    const sdb = stationDb(tx);
    if (opts.onlyIfMissing && (await sdb.selectFrom('station_register_build').select('commune_code').where('commune_code', '=', commune).executeTakeFirst())) {
      return undefined;
    }
    const today = vietnamToday();
    // One JSON text per query: PGlite hands rows to JavaScript one by one (see person/families.ts).
    const persons: PersonRow[] = JSON.parse(
      (await sql<{ j: string | null }>`select json_agg(json_build_array(p.id, p.ma_ho_gia_dinh, p.dia_chi))::text as j
        from person p where p.ma_xa = ${commune} and p.ma_ho_gia_dinh is not null and btrim(p.ma_ho_gia_dinh) <> ''`.execute(tx)).rows[0]?.j ?? '[]',
    );
    const labels: LabelRow[] = JSON.parse(
      (await sql<{ j: string | null }>`select json_agg(json_build_array(sr.person_id, sr.quan_he_chu_ho) order by sr.source_system, sr.source_id)::text as j
        from person p join source_record sr on sr.person_id = p.id
        where p.ma_xa = ${commune} and p.ma_ho_gia_dinh is not null and sr.quan_he_chu_ho is not null and btrim(sr.quan_he_chu_ho) <> ''
          and sr.ma_xa = p.ma_xa and upper(replace(sr.ma_ho_gia_dinh, ' ', '')) = upper(replace(p.ma_ho_gia_dinh, ' ', ''))`.execute(tx)).rows[0]?.j ?? '[]',
    );
    const members: MemberRow[] = JSON.parse(
      (await sql<{ j: string | null }>`select json_agg(json_build_array(m.id, m.person_id, m.household_id, m.commune_code, m.origin, m.closed_at is null, m.relation, m.relation_label))::text as j
        from station_member m
        where m.commune_code = ${commune} or m.person_id in (select id from person where ma_xa = ${commune})`.execute(tx)).rows[0]?.j ?? '[]',
    );
    const deceased = new Set(
      (await sql<{ person_id: string }>`select e.person_id from station_event e join person p on p.id = e.person_id
        where e.kind = 'death' and p.ma_xa = ${commune}`.execute(tx)).rows.map((r) => r.person_id),
    );

    const labelsOf = new Map<string, string[]>();
    for (const [personId, label] of labels) {
      const list = labelsOf.get(personId) ?? [];
      list.push(label);
      labelsOf.set(personId, list);
    }
    const stationDecided = new Set(deceased);
    const openOf = new Map<string, MemberRow>();
    for (const m of members) {
      if (m[4] === 'station') stationDecided.add(m[1]);
      if (m[5]) openOf.set(m[1], m);
    }

    const groups = new Map<string, PersonRow[]>();
    for (const p of persons) {
      const key = householdCodeKey(p[1]);
      if (key === '') continue;
      const list = groups.get(key) ?? [];
      list.push(p);
      groups.set(key, list);
    }

    const existing = new Map(
      (await sdb.selectFrom('station_household').select(['id', 'household_code', 'head_by_station']).where('commune_code', '=', commune).execute()).map((h) => [h.household_code, h]),
    );
    const householdRows = [...groups].map(([code, list]) => {
      const hamlets = list.map((p) => parseHamlet(p[2])).filter((h) => h !== undefined);
      const hamletKey = mostCommon(hamlets.map((h) => h.key));
      const relations = list.map((p) => ({ id: p[0], ...relationOf(labelsOf.get(p[0]) ?? []) }));
      const heads = relations.filter((r) => r.relation === 'head');
      return {
        commune_code: commune,
        household_code: code,
        hamlet: hamlets.find((h) => h.key === hamletKey)?.name ?? null,
        hamlet_key: hamletKey ?? null,
        address: mostCommon(list.map((p) => p[2]).filter((a): a is string => !!a)) ?? null,
        head_person_id: heads.length === 1 ? heads[0]!.id : null,
        origin: 'population',
        relations,
      };
    });
    const householdColumns = {
      commune_code: 'text', household_code: 'text', hamlet: 'text', hamlet_key: 'text', address: 'text', head_person_id: 'text', origin: 'text',
    } as const;
    await bulkInsert(
      tx,
      'station_household',
      householdColumns,
      householdRows.map(({ relations: _, ...h }) => h),
      // The lists own the hamlet and address of their households; a head the station chose stays.
      `on conflict (commune_code, household_code) do update set hamlet = excluded.hamlet, hamlet_key = excluded.hamlet_key, address = excluded.address,
         head_person_id = case when station_household.head_by_station then station_household.head_person_id else excluded.head_person_id end
       where (station_household.hamlet, station_household.hamlet_key, station_household.address, station_household.head_person_id)
         is distinct from (excluded.hamlet, excluded.hamlet_key, excluded.address,
           case when station_household.head_by_station then station_household.head_person_id else excluded.head_person_id end)`,
    );
    const idOf = new Map(
      (await sdb.selectFrom('station_household').select(['id', 'household_code']).where('commune_code', '=', commune).execute()).map((h) => [h.household_code, h.id]),
    );

    const toClose: number[] = [];
    const toOpen: Array<Record<string, unknown>> = [];
    const relabel: Array<{ id: number; relation: string | null; label: string | null }> = [];
    const listed = new Set<string>();
    let kept = 0;
    for (const h of householdRows) {
      const householdId = idOf.get(h.household_code)!;
      for (const r of h.relations) {
        listed.add(r.id);
        if (stationDecided.has(r.id)) {
          kept++;
          continue;
        }
        const open = openOf.get(r.id);
        if (open && open[2] === householdId) {
          if (open[6] !== r.relation || open[7] !== r.label) relabel.push({ id: open[0], relation: r.relation, label: r.label });
          continue;
        }
        if (open) toClose.push(open[0]);
        toOpen.push({ household_id: householdId, person_id: r.id, commune_code: commune, relation: r.relation, relation_label: r.label, joined_reason: 'population', origin: 'population' });
      }
    }
    // Population memberships of this commune whose person the lists now place elsewhere (or nowhere).
    for (const m of openOf.values()) {
      if (m[3] === commune && m[4] === 'population' && !listed.has(m[1]) && !toClose.includes(m[0])) toClose.push(m[0]);
    }
    if (toClose.length > 0) {
      await sql`update station_member set closed_at = now(), left_on = ${today}::date, left_reason = 'population_list'
        where id = any(${toClose}::bigint[]) and closed_at is null`.execute(tx);
    }
    await bulkInsert(
      tx,
      'station_member',
      { household_id: 'bigint', person_id: 'text', commune_code: 'text', relation: 'text', relation_label: 'text', joined_reason: 'text', origin: 'text' },
      toOpen,
    );
    if (relabel.length > 0) {
      await sql`update station_member m set relation = x.relation, relation_label = x.label
        from jsonb_to_recordset(${JSON.stringify(relabel)}::jsonb) as x(id bigint, relation text, label text) where m.id = x.id`.execute(tx);
    }
    await dissolveEmptyHouseholds(tx, commune, today);

    const counts = (
      await sql<{ households: number; members: number }>`select
        (select count(*) from station_household where commune_code = ${commune} and dissolved_on is null)::int as households,
        (select count(*) from station_member where commune_code = ${commune} and closed_at is null)::int as members`.execute(tx)
    ).rows[0]!;
    // A first build adds thousands of rows at once: the planner must know before the first search.
    await sql`analyze station_household`.execute(tx);
    await sql`analyze station_member`.execute(tx);
    const builtAt = new Date();
    await sdb
      .insertInto('station_register_build')
      .values({ commune_code: commune, built_at: builtAt, built_by: opts.builtBy ?? null, households: counts.households, members: counts.members })
      .onConflict((oc) => oc.column('commune_code').doUpdateSet({ built_at: builtAt, built_by: opts.builtBy ?? null, households: counts.households, members: counts.members }))
      .execute();
    return {
      commune,
      households: counts.households,
      members: counts.members,
      householdsAdded: householdRows.filter((h) => !existing.has(h.household_code)).length,
      joined: toOpen.length,
      closed: toClose.length,
      keptByStation: kept,
      builtAt,
    };
  });
}

// Communes whose register this process has seen built (per database: tests run several in one process).
const built = new WeakMap<Db, Set<string>>();

/** The register of a commune exists from its first use on: built from the lists then, refreshed on request. */
export async function ensureRegister(db: Db, commune: string): Promise<void> {
  let seen = built.get(db);
  if (!seen) {
    seen = new Set();
    built.set(db, seen);
  }
  if (seen.has(commune)) return;
  if (!(await stationDb(db).selectFrom('station_register_build').select('commune_code').where('commune_code', '=', commune).executeTakeFirst())) {
    await refreshRegister(db, commune, { onlyIfMissing: true });
  }
  seen.add(commune);
}

/** A household every member left is dissolved (kept with its history); one with members again is not. */
export async function dissolveEmptyHouseholds(tx: Db, commune: string, today: string, householdIds?: readonly number[]): Promise<void> {
  const only = householdIds ? sql`and h.id = any(${householdIds}::bigint[])` : sql``;
  await sql`update station_household h set dissolved_on = ${today}::date
    where h.commune_code = ${commune} and h.dissolved_on is null ${only}
      and not exists (select 1 from station_member m where m.household_id = h.id and m.closed_at is null)`.execute(tx);
  await sql`update station_household h set dissolved_on = null
    where h.commune_code = ${commune} and h.dissolved_on is not null ${only}
      and exists (select 1 from station_member m where m.household_id = h.id and m.closed_at is null)`.execute(tx);
}
