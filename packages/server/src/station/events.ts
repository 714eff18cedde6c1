import { cleanText, DomainError, invalid, vietnamToday } from '@openhssk/core';
import { type HouseholdRelation, normalizeSourceRecord } from '@openhssk/core/mpi';
import { sql } from 'kysely';
import { type Actor, type AuditEntry, auditMany } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { holdAgainstRelink, linkIncoming } from '../mpi/index.ts';
import { type IdentityKeys, linkDeterministic, type RegisteredSourceRecord, registerSourceRecords } from '../person/index.ts';
import {
  type BirthEntry, type DeathEntry, ENTRY_SCHEMAS, type MoveInEntry, type MoveOutEntry, type MovingPerson, type RegisterEntry,
} from './entries.ts';
import { type Hamlet, hamletKey, parseHamlet } from './hamlet.ts';
import { dissolveEmptyHouseholds, REGISTER_LOCK } from './households.ts';
import { RELATION_VI } from './labels.ts';
import { checkBatchSize, checkEntryAgainst, entryHash, entryIdOf, entryReused, failedOutcome, type OfflineOutcome } from './offline.ts';
import { householdNotFound } from './register.ts';
import { personInArea, personNotInArea, type StationArea } from './scope.ts';
import { type EventKind, type LeaveReason, stationDb } from './tables.ts';

/** Source system of the records a station registers (a birth, a person moving in): the station's own list. */
export const STATION_SOURCE = 'TYT';

export interface EventContext {
  area: StationArea;
  actor: Actor;
  staffId: string;
  staffName: string;
  requestId?: string | undefined;
  careDays: number;
}

/** What an applied event did; stored with it and answered again to a replay. */
export interface EventResult {
  event_id: number;
  entry_id: string;
  kind: EventKind;
  occurred_on: string;
  person_id: string | null;
  household_id: number | null;
  household_code: string | null;
  /** Birth or move-in of a new person: the source record registered and where the MPI placed it. */
  source_record?: string;
  mpi_outcome?: 'new' | 'joined';
  /** Memberships this event closed (a move between households, a death, a move out). */
  closed_memberships?: number[];
  membership_id?: number;
}

export type EntryOutcome = OfflineOutcome<EventResult>;

const conflict = (code: string, vi: string, en: string, extra: Record<string, unknown> = {}) => new DomainError('conflict', code, vi, en, extra);

const personDeceased = () => conflict('PERSON_DECEASED', 'Người này đã được ghi nhận tử vong.', 'This person is recorded as deceased.');
const notMember = () =>
  conflict('NOT_A_MEMBER', 'Người này hiện không thuộc hộ gia đình nào trong sổ của xã.', 'This person is not a current member of a household of this commune.');


function checkDate(iso: string, field: string): void {
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso || iso < '1900-01-01') {
    throw invalid('DATE_INVALID', `Ngày «${field}» không hợp lệ.`, `The date '${field}' is not valid.`);
  }
  if (iso > vietnamToday()) throw invalid('DATE_IN_FUTURE', `Ngày «${field}» ở tương lai.`, `The date '${field}' is in the future.`);
}

/** The label a population list would write for the relation, by sex where the language has one. */
function relationLabel(r: HouseholdRelation, sex: number | null | undefined): string {
  const bySex: Partial<Record<HouseholdRelation, [male: string, female: string]>> = {
    spouse: ['Chồng', 'Vợ'],
    child_in_law: ['Con rể', 'Con dâu'],
    parent: ['Bố', 'Mẹ'],
    grandparent: ['Ông', 'Bà'],
  };
  const pair = bySex[r];
  if (pair && (sex === 1 || sex === 2)) return pair[sex - 1]!;
  return RELATION_VI[r];
}

const SEX_TEXT: Record<number, string> = { 1: 'Nam', 2: 'Nữ', 3: '' };

/** The child of a member: of the head or the head's spouse a child, of the head's child or child-in-law a grandchild. */
function childRelationVia(mother: HouseholdRelation | null): HouseholdRelation {
  if (mother === 'child' || mother === 'child_in_law') return 'grandchild';
  if (mother === 'head' || mother === 'spouse' || mother === null) return 'child';
  return 'other';
}

interface OpenMembership {
  id: number;
  household_id: number;
  commune_code: string;
  relation: HouseholdRelation | null;
  joined_on: string | null;
}

const openMembershipOf = (tx: Db, personId: string): Promise<OpenMembership | undefined> =>
  stationDb(tx)
    .selectFrom('station_member')
    .select(['id', 'household_id', 'commune_code', 'relation', 'joined_on'])
    .where('person_id', '=', personId)
    .where('closed_at', 'is', null)
    .executeTakeFirst();

