/**
 * Patient/$everything (a paged searchset of everything about one patient the caller may see) and
 * Patient/$summary (the IPS document, built by core's patientSummaryBundle). Both start from the same
 * visibility as a read of the Patient: an unknown person, a person without a visible episode for the
 * caller and a person whose episodes are all sensitive answer the same 404 (sensitive episodes are
 * visible only to the citizen's own app on their explicit choice; the log then says they were shown).
 *
 * $everything pages by whole episodes in id order: the first page carries the Patient, the Coverage,
 * the declared allergies and the registry's doses; every page then carries episodes with all their
 * resources (Encounter, Conditions, rows, papers, Provenance) and the Organizations they name, until
 * `_count` resources are reached. A page never splits an episode, so it may hold a few more than
 * `_count`; the next link's cursor is the last episode's id.
 */
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleLink, Condition, MedicationRequest, Observation, Resource } from '@medplum/fhirtypes';
import { vietnamToday } from '@openhssk/core';
import {
  conditionResource,
  coverageResource,
  diagnosticReportResource,
  isDispensedRow,
  medicationDispenseResource,
  orderRowOf,
  reportGroups,
  SID,
  documentResource,
  encounterResource,
  episodeDiagnoses,
  episodeTargets,
  type EpisodeRecord,
  medicationRequestResource,
  observationResource,
  organizationResource,
  patientResource,
  appointmentResource,
  patientSummaryBundle,
  procedureResource,
  provenanceResource,
  rowResourceType,
  serviceRequestResource,
} from '@openhssk/core/fhir';
import { sql } from 'kysely';
import { audit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import type { FhirCaller } from './access.ts';
import { decodeCursor, encodeCursor, invalidParam, parseCount } from './params.ts';
import { auditEventsOf } from './audit-event.ts';
import { consentsOf } from './consent.ts';
import { practitionersOf } from './practitioner.ts';
import { allergiesOf, immunizationsOf } from './registry.ts';
import { episodeRecord, type FhirQuery, MAX_COUNT, notFound } from './search.ts';
import { type EpisodeSqlRow, includesSensitive, projectedRows, queryEpisodes, queryFacilities, queryPersons } from './sql.ts';
import { EPISODE_ID_KEY } from './types.ts';

const EVERYTHING_PARAMS = new Set(['_count', '_cursor', '_format', '_pretty']);
const DEFAULT_EVERYTHING_COUNT = 200;
/** Newest access-log rows on the first page (system administrators only; the rest through AuditEvent?patient=). */
const EVERYTHING_AUDIT_EVENTS = 100;
/** Episodes read per query while filling a page. */
const EPISODE_BATCH = 50;

export interface OperationOptions {
  db: Db;
  caller: FhirCaller;
  id: string;
  query: FhirQuery;
  base: string;
  requestId: string;
}

function checkOperationParams(q: FhirQuery, allowed: ReadonlySet<string>, op: string) {
  for (const name of Object.keys(q)) {
    if (q[name] !== undefined && !allowed.has(name)) throw invalidParam(name, String(q[name]), `không được hỗ trợ cho ${op}.`, `is not supported by ${op}.`);
  }
}
const one = (q: FhirQuery, name: string) => {
  const v = q[name];
  if (Array.isArray(v)) throw invalidParam(name, v.join(','), 'chỉ được dùng một lần.', 'may be given only once.');
  return v;
};

async function visiblePatient(o: OperationOptions) {
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(o.id)) throw notFound('Patient', o.id);
  // One id compared by equality: the read routes to the person's shard on a Citus cluster (issue 21).
  const person = (await queryPersons(o.db, o.caller.facilities, [sql`p.id = ${o.id}`], false, undefined, 1, o.id))[0];
  if (!person) throw notFound('Patient', o.id);
  return person;
}

type ProjectedRow = Awaited<ReturnType<typeof projectedRows>>[number];

/** The rows that become resources, of the given episodes, by episode id (one query). */
export async function episodeChildren(db: Db, rows: readonly EpisodeSqlRow[], personId?: string): Promise<Map<number, ProjectedRow[]>> {
  const children = await projectedRows(
    db,
    rows.map((r) => r.id),
    personId,
  );
  const byEpisode = new Map<number, ProjectedRow[]>();
  for (const c of children) {
    const list = byEpisode.get(c.episode_id);
    if (list) list.push(c);
    else byEpisode.set(c.episode_id, [c]);
  }
  return byEpisode;
}

