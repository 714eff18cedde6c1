import { cleanText, DomainError, invalid, vietnamToday } from '@openhssk/core';
import { type HouseholdRelation, normalizeSourceRecord } from '@openhssk/core/mpi';
import { sql } from 'kysely';
import { type Actor, audit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { linkIncoming } from '../mpi/index.ts';
import { registerSourceRecord } from '../person/index.ts';
import {
  type BirthEntry, type DeathEntry, ENTRY_SCHEMAS, type MoveInEntry, type MoveOutEntry, type MovingPerson, type RegisterEntry,
} from './entries.ts';
import { hamletKey, parseHamlet } from './hamlet.ts';
import { dissolveEmptyHouseholds, REGISTER_LOCK } from './households.ts';
import { RELATION_VI } from './labels.ts';
import { applyEach, applyOnce, checkEntryAgainst, entryHash, entryReused, type OfflineOutcome, ReplayRace } from './offline.ts';
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

/** Registers a person the station met as a TYT source record and places it with the MPI in this transaction. */
async function registerWithMpi(
  tx: Db,
  ctx: EventContext,
  entryId: string,
  p: MovingPerson & { dia_chi: string | null; ma_ho_gia_dinh: string; quan_he_chu_ho: string },
): Promise<{ personId: string; outcome: 'new' | 'joined'; sourceRecord: string }> {
  const sourceId = `${ctx.area.stationCode}:${entryId}`;
  const row = {
    source_system: STATION_SOURCE,
    source_id: sourceId,
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
  const { issues } = normalizeSourceRecord(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v ?? ''])));
  const error = issues.find((i) => i.severity === 'error');
  if (error) throw invalid(error.code, error.message_vi, error.message_en, { field: error.field });
  if (!(await registerSourceRecord(tx, row))) {
    throw new DomainError('internal', 'SOURCE_RECORD_EXISTS', 'Bản ghi nguồn của mục nhập này đã tồn tại.', 'The source record of this entry already exists.');
  }
  const [placed] = await linkIncoming(tx, [{ system: STATION_SOURCE, id: sourceId }]);
  if (!placed?.personId || (placed.outcome !== 'new' && placed.outcome !== 'joined')) {
    throw invalid('PERSON_UNMATCHABLE', 'Họ tên hoặc ngày sinh không dùng được để lập hồ sơ.', 'The name or birth date cannot be used to register the person.');
  }
  return { personId: placed.personId, outcome: placed.outcome, sourceRecord: `${STATION_SOURCE}/${sourceId}` };
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

