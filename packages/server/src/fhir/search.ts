/**
 * Search and read: request parameters → one keyset query → resources mapped by core → includes →
 * the access log → a searchset Bundle. Read is a search by `_id` that must find exactly one resource.
 */
import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import { DomainError } from '@openhssk/core';
import {
  codeSystemResources,
  conditionResource,
  coverageResource,
  type EpisodeRecord,
  encounterResource,
  episodeDiagnoses,
  episodeTargets,
  organizationResource,
  parseChildId,
  parseDocumentId,
  parseReportId,
  patientResource,
  provenanceResource,
  rowResourceType,
  SID,
  valueSetResources,
} from '@openhssk/core/fhir';
import { sql } from 'kysely';
import { auditMany } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { type FhirCaller, requireScopeFor } from './access.ts';
import { searchAuditEvents } from './audit-event.ts';
import { searchConsents } from './consent.ts';
import { DIAGNOSTIC_REPORT } from './diagnostic-report.ts';
import { MEDICATION_DISPENSE } from './medication-dispense.ts';
import { searchPractitioners } from './practitioner.ts';
import { onlyVitalIds, searchReceivedProvenance, searchVitalObservations, vitalsApply, vitalsCursor } from './received-read.ts';
import { type RegistryType, registryParams, searchRegistry } from './registry.ts';
import { decodeCursor, encodeCursor, invalidParam, parseCount, parseDate, parseReferences, parseTokens } from './params.ts';
import {
  dateCondition,
  episodeKeyIn,
  type FacilitySqlRow,
  type Page,
  type PersonSqlRow,
  personsById,
  projectedRows,
  queryEpisodes,
  queryFacilities,
  queryPersons,
  rowKeys,
  type SortKey,
} from './sql.ts';
import { COMMON_PARAMS, EPISODE_ID_KEY, EPISODE_TYPES as XML_EPISODE_TYPES, type EpisodeRowData, type EpisodeTypeDef, type IncludeKind, LAST_UPDATED, PROVENANCE_DATE, RECEIVED_KEY } from './types.ts';

export const MAX_COUNT = 500;
export const DEFAULT_COUNT = 50;

/** The query string as Fastify hands it over: a value, or a list for a repeated parameter. */
export type FhirQuery = Record<string, string | string[] | undefined>;

/** Parameters any request may carry that change nothing in the result. */
const IGNORED = new Set(['_format', '_pretty']);

/** The episode-derived types of types.ts and those defined in their own files. */
const EPISODE_TYPES: ReadonlyArray<EpisodeTypeDef> = [...XML_EPISODE_TYPES, MEDICATION_DISPENSE, DIAGNOSTIC_REPORT];

export const PUBLIC_TYPES = new Set(['CodeSystem', 'ValueSet']);
export const SEARCHABLE_TYPES = [
  ...EPISODE_TYPES.map((t) => t.type),
  ...['Provenance', 'Patient', 'Coverage', 'Organization', 'CodeSystem', 'ValueSet', 'Immunization', 'AllergyIntolerance'],
  ...['Practitioner', 'Consent', 'AuditEvent'],
].sort();