/** The resources derived from one episode (current version) and its rows, Provenance last. */
export function episodeResources(r: EpisodeSqlRow, mine: readonly ProjectedRow[]): Resource[] {
  const ep = episodeRecord(r);
  const out: Resource[] = [encounterResource(ep)];
  for (const [n, code] of episodeDiagnoses(ep).entries()) out.push(conditionResource(ep, code, n + 1));
  for (const row of mine) {
    switch (rowResourceType(row)) {
      case 'MedicationRequest':
        out.push(medicationRequestResource(ep, row));
        break;
      case 'Observation':
        out.push(observationResource(ep, row));
        break;
      case 'Procedure':
        out.push(procedureResource(ep, row));
        break;
      case 'ServiceRequest':
        out.push(serviceRequestResource(ep, row));
        break;
      case 'Appointment':
        out.push(appointmentResource(ep, row));
        break;
      case 'DocumentReference':
        out.push(documentResource(ep, row));
        break;
      default:
        break;
    }
    if (isDispensedRow(ep, row)) out.push(medicationDispenseResource(ep, row));
  }
  for (const group of reportGroups(mine)) out.push(diagnosticReportResource(ep, group, orderRowOf(group, mine)));
  out.push(provenanceResource(ep, episodeTargets(ep, mine, rowResourceType)));
  return out;
}

/** The resources derived from each episode (current version), Provenance last, one list per episode. */
export async function episodeResourceGroups(db: Db, rows: readonly EpisodeSqlRow[], personId?: string): Promise<Resource[][]> {
  const byEpisode = await episodeChildren(db, rows, personId);
  return rows.map((r) => episodeResources(r, byEpisode.get(r.id) ?? []));
}

/** Licence numbers of the practitioners the resources reference (by identifier, see core practitionerByLicence). */
function licencesNamed(resources: readonly Resource[]): string[] {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v && typeof v === 'object') {
      const ref = v as { type?: unknown; identifier?: { system?: unknown; value?: unknown } };
      if (ref.type === 'Practitioner' && ref.identifier?.system === SID.practitionerLicence && typeof ref.identifier.value === 'string') out.add(ref.identifier.value);
      else for (const x of Object.values(v)) walk(x);
    }
  };
  walk(resources);
  return [...out];
}

const personEpisodes = (db: Db, caller: FhirCaller, personId: string, after: number | undefined, limit: number) =>
  queryEpisodes<object>(db, { kind: 'episode' }, caller.facilities, [sql`e.person_id = ${personId}`], {
    keys: [EPISODE_ID_KEY],
    desc: false,
    after: after === undefined ? undefined : [after],
    limit,
  }, personId);

