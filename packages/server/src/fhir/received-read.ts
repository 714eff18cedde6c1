/**
 * Reading back what FHIR writes stored: posted vital signs as Observation (after the XML 4 results of
 * a search, on pages of their own once those are exhausted) and the Provenance of each received
 * resource (`imm-<dose id>`, `vs-<id>`: which facility system and credential sent it, when).
 */
import type { Observation, Provenance, Reference } from '@medplum/fhirtypes';
import { parseVitalId, receivedProvenance, vitalId } from '@openhssk/core/fhir';
import type { Db } from '../db/index.ts';
import { doseOwners, dosesOf } from '../immunization/index.ts';
import { vitalSigns } from '../vitals/index.ts';
import { decodeCursor, parseDate, parseReferences, parseTokens } from './params.ts';
import { realDosesAmong, recordNo, searchRegistry, visiblePersons, vitalSenders } from './registry.ts';
import type { Facilities } from './sql.ts';

type Query = Record<string, string | string[] | undefined>;
const listOf = (q: Query, name: string): string[] => {
  const v = q[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

interface Page {
  matches: Array<{ resource: Provenance | Observation; personId: string | null }>;
  includes: never[];
  next: Array<string | number> | undefined;
  sortName: string;
}

/** The sort name of a vital-sign page's cursor: a next link into the vital-sign phase of a search. */
const VITALS = 'vitals';
const VITAL_PARAMS = new Set(['_id', 'patient', 'subject', 'date', 'code', '_count', '_cursor', '_format', '_pretty', '_total']);

/** Whether an Observation search can hold posted vital signs: it uses only parameters they have. */
export const vitalsApply = (q: Query) => Object.keys(q).every((k) => q[k] === undefined || VITAL_PARAMS.has(k));

/** Only vital-sign ids asked for (a read of `vs-<n>`): the XML 4 search has nothing to add. */
export const onlyVitalIds = (q: Query) => {
  const ids = listOf(q, '_id').flatMap((v) => v.split(','));
  return ids.length > 0 && ids.every((i) => parseVitalId(i) !== undefined);
};

/** The position a vital-sign page's cursor holds; undefined for any other cursor (or none). */
export function vitalsCursor(q: Query): { person: string; id: number } | undefined {
  const raw = listOf(q, '_cursor')[0];
  if (!raw) return undefined;
  let head: unknown;
  try {
    head = (JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown[])[0];
  } catch {
    return undefined;
  }
  if (head !== VITALS) return undefined;
  const [person, id] = decodeCursor(raw, VITALS, ['text', 'int']);
  return { person: String(person), id: Number(id) };
}

/**
 * Posted vital signs matching the query, at most `limit` (0: only whether any exist, for the next
 * link of the last XML 4 page). `after` continues from a cursor; the start of the phase is ('', 0).
 */
export async function searchVitalObservations(db: Db, facilities: Facilities, q: Query, after: { person: string; id: number } | undefined, limit: number): Promise<Page> {
  const lists = ['patient', 'subject'].flatMap((n) => listOf(q, n).map((raw) => parseReferences(n, raw, 'Patient')));
  const patients = lists.length ? lists.reduce((a, b) => a.filter((x) => b.includes(x))) : undefined;
  const found = await searchRegistry(db, facilities, 'VitalSign', {
    ids: listOf(q, '_id').flatMap((v) => v.split(',')),
    patients,
    dates: listOf(q, 'date').map((raw) => parseDate('date', raw)),
    codes: listOf(q, 'code').map((raw) => parseTokens('code', raw)),
    after,
    limit,
  });
  const page = found.slice(0, limit);
  const last = page[page.length - 1];
  const more = found.length > limit;
  return {
    matches: page.map((m) => ({ resource: m.resource as Observation, personId: m.personId })),
    includes: [],
    next: more ? (last ? [last.personId, recordNo('VitalSign', last.resource.id ?? '')] : ['', 0]) : undefined,
    sortName: VITALS,
  };
}

/** Provenance ids of received resources → the resource they are about; undefined for an episode's Provenance id. */
function receivedTarget(id: string): Reference | undefined {
  if (/^imm-\d{1,18}$/.test(id)) return { reference: `Immunization/${id.slice(4)}` };
  if (parseVitalId(id) !== undefined) return { reference: `Observation/${id}` };
  return undefined;
}

/**
 * Provenance of received resources, when the search names only them (`_id` of `imm-`/`vs-` ids, or
 * `target` Immunization/<id> or Observation/vs-<id>); undefined otherwise, for the episode search.
 * A resource the caller may not read has no Provenance for it either.
 */
export async function searchReceivedProvenance(db: Db, facilities: Facilities, q: Query): Promise<Page | undefined> {
  const names = Object.keys(q).filter((k) => q[k] !== undefined && !['_count', '_format', '_pretty'].includes(k));
  if (names.length !== 1 || (names[0] !== '_id' && names[0] !== 'target')) return undefined;
  const values = listOf(q, names[0]).flatMap((v) => v.split(','));
  const targets = names[0] === '_id' ? values.map(receivedTarget) : values.map((v): Reference => ({ reference: v.split('/').slice(-2).join('/') }));
  if (targets.some((t) => t === undefined || !/^(Immunization\/\d{1,18}|Observation\/vs-\d{1,18})$/.test(t.reference ?? ''))) return undefined;
  const refs = targets.map((t) => t!.reference!);
  const doseIds = refs.filter((r) => r.startsWith('Immunization/')).map((r) => Number(r.slice('Immunization/'.length)));
  const vitalIds = refs.flatMap((r) => (r.startsWith('Observation/') ? [parseVitalId(r.slice('Observation/'.length))!] : []));
  const matches: Page['matches'] = [];
  if (doseIds.length) {
    const owners = [...new Set((await doseOwners(db, doseIds)).values())];
    const persons = (await visiblePersons(db, facilities, owners)).map((p) => p.id);
    for (const d of realDosesAmong(await dosesOf(db, persons))) {
      if (!doseIds.includes(d.id) || !d.sender_facility_code || !d.sender_client_id) continue;
      const facility = await db.selectFrom('facility').select('name').where('code', '=', d.sender_facility_code).executeTakeFirst();
      matches.push({
        resource: receivedProvenance({
          id: `imm-${d.id}`, target: { reference: `Immunization/${d.id}` }, senderFacilityCode: d.sender_facility_code, senderFacilityName: facility?.name ?? null,
          clientId: d.sender_client_id, created: d.created_at, updated: d.updated_at,
        }),
        personId: d.person_id,
      });
    }
  }
  if (vitalIds.length) {
    const rows = await vitalSigns(db, { ids: vitalIds, ...vitalSenders(facilities) });
    const visible = new Set((await visiblePersons(db, facilities, [...new Set(rows.map((r) => r.person_id))])).map((p) => p.id));
    for (const v of rows.filter((r) => visible.has(r.person_id))) {
      matches.push({
        resource: receivedProvenance({
          id: vitalId(v.id), target: { reference: `Observation/${vitalId(v.id)}` }, senderFacilityCode: v.sender_facility_code, senderFacilityName: v.sender_facility_name,
          clientId: v.sender_client_id, created: v.created_at, updated: v.updated_at,
        }),
        personId: v.person_id,
      });
    }
  }
  return { matches, includes: [], next: undefined, sortName: '_id' };
}