/** Whether the station recorded the person's death, and their current membership: one round trip. */
async function statusOf(tx: Db, personId: string): Promise<{ deceased: boolean; open: OpenMembership | undefined }> {
  const r = await sql<OpenMembership & { deceased: boolean; id: number | null }>`
    select exists (select 1 from station_event where kind = 'death' and person_id = ${personId}) as deceased,
           m.id, m.household_id, m.commune_code, m.relation, m.joined_on
      from (select 1) one left join station_member m on m.person_id = ${personId} and m.closed_at is null`.execute(tx);
  const row = r.rows[0]!;
  return { deceased: row.deceased, open: row.id === null ? undefined : { id: row.id, household_id: row.household_id, commune_code: row.commune_code, relation: row.relation, joined_on: row.joined_on } };
}

async function householdIn(tx: Db, commune: string, id: number) {
  const h = await stationDb(tx)
    .selectFrom('station_household')
    .select(['id', 'household_code', 'address', 'head_person_id', 'dissolved_on'])
    .where('id', '=', id)
    .where('commune_code', '=', commune)
    .executeTakeFirst();
  if (!h) throw householdNotFound();
  return h;
}

/** The TYT source record of a person the station met (a birth, a move in), and the ids the MPI reads in it. */
interface StationRecord {
  row: RegisteredSourceRecord;
  ids: IdentityKeys;
}

/** Where the MPI placed a station record. */
interface Placement {
  personId: string;
  outcome: 'new' | 'joined';
  sourceRecord: string;
}

/** The TYT source record of a person the station met; refused with the reasons an import row would be. */
function stationRecord(ctx: EventContext, entryId: string, p: MovingPerson & { dia_chi: string | null; ma_ho_gia_dinh: string; quan_he_chu_ho: string }): StationRecord {
  const row = {
    source_system: STATION_SOURCE,
    source_id: `${ctx.area.stationCode}:${entryId}`,
    ho_ten: cleanText(p.ho_ten),
    ngay_sinh: p.ngay_sinh,
    gioi_tinh: p.gioi_tinh ? SEX_TEXT[p.gioi_tinh] || null : null,
    so_cccd: p.so_cccd ?? null,
    so_bhyt: p.so_bhyt ?? null,
    so_dien_thoai: p.so_dien_thoai ?? null,
    dia_chi: p.dia_chi,
    ma_xa: ctx.area.commune,
    ma_ho_gia_dinh: p.ma_ho_gia_dinh,
    quan_he_chu_ho: p.quan_he_chu_ho,
  };
  // The MPI's own reading of the record decides what is usable: the same refusals as an import row.
  const { record, issues } = normalizeSourceRecord(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v ?? ''])));
  const error = issues.find((i) => i.severity === 'error');
  if (error) throw invalid(error.code, error.message_vi, error.message_en, { field: error.field });
  return { row, ids: { cccd: record?.cccd ?? null, bhxh: record?.bhxh ?? null } };
}

const unmatchable = () => invalid('PERSON_UNMATCHABLE', 'Họ tên hoặc ngày sinh không dùng được để lập hồ sơ.', 'The name or birth date cannot be used to register the person.');
const recordExists = () =>
  new DomainError('internal', 'SOURCE_RECORD_EXISTS', 'Bản ghi nguồn của mục nhập này đã tồn tại.', 'The source record of this entry already exists.');

/**
 * Registers the station records of several entries and places them with the MPI in ONE linkIncoming
 * (its candidate lookups and writes go in rounds over all of them, in the order given, so each
 * decision is the one placing them one by one would make). As ingest does for patients, a record whose
 * CCCD or BHXH number names exactly one person starts on that person, and the MPI keeps it there
 * unless name and birth date both contradict it.
 */
async function placeRecords(tx: Db, records: ReadonlyMap<string, StationRecord>): Promise<Map<string, Placement | DomainError>> {
  const out = new Map<string, Placement | DomainError>();
  if (records.size === 0) return out;
  const list = [...records];
  const links = await linkDeterministic(tx, list.map(([, r]) => r.ids));
  const inserted = await registerSourceRecords(tx, list.map(([, r], i) => ({ ...r.row, person_id: links[i]!.personId, link_rule: links[i]!.rule })));
  const key = (r: StationRecord) => `${r.row.source_system}\u0000${r.row.source_id}`;
  const placed = await linkIncoming(
    tx,
    list.filter(([, r]) => inserted.has(key(r))).map(([, r]) => ({ system: r.row.source_system, id: r.row.source_id })),
    { relink: true },
  );
  const byKey = new Map(placed.map((p) => [`${p.system}\u0000${p.id}`, p]));
  for (const [[entryId, r], i] of list.map((x, n) => [x, n] as const)) {
    if (!inserted.has(key(r))) {
      out.set(entryId, recordExists());
      continue;
    }
    const p = byKey.get(key(r));
    // A record that stayed on the person its id named joined that person.
    const outcome = p?.outcome === 'kept' && links[i]!.personId ? 'joined' : p?.outcome;
    out.set(entryId, p?.personId && (outcome === 'new' || outcome === 'joined') ? { personId: p.personId, outcome, sourceRecord: `${r.row.source_system}/${r.row.source_id}` } : unmatchable());
  }
  return out;
}

