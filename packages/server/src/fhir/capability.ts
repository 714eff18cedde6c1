/**
 * The CapabilityStatement, generated from the type table: it claims read and search-type with exactly
 * the parameters, sorts and includes the search code accepts, and nothing else.
 */
import type { CapabilityStatement, CapabilityStatementRestResource, ResourceType } from '@medplum/fhirtypes';
import { SID } from '@openhssk/core/fhir';
import { COMMON_PARAMS, DEFAULT_COUNT, EPISODE_TYPES, LAST_UPDATED, MAX_COUNT } from './search.ts';
import type { ParamDoc } from './types.ts';
import { AUDIT_ACTION_SYSTEM } from './audit-event.ts';

const LAST_UPDATED_OF_CHOICE: ParamDoc = { name: '_lastUpdated', type: 'date', documentation: 'When the choice was last given or withdrawn.' };

const read = [{ code: 'read' as const }, { code: 'search-type' as const }];
const sortDoc = (names: string[]) => `_sort accepts ${names.map((n) => `${n} or -${n}`).join(', ')}; without it results come in id order.`;

function resource(
  type: ResourceType,
  params: ParamDoc[],
  doc: string,
  includes: string[] = [],
  revincludes: string[] = [],
  extra: Partial<CapabilityStatementRestResource> = {},
): CapabilityStatementRestResource {
  return {
    type,
    profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
    documentation: doc,
    interaction: read,
    versioning: 'versioned',
    readHistory: false,
    updateCreate: false,
    conditionalRead: 'not-supported',
    searchInclude: includes,
    searchRevInclude: revincludes,
    searchParam: [...COMMON_PARAMS, ...params].map((p) => ({ name: p.name, type: p.type, documentation: p.documentation })),
    ...extra,
  };
}

/** Types external systems may create (write-routes.ts), with what the create accepts. */
const CREATE_DOCS: Partial<Record<string, string>> = {
  Immunization:
    'create: a completed dose from a facility system (bearer token), identifier required (a re-post answers 200 with the stored dose), patient as a contained Patient, Patient/<id> or a CCCD/BHYT/BHXH identifier; a dose another source reported (same person, antigen, ±1 day) answers the dose counted. See docs/fhir.md "Writes".',
  Observation:
    'create: vital signs only (category vital-signs; LOINC 85354-9 panel, 8867-4, 9279-1, 29463-7, 8302-2, 39156-5, 8310-5, 2708-6, 59408-5), id vs-<n>; identifier required; posted vital signs follow the XML 4 results of a search that uses only _id, patient, subject, date, code. See docs/fhir.md "Writes".',
};

function withCreate(r: CapabilityStatementRestResource): CapabilityStatementRestResource {
  const doc = CREATE_DOCS[r.type];
  if (!doc) return r;
  return { ...r, interaction: [...(r.interaction ?? []), { code: 'create', documentation: doc }], conditionalCreate: true };
}

