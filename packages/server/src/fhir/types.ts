/**
 * The resource types served, each with its search parameters, sorts and includes (the
 * CapabilityStatement is generated from this table, so it lists exactly what is implemented).
 */
import type { Resource, ResourceType } from '@medplum/fhirtypes';
import { normalizeIcd10 } from '@openhssk/core/codes';
import {
  appointmentResource,
  codeSystemUrl,
  conditionResource,
  documentResource,
  type EpisodeRecord,
  EXT,
  encounterResource,
  medicationRequestResource,
  observationResource,
  parseChildId,
  parseDocumentId,
  procedureResource,
  SID,
  serviceRequestResource,
} from '@openhssk/core/fhir';
import { type RawBuilder, sql } from 'kysely';
import { invalidParam, type Token } from './params.ts';
import { type DateKind, type EpisodeJoin, type EpisodeSqlRow, episodeKeyIn, instantKey, intKey, localTimeKey, PROCEDURE_ROW, type SortKey, textKey } from './sql.ts';

type Cond = RawBuilder<unknown>;

export interface ParamDoc {
  name: string;
  type: 'token' | 'date' | 'reference' | 'uri' | 'string';
  documentation: string;
}

/** Includes an episode-derived type offers: what each `_include` value brings. */
export type IncludeKind = 'patient' | 'encounter' | 'organization' | 'diagnosis';

export interface EpisodeRowData extends EpisodeSqlRow {
  tbl?: string;
  row_no?: number;
  fields?: Record<string, string>;
  code?: string;
  n?: number;
  /** DiagnosticReport's join columns (diagnostic-report.ts): the report's XML4 rows and its XML3 line. */
  report_rows?: unknown;
  report_order?: unknown;
}

export interface EpisodeTypeDef {
  family: 'episode';
  type: ResourceType;
  join: EpisodeJoin;
  /** Key within the episode (row number, diagnosis position), when several resources come from one episode. */
  sub?: SortKey;
  /** The type's date parameter (point or period), also a `_sort` value. */
  date?: { param: string; kind: DateKind; key: SortKey; documentation: string };
  /** Filter for the resource ids given in `_id` (undefined for a malformed id: matches nothing). */
  idFilter: (id: string) => Cond | undefined;
  code?: { documentation: string; filter: (tokens: Token[]) => Cond };
  identifier?: { documentation: string; filter: (tokens: Token[]) => Cond };
  /** Parameters naming the patient (`patient`, `subject`). */
  patientParams: string[];
  encounterParam: boolean;
  extraParams?: Record<string, { doc: ParamDoc; filter: (raw: string) => Cond }>;
  includes: Record<string, IncludeKind>;
  revincludeProvenance: boolean;
  map: (ep: EpisodeRecord, row: EpisodeRowData) => Resource;
}

const received: SortKey = instantKey(sql`e.received_at`);
const episodeId = intKey(sql`e.id`);
const rowNo = intKey(sql`r.row_no`);
const diagnosisNo = intKey(sql`d.n`);

const noMatch = sql`false`;

/** An FHIR id of an episode-derived resource `<key>-<n>` → (episode, sub) condition. */
const childFilter = (sub: string) => (id: string) => {
  const c = parseChildId(id);
  return c ? sql`${episodeKeyIn([Number(c.key)])} and ${sql.raw(sub)} = ${c.n}` : undefined;
};

/** Tokens restricted to the systems a parameter knows; an unknown system matches nothing. */
export function byCodeSystem(tokens: Token[], systems: Record<string, (codes: string[]) => Cond>, anySystem: (codes: string[]) => Cond): Cond {
  const parts: Cond[] = [];
  for (const t of tokens) {
    if (t.system === undefined || t.system === '') parts.push(anySystem([t.code]));
    else if (systems[t.system]) parts.push(systems[t.system]!([t.code]));
    else parts.push(noMatch);
  }
  return sql`(${sql.join(parts, sql` or `)})`;
}

export const fieldIn = (name: string) => (codes: string[]) => sql`r.fields->>${name} = any(${codes}::text[])`;

export const rowTypes = (
  type: ResourceType,
  tbl: string,
  map: EpisodeTypeDef['map'],
  date: EpisodeTypeDef['date'],
  extra: Partial<EpisodeTypeDef> = {},
): EpisodeTypeDef => ({
  family: 'episode',
  type,
  join: { kind: 'row', tbls: [tbl] },
  sub: rowNo,
  date,
  idFilter: childFilter('r.row_no'),
  patientParams: ['patient', 'subject'],
  encounterParam: true,
  includes: { [`${type}:patient`]: 'patient', [`${type}:subject`]: 'patient', [`${type}:encounter`]: 'encounter' },
  revincludeProvenance: true,
  map,
  ...extra,
});

