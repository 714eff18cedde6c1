/**
 * Resources of one episode version as a whole: Encounter (XML1), its diagnoses as Conditions, the
 * Provenance of the signed envelope it came in, and the discharge paper / record summary (XML7, XML8)
 * as DocumentReferences.
 */
import type { CodeableConcept, Condition, DocumentReference, Encounter, Extension, Provenance, Reference } from '@medplum/fhirtypes';
import { diagnosisCodes, icd10Name } from '../codes/icd10.ts';
import { buildInnerXml } from '../xml130/build.ts';
import { vnCoding } from './codesystems.ts';
import { isDispensedRow } from './dispense.ts';
import {
  childId,
  type EpisodeRecord,
  encounterRef,
  episodeMeta,
  facilityByCode,
  facilityRef,
  field,
  num,
  parts,
  practitionerByLicence,
  type RowRecord,
  subjectOf,
} from './model.ts';
import { reportGroups, reportId } from './report.ts';
import { CANONICAL_BASE, codeSystemUrl, EXT, EXTENSION, SID } from './systems.ts';
import { instantToFhir, sqlTimeToFhir, xmlTimeToFhir } from './time.ts';

/** v3 ActCode encounter class per care type (docs/fhir.md explains each choice). */
const CLASS_OF: Readonly<Record<string, { code: string; display: string }>> = {
  '01': { code: 'AMB', display: 'ambulatory' },
  '02': { code: 'AMB', display: 'ambulatory' },
  '03': { code: 'IMP', display: 'inpatient encounter' },
  '04': { code: 'SS', display: 'short stay' },
  '05': { code: 'AMB', display: 'ambulatory' },
  '06': { code: 'IMP', display: 'inpatient encounter' },
  '07': { code: 'AMB', display: 'ambulatory' },
  '08': { code: 'AMB', display: 'ambulatory' },
  '09': { code: 'SS', display: 'short stay' },
};

/** The episode's ICD-10 codes in the order Condition ids number them (1 = principal). */
export const episodeDiagnoses = (ep: Pick<EpisodeRecord, 'ma_benh_chinh' | 'ma_benh_kt'>): string[] => diagnosisCodes(ep.ma_benh_chinh, ep.ma_benh_kt);

export function icd10Concept(code: string): CodeableConcept {
  const name = icd10Name(code);
  return { coding: [{ system: EXT.icd10, code, ...(name ? { display: name } : {}) }], text: name ?? code };
}

const vnConcept = (element: string, code: string): CodeableConcept => {
  const coding = vnCoding(element, code);
  return { coding: [coding], text: coding.display ?? code };
};