/**
 * Closes a membership with its reason and date; a head who leaves is replaced by the member named
 * (or the household has no head until one is named), and a household nobody is left in is dissolved.
 */
async function closeMembership(tx: Db, m: OpenMembership, personId: string, reason: LeaveReason, on: string, eventId: number, newHead?: string): Promise<void> {
  if (m.joined_on && on < m.joined_on) {
    throw invalid('LEFT_BEFORE_JOINED', 'Ngày rời hộ sớm hơn ngày vào hộ.', 'The date of leaving is before the date of joining the household.');
  }
  const sdb = stationDb(tx);
  const h = await sdb.selectFrom('station_household').select(['head_person_id', 'commune_code']).where('id', '=', m.household_id).executeTakeFirstOrThrow();
  const wasHead = h.head_person_id === personId;
  if (newHead !== undefined) {
    if (!wasHead) throw invalid('NEW_HEAD_UNEXPECTED', 'Chỉ chọn chủ hộ mới khi chủ hộ rời hộ.', 'A new head is named only when the head leaves.');
    const next = await openMembershipOf(tx, newHead);
    if (!next || next.household_id !== m.household_id || newHead === personId) {
      throw invalid('NEW_HEAD_NOT_MEMBER', 'Chủ hộ mới phải là thành viên hiện tại của hộ.', 'The new head must be a current member of the household.');
    }
    await sdb.updateTable('station_member').set({ relation: 'head', relation_label: RELATION_VI.head, origin: 'station' }).where('id', '=', next.id).execute();
  }
  await sdb
    .updateTable('station_member')
    .set({ closed_at: new Date(), left_on: on, left_reason: reason, left_event_id: eventId, origin: 'station' })
    .where('id', '=', m.id)
    .execute();
  if (wasHead) await sdb.updateTable('station_household').set({ head_person_id: newHead ?? null, head_by_station: true }).where('id', '=', m.household_id).execute();
  await dissolveEmptyHouseholds(tx, h.commune_code, on, [m.household_id]);
}

type Applied = Omit<EventResult, 'event_id' | 'entry_id' | 'kind' | 'occurred_on'>;

interface BirthPlan {
  household: { id: number; household_code: string };
  relation: HouseholdRelation;
  label: string;
  record: StationRecord;
}

/** The register's side of a birth or a move in: the household (if in the commune) and the mother's current household. */
interface HouseholdFacts {
  id: number;
  household_code: string;
  address: string | null;
  head_person_id: string | null;
  dissolved_on: string | null;
  mother_household: number | null;
  mother_relation: HouseholdRelation | null;
}

/** The facts of several entries' households in one statement, by position; undefined where the household is not the commune's. */
async function householdFacts(tx: Db, commune: string, wanted: ReadonlyArray<{ household: number; mother: string | null }>): Promise<Array<HouseholdFacts | undefined>> {
  if (wanted.length === 0) return [];
  const r = await sql<HouseholdFacts & { n: number }>`
    select k.n, h.id, h.household_code, h.address, h.head_person_id, h.dissolved_on, mm.household_id as mother_household, mm.relation as mother_relation
      from jsonb_to_recordset(${JSON.stringify(wanted.map((w, n) => ({ n, h: w.household, m: w.mother })))}::jsonb) as k(n int, h bigint, m text)
      join station_household h on h.id = k.h and h.commune_code = ${commune}
      left join station_member mm on mm.person_id = k.m and mm.closed_at is null`.execute(tx);
  const out: Array<HouseholdFacts | undefined> = wanted.map(() => undefined);
  for (const { n, ...f } of r.rows) out[n] = f;
  return out;
}

/** Checks a birth against the register and builds the child's record; writes nothing. */
async function planBirth(tx: Db, ctx: EventContext, e: BirthEntry, known?: HouseholdFacts | null): Promise<BirthPlan> {
  const mother = e.child.mother_person_id ?? null;
  const h = known === undefined ? (await householdFacts(tx, ctx.area.commune, [{ household: e.household_id, mother }]))[0] : known;
  if (!h) throw householdNotFound();
  if (h.dissolved_on) throw conflict('HOUSEHOLD_DISSOLVED', 'Hộ gia đình này không còn thành viên.', 'This household has no members left.');
  if (mother !== null && h.mother_household !== h.id) {
    throw invalid('MOTHER_NOT_MEMBER', 'Người mẹ phải là thành viên hiện tại của hộ.', 'The mother must be a current member of the household.');
  }
  const relation = e.child.relation ?? childRelationVia(mother !== null ? h.mother_relation : null);
  const label = relationLabel(relation, e.child.gioi_tinh);
  const record = stationRecord(ctx, e.entry_id, {
    ho_ten: e.child.ho_ten, ngay_sinh: e.occurred_on, gioi_tinh: e.child.gioi_tinh, dia_chi: h.address, ma_ho_gia_dinh: h.household_code, quan_he_chu_ho: label,
  });
  return { household: { id: h.id, household_code: h.household_code }, relation, label, record };
}

