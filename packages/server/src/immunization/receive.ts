import { DomainError, vietnamToday } from '@openhssk/core';
import { matchProduct, type Product, parseDay } from '@openhssk/core/immunization';
import { sql } from 'kysely';
import { type Actor, audit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { markCoverageDirty } from './coverage.ts';
import { refreshDue } from './due.ts';
import { placeSubject, type ReceivedSubject, sourcePerson } from '../mpi/index.ts';
import { type Batch, type DoseRow as ImportDoseRow, doseContentHash, type Totals, writeBatch } from './import.ts';
import { refreshDuplicates } from './store.ts';
import { immDb } from './tables.ts';

/**
 * A dose received from an external system as a FHIR Immunization (fhir/write-immunization.ts maps
 * the resource to this). It goes through the import's own writer (writeBatch): the person the
 * sender describes becomes a source record of the sender, placed by the MPI (linkDeterministic,
 * then linkIncoming) in the dose's transaction; the dose is stored once per (sender, identifier), so
 * a re-post changes nothing and a corrected one replaces the stored dose, as a re-import does; a
 * dose another source already reported (same person, antigen, ±1 day) is linked as its duplicate.
 * When the sender names the person only by a national id or by our Patient id, the dose is stored
 * on that person directly, as a station dose is.
 */

/** The `source` of a dose a facility system sent through FHIR. */
export const fhirSource = (facilityCode: string) => `FHIR-${facilityCode}`;

export interface ReceivedDose {
  sender: { facilityCode: string; clientId: string };
  identifier: { system: string; value: string };
  subject: ReceivedSubject;
  /** Codes and names the resource gives for the vaccine, tried in order against the product list. */
  vaccine: string[];
  vaccineName: string;
  doseNo: number | null;
  /** 'yyyy-mm-dd', Vietnam date. */
  givenOn: string;
  /** Where it was given: a MACSKCB, or the name the sender wrote. */
  place: string | null;
  lotNo: string | null;
  route: string | null;
  bodySite: string | null;
  reaction: string | null;
}

export interface ReceiveResult {
  doseId: number;
  personId: string;
  /** false: the same resource was stored before (unchanged) or this one corrected it. */
  created: boolean;
  /** The record the registry counts for this real dose: itself, or the dose another source reported first. */
  countedAs: number;
}

const unprocessable = (code: string, vi: string, en: string) => new DomainError('unprocessable', code, vi, en);

/** The product of the dose, from our vaccine list; an unknown vaccine is refused (as at a station). */
export function receivedProduct(candidates: readonly string[]): Product {
  for (const c of candidates) {
    const p = matchProduct(c);
    if (p) return p;
  }
  throw unprocessable(
    'VACCINE_UNKNOWN',
    `Không nhận ra vắc xin "${candidates.join('", "')}": dùng mã trong danh mục vắc xin (CodeSystem vac-xin) hoặc tên vắc xin.`,
    `Vaccine "${candidates.join('", "')}" is not recognised: use a code of the vaccine list (CodeSystem vac-xin) or the vaccine's name.`,
  );
}

const beforeBirth = () => unprocessable('DOSE_BEFORE_BIRTH', 'Ngày tiêm trước ngày sinh của người được tiêm.', 'The date given is before the person’s birth date.');

const personUnknown = () =>
  unprocessable(
    'PATIENT_UNKNOWN',
    'Không xác định được người được tiêm: gửi kèm Patient (contained) có họ tên và ngày sinh.',
    'The vaccinated person is not known here: send a contained Patient with name and birth date.',
  );

/** Stores the dose (see the module comment) and writes the access log in the same transaction. */
export async function receiveDose(db: Db, d: ReceivedDose, who: { actor: Actor; requestId?: string | undefined }): Promise<ReceiveResult> {
  if (parseDay(d.givenOn) === undefined) throw unprocessable('DOSE_DATE_INVALID', `Ngày tiêm "${d.givenOn}" không hợp lệ.`, `Date given "${d.givenOn}" is not a valid date.`);
  if (d.givenOn > vietnamToday()) throw unprocessable('DOSE_DATE_IN_FUTURE', `Ngày tiêm ${d.givenOn} ở tương lai.`, `Date given ${d.givenOn} is in the future.`);
  const product = receivedProduct(d.vaccine);
  const source = fhirSource(d.sender.facilityCode);
  const sourceRecordId = `${d.identifier.system}|${d.identifier.value}`;
  const place = d.place?.trim() || null;
  const placeCode = place && (await db.selectFrom('facility').select('code').where('code', '=', place).executeTakeFirst()) ? place : null;
  const fields = {
    source, source_record_id: sourceRecordId, vaccine_code: d.vaccine[0] ?? null,
    vaccine_name: d.vaccineName || product.name_vi, product_id: product.id, antigens: [...product.antigens], dose_no: d.doseNo, given_on: d.givenOn,
    facility_code: placeCode, facility_ref: place, lot_no: d.lotNo?.slice(0, 50) || null, route: d.route?.slice(0, 50) || null,
    body_site: d.bodySite?.slice(0, 100) || null, reaction: d.reaction?.slice(0, 500) || null, source_identifier_system: d.identifier.system,
    sender_facility_code: d.sender.facilityCode, sender_client_id: d.sender.clientId,
  };

  let result: ReceiveResult | undefined;
  const finish = (created: boolean) => async (tx: Db) => {
    const row = await immDb(tx)
      .selectFrom('vaccination')
      .select(['id', 'person_id', 'duplicate_of'])
      .where('source', '=', source)
      .where('source_record_id', '=', sourceRecordId)
      .executeTakeFirstOrThrow();
    const id = Number(row.id);
    result = { doseId: id, personId: row.person_id, created, countedAs: row.duplicate_of === null ? id : Number(row.duplicate_of) };
    await audit(tx, {
      actor: who.actor,
      action: created ? 'fhir.create' : 'fhir.create.existing',
      personId: row.person_id,
      resource: `Immunization/${id}`,
      requestId: who.requestId,
      detail: { identifier: sourceRecordId.slice(0, 300), product: product.id, ...(row.duplicate_of === null ? {} : { duplicate_of: Number(row.duplicate_of) }) },
    });
  };

  if (d.subject.kind === 'record') {
    const person = sourcePerson(source, d.subject.sourceId, d.subject.fields);
    const errors = person.issues.filter((i) => i.severity === 'error');
    if (!person.record || !person.row || errors.length > 0) {
      const first = errors[0];
      throw unprocessable(
        'PATIENT_INVALID',
        `Patient không dùng được để xác định người được tiêm${first ? `: ${first.message_vi}` : '.'}`,
        `The Patient cannot identify the vaccinated person${first ? `: ${first.message_en}` : '.'}`,
      );
    }
    if (person.born ? d.givenOn < person.born : Number(d.givenOn.slice(0, 4)) < person.record.birthYear) {
      throw beforeBirth();
    }
    const dose: ImportDoseRow = { ...fields, person_source_system: source, person_source_id: person.row.source_id };
    dose.content_hash = doseContentHash(dose);
    const key = `${source}\u0000${person.row.source_id}`;
    const batch: Batch = {
      persons: [person.row],
      identities: new Map([[key, { cccd: person.record.cccd ?? null, bhxh: person.record.bhxh ?? null }]]),
      doses: [dose],
      issues: [],
      progress: { rows: 1, bytesRead: 0, totalBytes: 0 },
    };
    const totals: Totals = { inserted: 0, updated: 0, duplicates: 0, joined: 0, created: 0, kept: 0, counted: new Set() };
    // `then` runs after the insert: whether it inserted is known by then.
    await writeBatch(db, null, batch, totals, (tx) => finish(totals.inserted > 0)(tx));
    return result!;
  }

  // A person named by id: as a station dose, on the person directly (merges move it, book/follow.ts).
  const row = { ...fields, person_source_system: null, person_source_id: null };
  const contentHash = doseContentHash(row);
  await db.transaction().execute(async (tx) => {
    const placed = await placeSubject(tx, source, d.subject);
    if (!placed) throw personUnknown();
    const personId = placed.personId;
    if (placed.born?.length === 10 && d.givenOn < placed.born) {
      throw beforeBirth();
    }
    const inserted = await sql<{ id: string }>`
      insert into vaccination (person_id, source, source_record_id, person_source_system, person_source_id, vaccine_code, vaccine_name, product_id, antigens,
        dose_no, given_on, facility_code, facility_ref, lot_no, route, body_site, reaction, content_hash, source_identifier_system, sender_facility_code, sender_client_id)
      values (${personId}, ${source}, ${sourceRecordId}, null, null, ${row.vaccine_code}, ${row.vaccine_name}, ${row.product_id}, ${row.antigens}::text[],
        ${row.dose_no}, ${row.given_on}::date, ${row.facility_code}, ${row.facility_ref}, ${row.lot_no}, ${row.route}, ${row.body_site}, ${row.reaction},
        ${contentHash}, ${row.source_identifier_system}, ${row.sender_facility_code}, ${row.sender_client_id})
      on conflict (source, source_record_id) where source_record_id is not null do update set
        person_id = excluded.person_id, person_source_system = excluded.person_source_system, person_source_id = excluded.person_source_id, vaccine_code = excluded.vaccine_code, vaccine_name = excluded.vaccine_name, product_id = excluded.product_id,
        antigens = excluded.antigens, dose_no = excluded.dose_no, given_on = excluded.given_on, facility_code = excluded.facility_code,
        facility_ref = excluded.facility_ref, lot_no = excluded.lot_no, route = excluded.route, body_site = excluded.body_site, reaction = excluded.reaction,
        content_hash = excluded.content_hash, sender_client_id = excluded.sender_client_id, updated_at = now()
      where vaccination.content_hash is distinct from excluded.content_hash
      returning (xmax = 0) as inserted, id`.execute(tx);
    const created = (inserted.rows[0] as { inserted?: boolean } | undefined)?.inserted === true;
    if (inserted.rows.length > 0) {
      await refreshDuplicates(tx, [personId]);
      const person = await tx.selectFrom('person').select('ma_xa').where('id', '=', personId).executeTakeFirstOrThrow();
      await markCoverageDirty(tx, [person.ma_xa]);
      await refreshDue(tx, [personId]);
    }
    await finish(created)(tx);
  });
  return result!;
}


/** The dose a sender already stored under this identifier, as the registry counts it (its own id, or the first source's). */
export async function receivedDoseId(db: Db, facilityCode: string, identifier: { system: string; value: string }): Promise<number | undefined> {
  const row = await immDb(db)
    .selectFrom('vaccination')
    .select(['id', 'duplicate_of'])
    .where('source', '=', fhirSource(facilityCode))
    .where('source_record_id', '=', `${identifier.system}|${identifier.value}`)
    .executeTakeFirst();
  return row ? Number(row.duplicate_of ?? row.id) : undefined;
}