export function encounterResource(ep: EpisodeRecord): Encounter {
  const x1 = ep.xml1;
  const klass = CLASS_OF[ep.ma_loai_kcb] ?? CLASS_OF['01']!;
  const doiTuong = field(x1, 'MA_DOITUONG_KCB');
  const lyDoVv = field(x1, 'LY_DO_VV');
  const lyDoVnt = field(x1, 'LY_DO_VNT');
  const noiDi = field(x1, 'MA_NOI_DI');
  const noiDen = field(x1, 'MA_NOI_DEN');
  const days = num(field(x1, 'SO_NGAY_DTRI'));
  const hsba = field(x1, 'MA_HSBA');
  const codes = episodeDiagnoses(ep);
  const extension: Extension[] = [];
  if (ep.ket_qua_dtri !== null) extension.push({ url: EXTENSION.treatmentOutcome, valueCodeableConcept: vnConcept('KET_QUA_DTRI', String(ep.ket_qua_dtri)) });
  const hospitalization: NonNullable<Encounter['hospitalization']> = {
    ...(noiDi ? { origin: facilityByCode(noiDi) } : {}),
    ...(noiDen ? { destination: facilityByCode(noiDen) } : {}),
    ...(ep.ma_loai_rv !== null ? { dischargeDisposition: vnConcept('MA_LOAI_RV', String(ep.ma_loai_rv)) } : {}),
  };
  const start = sqlTimeToFhir(ep.ngay_vao);
  const end = sqlTimeToFhir(ep.ngay_ra);
  return {
    resourceType: 'Encounter',
    id: ep.key,
    meta: episodeMeta(ep),
    language: 'vi',
    ...(extension.length ? { extension } : {}),
    identifier: [
      { use: 'official', system: SID.maLk(ep.facility_code), value: ep.ma_lk },
      ...(hsba ? [{ use: 'secondary' as const, system: SID.maHsba(ep.facility_code), value: hsba }] : []),
    ],
    status: ep.ngay_ra ? 'finished' : 'in-progress',
    class: { system: EXT.actCode, ...klass },
    type: [vnConcept('MA_LOAI_KCB', ep.ma_loai_kcb), ...(doiTuong ? [vnConcept('MA_DOITUONG_KCB', doiTuong)] : [])],
    ...(doiTuong === '2' ? { priority: { coding: [{ system: EXT.actPriority, code: 'EM', display: 'emergency' }] } } : {}),
    subject: subjectOf(ep),
    period: { ...(start ? { start } : {}), ...(end ? { end } : {}) },
    ...(days !== undefined ? { length: { value: days, unit: 'ngày', system: EXT.ucum, code: 'd' } } : {}),
    ...(lyDoVv || lyDoVnt ? { reasonCode: [lyDoVv, lyDoVnt].filter(Boolean).map((text) => ({ text })) } : {}),
    diagnosis: codes.map((code, i) => ({
      condition: { reference: `Condition/${childId(ep, i + 1)}`, display: icd10Name(code) ?? code },
      use: { coding: [i === 0 ? { system: EXT.diagnosisRole, code: 'DD', display: 'Discharge diagnosis' } : { system: EXT.diagnosisRole, code: 'CM', display: 'Comorbidity diagnosis' }] },
      rank: i + 1,
    })),
    ...(Object.keys(hospitalization).length ? { hospitalization } : {}),
    serviceProvider: facilityRef(ep),
  };
}

/** Condition `n` (1-based, principal first) of the episode's diagnoses. */
export function conditionResource(ep: EpisodeRecord, code: string, n: number): Condition {
  const recorded = sqlTimeToFhir(ep.ngay_ra) ?? sqlTimeToFhir(ep.ngay_vao);
  return {
    resourceType: 'Condition',
    id: childId(ep, n),
    meta: episodeMeta(ep),
    language: 'vi',
    verificationStatus: { coding: [{ system: EXT.conditionVerification, code: 'confirmed', display: 'Confirmed' }] },
    category: [{ coding: [{ system: EXT.conditionCategory, code: 'encounter-diagnosis', display: 'Encounter Diagnosis' }] }],
    code: icd10Concept(code),
    subject: subjectOf(ep),
    encounter: encounterRef(ep),
    ...(recorded ? { recordedDate: recorded } : {}),
    ...(n === 1 && ep.chan_doan_rv ? { note: [{ text: `Chẩn đoán ra viện: ${ep.chan_doan_rv}` }] } : {}),
  };
}

/** Every resource id the episode gives rise to, for Provenance.target. */
export function episodeTargets(ep: EpisodeRecord, rows: ReadonlyArray<RowRecord>, rowType: (r: RowRecord) => string | undefined): Reference[] {
  const out: Reference[] = [encounterRef(ep)];
  for (let n = 1; n <= episodeDiagnoses(ep).length; n++) out.push({ reference: `Condition/${childId(ep, n)}` });
  for (const r of rows) {
    const type = rowType(r);
    if (type === 'DocumentReference') out.push({ reference: `DocumentReference/${documentId(ep, r.tbl)}` });
    else if (type) out.push({ reference: `${type}/${childId(ep, r.row_no)}` });
    if (isDispensedRow(ep, r)) out.push({ reference: `MedicationDispense/${childId(ep, r.row_no)}` });
  }
  for (const g of reportGroups(rows)) out.push({ reference: `DiagnosticReport/${reportId(ep, g[0]!.row_no)}` });
  return out;
}

