import { DomainError } from '@openhssk/core';
import type { DeclaredContact, EventView, HouseholdSummary, HouseholdView, MemberView, PersonCard, RegisterSummary as RegisterSummaryView, StationPersonView } from '@openhssk/core/api';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { StationArea } from './scope.ts';
import { stationDb } from './tables.ts';

/** An instant as the API sends it (JSON would write a Date the same way). */
const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString());

export const householdNotFound = () =>
  new DomainError('not_found', 'HOUSEHOLD_NOT_FOUND', 'Không tìm thấy hộ gia đình này trong sổ của xã.', 'No such household in the commune’s register.');

// The shapes answered are declared once for the server and the station app (core/api station.ts).
export type { EventView, HouseholdSummary, HouseholdView, MemberView, PersonCard };

const RELATION_ORDER: readonly string[] = ['head', 'spouse', 'parent', 'grandparent', 'sibling', 'child', 'child_in_law', 'grandchild', 'other'];
const relationRank = (r: string | null) => (r === null ? RELATION_ORDER.length : RELATION_ORDER.indexOf(r));

/** Payload fields that are clinical: the register shows them to the station's clinical staff only. */
const CLINICAL_DETAILS = new Set(['cause', 'birth_weight_grams']);
/** Payload fields shown as the event's details (identity data of a new person is in the person card). */
const DETAIL_FIELDS = ['place', 'destination', 'destination_commune', 'from', 'note', 'cause', 'birth_weight_grams', 'mpi_outcome'];

export function eventDetails(payload: Record<string, unknown>, result: Record<string, unknown>, clinical: boolean): Record<string, unknown> {
  const flat: Record<string, unknown> = { ...payload, ...((payload.child as Record<string, unknown> | undefined) ?? {}), mpi_outcome: result.mpi_outcome };
  const out: Record<string, unknown> = {};
  for (const k of DETAIL_FIELDS) {
    if (flat[k] === undefined || flat[k] === null) continue;
    if (CLINICAL_DETAILS.has(k) && !clinical) continue;
    out[k] = flat[k];
  }
  return out;
}

const deathsOf = async (db: Db, personIds: readonly string[]) =>
  new Map(
    personIds.length === 0
      ? []
      : (await stationDb(db).selectFrom('station_event').select(['person_id', 'occurred_on']).where('kind', '=', 'death').where('duplicate_of', 'is', null).where('person_id', 'in', [...personIds]).execute()).map(
          (e) => [e.person_id!, e.occurred_on],
        ),
  );

export async function eventsWhere(db: Db, area: Pick<StationArea, 'commune' | 'clinical'>, where: { householdId?: number; personId?: string }): Promise<EventView[]> {
  let q = stationDb(db)
    .selectFrom('station_event as e')
    .leftJoin('person as p', 'p.id', 'e.person_id')
    .select(['e.id', 'e.entry_id', 'e.kind', 'e.occurred_on', 'e.person_id', 'p.ho_ten as person_name', 'e.household_id', 'e.recorded_by_name', 'e.recorded_at', 'e.client_recorded_at', 'e.payload', 'e.result'])
    .where('e.commune_code', '=', area.commune);
  if (where.householdId !== undefined) q = q.where('e.household_id', '=', where.householdId);
  if (where.personId !== undefined) q = q.where('e.person_id', '=', where.personId);
  const rows = await q.orderBy('e.occurred_on', 'desc').orderBy('e.id', 'desc').limit(500).execute();
  return rows.map(({ payload, result, recorded_at, client_recorded_at, ...e }) => ({
    ...e,
    recorded_at: iso(recorded_at)!,
    client_recorded_at: iso(client_recorded_at),
    details: eventDetails(payload, result, area.clinical),
  }));
}

/**
 * The phone and address the citizen declared in the book (book/ owns `citizen_contact`, migration
 * 053), shown beside the registry's and marked as the citizen's: the newest declaration, or null.
 */
const citizenContact = (personRef: 'p.id' | 'person.id') =>
  sql<DeclaredContact | null>`(select json_build_object('so_dien_thoai', c.so_dien_thoai, 'dia_chi', c.dia_chi, 'declared_at', c.declared_at)
     from citizen_contact c where c.person_id = ${sql.ref(personRef)} order by c.id desc limit 1)`.as('citizen_contact');