export const listOf = (q: FhirQuery, name: string): string[] => {
  const v = q[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};
export const single = (q: FhirQuery, name: string): string | undefined => {
  const v = listOf(q, name);
  if (v.length > 1) throw invalidParam(name, v.join(','), 'chỉ được dùng một lần.', 'may be given only once.');
  return v[0];
};

export const notFound = (type: string, id: string) => new DomainError('not_found', 'FHIR_NOT_FOUND', `Không tìm thấy ${type}/${id}.`, `${type}/${id} was not found.`);

export interface Result {
  matches: Array<{ resource: Resource; personId: string | null }>;
  includes: Resource[];
  next: Array<string | number> | undefined;
  sortName: string;
  /** The answer holds resources of a sensitive episode (only ever for the citizen's own app on their choice). */
  sensitive?: boolean;
}

export interface Ctx {
  db: Db;
  caller: FhirCaller;
  type: string;
  q: FhirQuery;
  count: number;
}

export function checkParams(q: FhirQuery, allowed: ReadonlySet<string>, type: string) {
  for (const name of Object.keys(q)) {
    if (q[name] === undefined || IGNORED.has(name) || name === '_cursor' || name === '_count') continue;
    if (name === '_total' && single(q, name) === 'none') continue;
    if (!allowed.has(name)) {
      throw new DomainError(
        'invalid',
        'FHIR_PARAM_UNSUPPORTED',
        `Tham số tìm kiếm "${name}" chưa được hỗ trợ cho ${type} (xem /fhir/R4/metadata).`,
        `Search parameter "${name}" is not supported for ${type} (see /fhir/R4/metadata).`,
      );
    }
  }
}

export function sortChoice(q: FhirQuery, allowed: readonly string[]): { name: string; desc: boolean } {
  const raw = single(q, '_sort');
  if (raw === undefined || raw === '') return { name: '_id', desc: false };
  if (raw.includes(',')) throw invalidParam('_sort', raw, 'chỉ hỗ trợ một khóa sắp xếp.', 'only one sort key is supported.');
  const desc = raw.startsWith('-');
  const name = desc ? raw.slice(1) : raw;
  if (!allowed.includes(name)) throw invalidParam('_sort', raw, `dùng một trong: ${allowed.join(', ')} (có thể thêm dấu -).`, `use one of: ${allowed.join(', ')} (optionally prefixed with -).`);
  return { name, desc };
}

export const cursorOf = (q: FhirQuery, sortName: string, keys: SortKey[]) => {
  const raw = single(q, '_cursor');
  return raw === undefined ? undefined : decodeCursor(raw, sortName, keys.map((k) => k.kind));
};

export function episodeRecord(r: EpisodeRowData): EpisodeRecord {
  return {
    key: String(r.key),
    version: r.version,
    facility_code: r.facility_code,
    facility_name: r.facility_name,
    ma_lk: r.ma_lk,
    person_id: r.person_id,
    ma_bn: r.ma_bn,
    ho_ten: r.ho_ten,
    ma_loai_kcb: r.ma_loai_kcb,
    ngay_vao: r.ngay_vao,
    ngay_vao_noi_tru: r.ngay_vao_noi_tru,
    ngay_ra: r.ngay_ra,
    ma_benh_chinh: r.ma_benh_chinh,
    ma_benh_kt: r.ma_benh_kt,
    chan_doan_rv: r.chan_doan_rv,
    ket_qua_dtri: r.ket_qua_dtri,
    ma_loai_rv: r.ma_loai_rv,
    xml1: r.xml1?.fields ?? {},
    submission_id: r.submission_id,
    submission_sha256: r.submission_sha256,
    signature: r.signature ? { verified: r.signature.verified === true, method: r.signature.method, certificate_id: r.signature.certificate_id } : null,
    received_at: r.received_at,
    ...(r.sensitive ? { sensitive: true } : {}),
  };
}

const personRecord = (p: PersonSqlRow) => ({ ...p });
const facilityRecord = (f: FacilitySqlRow) => ({ ...f });

// ---------------------------------------------------------------------------------------------
// Episode-derived types (Encounter, Condition, rows, DocumentReference) and Provenance.

function episodeFilters(ctx: Ctx, def: EpisodeTypeDef | 'Provenance') {
  const q = ctx.q;
  const filters = [];
  const isProv = def === 'Provenance';
  const ids = listOf(q, '_id').flatMap((v) => v.split(','));
  if (ids.length) {
    const conds = ids.map((id) => (isProv ? (/^\d{1,18}$/.test(id) ? episodeKeyIn([Number(id)]) : undefined) : def.idFilter(id))).filter((c) => c !== undefined);
    filters.push(conds.length ? sql`(${sql.join(conds, sql` or `)})` : sql`false`);
  }
  if (!isProv) {
    for (const p of def.patientParams) {
      for (const raw of listOf(q, p)) filters.push(sql`e.person_id = any(${parseReferences(p, raw, 'Patient').concat('-----')}::text[])`);
    }
    if (def.encounterParam) {
      for (const raw of listOf(q, 'encounter')) {
        const keys = parseReferences('encounter', raw, 'Encounter').filter((k) => /^\d{1,18}$/.test(k));
        filters.push(episodeKeyIn(keys.map(Number)));
      }
    }
    if (def.code) for (const raw of listOf(q, 'code')) filters.push(def.code.filter(parseTokens('code', raw)));
    if (def.identifier) for (const raw of listOf(q, 'identifier')) filters.push(def.identifier.filter(parseTokens('identifier', raw)));
    for (const [name, p] of Object.entries(def.extraParams ?? {})) for (const raw of listOf(q, name)) filters.push(p.filter(raw));
    if (def.date) for (const raw of listOf(q, def.date.param)) filters.push(dateCondition(def.date.kind, parseDate(def.date.param, raw)));
  } else {
    for (const raw of listOf(q, 'target')) {
      // Any resource derived from an episode names its Provenance by the episode key.
      const keys = raw.split(',').flatMap((v) => {
        const id = v.split('/').pop() ?? '';
        const k = /^\d{1,18}$/.test(id) ? id : (parseChildId(id)?.key ?? parseDocumentId(id)?.key ?? parseReportId(id)?.key);
        return k ? [Number(k)] : [];
      });
      filters.push(episodeKeyIn(keys));
    }
    for (const raw of listOf(q, 'recorded')) filters.push(dateCondition(PROVENANCE_DATE.kind, parseDate('recorded', raw)));
  }
  for (const raw of listOf(q, '_lastUpdated')) filters.push(dateCondition(PROVENANCE_DATE.kind, parseDate('_lastUpdated', raw)));
  return filters;
}

function allowedEpisodeParams(def: EpisodeTypeDef | 'Provenance'): Set<string> {
  const names = ['_id', '_sort', '_lastUpdated', '_include', '_revinclude'];
  if (def === 'Provenance') names.push('target', 'recorded');
  else {
    names.push(...def.patientParams);
    if (def.encounterParam) names.push('encounter');
    if (def.code) names.push('code');
    if (def.identifier) names.push('identifier');
    if (def.date) names.push(def.date.param);
    names.push(...Object.keys(def.extraParams ?? {}));
  }
  return new Set(names);
}

async function searchEpisodes(ctx: Ctx, def: EpisodeTypeDef | 'Provenance'): Promise<Result> {
  const isProv = def === 'Provenance';
  checkParams(ctx.q, allowedEpisodeParams(def), ctx.type);
  const dateName = isProv ? 'recorded' : def.date?.param;
  const sort = sortChoice(ctx.q, [...(dateName ? [dateName] : []), '_lastUpdated']);
  const sub = isProv ? [] : def.sub ? [def.sub] : [];
  const dateKey = isProv ? PROVENANCE_DATE.key : def.date?.key;
  const keys: SortKey[] =
    sort.name === '_id' ? [EPISODE_ID_KEY, ...sub] : sort.name === '_lastUpdated' ? [RECEIVED_KEY, EPISODE_ID_KEY, ...sub] : [dateKey!, EPISODE_ID_KEY, ...sub];
  const page: Page = { keys, desc: sort.desc, after: cursorOf(ctx.q, sort.name + (sort.desc ? '-' : ''), keys), limit: ctx.count + 1 };
  const includeKinds = includeKindsOf(ctx, def);
  const revProv = revincludes(ctx, def);
  const rows = await queryEpisodes<EpisodeRowData>(ctx.db, isProv ? { kind: 'episode' } : def.join, ctx.caller.facilities, episodeFilters(ctx, def), page);
  const more = rows.length > ctx.count;
  const pageRows = rows.slice(0, ctx.count);
  const records = pageRows.map(episodeRecord);
  const needRows = isProv || revProv;
  const childRows = needRows ? await projectedRows(ctx.db, [...new Set(pageRows.map((r) => r.id))]) : [];
  const byEpisode = new Map<number, typeof childRows>();
  for (const c of childRows) {
    const list = byEpisode.get(c.episode_id);
    if (list) list.push(c);
    else byEpisode.set(c.episode_id, [c]);
  }
  const rowsOf = (id: number) => byEpisode.get(id) ?? [];
  const provenanceOf = (r: EpisodeRowData, ep: EpisodeRecord) => provenanceResource(ep, episodeTargets(ep, rowsOf(r.id), rowResourceType));
  let matches = pageRows.map((r, i) => ({ resource: isProv ? provenanceOf(r, records[i]!) : def.map(records[i]!, r), personId: r.person_id }));
  if (isProv && listOf(ctx.q, 'target').length) {
    // The episode is the Provenance; a target naming a resource the episode does not have matches nothing.
    const wanted = listOf(ctx.q, 'target').flatMap((v) => v.split(',')).map((v) => v.split('/').slice(-2).join('/'));
    matches = matches.filter((m) => (m.resource.resourceType === 'Provenance' ? m.resource.target.some((t) => wanted.includes(t.reference ?? '')) : true));
  }
  const includes: Resource[] = [];
  const persons = new Set<string>();
  const seen = new Set(matches.map((m) => `${m.resource.resourceType}/${m.resource.id}`));
  const add = (res: Resource) => {
    const k = `${res.resourceType}/${res.id}`;
    if (!seen.has(k)) {
      seen.add(k);
      includes.push(res);
    }
  };
  if (includeKinds.has('patient')) for (const r of pageRows) if (r.person_id) persons.add(r.person_id);
  for (const [i, r] of pageRows.entries()) {
    const ep = records[i]!;
    if (includeKinds.has('encounter')) add(encounterResource(ep));
    if (includeKinds.has('diagnosis')) for (const [n, code] of episodeDiagnoses(ep).entries()) add(conditionResource(ep, code, n + 1));
    if (revProv) add(provenanceOf(r, ep));
  }
  if (includeKinds.has('organization')) {
    for (const f of await queryFacilities(ctx.db, [...new Set(pageRows.map((r) => r.facility_code))], undefined, MAX_COUNT)) add(organizationResource(facilityRecord(f)));
  }
  for (const p of await personsById(ctx.db, [...persons])) add(patientResource(personRecord(p)));
  const last = pageRows[pageRows.length - 1];
  return {
    matches,
    includes,
    next: more && last ? rowKeys(last, keys.length) : undefined,
    sortName: sort.name + (sort.desc ? '-' : ''),
    ...(pageRows.some((r) => r.sensitive) ? { sensitive: true } : {}),
  };
}

function includeKindsOf(ctx: Ctx, def: EpisodeTypeDef | 'Provenance'): Set<IncludeKind> {
  const out = new Set<IncludeKind>();
  for (const v of listOf(ctx.q, '_include').flatMap((x) => x.split(','))) {
    const key = v.endsWith(':Patient') && v.split(':').length === 3 ? v.slice(0, -':Patient'.length) : v;
    const kind = def === 'Provenance' ? undefined : def.includes[key];
    if (!kind) throw invalidParam('_include', v, `${ctx.type} hỗ trợ: ${def === 'Provenance' ? 'không có' : Object.keys(def.includes).join(', ')}.`, `${ctx.type} supports: ${def === 'Provenance' ? 'none' : Object.keys(def.includes).join(', ')}.`);
    requireScopeFor(ctx.caller, INCLUDED_TYPE[kind]);
    out.add(kind);
  }
  return out;
}

const INCLUDED_TYPE: Readonly<Record<IncludeKind, string>> = { patient: 'Patient', encounter: 'Encounter', organization: 'Organization', diagnosis: 'Condition' };

function revincludes(ctx: Ctx, def: EpisodeTypeDef | 'Provenance'): boolean {
  const values = listOf(ctx.q, '_revinclude').flatMap((x) => x.split(','));
  for (const v of values) {
    if (v !== 'Provenance:target' || def === 'Provenance' || !def.revincludeProvenance) {
      throw invalidParam('_revinclude', v, 'chỉ hỗ trợ Provenance:target (trừ khi tìm Provenance).', 'only Provenance:target is supported (not on Provenance itself).');
    }
    requireScopeFor(ctx.caller, 'Provenance');
  }
  return values.length > 0;
}

// ---------------------------------------------------------------------------------------------
// Persons, facilities, terminology.

const IDENTIFIER_COLUMNS: Record<string, string> = { [SID.cccd]: 'so_cccd', [SID.bhyt]: 'so_bhyt', [SID.bhxh]: 'bhxh' };

async function searchPersons(ctx: Ctx, coverage: boolean): Promise<Result> {
  const patientParams = coverage ? ['patient', 'beneficiary'] : [];
  checkParams(ctx.q, new Set(['_id', '_sort', 'identifier', '_include', '_lastUpdated', ...patientParams]), ctx.type);
  sortChoice(ctx.q, []);
  const keys = [{ kind: 'text' as const }];
  const rawCursor = single(ctx.q, '_cursor');
  const after = rawCursor === undefined ? undefined : String(decodeCursor(rawCursor, '_id', keys.map((k) => k.kind))[0]);
  const direct = [];
  for (const raw of listOf(ctx.q, '_id')) direct.push(sql`p.id = any(${raw.split(',')}::text[])`);
  for (const p of patientParams) for (const raw of listOf(ctx.q, p)) direct.push(sql`p.id = any(${parseReferences(p, raw, 'Patient').concat('-----')}::text[])`);
  for (const raw of listOf(ctx.q, '_lastUpdated')) direct.push(dateCondition({ kind: 'instant', expr: sql`p.updated_at` }, parseDate('_lastUpdated', raw)));
  for (const raw of listOf(ctx.q, 'identifier')) {
    const ors = parseTokens('identifier', raw).flatMap((t) => {
      const cols = t.system === undefined || t.system === '' ? (coverage ? ['so_bhyt'] : Object.values(IDENTIFIER_COLUMNS)) : IDENTIFIER_COLUMNS[t.system] && (!coverage || t.system === SID.bhyt) ? [IDENTIFIER_COLUMNS[t.system]!] : [];
      return cols.map((c) => sql`${sql.ref(`p.${c}`)} = ${t.code}`);
    });
    direct.push(ors.length ? sql`(${sql.join(ors, sql` or `)})` : sql`false`);
  }
  const includeBeneficiary = listOf(ctx.q, '_include').flatMap((x) => x.split(','));
  for (const v of includeBeneficiary) {
    if (!coverage || !['Coverage:beneficiary', 'Coverage:patient', 'Coverage:beneficiary:Patient', 'Coverage:patient:Patient'].includes(v)) {
      throw invalidParam('_include', v, coverage ? 'Coverage hỗ trợ: Coverage:beneficiary, Coverage:patient.' : `${ctx.type} không hỗ trợ _include.`, coverage ? 'Coverage supports: Coverage:beneficiary, Coverage:patient.' : `${ctx.type} supports no _include.`);
    }
    requireScopeFor(ctx.caller, 'Patient');
  }
  const rows = await queryPersons(ctx.db, ctx.caller.facilities, direct.length ? direct : undefined, coverage, after, ctx.count + 1);
  const more = rows.length > ctx.count;
  const pageRows = rows.slice(0, ctx.count);
  const matches = pageRows.flatMap((p) => {
    const res = coverage ? coverageResource(personRecord(p)) : patientResource(personRecord(p));
    return res ? [{ resource: res as Resource, personId: p.id }] : [];
  });
  const includes = coverage && includeBeneficiary.length ? pageRows.map((p) => patientResource(personRecord(p)) as Resource) : [];
  const last = pageRows[pageRows.length - 1];
  return { matches, includes, next: more && last ? [last.id] : undefined, sortName: '_id' };
}

async function searchFacilities(ctx: Ctx): Promise<Result> {
  checkParams(ctx.q, new Set(['_id', '_sort', 'identifier']), ctx.type);
  sortChoice(ctx.q, []);
  const rawCursor = single(ctx.q, '_cursor');
  const after = rawCursor === undefined ? undefined : String(decodeCursor(rawCursor, '_id', ['text'])[0]);
  let codes: string[] | undefined;
  for (const raw of listOf(ctx.q, '_id')) codes = (codes ?? raw.split(',')).filter((c) => raw.split(',').includes(c));
  for (const raw of listOf(ctx.q, 'identifier')) {
    const found = parseTokens('identifier', raw)
      .filter((t) => t.system === undefined || t.system === '' || t.system === SID.macskcb)
      .map((t) => t.code);
    codes = codes ? codes.filter((c) => found.includes(c)) : found;
  }
  const rows = await queryFacilities(ctx.db, codes, after, ctx.count + 1);
  const more = rows.length > ctx.count;
  const pageRows = rows.slice(0, ctx.count);
  const last = pageRows[pageRows.length - 1];
  return {
    matches: pageRows.map((f) => ({ resource: organizationResource(facilityRecord(f)), personId: null })),
    includes: [],
    next: more && last ? [last.code] : undefined,
    sortName: '_id',
  };
}

function searchTerminology(ctx: Ctx): Result {
  checkParams(ctx.q, new Set(['_id', '_sort', 'url']), ctx.type);
  sortChoice(ctx.q, []);
  const rawCursor = single(ctx.q, '_cursor');
  const after = rawCursor === undefined ? undefined : String(decodeCursor(rawCursor, '_id', ['text'])[0]);
  const ids = listOf(ctx.q, '_id').flatMap((v) => v.split(','));
  const urls = listOf(ctx.q, 'url').flatMap((v) => v.split(','));
  const all: Resource[] = ctx.type === 'CodeSystem' ? codeSystemResources() : valueSetResources();
  const found = all.filter(
    (r) =>
      (ids.length === 0 || ids.includes(r.id ?? '')) &&
      (urls.length === 0 || ((r.resourceType === 'CodeSystem' || r.resourceType === 'ValueSet') && urls.includes(r.url ?? ''))) &&
      (after === undefined || (r.id ?? '') > after),
  );
  const page = found.slice(0, ctx.count);
  const last = page[page.length - 1];
  return { matches: page.map((resource) => ({ resource, personId: null })), includes: [], next: found.length > ctx.count && last ? [last.id ?? ''] : undefined, sortName: '_id' };
}

async function searchRegistryType(ctx: Ctx, type: RegistryType): Promise<Result> {
  checkParams(ctx.q, new Set(['_id', '_sort', 'patient', ...(type === 'Immunization' ? ['date'] : [])]), ctx.type);
  sortChoice(ctx.q, []);
  const rawCursor = single(ctx.q, '_cursor');
  const cursor = rawCursor === undefined ? undefined : decodeCursor(rawCursor, '_id', ['text', 'int']);
  const after = cursor ? { person: String(cursor[0]), id: Number(cursor[1]) } : undefined;
  const found = await searchRegistry(ctx.db, ctx.caller.facilities, type, { ...registryParams(type, (n) => listOf(ctx.q, n)), after, limit: ctx.count });
  const page = found.slice(0, ctx.count);
  const last = page[page.length - 1];
  return {
    matches: page.map((m) => ({ resource: m.resource, personId: m.personId })),
    includes: [],
    next: found.length > ctx.count && last ? [last.personId, Number(last.resource.id)] : undefined,
    sortName: '_id',
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * Observation: the XML 4 results, then the vital signs other systems posted (received-read.ts) on
 * the pages after them, when the search uses only parameters both have.
 */
async function searchObservations(ctx: Ctx, def: EpisodeTypeDef): Promise<Result> {
  const cursor = vitalsCursor(ctx.q);
  if (cursor || onlyVitalIds(ctx.q)) return searchVitalObservations(ctx.db, ctx.caller.facilities, ctx.q, cursor, ctx.count);
  const labs = await searchEpisodes(ctx, def);
  if (labs.next || !vitalsApply(ctx.q)) return labs;
  const room = ctx.count - labs.matches.length;
  const vitals = await searchVitalObservations(ctx.db, ctx.caller.facilities, ctx.q, undefined, room);
  return { matches: [...labs.matches, ...vitals.matches], includes: labs.includes, next: vitals.next, sortName: vitals.sortName };
}

async function run(ctx: Ctx): Promise<Result> {
  const def = EPISODE_TYPES.find((t) => t.type === ctx.type);
  if (def) return def.type === 'Observation' ? searchObservations(ctx, def) : searchEpisodes(ctx, def);
  switch (ctx.type) {
    case 'Provenance':
      return (await searchReceivedProvenance(ctx.db, ctx.caller.facilities, ctx.q)) ?? searchEpisodes(ctx, 'Provenance');
    case 'Patient':
      return searchPersons(ctx, false);
    case 'Coverage':
      return searchPersons(ctx, true);
    case 'Organization':
      return searchFacilities(ctx);
    case 'CodeSystem':
    case 'ValueSet':
      return searchTerminology(ctx);
    case 'Immunization':
    case 'AllergyIntolerance':
      return searchRegistryType(ctx, ctx.type);
    case 'Practitioner':
      return searchPractitioners(ctx);
    case 'Consent':
      return searchConsents(ctx);
    case 'AuditEvent':
      return searchAuditEvents(ctx);
    default:
      throw unsupportedType(ctx.type);
  }
}

export const unsupportedType = (type: string) =>
  new DomainError('not_found', 'FHIR_TYPE_UNSUPPORTED', `Loại tài nguyên ${type} chưa được hỗ trợ (xem /fhir/R4/metadata).`, `Resource type ${type} is not supported (see /fhir/R4/metadata).`);

/** Types that carry no person's data: reading them is not logged. */
const NOT_PERSONAL = new Set(['Organization', 'CodeSystem', 'ValueSet', 'Practitioner']);

/** Every person whose data a response shows is logged, as for any other read of health data. */
export async function auditResult(db: Db, caller: FhirCaller | undefined, r: Result, action: string, resource: string, requestId: string) {
  if (!caller) return;
  const byPerson = new Map<string | null, string[]>();
  const note = (personId: string | null, ref: string) => byPerson.set(personId, [...(byPerson.get(personId) ?? []), ref]);
  for (const m of r.matches) if (!NOT_PERSONAL.has(m.resource.resourceType)) note(m.personId, `${m.resource.resourceType}/${m.resource.id}`);
  for (const inc of r.includes) {
    if (inc.resourceType === 'Patient') note(inc.id ?? null, `Patient/${inc.id}`);
  }
  if (byPerson.size === 0) return;
  await auditMany(
    db,
    [...byPerson].map(([personId, refs]) => ({
      actor: caller.actor,
      action,
      personId,
      resource: resource.slice(0, 500),
      requestId,
      // The citizen's log says when an app read sensitive episodes on their choice (absent otherwise).
      detail: { resources: refs.slice(0, 50), count: refs.length, ...(r.sensitive ? { sensitive_included: true } : {}) },
    })),
  );
}

export interface SearchOptions {
  db: Db;
  caller: FhirCaller | undefined;
  type: string;
  query: FhirQuery;
  base: string;
  requestId: string;
}

/** A searchset Bundle; next links carry the same parameters and a keyset cursor. */
export async function searchBundle(o: SearchOptions): Promise<Bundle> {
  const count = parseCount(single(o.query, '_count'), MAX_COUNT, DEFAULT_COUNT);
  const ctx: Ctx = { db: o.db, caller: o.caller ?? { actor: { type: 'system', id: 'public' }, facilities: [] }, type: o.type, q: o.query, count };
  const r = await run(ctx);
  const qs = (cursor?: string) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(o.query)) {
      if (k === '_cursor' || v === undefined) continue;
      for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
    }
    if (cursor) p.append('_cursor', cursor);
    const s = p.toString();
    return s ? `?${s}` : '';
  };
  const self = `${o.base}/${o.type}${qs(single(o.query, '_cursor'))}`;
  const link: BundleLink[] = [{ relation: 'self', url: self }];
  if (r.next) link.push({ relation: 'next', url: `${o.base}/${o.type}${qs(encodeCursor(r.sortName, r.next))}` });
  const entry: BundleEntry[] = [
    ...r.matches.map((m) => ({ fullUrl: `${o.base}/${m.resource.resourceType}/${m.resource.id}`, resource: m.resource, search: { mode: 'match' as const } })),
    ...r.includes.map((resource) => ({ fullUrl: `${o.base}/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'include' as const } })),
  ];
  await auditResult(o.db, o.caller, r, 'fhir.search', `${o.type}${qs(single(o.query, '_cursor'))}`, o.requestId);
  return { resourceType: 'Bundle', type: 'searchset', timestamp: new Date().toISOString(), link, entry };
}

/** One resource by id; not found, not visible and sensitive (unless the citizen chose to show it to their app) answer alike. */
export async function readResource(o: Omit<SearchOptions, 'query' | 'base'> & { id: string }): Promise<Resource> {
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(o.id)) throw notFound(o.type, o.id);
  const ctx: Ctx = { db: o.db, caller: o.caller ?? { actor: { type: 'system', id: 'public' }, facilities: [] }, type: o.type, q: { _id: o.id }, count: 1 };
  const r = await run(ctx);
  const found = r.matches.find((m) => m.resource.id === o.id);
  if (!found) throw notFound(o.type, o.id);
  await auditResult(o.db, o.caller, { ...r, matches: [found], includes: [] }, 'fhir.read', `${o.type}/${o.id}`, o.requestId);
  return found.resource;
}

export { COMMON_PARAMS, EPISODE_TYPES, LAST_UPDATED };
