/**
 * AuditEvent ← one row of the access log (audit module, audit_event) about a person: who did what,
 * when, with which outcome. What the citizen's access log words in Vietnamese is the subtype's display.
 * The row's own `resource` and `detail` are never copied (free text such as an emergency reason can
 * name a condition); an episode is named only by the server, and only when it may be shown.
 */
import type { AuditEvent, AuditEventAgent, AuditEventEntity } from '@medplum/fhirtypes';
import { codeSystemUrl } from './systems.ts';
import { instantToFhir } from './time.ts';

export interface AuditRecord {
  id: number | string;
  at: Date | string;
  person_id: string;
  actor_type: string;
  actor_name: string | null;
  actor_role: string | null;
  /** The actor role as the citizen reads it ('bác sĩ', 'cha/mẹ' …). */
  role_label: string | null;
  facility_code: string | null;
  facility_name: string | null;
  action: string;
  /** The action in Vietnamese, as the access log says it. */
  action_text: string;
  break_glass: boolean;
  /** The Encounter id of the episode the row is about, when the server may show it. */
  encounter: string | null;
}

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';

/** CRUDE verb of an action code from its last word (read is the default: most rows are reads). */
function verb(action: string): AuditEvent['action'] {
  const last = action.split('.').pop() ?? '';
  if (['create', 'give', 'record', 'checkin', 'confirm', 'request'].includes(last) || last.startsWith('event')) return 'C';
  if (['update', 'withdraw', 'merged', 'separate', 'take', 'resolve', 'reject', 'accept', 'decline', 'close', 'write'].includes(last)) return 'U';
  if (['delete', 'revoke', 'remove'].includes(last)) return 'D';
  if (['export', 'print', 'pdf', 'certificate'].includes(last)) return 'E';
  return 'R';
}

function agentOf(a: AuditRecord): AuditEventAgent {
  const role = a.role_label ? [{ text: a.role_label }] : undefined;
  switch (a.actor_type) {
    case 'staff':
      return {
        who: { display: [a.actor_name?.trim() || 'Nhân viên y tế', a.facility_name ?? a.facility_code].filter(Boolean).join(', ') },
        ...(role ? { role } : {}),
        requestor: true,
      };
    case 'facility':
      return { who: a.facility_code ? { reference: `Organization/${a.facility_code}`, ...(a.facility_name ? { display: a.facility_name } : {}) } : { display: 'Hệ thống của cơ sở y tế' }, requestor: true };
    case 'citizen':
      // A parent or guardian reads a child's book; the citizen's personal id is never echoed.
      return a.actor_role ? { who: { display: a.actor_name?.trim() || 'Người dùng Sổ sức khỏe' }, ...(role ? { role } : {}), requestor: true } : { who: { reference: `Patient/${a.person_id}` }, requestor: true };
    case 'share':
      return { who: { display: 'Bác sĩ có mã chia sẻ' }, requestor: true };
    default:
      return { who: { display: 'Hệ thống Sổ sức khỏe điện tử' }, requestor: true };
  }
}

export function auditEventResource(a: AuditRecord): AuditEvent {
  const entity: AuditEventEntity[] = [
    {
      what: { reference: `Patient/${a.person_id}` },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
    },
    ...(a.encounter
      ? [{ what: { reference: `Encounter/${a.encounter}` }, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' } }]
      : []),
  ];
  return {
    resourceType: 'AuditEvent',
    id: String(a.id),
    meta: { lastUpdated: instantToFhir(a.at) },
    language: 'vi',
    type: { system: DCM, code: '110110', display: 'Patient Record' },
    subtype: [{ system: codeSystemUrl('hanh-dong-truy-cap'), code: a.action, display: a.action_text }],
    action: verb(a.action),
    recorded: instantToFhir(a.at),
    outcome: a.action.endsWith('.denied') ? '4' : '0',
    ...(a.break_glass ? { purposeOfEvent: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'ETREAT', display: 'Emergency Treatment' }], text: 'Truy cập khẩn cấp khi cấp cứu' }] } : {}),
    agent: [agentOf(a)],
    source: { observer: { display: 'OpenHSSK' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }] },
    entity,
  };
}
