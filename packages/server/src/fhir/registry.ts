/**
 * Immunization (the immunization registry's doses) and AllergyIntolerance (the citizen's own allergy
 * declarations), read through those modules' entry points. Both follow the Patient: a caller who may
 * see a person (a visible episode, as for Patient) sees that person's real doses and declared allergies,
 * wherever the dose was given — a dose history or an allergy list cut to one facility would read as
 * complete and mislead. Allergies are safety information: the clinic module shows them to every
 * clinician with access, for the same reason.
 *
 * Order is (person id, record id); the keyset cursor carries both. Listing without `patient` walks the
 * caller's visible persons in batches (persons with nothing to show cost a batch, not a page).
 */
import type { AllergyIntolerance, Immunization, Observation } from '@medplum/fhirtypes';
import { allergyIntoleranceResource, immunizationResource, parseVitalId, vitalSignResource } from '@openhssk/core/fhir';
import { findDuplicateDoses } from '@openhssk/core/immunization';
import { sql } from 'kysely';
import { allergyDeclarations } from '../book/index.ts';
import type { Db } from '../db/index.ts';
import { type DoseRow, doseOwners, dosesOf } from '../immunization/index.ts';
import { vitalSigns } from '../vitals/index.ts';
import { type DateBound, invalidParam, parseDate, parseReferences, type Token } from './params.ts';
import { type Facilities, type PersonSqlRow, queryPersons } from './sql.ts';

/** Persons among `ids` the caller may see (a visible episode), in id order. */
export async function visiblePersons(db: Db, facilities: Facilities, ids: readonly string[]): Promise<PersonSqlRow[]> {
  if (ids.length === 0) return [];
  return queryPersons(db, facilities, [sql`p.id = any(${[...ids]}::text[])`], false, undefined, ids.length);
}

/** One record per real dose (the registry's duplicate rule, core findDuplicateDoses), as realDoses does per person. */
export function realDosesAmong(rows: readonly DoseRow[]): DoseRow[] {
  const dup = new Set<number>();
  for (const g of findDuplicateDoses(rows.map((d) => ({ id: String(d.id), personId: d.person_id, date: d.given_on, antigens: d.antigens as never })))) {
    for (const i of g.duplicates) dup.add(i);
  }
  return rows.filter((_, i) => !dup.has(i));
}


/** Every real dose of these persons as Immunization, by person then dose id. */
export async function immunizationsOf(db: Db, personIds: readonly string[]): Promise<Immunization[]> {
  const rows = realDosesAmong(await dosesOf(db, personIds));
  rows.sort((a, b) => (a.person_id === b.person_id ? a.id - b.id : a.person_id < b.person_id ? -1 : 1));
  return rows.map((d) => immunizationResource(d));
}

/** Declared allergies of these persons as AllergyIntolerance, by person then declaration id. */
export async function allergiesOf(db: Db, personIds: readonly string[]): Promise<AllergyIntolerance[]> {
  return (await allergyDeclarations(db, { personIds })).map((a) => allergyIntoleranceResource(a));
}

/** Vital signs other systems posted (vitals/), as Observation of the vital-signs profile, by person then id. */
export async function vitalObservationsOf(db: Db, personIds: readonly string[], facilities: Facilities): Promise<Observation[]> {
  return (await vitalSigns(db, { personIds, ...vitalSenders(facilities) })).map((v) => vitalSignResource(v));
}

/**
 * A facility system reads the vital signs it posted itself, not what other facilities posted about its
 * patients (as with episodes); administrators and health officers ('all') and the patient's own app read all.
 */
export const vitalSenders = (facilities: Facilities): { senders?: readonly string[] } => (Array.isArray(facilities) ? { senders: facilities } : {});

/** 'VitalSign': the posted vital signs, served as Observation (search.ts runs them after the XML 4 results). */
export type RegistryType = 'Immunization' | 'AllergyIntolerance' | 'VitalSign';
type RegistryResource = Immunization | AllergyIntolerance | Observation;

/** The record number of a registry resource's id (`vs-<n>` for vital signs); NaN for another id. */
export const recordNo = (type: RegistryType, id: string) => (type === 'VitalSign' ? (parseVitalId(id) ?? Number.NaN) : /^\d{1,18}$/.test(id) ? Number(id) : Number.NaN);

/** A vital sign's time (Vietnam wall clock, as local-epoch ms) against a date bound, as FHIR compares a point. */
function matchesInstant(at: string | undefined, b: DateBound): boolean {
  if (!at) return false;
  const t = Date.parse(`${at.slice(0, 19)}Z`);
  switch (b.prefix) {
    case 'eq':
      return t >= b.lo && t < b.hi;
    case 'ge':
      return t >= b.lo;
    case 'gt':
      return t >= b.hi;
    case 'le':
      return t < b.hi;
    case 'lt':
      return t < b.lo;
  }
}

const codeMatches = (r: Observation, tokens: readonly Token[]) =>
  tokens.some((t) => r.code.coding?.some((c) => c.code === t.code && (t.system === undefined || t.system === c.system || (t.system === '' && !c.system))));