export async function everythingBundle(o: OperationOptions): Promise<Bundle> {
  checkOperationParams(o.query, EVERYTHING_PARAMS, 'Patient/$everything');
  const count = parseCount(one(o.query, '_count'), MAX_COUNT, DEFAULT_EVERYTHING_COUNT);
  const rawCursor = one(o.query, '_cursor');
  const after = rawCursor === undefined ? undefined : Number(decodeCursor(rawCursor, '$everything', ['int'])[0]);
  const person = await visiblePatient(o);
  const resources: Resource[] = [];
  if (after === undefined) {
    resources.push(patientResource({ ...person }));
    const card = coverageResource({ ...person });
    if (card) resources.push(card);
    resources.push(...(await allergiesOf(o.db, [person.id])), ...(await immunizationsOf(o.db, [person.id])));
    resources.push(...(await consentsOf(o.db, o.caller.facilities, [person.id])), ...(await auditEventsOf(o.db, o.caller, person.id, EVERYTHING_AUDIT_EVENTS)));
  }
  let last = after;
  let more = false;
  let sensitive = false;
  const facilities = new Set<string>();
  // Episodes are read a few at a time: enough to fill the page, not a person's whole history.
  const batchSize = Math.max(1, Math.min(EPISODE_BATCH, Math.ceil(count / 5)));
  fill: for (;;) {
    const batch = await personEpisodes(o.db, o.caller, person.id, last, batchSize + 1);
    const take = batch.slice(0, batchSize);
    const groups = await episodeResourceGroups(o.db, take, person.id);
    for (const [i, row] of take.entries()) {
      // At least one episode per page, so a page always moves on.
      if (resources.length >= count && last !== after) {
        more = true;
        break fill;
      }
      resources.push(...groups[i]!);
      if (row.sensitive) sensitive = true;
      facilities.add(row.facility_code);
      last = row.id;
    }
    if (batch.length <= batchSize) break;
  }
  for (const f of await queryFacilities(o.db, [...facilities], undefined, MAX_COUNT)) resources.push(organizationResource({ ...f }));
  resources.push(...(await practitionersOf(o.db, o.caller.facilities, licencesNamed(resources))));
  const self = new URLSearchParams();
  if (o.query._count !== undefined) self.set('_count', String(o.query._count));
  const url = (cursor?: string) => {
    const p = new URLSearchParams(self);
    if (cursor) p.set('_cursor', cursor);
    const s = p.toString();
    return `${o.base}/Patient/${person.id}/$everything${s ? `?${s}` : ''}`;
  };
  const link: BundleLink[] = [{ relation: 'self', url: url(rawCursor) }];
  if (more && last !== undefined) link.push({ relation: 'next', url: url(encodeCursor('$everything', [last])) });
  await audit(o.db, {
    actor: o.caller.actor,
    action: 'fhir.everything',
    personId: person.id,
    resource: `Patient/${person.id}/$everything${rawCursor ? `?_cursor=${rawCursor}` : ''}`.slice(0, 500),
    requestId: o.requestId,
    detail: { resources: resources.slice(0, 50).map((r) => `${r.resourceType}/${r.id}`), count: resources.length, ...(sensitive ? { sensitive_included: true } : {}) },
  });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    timestamp: new Date().toISOString(),
    link,
    entry: resources.map((r) => ({ fullUrl: `${o.base}/${r.resourceType}/${r.id}`, resource: r, search: { mode: 'match' as const } })),
  };
}

/** Upper bound of episodes a summary reads for one person (a lifetime of visits is far below it). */
const SUMMARY_EPISODES = 5000;

export async function summaryBundle(o: OperationOptions): Promise<Bundle> {
  checkOperationParams(o.query, new Set(['_format', '_pretty']), 'Patient/$summary');
  const person = await visiblePatient(o);
  const episodes = await personEpisodes(o.db, o.caller, person.id, undefined, SUMMARY_EPISODES);
  const rows = await projectedRows(
    o.db,
    episodes.map((e) => e.id),
    person.id,
  );
  const byEpisode = new Map(episodes.map((e) => [e.id, episodeRecord(e)]));
  // What came from sensitive episodes (present only when the caller may see them), for the access log.
  const fromSensitive = new Set<string>();
  const note = <T extends Resource>(ep: EpisodeRecord, r: T): T => {
    if (ep.sensitive) fromSensitive.add(`${r.resourceType}/${r.id}`);
    return r;
  };
  const conditions: Condition[] = [];
  for (const ep of byEpisode.values()) for (const [n, code] of episodeDiagnoses(ep).entries()) conditions.push(note(ep, conditionResource(ep, code, n + 1)));
  const medications: MedicationRequest[] = [];
  const results: Observation[] = [];
  for (const r of rows) {
    const ep = byEpisode.get(r.episode_id);
    if (!ep) continue;
    if (r.tbl === 'XML2') medications.push(note(ep, medicationRequestResource(ep, r)));
    else if (r.tbl === 'XML4') results.push(note(ep, observationResource(ep, r)));
  }
  const bundle = patientSummaryBundle({
    base: o.base,
    documentId: randomUUID(),
    now: new Date(),
    today: vietnamToday(),
    patient: patientResource({ ...person }),
    conditions,
    medications,
    results,
    allergies: await allergiesOf(o.db, [person.id]),
    immunizations: await immunizationsOf(o.db, [person.id]),
    includeSensitive: includesSensitive(o.caller.facilities),
  });
  const shown = (bundle.entry ?? []).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);
  await audit(o.db, {
    actor: o.caller.actor,
    action: 'fhir.summary',
    personId: person.id,
    resource: `Patient/${person.id}/$summary`,
    requestId: o.requestId,
    detail: { resources: shown.slice(0, 50), count: shown.length, ...(shown.some((s) => fromSensitive.has(s)) ? { sensitive_included: true } : {}) },
  });
  return bundle;
}