async function applyBirth(tx: Db, ctx: EventContext, e: BirthEntry, eventId: number): Promise<Applied> {
  const mother = e.child.mother_person_id ?? null;
  const h = (
    await sql<{ id: number; household_code: string; address: string | null; dissolved_on: string | null; mother_household: number | null; mother_relation: HouseholdRelation | null }>`
      select h.id, h.household_code, h.address, h.dissolved_on, mm.household_id as mother_household, mm.relation as mother_relation
        from station_household h left join station_member mm on mm.person_id = ${mother} and mm.closed_at is null
       where h.id = ${e.household_id} and h.commune_code = ${ctx.area.commune}`.execute(tx)
  ).rows[0];
  if (!h) throw householdNotFound();
  if (h.dissolved_on) throw conflict('HOUSEHOLD_DISSOLVED', 'Hộ gia đình này không còn thành viên.', 'This household has no members left.');
  if (mother !== null && h.mother_household !== h.id) {
    throw invalid('MOTHER_NOT_MEMBER', 'Người mẹ phải là thành viên hiện tại của hộ.', 'The mother must be a current member of the household.');
  }
  const motherRelation = mother !== null ? h.mother_relation : null;
  const relation = e.child.relation ?? childRelationVia(motherRelation);
  const label = relationLabel(relation, e.child.gioi_tinh);
  const placed = await registerWithMpi(tx, ctx, e.entry_id, {
    ho_ten: e.child.ho_ten, ngay_sinh: e.occurred_on, gioi_tinh: e.child.gioi_tinh, dia_chi: h.address, ma_ho_gia_dinh: h.household_code, quan_he_chu_ho: label,
  });
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
  const m = await stationDb(tx)
    .insertInto('station_member')
    .values({
      household_id: h.id, person_id: placed.personId, commune_code: ctx.area.commune, relation, relation_label: label,
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

async function applyMoveIn(tx: Db, ctx: EventContext, e: MoveInEntry, eventId: number): Promise<Applied> {
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
  const sdb = stationDb(tx);
  let household: { id: number; household_code: string; address: string | null; head_person_id: string | null; dissolved_on?: string | null };
  let relation: HouseholdRelation;
  if (e.new_household) {
    if (e.relation !== undefined && e.relation !== 'head') {
      throw invalid('NEW_HOUSEHOLD_HEAD', 'Người lập hộ mới là chủ hộ.', 'The person who opens a new household is its head.');
    }
    relation = 'head';
    const address = cleanText(e.new_household.address);
    const typed = e.new_household.hamlet ? cleanText(e.new_household.hamlet) : '';
    const hamlet = parseHamlet(typed || address) ?? (typed ? { name: typed, key: hamletKey(typed) } : undefined);
    household = await sdb
      .insertInto('station_household')
      .values({
        commune_code: ctx.area.commune,
        // Derived from the entry, so the code is the same whichever device sent it first.
        household_code: `TYT${e.entry_id.replace(/-/g, '').slice(0, 10).toUpperCase()}`,
        hamlet: hamlet?.name ?? null,
        hamlet_key: hamlet?.key ?? null,
        address,
        head_by_station: true,
        origin: 'station',
        created_event_id: eventId,
      })
      .returning(['id', 'household_code', 'address', 'head_person_id'])
      .executeTakeFirstOrThrow();
  } else {
    household = await householdIn(tx, ctx.area.commune, e.household_id!);
    relation = e.relation ?? 'other';
    if (relation === 'head' && household.head_person_id) {
      const head = await openMembershipOf(tx, household.head_person_id);
      if (head?.household_id === household.id) {
        throw conflict('HEAD_EXISTS', 'Hộ đã có chủ hộ; chọn quan hệ khác với chủ hộ.', 'The household already has a head: choose another relation.');
      }
    }
  }

  let personId: string;
  let sex: number | null | undefined = e.person?.gioi_tinh;
  let mpi: { outcome: 'new' | 'joined'; sourceRecord: string } | undefined;
  if (e.person_id !== undefined) {
    const subject = await subjectInArea(tx, ctx, e.person_id);
    personId = subject.id;
    sex = subject.gioi_tinh;
  } else {
    const p = e.person!;
    const placed = await registerWithMpi(tx, ctx, e.entry_id, {
      ...p, dia_chi: household.address, ma_ho_gia_dinh: household.household_code, quan_he_chu_ho: relationLabel(relation, p.gioi_tinh),
    });
    personId = placed.personId;
    mpi = placed;
  }
  const { deceased, open } = mpi?.outcome === 'new' ? { deceased: false, open: undefined } : await statusOf(tx, personId);
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
    ...(mpi ? { source_record: mpi.sourceRecord, mpi_outcome: mpi.outcome } : {}),
  };
}

const notWriter = () =>
  new DomainError('forbidden', 'REGISTER_READ_ONLY', 'Chỉ nhân viên trạm y tế của xã ghi nhận biến động hộ gia đình.', 'Only the commune station’s staff record register events.');

/**
 * Applies one event in its own transaction: the same entry_id again answers the stored result
 * (nothing is applied twice); a refusal throws a DomainError and leaves nothing behind.
 */
export async function applyEntry(db: Db, ctx: EventContext, entry: RegisterEntry): Promise<{ status: 'applied' | 'already_applied'; result: EventResult }> {
  if (!ctx.area.canWrite || !ctx.area.stationCode) throw notWriter();
  const hash = entryHash(entry);
  const replay = async () => {
    const prior = await stationDb(db).selectFrom('station_event').select(['commune_code', 'payload_sha256', 'result']).where('entry_id', '=', entry.entry_id).executeTakeFirst();
    if (!prior) return undefined;
    if (prior.payload_sha256 !== hash || prior.commune_code !== ctx.area.commune) throw entryReused();
    return { status: 'already_applied' as const, result: prior.result as unknown as EventResult };
  };
  checkDate(entry.occurred_on, 'occurred_on');
  return applyOnce<{ status: 'applied' | 'already_applied'; result: EventResult }>(replay, () =>
    db.transaction().execute(async (tx) => {
      const sdb = stationDb(tx);
      // One writer per commune at a time (two devices recording the same household cannot
      // interleave), then the event row: a replay finds its entry_id taken (committed, or committing:
      // the insert waits for it) and answers the stored result instead of applying anything. One
      // round trip for both: the lock is taken before the row is inserted.
      const ev = (
        await sql<{ id: number }>`
          with commune_lock as (select pg_advisory_xact_lock(${REGISTER_LOCK}, hashtext(${ctx.area.commune})))
          insert into station_event (entry_id, kind, commune_code, facility_code, occurred_on, recorded_by, recorded_by_name, client_recorded_at, payload_sha256, payload, result)
          select ${entry.entry_id}::uuid, ${entry.kind}, ${ctx.area.commune}, ${ctx.area.stationCode}, ${entry.occurred_on}::date, ${ctx.staffId}, ${ctx.staffName},
                 ${entry.client_recorded_at ?? null}::timestamptz, ${hash}, ${JSON.stringify(entry)}::jsonb, '{}'::jsonb
            from commune_lock
          on conflict (entry_id) do nothing
          returning id`.execute(tx)
      ).rows[0];
      if (!ev) throw new ReplayRace();
      const applied =
        entry.kind === 'birth'
          ? await applyBirth(tx, ctx, entry, ev.id)
          : entry.kind === 'death'
            ? await applyDeath(tx, ctx, entry, ev.id)
            : entry.kind === 'move_out'
              ? await applyMoveOut(tx, ctx, entry, ev.id)
              : await applyMoveIn(tx, ctx, entry, ev.id);
      const result: EventResult = { event_id: ev.id, entry_id: entry.entry_id, kind: entry.kind, occurred_on: entry.occurred_on, ...applied };
      await sdb
        .updateTable('station_event')
        .set({ person_id: result.person_id, household_id: result.household_id, result: JSON.stringify(result) })
        .where('id', '=', ev.id)
        .execute();
      if (entry.kind === 'move_in' && entry.new_household && result.household_id !== null) {
        await sdb.updateTable('station_household').set({ created_event_id: ev.id }).where('id', '=', result.household_id).execute();
      }
      await audit(tx, {
        actor: ctx.actor,
        action: `station.event.${entry.kind}`,
        personId: result.person_id,
        resource: `station_event/${ev.id}`,
        requestId: ctx.requestId,
        detail: { entry_id: entry.entry_id, household_id: result.household_id, purpose: 'household_register' },
      });
      return { status: 'applied' as const, result };
    }),
  );
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

/** Applies queued entries one by one, each in its own transaction, and answers each. */
export async function applyBatch(db: Db, ctx: EventContext, entries: readonly unknown[], log?: (e: unknown) => void): Promise<EntryOutcome[]> {
  if (!ctx.area.canWrite) throw notWriter();
  return applyEach(entries, (raw) => applyEntry(db, ctx, checkEntry(raw)), log);
}
