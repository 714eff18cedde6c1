import { DomainError, invalid, notFound, vietnamToday } from '@openhssk/core';
import { matchProduct, parseDay } from '@openhssk/core/immunization';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { type Actor, audit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { requireStaff, type StaffContext, type StaffRole, staffActor, stationCommune } from '../staff/index.ts';
import { applyEach, applyOnce, checkEntryAgainst, entryHash, entryReused, OFFLINE_MAX_BATCH, type OfflineOutcome, personInArea, ReplayRace } from '../station/index.ts';
import { markCoverageDirty } from './coverage.ts';
import { refreshDue } from './due.ts';
import { refreshDuplicates } from './store.ts';
import { immDb } from './tables.ts';

/**
 * Doses recorded at the commune station (the station app, offline-capable): one entry per dose, with
 * a client-generated `entry_id`, so a queued entry sent again answers its first result instead of
 * being stored twice. The batch endpoint takes up to 500 entries and answers each, like the other
 * station modules.
 */

/** Station roles that give vaccines; the population collaborator does not. */
export const VACCINATOR_ROLES: readonly StaffRole[] = ['station_head', 'station_clinician', 'station_nurse'];
export const STATION_SOURCE = 'TYT';
export const MAX_BATCH = OFFLINE_MAX_BATCH;
const PERSON_LOCK_SPACE = 7346160;

export const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
export const INSTANT = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?(Z|[+-]\\d{2}:\\d{2})$';

export const ROUTES = ['IM', 'SC', 'ID', 'PO'] as const;

export const doseEntry = Type.Object(
  {
    entry_id: Type.String({ pattern: UUID, description: 'UUID the app generated when the dose was recorded: a replay answers the first result' }),
    person_id: Type.String({ minLength: 1, maxLength: 64, description: 'the person vaccinated: a resident of the station’s commune (or checked in there)' }),
    given_on: Type.String({ pattern: DATE, description: 'date given (YYYY-MM-DD, Vietnam date)' }),
    vaccine: Type.String({ minLength: 1, maxLength: 200, description: 'product name or code, e.g. "DPT-VGB-Hib", "bOPV", "MR", "Quinvaxem" (GET /api/v1/immunization/products)' }),
    dose_no: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
    lot_no: Type.Optional(Type.String({ maxLength: 50 })),
    route: Type.Optional(Type.Union(ROUTES.map((r) => Type.Literal(r)), { description: 'IM intramuscular, SC subcutaneous, ID intradermal, PO oral' })),
    body_site: Type.Optional(Type.String({ maxLength: 100, description: 'vị trí tiêm, e.g. "đùi trái"' })),
    reaction: Type.Optional(Type.String({ maxLength: 500, description: 'reaction observed after the dose at the station' })),
    client_recorded_at: Type.Optional(Type.String({ pattern: INSTANT, description: 'when the device recorded it (offline entries arrive later)' })),
  },
  { additionalProperties: false },
);
export type DoseEntry = Static<typeof doseEntry>;

export interface StationContext {
  staff: StaffContext;
  facilityCode: string;
  commune: string;
  actor: Actor;
  careDays: number;
  requestId?: string | undefined;
}

/** A station vaccinator and the station's commune; anyone else is refused. */
export async function requireVaccinator(db: Db, req: FastifyRequest, careDays: number): Promise<StationContext> {
  const staff = await requireStaff(db, req, { roles: VACCINATOR_ROLES });
  const commune = await stationCommune(db, staff);
  if (!commune || !staff.facilityCode) {
    throw new DomainError(
      'forbidden',
      'STATION_WITHOUT_COMMUNE',
      'Trạm y tế của bạn chưa được gắn với một xã/phường: chưa thể ghi mũi tiêm.',
      'Your station is not attached to a commune: doses cannot be recorded yet.',
    );
  }
  return { staff, facilityCode: staff.facilityCode, commune, actor: staffActor(staff), careDays, requestId: req.id };
}

export interface DoseResult {
  dose_id: number;
  entry_id: string;
  person_id: string;
  given_on: string;
  product_id: string;
  antigens: string[];
  /** Another record of the same real dose (e.g. already imported from the immunization system): counted once. */
  duplicate_of: number | null;
}

export type DoseOutcome = OfflineOutcome<DoseResult>;

const doseEntryReused = () => entryReused({ vi: 'mũi tiêm', en: 'dose' });

async function stored(db: Db, entryId: string) {
  return immDb(db)
    .selectFrom('vaccination')
    .select(['id', 'person_id', 'given_on', 'product_id', 'antigens', 'duplicate_of', 'content_hash', 'facility_code'])
    .where('entry_id', '=', entryId)
    .executeTakeFirst();
}

const resultOf = (entryId: string, r: NonNullable<Awaited<ReturnType<typeof stored>>>): DoseResult => ({
  dose_id: Number(r.id),
  entry_id: entryId,
  person_id: r.person_id,
  given_on: r.given_on,
  product_id: r.product_id ?? '',
  antigens: r.antigens,
  duplicate_of: r.duplicate_of === null ? null : Number(r.duplicate_of),
});

/** Stores one dose in its own transaction; a replay of the same entry answers the stored dose. */
export async function recordDose(db: Db, ctx: StationContext, entry: DoseEntry): Promise<{ status: 'applied' | 'already_applied'; result: DoseResult }> {
  const hash = entryHash(entry);
  const replay = async () => {
    const prior = await stored(db, entry.entry_id);
    if (!prior) return undefined;
    if (prior.content_hash !== hash || prior.facility_code !== ctx.facilityCode) throw doseEntryReused();
    return { status: 'already_applied' as const, result: resultOf(entry.entry_id, prior) };
  };
  const first = await replay();
  if (first) return first;

  if (parseDay(entry.given_on) === undefined) throw invalid('DOSE_DATE_INVALID', `Ngày tiêm "${entry.given_on}" không hợp lệ.`, `Date given "${entry.given_on}" is not a valid date.`);
  if (entry.given_on > vietnamToday()) throw invalid('DOSE_DATE_IN_FUTURE', 'Ngày tiêm ở tương lai.', 'The date given is in the future.');
  const product = matchProduct(entry.vaccine);
  if (!product) {
    throw invalid('VACCINE_UNKNOWN', `Không nhận ra vắc xin "${entry.vaccine}": chọn vắc xin trong danh mục.`, `Vaccine "${entry.vaccine}" is not recognised: choose one from the product list.`);
  }
  // Outside the station's people and unknown answer alike, so person ids cannot be probed.
  if (!(await personInArea(db, { commune: ctx.commune, stationCode: ctx.facilityCode }, entry.person_id, { careDays: ctx.careDays }))) {
    throw notFound('người dân này trong địa bàn của trạm', 'Person in the station’s area');
  }
  const person = await db.selectFrom('person').select(['ngay_sinh', 'ma_xa']).where('id', '=', entry.person_id).executeTakeFirst();
  if (!person) throw notFound('người dân này trong địa bàn của trạm', 'Person in the station’s area');
  if (person.ngay_sinh && entry.given_on < person.ngay_sinh.slice(0, 10) && person.ngay_sinh.length === 10) {
    throw invalid('DOSE_BEFORE_BIRTH', 'Ngày tiêm trước ngày sinh của người được tiêm.', 'The date given is before the person’s birth date.');
  }

  return applyOnce<{ status: 'applied' | 'already_applied'; result: DoseResult }>(replay, () =>
    db.transaction().execute(async (tx) => {
      // Two devices recording doses of one child: the second sees the first when it links duplicates.
      await sql`select pg_advisory_xact_lock(${PERSON_LOCK_SPACE}, hashtext(${entry.person_id}))`.execute(tx);
      const inserted = await immDb(tx)
        .insertInto('vaccination')
        .values({
          person_id: entry.person_id, source: STATION_SOURCE, entry_id: entry.entry_id, vaccine_code: product.id, vaccine_name: entry.vaccine.trim(), product_id: product.id,
          antigens: [...product.antigens], dose_no: entry.dose_no ?? null, given_on: entry.given_on, facility_code: ctx.facilityCode, lot_no: entry.lot_no?.trim() || null,
          route: entry.route ?? null, body_site: entry.body_site?.trim() || null, reaction: entry.reaction?.trim() || null, recorded_by: ctx.staff.id,
          recorded_by_name: ctx.staff.name, content_hash: hash, source_record_id: null, person_source_system: null, person_source_id: null, facility_ref: ctx.facilityCode,
          duplicate_of: null, import_id: null,
        })
        .onConflict((oc) => oc.column('entry_id').where('entry_id', 'is not', null).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) throw new ReplayRace();
      await refreshDuplicates(tx, [entry.person_id]);
      await markCoverageDirty(tx, [person.ma_xa]);
      await refreshDue(tx, [entry.person_id]);
      const row = (await stored(tx, entry.entry_id))!;
      await audit(tx, {
        actor: ctx.actor,
        action: 'immunization.dose.record',
        personId: entry.person_id,
        resource: `vaccination/${inserted.id}`,
        requestId: ctx.requestId,
        detail: { entry_id: entry.entry_id, product: product.id, ...(row.duplicate_of ? { duplicate_of: Number(row.duplicate_of) } : {}) },
      });
      return { status: 'applied' as const, result: resultOf(entry.entry_id, row) };
    }),
  );
}

/** One queued entry checked against the schema: the batch answers each entry, it never fails as a whole for one. */
export const checkEntry = (raw: unknown): DoseEntry => checkEntryAgainst(doseEntry, raw);

/** Applies queued entries one by one, each in its own transaction, and answers each. */
export async function recordBatch(db: Db, ctx: StationContext, entries: readonly unknown[], log?: (e: unknown) => void): Promise<DoseOutcome[]> {
  return applyEach(entries, (raw) => recordDose(db, ctx, checkEntry(raw)), log);
}
