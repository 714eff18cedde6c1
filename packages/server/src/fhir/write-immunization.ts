/**
 * `POST /fhir/R4/Immunization`: a dose from an external system (the national immunization system, a
 * facility's software) into the immunization registry, through its receiveDose entry point. Mapping
 * element by element: docs/fhir.md ("Writes").
 */
import type { Immunization } from '@medplum/fhirtypes';
import { codeSystemUrl, SID } from '@openhssk/core/fhir';
import type { Db } from '../db/index.ts';
import { type ReceivedDose, receiveDose } from '../immunization/index.ts';
import { senderIdentifier, subjectOf, unprocessable, vietnamTime, type Writer } from './write.ts';


/** The dose a structurally valid Immunization describes, or why it cannot be stored (422). */
export async function doseOf(db: Db, writer: Writer, r: Immunization): Promise<ReceivedDose> {
  if (r.status !== 'completed') {
    throw unprocessable(
      'IMMUNIZATION_STATUS',
      `Chỉ nhận mũi tiêm đã tiêm (status completed), không nhận "${r.status}": sổ tiêm chủng ghi các mũi đã tiêm.`,
      `Only given doses (status completed) are accepted, not "${r.status}": the registry records doses given.`,
    );
  }
  const identifier = senderIdentifier(r.identifier);
  if (r.occurrenceDateTime === undefined) {
    throw unprocessable('OCCURRENCE_MISSING', 'Cần occurrenceDateTime (ngày tiêm); không nhận occurrenceString.', 'occurrenceDateTime (the date given) is required; occurrenceString is not accepted.');
  }
  const at = vietnamTime(r.occurrenceDateTime);
  if (!at) throw unprocessable('OCCURRENCE_INVALID', `Ngày tiêm "${r.occurrenceDateTime}" phải có đủ ngày, tháng, năm.`, `Date given "${r.occurrenceDateTime}" must be a full date.`);
  const ours = r.vaccineCode.coding?.filter((c) => c.system === codeSystemUrl('vac-xin') && c.code).map((c) => c.code!) ?? [];
  const others = r.vaccineCode.coding?.flatMap((c) => (c.system === codeSystemUrl('vac-xin') ? [] : [c.code, c.display])).filter((v): v is string => !!v) ?? [];
  const vaccine = [...ours, ...others, ...(r.vaccineCode.text ? [r.vaccineCode.text] : [])];
  if (vaccine.length === 0) throw unprocessable('VACCINE_MISSING', 'vaccineCode không có mã hay tên vắc xin.', 'vaccineCode carries no vaccine code or name.');
  const protocol = r.protocolApplied?.[0];
  const doseNo = protocol?.doseNumberPositiveInt ?? (protocol?.doseNumberString && /^\d{1,2}$/.test(protocol.doseNumberString) ? Number(protocol.doseNumberString) : null);
  const performer = r.performer?.find((p) => p.actor.identifier?.system === SID.macskcb && p.actor.identifier.value)?.actor.identifier?.value ?? r.performer?.[0]?.actor.display ?? null;
  const reaction = [...(r.reaction ?? []).map((x) => x.detail?.display), ...(r.note ?? []).map((n) => n.text)].filter(Boolean).join('; ');
  return {
    sender: { facilityCode: writer.facilityCode, clientId: writer.clientId },
    identifier,
    subject: await subjectOf(db, writer, r, r.patient, 'Immunization.patient'),
    vaccine,
    vaccineName: r.vaccineCode.text ?? r.vaccineCode.coding?.find((c) => c.display)?.display ?? '',
    doseNo: doseNo !== null && doseNo >= 1 && doseNo <= 20 ? doseNo : null,
    givenOn: at.date,
    place: performer,
    lotNo: r.lotNumber ?? null,
    route: r.route?.coding?.[0]?.code ?? r.route?.text ?? null,
    bodySite: r.site?.text ?? r.site?.coding?.[0]?.display ?? r.site?.coding?.[0]?.code ?? null,
    reaction: reaction || null,
  };
}

/** Stores the dose; the id answered is the record the registry counts (the first source's for a duplicate). */
export async function createImmunization(db: Db, writer: Writer, r: Immunization, requestId: string): Promise<{ id: string; created: boolean }> {
  const dose = await doseOf(db, writer, r);
  const stored = await receiveDose(db, dose, { actor: writer.actor, requestId });
  return { id: String(stored.countedAs), created: stored.created && stored.countedAs === stored.doseId };
}