async function applyBirth(tx: Db, ctx: EventContext, e: BirthEntry, eventId: number, plan: BirthPlan, placed: Placement): Promise<Applied> {
  // A person the MPI just started has no history; one it joined may (another device's record of the same birth).
  const { deceased, open } = placed.outcome === 'new' ? { deceased: false, open: undefined } : await statusOf(tx, placed.personId);
  if (deceased) throw personDeceased();
  // The MPI found the child already known and in a household: a second record of one birth (another
  // device, a hospital list) is refused rather than moving the child.
  if (open) {
    throw conflict('BIRTH_ALREADY_REGISTERED', 'Trẻ này đã có trong sổ hộ gia đình (có thể đã được ghi nhận trên thiết bị khác).', 'This child is already in a household (perhaps recorded on another device).', {
      person_id: placed.personId,
      household_id: open.household_id,
    });
  }
  const h = plan.household;
  const m = await stationDb(tx)
    .insertInto('station_member')
    .values({
      household_id: h.id, person_id: placed.personId, commune_code: ctx.area.commune, relation: plan.relation, relation_label: plan.label,
      joined_on: e.occurred_on, joined_reason: 'birth', joined_event_id: eventId, origin: 'station',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { person_id: placed.personId, household_id: h.id, household_code: h.household_code, source_record: placed.sourceRecord, mpi_outcome: placed.outcome, membership_id: m.id };
}

async function subjectInArea(tx: Db, ctx: EventContext, personId: string) {
  if (!(await personInArea(tx, ctx.area, personId, { careDays: ctx.careDays }))) throw personNotInArea();
  return tx.selectFrom('person').select(['id', 'ngay_sinh', 'gioi_tinh']).where('id', '=', personId).executeTakeFirstOrThrow();
}

async function householdCode(tx: Db, id: number | undefined): Promise<string | null> {
  if (id === undefined) return null;
  return (await stationDb(tx).selectFrom('station_household').select('household_code').where('id', '=', id).executeTakeFirst())?.household_code ?? null;
}

async function applyDeath(tx: Db, ctx: EventContext, e: DeathEntry, eventId: number): Promise<Applied> {
  const p = await subjectInArea(tx, ctx, e.person_id);
  const { deceased, open } = await statusOf(tx, p.id);
  if (deceased) throw conflict('ALREADY_DECEASED', 'Người này đã được ghi nhận tử vong.', 'This person’s death is already recorded.');
  if (p.ngay_sinh && p.ngay_sinh.length === 10 && e.occurred_on < p.ngay_sinh) {
    throw invalid('DEATH_BEFORE_BIRTH', 'Ngày mất sớm hơn ngày sinh.', 'The date of death is before the date of birth.');
  }
  // A resident outside every household still has the death recorded; a membership closes with it.
  if (open) await closeMembership(tx, open, p.id, 'death', e.occurred_on, eventId, e.new_head_person_id);
  else if (e.new_head_person_id !== undefined) throw invalid('NEW_HEAD_UNEXPECTED', 'Chỉ chọn chủ hộ mới khi chủ hộ rời hộ.', 'A new head is named only when the head leaves.');
  return { person_id: p.id, household_id: open?.household_id ?? null, household_code: await householdCode(tx, open?.household_id), ...(open ? { closed_memberships: [open.id] } : {}) };
}

async function applyMoveOut(tx: Db, ctx: EventContext, e: MoveOutEntry, eventId: number): Promise<Applied> {
  const p = await subjectInArea(tx, ctx, e.person_id);
  const { deceased, open } = await statusOf(tx, p.id);
  if (deceased) throw personDeceased();
  if (!open || open.commune_code !== ctx.area.commune) throw notMember();
  await closeMembership(tx, open, p.id, 'move_out', e.occurred_on, eventId, e.new_head_person_id);
  return { person_id: p.id, household_id: open.household_id, household_code: await householdCode(tx, open.household_id), closed_memberships: [open.id] };
}

interface MoveInPlan {
  /** The household moved into; `id` null for a new household the entry opens (created when applied). */
  household: { id: number | null; household_code: string; address: string | null; head_person_id: string | null; dissolved_on: string | null; hamlet?: Hamlet | undefined };
  relation: HouseholdRelation;
  /** A person the station does not know yet (`person` of the entry). */
  record?: StationRecord | undefined;
}

/** Checks a move in against the register and builds the newcomer's record; writes nothing. */
async function planMoveIn(tx: Db, ctx: EventContext, e: MoveInEntry, known?: HouseholdFacts | null): Promise<MoveInPlan> {
  if ((e.person_id === undefined) === (e.person === undefined)) {
    throw invalid(
      'MOVE_IN_PERSON',
      'Chọn một người đã có trong địa bàn (person_id) hoặc nhập thông tin người chuyển đến (person), không cả hai.',
      'Give either person_id (a person of this area) or person (details of the person moving in), not both.',
    );
  }
  if ((e.household_id === undefined) === (e.new_household === undefined)) {
    throw invalid('MOVE_IN_HOUSEHOLD', 'Chọn hộ chuyển đến (household_id) hoặc lập hộ mới (new_household), không cả hai.', 'Give either household_id or new_household, not both.');
  }
  let household: MoveInPlan['household'];
  let relation: HouseholdRelation;
  if (e.new_household) {
    if (e.relation !== undefined && e.relation !== 'head') {
      throw invalid('NEW_HOUSEHOLD_HEAD', 'Người lập hộ mới là chủ hộ.', 'The person who opens a new household is its head.');
    }
    relation = 'head';
    const address = cleanText(e.new_household.address);
    const typed = e.new_household.hamlet ? cleanText(e.new_household.hamlet) : '';
    const hamlet = parseHamlet(typed || address) ?? (typed ? { name: typed, key: hamletKey(typed) } : undefined);
    // Derived from the entry, so the code is the same whichever device sent it first.
    household = { id: null, household_code: `TYT${e.entry_id.replace(/-/g, '').slice(0, 10).toUpperCase()}`, address, head_person_id: null, dissolved_on: null, hamlet };
  } else {
    const h = known === undefined ? await householdIn(tx, ctx.area.commune, e.household_id!) : known;
    if (!h) throw householdNotFound();
    household = { id: h.id, household_code: h.household_code, address: h.address, head_person_id: h.head_person_id, dissolved_on: h.dissolved_on };
    relation = e.relation ?? 'other';
    if (relation === 'head' && household.head_person_id) {
      const head = await openMembershipOf(tx, household.head_person_id);
      if (head?.household_id === household.id) {
        throw conflict('HEAD_EXISTS', 'Hộ đã có chủ hộ; chọn quan hệ khác với chủ hộ.', 'The household already has a head: choose another relation.');
      }
    }
  }
  const p = e.person;
  const record = p
    ? stationRecord(ctx, e.entry_id, { ...p, dia_chi: household.address, ma_ho_gia_dinh: household.household_code, quan_he_chu_ho: relationLabel(relation, p.gioi_tinh) })
    : undefined;
  return { household, relation, record };
}

async function applyMoveIn(tx: Db, ctx: EventContext, e: MoveInEntry, eventId: number, plan: MoveInPlan, placed: Placement | undefined): Promise<Applied> {
  const sdb = stationDb(tx);
  const { relation } = plan;
  let personId: string;
  let sex: number | null | undefined = e.person?.gioi_tinh;
  if (placed) {
    personId = placed.personId;
  } else {
    const subject = await subjectInArea(tx, ctx, e.person_id!);
    personId = subject.id;
    sex = subject.gioi_tinh;
  }
  const household =
    plan.household.id !== null
      ? { ...plan.household, id: plan.household.id }
      : await sdb
          .insertInto('station_household')
          .values({
            commune_code: ctx.area.commune, household_code: plan.household.household_code, hamlet: plan.household.hamlet?.name ?? null, hamlet_key: plan.household.hamlet?.key ?? null,
            address: plan.household.address, head_by_station: true, origin: 'station', created_event_id: eventId,
          })
          .returning(['id', 'household_code', 'address', 'head_person_id', 'dissolved_on'])
          .executeTakeFirstOrThrow();
  const { deceased, open } = placed?.outcome === 'new' ? { deceased: false, open: undefined } : await statusOf(tx, personId);
  if (deceased) throw personDeceased();
  if (open?.household_id === household.id) throw conflict('ALREADY_MEMBER', 'Người này đã là thành viên của hộ.', 'This person is already a member of the household.');
  // A move between households (or from another commune's register) leaves the old one on the same date.
  if (open) await closeMembership(tx, open, personId, 'moved_elsewhere', e.occurred_on, eventId);
  const m = await sdb
    .insertInto('station_member')
    .values({
      household_id: household.id, person_id: personId, commune_code: ctx.area.commune, relation, relation_label: relationLabel(relation, sex),
      joined_on: e.occurred_on, joined_reason: 'move_in', joined_event_id: eventId, origin: 'station',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (relation === 'head') await sdb.updateTable('station_household').set({ head_person_id: personId, head_by_station: true }).where('id', '=', household.id).execute();
  // Someone moving back into a household every member had left: it is a household again.
  if (household.dissolved_on) await dissolveEmptyHouseholds(tx, ctx.area.commune, e.occurred_on, [household.id]);
  return {
    person_id: personId,
    household_id: household.id,
    household_code: household.household_code,
    membership_id: m.id,
    ...(open ? { closed_memberships: [open.id] } : {}),
    ...(placed ? { source_record: placed.sourceRecord, mpi_outcome: placed.outcome } : {}),
  };
}

const notWriter = () =>
  new DomainError('forbidden', 'REGISTER_READ_ONLY', 'Chỉ nhân viên trạm y tế của xã ghi nhận biến động hộ gia đình.', 'Only the commune station’s staff record register events.');

type Answer = { status: 'applied' | 'already_applied'; result: EventResult };
/** An entry's answer, or why it could not be applied (a DomainError to refuse it, anything else a server error). */
type Outcome = Answer | { failed: unknown };

interface Queued {
  entry: RegisterEntry;
  hash: string;
}

/** Entries applied per transaction: one MPI placement for the chunk's new persons, one commit, one audit insert. */
const CHUNK = 100;

/** Thrown out of a chunk's transaction: the entry at `at` cannot be applied together with the entries before it. */
class ChunkStop extends Error {
  constructor(
    readonly at: number,
    readonly reason: unknown,
  ) {
    super('register chunk stopped');
  }
}

/** A birth, or a move in of a person the station does not know yet: a new source record the MPI places. */
const placesPerson = (e: RegisterEntry): e is BirthEntry | MoveInEntry => e.kind === 'birth' || (e.kind === 'move_in' && e.person !== undefined);

const planOf = (tx: Db, ctx: EventContext, e: BirthEntry | MoveInEntry, known?: HouseholdFacts | null): Promise<BirthPlan | MoveInPlan> =>
  e.kind === 'birth' ? planBirth(tx, ctx, e, known) : planMoveIn(tx, ctx, e, known);
const planOrRefusal = (tx: Db, ctx: EventContext, e: BirthEntry | MoveInEntry, known?: HouseholdFacts | null): Promise<BirthPlan | MoveInPlan | DomainError> =>
  planOf(tx, ctx, e, known).catch((err: unknown) => {
    if (err instanceof DomainError && err.kind !== 'internal') return err;
    throw err;
  });
const sameRecord = (a: BirthPlan | MoveInPlan, b: BirthPlan | MoveInPlan) => JSON.stringify(a.record?.row) === JSON.stringify(b.record?.row);

/**
 * Applies a chunk of entries in ONE transaction under the commune's lock, in their order, each
 * idempotent by entry_id. First the new persons: every birth and move in of a newcomer is checked and
 * its record built (no writes), all of them are registered and placed by one MPI call; then each
 * entry is applied in order. A death or a move refused leaves nothing (its savepoint is rolled back);
 * an entry whose person was placed and that is then refused — or whose check an earlier entry of the
 * chunk changed — stops the chunk (ChunkStop): the whole transaction rolls back and the caller applies
 * the entries before it again without it, so a refused birth leaves no record and no person behind.
 */
async function applyChunk(db: Db, ctx: EventContext, chunk: readonly Queued[]): Promise<Outcome[]> {
  return db.transaction().execute(async (tx) => {
    const commune = ctx.area.commune;
    // One writer per commune at a time (two devices recording the same household cannot interleave);
    // then the MPI's shared lock, before any source record is written (mpi/incremental.ts).
    await sql`select pg_advisory_xact_lock(${REGISTER_LOCK}, hashtext(${commune}))`.execute(tx);
    await holdAgainstRelink(tx);
    // Under the lock a replay finds its entry committed: it is answered, never applied twice.
    const prior = new Map(
      (await stationDb(tx).selectFrom('station_event').select(['entry_id', 'commune_code', 'payload_sha256', 'result']).where('entry_id', 'in', chunk.map((q) => q.entry.entry_id)).execute())
        .map((r) => [r.entry_id, { commune: r.commune_code, hash: r.payload_sha256, result: r.result as unknown as EventResult }]),
    );
    const plans = new Map<string, BirthPlan | MoveInPlan | DomainError>();
    const records = new Map<string, StationRecord>();
    const toPlan = chunk.flatMap(({ entry }, i) => (placesPerson(entry) && !prior.has(entry.entry_id) ? [{ i, entry }] : []));
    // The households of all of them in one read: the checks below are then computed, not queried.
    const withHousehold = toPlan.filter(({ entry }) => entry.household_id !== undefined);
    const facts = new Map(
      (await householdFacts(tx, commune, withHousehold.map(({ entry }) => ({ household: entry.household_id!, mother: entry.kind === 'birth' ? (entry.child.mother_person_id ?? null) : null }))))
        .map((f, n) => [withHousehold[n]!.entry, f ?? null]),
    );
    for (const { i, entry } of toPlan) {
      if (plans.has(entry.entry_id)) continue;
      try {
        const plan = await planOrRefusal(tx, ctx, entry, entry.household_id !== undefined ? facts.get(entry)! : undefined);
        plans.set(entry.entry_id, plan);
        if (!(plan instanceof DomainError) && plan.record) records.set(entry.entry_id, plan.record);
      } catch (e) {
        throw new ChunkStop(i, e);
      }
    }
    let placements: Map<string, Placement | DomainError>;
    try {
      placements = await placeRecords(tx, records);
    } catch (e) {
      throw new ChunkStop(Math.max(0, chunk.findIndex((q) => records.has(q.entry.entry_id))), e);
    }

    // The event ids the chunk's entries may take, drawn at once: an entry's writes refer to its id, and
    // its event row is stored after them, complete, in one statement.
    const eventIds = (await sql<{ id: number }>`select nextval(pg_get_serial_sequence('station_event', 'id'))::int as id from generate_series(1, ${chunk.length})`.execute(tx)).rows.map((r) => r.id);
    const out: Outcome[] = [];
    const audits: AuditEntry[] = [];
    // What the entries applied so far changed: a new person only their household; anything else may change any check.
    let changedAny = false;
    const changedHouseholds = new Set<number>();
    for (const [i, { entry, hash }] of chunk.entries()) {
      const seen = prior.get(entry.entry_id);
      if (seen) {
        out.push(seen.hash !== hash || seen.commune !== commune ? { failed: entryReused() } : { status: 'already_applied', result: seen.result });
        continue;
      }
      let result: EventResult;
      if (placesPerson(entry)) {
        const first = plans.get(entry.entry_id)!;
        const household = first instanceof DomainError ? null : first.household.id;
        const plan = changedAny || (household !== null && changedHouseholds.has(household)) || first instanceof DomainError ? await planOrRefusal(tx, ctx, entry) : first;
        if (first instanceof DomainError && plan instanceof DomainError) {
          out.push({ failed: plan });
          continue;
        }
        // Checked before the chunk's earlier entries were applied, and they changed the answer: applied after them.
        if (first instanceof DomainError || plan instanceof DomainError || !sameRecord(first, plan)) throw new ChunkStop(i, plan instanceof DomainError ? plan : undefined);
        const placed = placements.get(entry.entry_id);
        if (!placed || placed instanceof DomainError) throw new ChunkStop(i, placed);
        try {
          result = await recordEvent(tx, ctx, entry, hash, eventIds[i]!, (eventId) =>
            entry.kind === 'birth' ? applyBirth(tx, ctx, entry, eventId, plan as BirthPlan, placed) : applyMoveIn(tx, ctx, entry, eventId, plan as MoveInPlan, placed),
          );
        } catch (e) {
          throw new ChunkStop(i, e);
        }
      } else {
        await sql`savepoint register_entry`.execute(tx);
        try {
          result = await recordEvent(tx, ctx, entry, hash, eventIds[i]!, async (eventId) =>
            entry.kind === 'death'
              ? applyDeath(tx, ctx, entry, eventId)
              : entry.kind === 'move_out'
                ? applyMoveOut(tx, ctx, entry, eventId)
                : applyMoveIn(tx, ctx, entry as MoveInEntry, eventId, await planMoveIn(tx, ctx, entry as MoveInEntry), undefined),
          );
          await sql`release savepoint register_entry`.execute(tx);
        } catch (e) {
          if (!(e instanceof DomainError) || e.kind === 'internal') throw new ChunkStop(i, e);
          await sql`rollback to savepoint register_entry`.execute(tx);
          out.push({ failed: e });
          continue;
        }
      }
      // A person the MPI just started joined one household and left none.
      if (result.mpi_outcome === 'new' && result.household_id !== null) changedHouseholds.add(result.household_id);
      else changedAny = true;
      // A later entry of the chunk with the same id is a replay of this one.
      prior.set(entry.entry_id, { commune, hash, result });
      out.push({ status: 'applied', result });
      audits.push({
        actor: ctx.actor,
        action: `station.event.${entry.kind}`,
        personId: result.person_id,
        resource: `station_event/${result.event_id}`,
        requestId: ctx.requestId,
        detail: { entry_id: entry.entry_id, household_id: result.household_id, purpose: 'household_register' },
      });
    }
    await auditMany(tx, audits);
    return out;
  });
}

/** Applies the entry under its event id, then stores the event row with its result in one statement. */
async function recordEvent(tx: Db, ctx: EventContext, entry: RegisterEntry, hash: string, eventId: number, apply: (eventId: number) => Promise<Applied>): Promise<EventResult> {
  const result: EventResult = { event_id: eventId, entry_id: entry.entry_id, kind: entry.kind, occurred_on: entry.occurred_on, ...(await apply(eventId)) };
  // The person is on the row before the next entry of the chunk is checked (a second death of one person is refused).
  const ev = await stationDb(tx)
    .insertInto('station_event')
    .values({
      id: eventId, entry_id: entry.entry_id, kind: entry.kind, commune_code: ctx.area.commune, facility_code: ctx.area.stationCode!, occurred_on: entry.occurred_on,
      recorded_by: ctx.staffId, recorded_by_name: ctx.staffName, client_recorded_at: entry.client_recorded_at ?? null, payload_sha256: hash,
      payload: JSON.stringify(entry), result: JSON.stringify(result), person_id: result.person_id, household_id: result.household_id,
    })
    .onConflict((oc) => oc.column('entry_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  // Taken meanwhile outside this commune's lock (the same id sent to another commune): nothing applied.
  if (!ev) throw new DomainError('internal', 'INTERNAL', 'Lỗi hệ thống, vui lòng thử lại sau.', 'Internal error, please retry later.');
  return result;
}

/**
 * Applies the longest run of `chunk` that goes in one transaction and answers it; answers how many
 * entries that was. An entry that stopped the chunk is applied alone, its refusal answered.
 */
async function applyRun(db: Db, ctx: EventContext, chunk: readonly Queued[], answer: (k: number, o: Outcome) => void): Promise<number> {
  let stop: ChunkStop;
  try {
    const outcomes = await applyChunk(db, ctx, chunk);
    for (const [k, o] of outcomes.entries()) answer(k, o);
    return chunk.length;
  } catch (e) {
    // A failure outside any entry (the commit, a lock) is charged to the first, which is retried alone.
    stop = e instanceof ChunkStop ? e : new ChunkStop(0, e);
  }
  if (chunk.length === 1) {
    answer(0, { failed: stop.reason ?? new DomainError('internal', 'INTERNAL', 'Lỗi hệ thống, vui lòng thử lại sau.', 'Internal error, please retry later.') });
    return 1;
  }
  return applyRun(db, ctx, chunk.slice(0, Math.max(1, stop.at)), answer);
}

/**
 * Applies one event: the same entry_id again answers the stored result (nothing is applied twice);
 * a refusal throws a DomainError and leaves nothing behind.
 */
export async function applyEntry(db: Db, ctx: EventContext, entry: RegisterEntry): Promise<Answer> {
  if (!ctx.area.canWrite || !ctx.area.stationCode) throw notWriter();
  checkDate(entry.occurred_on, 'occurred_on');
  let outcome: Outcome = { failed: undefined };
  await applyRun(db, ctx, [{ entry, hash: entryHash(entry) }], (_, o) => {
    outcome = o;
  });
  if ('failed' in outcome) throw outcome.failed;
  return outcome;
}

/** Checks one queued entry against its kind's schema: the batch answers each entry, it never fails as a whole for one. */
export function checkEntry(raw: unknown): RegisterEntry {
  const kind = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).kind : undefined;
  const schema = typeof kind === 'string' ? ENTRY_SCHEMAS[kind as RegisterEntry['kind']] : undefined;
  if (!schema) {
    throw invalid('KIND_INVALID', 'Loại biến động phải là birth, death, move_in hoặc move_out.', 'kind must be one of birth, death, move_in, move_out.');
  }
  return checkEntryAgainst(schema, raw, { clean: true }) as RegisterEntry;
}


/**
 * Applies queued entries in their order, CHUNK to a transaction, and answers each (applied, already
 * applied, refused with the reason); one entry's refusal never stops the others.
 */
export async function applyBatch(db: Db, ctx: EventContext, entries: readonly unknown[], log?: (e: unknown) => void): Promise<EntryOutcome[]> {
  if (!ctx.area.canWrite || !ctx.area.stationCode) throw notWriter();
  checkBatchSize(entries);
  const out: EntryOutcome[] = new Array(entries.length);
  const queued: Array<Queued & { at: number }> = [];
  for (const [at, raw] of entries.entries()) {
    try {
      const entry = checkEntry(raw);
      checkDate(entry.occurred_on, 'occurred_on');
      queued.push({ at, entry, hash: entryHash(entry) });
    } catch (e) {
      out[at] = failedOutcome(entryIdOf(raw), e, log);
    }
  }
  for (let i = 0; i < queued.length; ) {
    const chunk = queued.slice(i, i + CHUNK);
    i += await applyRun(db, ctx, chunk, (k, o) => {
      const { at, entry } = chunk[k]!;
      out[at] = 'failed' in o ? failedOutcome(entry.entry_id, o.failed, log) : { entry_id: entry.entry_id, ...o };
    });
  }
  return out;
}