/** One household of the caller's commune with its current and former members and its events. */
export async function householdView(db: Db, area: Pick<StationArea, 'commune' | 'clinical'>, id: number): Promise<HouseholdView> {
  const sdb = stationDb(db);
  const h = await sdb
    .selectFrom('station_household as h')
    .leftJoin('person as hp', 'hp.id', 'h.head_person_id')
    .select(['h.id', 'h.commune_code', 'h.household_code', 'h.hamlet', 'h.address', 'h.head_person_id', 'hp.ho_ten as head_name', 'h.origin', 'h.dissolved_on'])
    .where('h.id', '=', id)
    .where('h.commune_code', '=', area.commune)
    .executeTakeFirst();
  if (!h) throw householdNotFound();
  const rows = await sdb
    .selectFrom('station_member as m')
    .innerJoin('person as p', 'p.id', 'm.person_id')
    .select([
      'm.id as membership_id', 'p.id', 'p.ho_ten', 'p.ngay_sinh', 'p.gioi_tinh', 'p.so_cccd', 'p.so_bhyt', 'p.so_dien_thoai', 'm.relation', 'm.relation_label',
      'm.joined_on', 'm.joined_reason', 'm.left_on', 'm.left_reason', 'm.closed_at', citizenContact('p.id'),
    ])
    .where('m.household_id', '=', id)
    .orderBy('m.id')
    .execute();
  const deaths = await deathsOf(db, rows.map((r) => r.id));
  const members: MemberView[] = rows
    .map(({ closed_at, ...r }) => ({ ...r, current: closed_at === null, deceased_on: deaths.get(r.id) ?? null }))
    .sort((a, b) => relationRank(a.relation) - relationRank(b.relation) || (a.ngay_sinh ?? '').localeCompare(b.ngay_sinh ?? ''));
  const current = members.filter((m) => m.current);
  return {
    ...h,
    members: current.length,
    members_current: current,
    members_past: members.filter((m) => !m.current).sort((a, b) => (b.left_on ?? '').localeCompare(a.left_on ?? '')),
    events: await eventsWhere(db, area, { householdId: id }),
  };
}

/** Households of the commune, by hamlet then code, a page at a time. */
export async function listHouseholds(
  db: Db,
  commune: string,
  q: { hamletKey?: string | undefined; includeDissolved?: boolean | undefined; page: number; pageSize: number },
): Promise<{ total: number; households: HouseholdSummary[] }> {
  let base = stationDb(db).selectFrom('station_household as h').where('h.commune_code', '=', commune);
  if (q.hamletKey !== undefined) base = base.where('h.hamlet_key', '=', q.hamletKey);
  if (!q.includeDissolved) base = base.where('h.dissolved_on', 'is', null);
  const total = Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const households = await base
    .leftJoin('person as hp', 'hp.id', 'h.head_person_id')
    .select([
      'h.id', 'h.household_code', 'h.hamlet', 'h.address', 'h.head_person_id', 'hp.ho_ten as head_name', 'h.dissolved_on',
      sql<number>`(select count(*) from station_member m where m.household_id = h.id and m.closed_at is null)::int`.as('members'),
    ])
    .orderBy(sql`h.hamlet_key asc nulls last`)
    .orderBy('h.household_code')
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize)
    .execute();
  return { total, households };
}

/** The counts; the route adds what the caller may do (can_write, clinical). */
export type RegisterSummary = Omit<RegisterSummaryView, 'can_write' | 'clinical'>;