export const rowDate = (expr: Cond, length: 8 | 12): { kind: DateKind; key: SortKey } => ({ kind: { kind: 'xml', expr, length }, key: textKey(expr) });

const NGAY_YL = sql`coalesce(r.fields->>'NGAY_YL', '')`;
const NGAY_KQ = sql`coalesce(r.fields->>'NGAY_KQ', '')`;
const PERFORMED = sql`coalesce(nullif(r.fields->>'NGAY_TH_YL', ''), r.fields->>'NGAY_YL', '')`;
const REFERRAL_AT = sql`coalesce(r.fields->>'NGAY_RA', '')`;
const REEXAM_DAY = sql`coalesce(substr(r.fields->>'NGAY_HEN_KL', 1, 8), '')`;
const RECORDED = sql`coalesce(e.ngay_ra, e.ngay_vao)`;

const req = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new Error(`row without ${what}`);
  return v;
};

export const EPISODE_TYPES: ReadonlyArray<EpisodeTypeDef> = [
  {
    family: 'episode',
    type: 'Encounter',
    join: { kind: 'episode' },
    date: {
      param: 'date',
      kind: { kind: 'period', start: sql`e.ngay_vao`, end: sql`coalesce(e.ngay_ra, 'infinity'::timestamp)` },
      key: localTimeKey(sql`e.ngay_vao`),
      documentation: 'Period of the episode, NGAY_VAO–NGAY_RA (Vietnam time); sorts by NGAY_VAO.',
    },
    idFilter: (id) => (/^\d{1,18}$/.test(id) ? episodeKeyIn([Number(id)]) : undefined),
    identifier: {
      documentation: `MA_LK of the facility: ${SID.maLk('<MACSKCB>')}|<MA_LK> (the system is required).`,
      filter: (tokens) =>
        sql`(${sql.join(
          tokens.map((t) => {
            const m = t.system ? /\/sid\/ma-lk\/([0-9]{5})$/.exec(t.system) : null;
            if (!t.system) throw invalidParam('identifier', t.code, `cần hệ thống mã, ví dụ ${SID.maLk('79001')}|<MA_LK>.`, `a system is required, e.g. ${SID.maLk('79001')}|<MA_LK>.`);
            return m && t.system === SID.maLk(m[1]!) ? sql`(e.facility_code = ${m[1]!} and e.ma_lk = ${t.code})` : noMatch;
          }),
          sql` or `,
        )})`,
    },
    patientParams: ['patient', 'subject'],
    encounterParam: false,
    extraParams: {
      'service-provider': {
        doc: { name: 'service-provider', type: 'reference', documentation: 'The facility (Organization/<MACSKCB>).' },
        filter: (raw) => sql`e.facility_code = any(${raw.split(',').map((v) => v.split('/').pop() ?? '')}::text[])`,
      },
    },
    includes: {
      'Encounter:patient': 'patient',
      'Encounter:subject': 'patient',
      'Encounter:service-provider': 'organization',
      'Encounter:diagnosis': 'diagnosis',
    },
    revincludeProvenance: true,
    map: (ep) => encounterResource(ep),
  },
  {
    family: 'episode',
    type: 'Condition',
    join: { kind: 'diagnosis' },
    sub: diagnosisNo,
    date: {
      param: 'recorded-date',
      kind: { kind: 'local', expr: RECORDED },
      key: localTimeKey(RECORDED),
      documentation: 'NGAY_RA of the episode (NGAY_VAO while it is open).',
    },
    idFilter: childFilter('d.n'),
    code: {
      documentation: `ICD-10 (MA_BENH_CHINH, MA_BENH_KT): ${EXT.icd10}|<code>; the dot may be left out.`,
      filter: (tokens) => {
        const known = tokens.filter((t) => !t.system || t.system === EXT.icd10).map((t) => normalizeIcd10(t.code));
        return known.length ? sql`(fhir_diagnosis_codes(e.ma_benh_chinh, e.ma_benh_kt) && ${known}::text[] and d.code = any(${known}::text[]))` : noMatch;
      },
    },
    patientParams: ['patient', 'subject'],
    encounterParam: true,
    includes: { 'Condition:patient': 'patient', 'Condition:subject': 'patient', 'Condition:encounter': 'encounter' },
    revincludeProvenance: true,
    map: (ep, r) => conditionResource(ep, req(r.code, 'code'), req(r.n, 'n')),
  },
  rowTypes(
    'MedicationRequest',
    'XML2',
    (ep, r) => medicationRequestResource(ep, { tbl: 'XML2', row_no: req(r.row_no, 'row_no'), fields: req(r.fields, 'fields') }),
    { param: 'authoredon', ...rowDate(NGAY_YL, 12), documentation: 'NGAY_YL of the drug line (XML2).' },
    { code: { documentation: `MA_THUOC: ${codeSystemUrl('ma-thuoc')}|<code>.`, filter: (t) => byCodeSystem(t, { [codeSystemUrl('ma-thuoc')]: fieldIn('MA_THUOC') }, fieldIn('MA_THUOC')) } },
  ),
  rowTypes(
    'Observation',
    'XML4',
    (ep, r) => observationResource(ep, { tbl: 'XML4', row_no: req(r.row_no, 'row_no'), fields: req(r.fields, 'fields') }),
    { param: 'date', ...rowDate(NGAY_KQ, 12), documentation: 'NGAY_KQ of the result (XML4).' },
    {
      code: {
        documentation: `MA_CHI_SO (${codeSystemUrl('ma-chi-so')}) or MA_DICH_VU (${codeSystemUrl('ma-dich-vu')}).`,
        filter: (t) =>
          byCodeSystem(t, { [codeSystemUrl('ma-chi-so')]: fieldIn('MA_CHI_SO'), [codeSystemUrl('ma-dich-vu')]: fieldIn('MA_DICH_VU') }, (c) => sql`(${fieldIn('MA_CHI_SO')(c)} or ${fieldIn('MA_DICH_VU')(c)})`),
      },
    },
  ),
  rowTypes(
    'Procedure',
    'XML3',
    (ep, r) => procedureResource(ep, { tbl: 'XML3', row_no: req(r.row_no, 'row_no'), fields: req(r.fields, 'fields') }),
    { param: 'date', ...rowDate(PERFORMED, 12), documentation: 'NGAY_TH_YL of the service (NGAY_YL when empty).' },
    {
      join: { kind: 'row', tbls: ['XML3'], predicate: PROCEDURE_ROW },
      code: {
        documentation: `ICD-9-CM (${EXT.icd9cm}, MA_PTTT_QT) or MA_DICH_VU (${codeSystemUrl('ma-dich-vu')}).`,
        filter: (t) => {
          const icd9 = (codes: string[]) => sql`string_to_array(coalesce(r.fields->>'MA_PTTT_QT', ''), ';') && ${codes}::text[]`;
          return byCodeSystem(t, { [EXT.icd9cm]: icd9, [codeSystemUrl('ma-dich-vu')]: fieldIn('MA_DICH_VU') }, (c) => sql`(${icd9(c)} or ${fieldIn('MA_DICH_VU')(c)})`);
        },
      },
    },
  ),
  rowTypes(
    'ServiceRequest',
    'XML13',
    (ep, r) => serviceRequestResource(ep, { tbl: 'XML13', row_no: req(r.row_no, 'row_no'), fields: req(r.fields, 'fields') }),
    { param: 'authored', ...rowDate(REFERRAL_AT, 12), documentation: 'NGAY_RA of the referral paper (XML13).' },
  ),
  rowTypes(
    'Appointment',
    'XML14',
    (ep, r) => appointmentResource(ep, { tbl: 'XML14', row_no: req(r.row_no, 'row_no'), fields: req(r.fields, 'fields') }),
    { param: 'date', ...rowDate(REEXAM_DAY, 8), documentation: 'NGAY_HEN_KL, the re-visit day (XML14).' },
    { patientParams: ['patient'], encounterParam: false, includes: { 'Appointment:patient': 'patient' } },
  ),
  {
    family: 'episode',
    type: 'DocumentReference',
    join: { kind: 'row', tbls: ['XML7', 'XML8'] },
    sub: rowNo,
    date: { param: 'date', kind: { kind: 'instant', expr: sql`e.received_at` }, key: received, documentation: 'When OpenHSSK received the paper (DocumentReference.date).' },
    idFilter: (id) => {
      const d = parseDocumentId(id);
      return d ? sql`${episodeKeyIn([Number(d.key)])} and r.tbl = ${d.tbl}` : undefined;
    },
    patientParams: ['patient', 'subject'],
    encounterParam: true,
    includes: { 'DocumentReference:patient': 'patient', 'DocumentReference:subject': 'patient', 'DocumentReference:encounter': 'encounter' },
    revincludeProvenance: true,
    map: (ep, r) => documentResource(ep, { tbl: req(r.tbl, 'tbl'), row_no: req(r.row_no, 'row_no'), fields: req(r.fields, 'fields') }),
  },
];

export const PROVENANCE_DATE = { kind: { kind: 'instant', expr: sql`e.received_at` } as DateKind, key: received };
export const EPISODE_ID_KEY = episodeId;
export const RECEIVED_KEY = received;

/** Parameters every searchable type takes. */
export const COMMON_PARAMS: ReadonlyArray<ParamDoc> = [
  { name: '_id', type: 'token', documentation: 'Logical id (comma-separated for several).' },
];

export const LAST_UPDATED: ParamDoc = { name: '_lastUpdated', type: 'date', documentation: 'When the current version of the episode (or golden record) arrived.' };