export function provenanceResource(ep: EpisodeRecord, targets: Reference[]): Provenance {
  const start = sqlTimeToFhir(ep.ngay_vao);
  const end = sqlTimeToFhir(ep.ngay_ra);
  const sha = ep.submission_sha256 ? `, SHA-256 ${ep.submission_sha256}` : '';
  return {
    resourceType: 'Provenance',
    id: ep.key,
    meta: episodeMeta(ep),
    language: 'vi',
    target: targets,
    ...(start ? { occurredPeriod: { start, ...(end ? { end } : {}) } } : {}),
    recorded: instantToFhir(ep.received_at),
    activity: { coding: [ep.version > 1 ? { system: EXT.dataOperation, code: 'UPDATE', display: 'revise' } : { system: EXT.dataOperation, code: 'CREATE', display: 'create' }] },
    agent: [{ type: { coding: [{ system: EXT.provenanceParticipant, code: 'author', display: 'Author' }] }, who: facilityRef(ep) }],
    entity: [
      {
        role: 'source',
        what: {
          identifier: { system: SID.submission, value: ep.submission_id },
          display: `Hồ sơ XML 130 ${ep.ma_lk} (phiên bản ${ep.version}${sha})`,
        },
      },
    ],
    ...(ep.signature?.verified
      ? {
          signature: [
            {
              type: [{ system: EXT.signatureType, code: '1.2.840.10065.1.12.1.1', display: "Author's Signature" }],
              when: instantToFhir(ep.received_at),
              who: facilityRef(ep),
              sigFormat: 'application/signature+xml',
            },
          ],
        }
      : {}),
  };
}

const PAPER: Readonly<Record<string, { n: string; title: string; loinc?: { code: string; display: string } }>> = {
  XML7: { n: 'xml7', title: 'Giấy ra viện' },
  XML8: { n: 'xml8', title: 'Tóm tắt hồ sơ bệnh án', loinc: { code: '18842-5', display: 'Discharge summary' } },
};

export const documentId = (ep: EpisodeRecord, tbl: string) => childId(ep, PAPER[tbl]?.n ?? tbl.toLowerCase());

/** `<key>-xml7|xml8` → the episode key and the table. */
export function parseDocumentId(id: string): { key: string; tbl: 'XML7' | 'XML8' } | undefined {
  const m = /^(\d{1,18})-xml(7|8)$/.exec(id);
  return m ? { key: m[1]!, tbl: m[2] === '7' ? 'XML7' : 'XML8' } : undefined;
}

/** XML7 (discharge paper) or XML8 (record summary) with the table itself, rebuilt as XML 130, attached. */
export function documentResource(ep: EpisodeRecord, row: RowRecord): DocumentReference {
  const paper = PAPER[row.tbl];
  if (!paper) throw new Error(`${row.tbl} is not a document table`);
  const archive = field(row.fields, 'SO_LUU_TRU');
  const signer = parts(field(row.fields, 'MA_TTDV'))[0];
  const start = sqlTimeToFhir(ep.ngay_vao);
  const end = sqlTimeToFhir(ep.ngay_ra);
  const docDate = xmlTimeToFhir(field(row.fields, 'NGAY_CT'));
  const xml = buildInnerXml(row.tbl, [row.fields]);
  return {
    resourceType: 'DocumentReference',
    id: documentId(ep, row.tbl),
    meta: episodeMeta(ep),
    language: 'vi',
    ...(archive ? { identifier: [{ system: SID.soLuuTru(ep.facility_code), value: archive }] } : {}),
    status: 'current',
    type: {
      coding: [{ system: codeSystemUrl('bang-xml130'), code: row.tbl, display: paper.title }, ...(paper.loinc ? [{ system: EXT.loinc, ...paper.loinc }] : [])],
      text: paper.title,
    },
    subject: subjectOf(ep),
    date: instantToFhir(ep.received_at),
    author: [facilityRef(ep)],
    ...(signer ? { authenticator: practitionerByLicence(signer) } : {}),
    description: `${paper.title}${docDate ? ` ngày ${docDate}` : ''}`,
    content: [
      {
        attachment: {
          contentType: 'application/xml; charset=utf-8',
          language: 'vi',
          data: Buffer.from(xml, 'utf8').toString('base64'),
          title: `${row.tbl} ${ep.ma_lk}.xml`,
        },
        format: { system: 'urn:ietf:rfc:3986', code: `${CANONICAL_BASE}/format/xml130-${row.tbl.toLowerCase()}`, display: `XML 130 ${row.tbl}` },
      },
    ],
    context: {
      encounter: [encounterRef(ep)],
      ...(start ? { period: { start, ...(end ? { end } : {}) } } : {}),
    },
  };
}