/** Counts of the commune's register: no person is read, so nothing to audit. */
export async function registerSummary(db: Db, area: Pick<StationArea, 'commune' | 'communeName'>): Promise<RegisterSummary> {
  const sdb = stationDb(db);
  const build = await sdb.selectFrom('station_register_build').select('built_at').where('commune_code', '=', area.commune).executeTakeFirst();
  const hamlets = (
    await sql<{ hamlet: string | null; hamlet_key: string | null; households: number; members: number }>`
      select min(h.hamlet) as hamlet, h.hamlet_key, count(*)::int as households,
             coalesce(sum((select count(*) from station_member m where m.household_id = h.id and m.closed_at is null)), 0)::int as members
        from station_household h where h.commune_code = ${area.commune} and h.dissolved_on is null
       group by h.hamlet_key order by h.hamlet_key nulls last`.execute(db)
  ).rows;
  return {
    commune_code: area.commune,
    commune_name: area.communeName,
    built_at: iso(build?.built_at),
    households: hamlets.reduce((a, h) => a + h.households, 0),
    members: hamlets.reduce((a, h) => a + h.members, 0),
    hamlets,
  };
}

export type PersonRegisterView = StationPersonView;

/** A person the caller may see (checked by the caller) with their households in this commune and the events about them. */
export async function personView(db: Db, area: Pick<StationArea, 'commune' | 'clinical'>, personId: string): Promise<PersonRegisterView | undefined> {
  const sdb = stationDb(db);
  const p = await db
    .selectFrom('person')
    .select(['id', 'ho_ten', 'ngay_sinh', 'gioi_tinh', 'so_cccd', 'so_bhyt', 'so_dien_thoai', 'dia_chi', 'ma_xa', citizenContact('person.id')])
    .where('id', '=', personId)
    .executeTakeFirst();
  if (!p) return undefined;
  const memberships = await sdb
    .selectFrom('station_member as m')
    .innerJoin('station_household as h', 'h.id', 'm.household_id')
    .select([
      'm.id as membership_id', 'm.household_id', 'h.household_code', 'h.hamlet', 'm.commune_code', 'm.relation', 'm.relation_label', 'm.joined_on', 'm.joined_reason',
      'm.left_on', 'm.left_reason', 'm.closed_at',
    ])
    .where('m.person_id', '=', personId)
    // Another commune's households are not this station's business.
    .where('m.commune_code', '=', area.commune)
    .orderBy('m.id', 'desc')
    .execute();
  const deaths = await deathsOf(db, [personId]);
  const events = await eventsWhere(db, area, { personId });
  return {
    person: { ...p, resident: p.ma_xa === area.commune, deceased_on: deaths.get(personId) ?? null },
    memberships: memberships.map(({ closed_at, ...m }) => ({ ...m, current: closed_at === null })),
    events,
  };
}

export interface ExportRows {
  households: HouseholdSummary[];
  members: Array<MemberView & { household_code: string; hamlet: string | null }>;
}

/** Every current household and current member of the commune, for the XLSX list. */
export async function exportRows(db: Db, commune: string, hamletKey?: string): Promise<ExportRows> {
  const { households } = await listHouseholds(db, commune, { hamletKey, page: 1, pageSize: 1_000_000 });
  let q = stationDb(db)
    .selectFrom('station_member as m')
    .innerJoin('station_household as h', 'h.id', 'm.household_id')
    .innerJoin('person as p', 'p.id', 'm.person_id')
    .select([
      'm.id as membership_id', 'p.id', 'p.ho_ten', 'p.ngay_sinh', 'p.gioi_tinh', 'p.so_cccd', 'p.so_bhyt', 'p.so_dien_thoai', 'm.relation', 'm.relation_label',
      'm.joined_on', 'm.joined_reason', 'm.left_on', 'm.left_reason', 'h.household_code', 'h.hamlet',
    ])
    .where('m.commune_code', '=', commune)
    .where('m.closed_at', 'is', null);
  if (hamletKey !== undefined) q = q.where('h.hamlet_key', '=', hamletKey);
  const rows = await q.orderBy(sql`h.hamlet_key asc nulls last`).orderBy('h.household_code').orderBy('m.id').execute();
  const order = new Map(households.map((h, i) => [h.household_code, i]));
  const members = rows
    .map((r) => ({ ...r, current: true, deceased_on: null }))
    .sort((a, b) => (order.get(a.household_code) ?? 0) - (order.get(b.household_code) ?? 0) || relationRank(a.relation) - relationRank(b.relation) || (a.ngay_sinh ?? '').localeCompare(b.ngay_sinh ?? ''));
  return { households, members };
}