export interface RegistryQuery {
  ids: string[];
  patients: string[] | undefined;
  dates: DateBound[];
  /** Vital signs only: LOINC tokens of `code` (each a list of alternatives; all lists must match). */
  codes?: Token[][];
  after: { person: string; id: number } | undefined;
  limit: number;
}

const PERSON_BATCH = 200;

function matchesDate(at: string | undefined, b: DateBound): boolean {
  if (!at) return false;
  // Doses are dated to the day: the day's local-epoch range [d, d+1) against the bound's [lo, hi).
  const d0 = Date.parse(`${at.slice(0, 10)}T00:00:00Z`);
  const d1 = d0 + 86_400_000;
  switch (b.prefix) {
    case 'eq':
      return d0 >= b.lo && d1 <= b.hi;
    case 'ge':
      return d1 > b.lo;
    case 'gt':
      return d1 > b.hi;
    case 'le':
      return d0 < b.hi;
    case 'lt':
      return d0 < b.lo;
  }
}

/** Resources of one type for the caller, after the cursor, at most `limit + 1` (the extra says there is a next page). */
export async function searchRegistry(db: Db, facilities: Facilities, type: RegistryType, q: RegistryQuery): Promise<Array<{ resource: RegistryResource; personId: string }>> {
  const out: Array<{ resource: RegistryResource; personId: string }> = [];
  const wantedIds = q.ids.length ? new Set(q.ids) : undefined;
  const keep = (r: RegistryResource, person: string) => {
    if (wantedIds && !wantedIds.has(r.id ?? '')) return false;
    if (q.after && (person < q.after.person || (person === q.after.person && recordNo(type, r.id ?? '') <= q.after.id))) return false;
    if (r.resourceType === 'Immunization' && !q.dates.every((b) => matchesDate(r.occurrenceDateTime, b))) return false;
    if (r.resourceType === 'Observation' && !(q.dates.every((b) => matchesInstant(r.effectiveDateTime, b)) && (q.codes ?? []).every((t) => codeMatches(r, t)))) return false;
    return true;
  };
  const load = async (personIds: string[]) => {
    const list: RegistryResource[] = type === 'Immunization' ? await immunizationsOf(db, personIds) : type === 'VitalSign' ? await vitalObservationsOf(db, personIds, facilities) : await allergiesOf(db, personIds);
    for (const r of list) {
      const person = (r.resourceType === 'Observation' ? r.subject : r.patient)?.reference?.split('/')[1] ?? '';
      if (keep(r, person)) out.push({ resource: r, personId: person });
      if (out.length > q.limit) return;
    }
  };
  if (wantedIds && q.patients === undefined) {
    // A read or `_id` search: find the owners first (ids that are not numbers match nothing).
    const numeric = q.ids.map((i) => recordNo(type, i)).filter((n) => !Number.isNaN(n));
    const owners =
      type === 'Immunization'
        ? [...new Set((await doseOwners(db, numeric)).values())]
        : type === 'VitalSign'
          ? [...new Set((await vitalSigns(db, { ids: numeric, ...vitalSenders(facilities) })).map((v) => v.person_id))]
          : [...new Set((await allergyDeclarations(db, { ids: numeric })).map((a) => a.person_id))];
    await load((await visiblePersons(db, facilities, owners)).map((p) => p.id));
    return out;
  }
  if (q.patients !== undefined) {
    const persons = (await visiblePersons(db, facilities, q.patients)).map((p) => p.id).filter((id) => !q.after || id >= q.after.person);
    await load(persons);
    return out;
  }
  let afterPerson: string | undefined;
  // The cursor's own person may still have records after the cursor: start the walk at it.
  if (q.after) {
    await load((await visiblePersons(db, facilities, [q.after.person])).map((p) => p.id));
    afterPerson = q.after.person;
  }
  for (;;) {
    if (out.length > q.limit) return out;
    const batch = await queryPersons(db, facilities, undefined, false, afterPerson, PERSON_BATCH);
    if (batch.length === 0) return out;
    await load(batch.map((p) => p.id));
    afterPerson = batch[batch.length - 1]!.id;
  }
}

export function registryParams(type: RegistryType, get: (name: string) => string[]): Omit<RegistryQuery, 'after' | 'limit'> {
  const ids = get('_id').flatMap((v) => v.split(','));
  const patientValues = get('patient');
  const patients = patientValues.length ? patientValues.map((raw) => parseReferences('patient', raw, 'Patient')).reduce((a, b) => a.filter((x) => b.includes(x))) : undefined;
  const dates = type === 'Immunization' ? get('date').map((raw) => parseDate('date', raw)) : [];
  if (type === 'AllergyIntolerance' && get('date').length) throw invalidParam('date', get('date')[0]!, 'không hỗ trợ cho AllergyIntolerance.', 'not supported for AllergyIntolerance.');
  return { ids, patients, dates };
}