export function capabilityStatement(base: string, startedAt: string): CapabilityStatement {
  const episodeResources = EPISODE_TYPES.map((t) => {
    const params: ParamDoc[] = [LAST_UPDATED];
    for (const p of t.patientParams) params.push({ name: p, type: 'reference', documentation: 'The patient (Patient/<id>).' });
    if (t.encounterParam) params.push({ name: 'encounter', type: 'reference', documentation: 'The episode (Encounter/<id>).' });
    if (t.date) params.push({ name: t.date.param, type: 'date', documentation: `${t.date.documentation} Prefixes eq, gt, ge, lt, le.` });
    if (t.code) params.push({ name: 'code', type: 'token', documentation: t.code.documentation });
    if (t.identifier) params.push({ name: 'identifier', type: 'token', documentation: t.identifier.documentation });
    for (const p of Object.values(t.extraParams ?? {})) params.push(p.doc);
    const sorts = [...(t.date ? [t.date.param] : []), '_lastUpdated'];
    return resource(t.type, params, `From the XML 130 store; see docs/fhir.md. ${sortDoc(sorts)}`, Object.keys(t.includes), t.revincludeProvenance ? ['Provenance:target'] : []);
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: startedAt,
    publisher: 'OpenHSSK',
    kind: 'instance',
    software: { name: 'OpenHSSK', version: '0.1.0' },
    implementation: { description: 'OpenHSSK FHIR R4 façade: a projection of the XML 130 store, and the input of immunization doses and vital signs from facility systems', url: base },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        documentation: `Read, search, the Patient operations $everything and $summary, and create of Immunization and vital-sign Observation by facility systems. Pages of ${DEFAULT_COUNT} (at most ${MAX_COUNT}) follow Bundle.link next; Bundle.total is not given. Sensitive episodes (HIV, TB, mental health) are shown only to an app the patient authorized with the explicit choice to include them (SMART consent screen), never to any other caller.`,
        security: {
          cors: false,
          // SMART App Launch: where apps authorize (also in .well-known/smart-configuration).
          extension: [
            {
              url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
              extension: [
                { url: 'authorize', valueUri: `${base.replace(/\/fhir\/R4$/, '')}/smart/authorize` },
                { url: 'token', valueUri: `${base.replace(/\/fhir\/R4$/, '')}/smart/token` },
                { url: 'manage', valueUri: `${base.replace(/\/fhir\/R4$/, '')}/api/v1/smart/authorizations` },
              ],
            },
          ],
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
          description:
            'SMART on FHIR (see .well-known/smart-configuration): a patient-facing app the citizen authorized reads that citizen’s own data with patient/ scopes; a facility system gets system/ scopes by client credentials at the SMART token endpoint. Also: a facility system with its client-credentials bearer token (POST /api/v1/auth/token) reads the episodes it sent and those patients; a staff session of a system administrator (all facilities) or a health officer (the facilities of their area). CodeSystem, ValueSet and this statement are public. Every read of personal data is written to the access log.',
        },
        operation: [
          {
            name: 'export',
            definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export',
            documentation: 'System-level bulk export (NDJSON files, async: 202 + Content-Location, poll $export-status, DELETE cancels). Staff only.',
          },
        ],
        resource: [
          ...episodeResources,
          resource(
            'Provenance',
            [LAST_UPDATED, { name: 'target', type: 'reference', documentation: 'Any resource derived from an episode.' }, { name: 'recorded', type: 'date', documentation: 'When the version was received.' }],
            `One per episode version: the signed envelope and the facility it came from. ${sortDoc(['recorded', '_lastUpdated'])}`,
          ),
          resource(
            'Patient',
            [
              { name: 'identifier', type: 'token', documentation: `${SID.cccd}, ${SID.bhyt} or ${SID.bhxh} | value (any of them without a system).` },
              { name: '_lastUpdated', type: 'date', documentation: 'When the golden record last changed.' },
            ],
            'The golden record (MPI) of persons with at least one episode the caller may read.',
            [],
            [],
            {
              operation: [
                {
                  name: 'everything',
                  definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
                  documentation: 'GET only; parameters _count (resources per page, whole episodes: a page may hold a few more) and the next link. _since, _type, start and end are not supported.',
                },
                {
                  name: 'export',
                  definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export',
                  documentation: 'Bulk export of all patients the caller may read (Prefer: respond-async; _type, _since, _outputFormat ndjson). Staff only.',
                },
                {
                  name: 'summary',
                  definition: 'http://hl7.org/fhir/uv/ips/OperationDefinition/summary',
                  documentation: 'GET only, no parameters: an IPS document Bundle (problems, allergies, medications, immunizations, results) with Vietnamese narrative. Sensitive episodes are included only for an app the patient authorized with that explicit choice.',
                },
              ],
            },
          ),
          resource(
            'Immunization',
            [
              { name: 'patient', type: 'reference', documentation: 'The patient (Patient/<id>).' },
              { name: 'date', type: 'date', documentation: 'Day the dose was given. Prefixes eq, gt, ge, lt, le.' },
            ],
            'Doses of the immunization registry (one per real dose: a dose two sources reported is one resource) of patients the caller may read, wherever given; id = the registry record.',
            [],
            [],
            { versioning: 'no-version' },
          ),
          resource(
            'AllergyIntolerance',
            [{ name: 'patient', type: 'reference', documentation: 'The patient (Patient/<id>).' }],
            'Allergies the citizen declared in the health book (verificationStatus unconfirmed), of patients the caller may read.',
            [],
            [],
            { versioning: 'no-version' },
          ),
          resource(
            'Coverage',
            [
              { name: 'patient', type: 'reference', documentation: 'The insured person.' },
              { name: 'beneficiary', type: 'reference', documentation: 'The insured person.' },
              { name: 'identifier', type: 'token', documentation: `${SID.bhyt}|<card number>.` },
              { name: '_lastUpdated', type: 'date', documentation: 'When the golden record last changed.' },
            ],
            'The health-insurance card on the golden record; id = the Patient id.',
            ['Coverage:beneficiary', 'Coverage:patient'],
          ),
          {
            type: 'Group' as const,
            documentation: 'No Group resources: a group is named in the URL only, facility-<MACSKCB> or unit-<administrative unit code>, for $export.',
            interaction: [],
            operation: [{ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export', documentation: 'As Patient/$export, limited to the group’s facilities.' }],
          } satisfies CapabilityStatementRestResource,
          resource('Organization', [{ name: 'identifier', type: 'token', documentation: `${SID.macskcb}|<MACSKCB>.` }], 'Registered facilities; id = MACSKCB.'),
          resource(
            'Practitioner',
            [{ name: 'identifier', type: 'token', documentation: `${SID.practitionerLicence}|<licence number>.` }],
            'Practitioners named by licence number (MA_BAC_SI, NGUOI_THUC_HIEN, MA_BS_DOC_KQ, MA_TTDV, MA_BS) in episodes the caller may read; id = the licence number with other characters than letters, digits and - written as .XX (hex); name only from a discharge paper (XML7 TEN_BS).',
            [],
            [],
            { versioning: 'no-version' },
          ),
          resource(
            'Consent',
            [
              { name: 'patient', type: 'reference', documentation: 'The patient (Patient/<id>).' },
              { name: 'date', type: 'date', documentation: 'When the choice was given. Prefixes eq, gt, ge, lt, le.' },
              LAST_UPDATED_OF_CHOICE,
            ],
            `The citizen's choices in the health book (id <patient>-book, <patient>-cross-facility), of patients the caller may read; read-only. ${sortDoc(['date', '_lastUpdated'])}`,
            [],
            [],
            { versioning: 'no-version' },
          ),
          resource(
            'AuditEvent',
            [
              { name: 'patient', type: 'reference', documentation: 'The person the access concerned (Patient/<id>).' },
              { name: 'date', type: 'date', documentation: 'When it happened. Prefixes eq, gt, ge, lt, le.' },
              { name: '_lastUpdated', type: 'date', documentation: 'Same as date (a log row never changes).' },
              { name: 'subtype', type: 'token', documentation: `The action: ${AUDIT_ACTION_SYSTEM}|<code>.` },
            ],
            `The access log about patients (who read or changed what, when). System administrators only. Rows about sensitive episodes are never shown. ${sortDoc(['date', '_lastUpdated'])}`,
            [],
            [],
            { versioning: 'no-version' },
          ),
          resource('CodeSystem', [{ name: 'url', type: 'uri', documentation: 'Canonical URL.' }], 'Vietnamese code sets of XML 130 (public).'),
          resource('ValueSet', [{ name: 'url', type: 'uri', documentation: 'Canonical URL.' }], 'One value set per code system (public).'),
        ]
          .map(withCreate)
          .sort((a, b) => a.type.localeCompare(b.type)),
      },
    ],
  };
}
