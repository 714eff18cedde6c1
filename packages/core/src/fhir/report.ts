/**
 * DiagnosticReport ← the paraclinical results of one ordered service in an episode: the XML4 rows that
 * share a MA_DICH_VU (a blood count's indices, an ultrasound's description and conclusion) form one
 * report whose results are those rows' Observations. An XML4 row without MA_DICH_VU is a report of its
 * own. The XML3 line of the same service (when sent) gives the service name and who performed it
 * (NGUOI_THUC_HIEN, required for MA_NHOM 1, 2, 3). KET_LUAN (the reader's conclusion) and MO_TA (the
 * description of an imaging or pathology result) are, per 130/3176, XML4 fields; XML3 has none.
 */
import type { Attachment, Coding, DiagnosticReport } from '@medplum/fhirtypes';
import { serviceByCode } from '../codes/services.ts';
import { childId, type EpisodeRecord, encounterRef, episodeMeta, facilityRef, field, parts, practitionerByLicence, type RowRecord, subjectOf } from './model.ts';
import { codeSystemUrl } from './systems.ts';
import { xmlTimeToFhir } from './time.ts';

const V2_0074 = 'http://terminology.hl7.org/CodeSystem/v2-0074';

const CATEGORY: Readonly<Record<string, Coding>> = {
  lab: { system: V2_0074, code: 'LAB', display: 'Laboratory' },
  imaging: { system: V2_0074, code: 'RAD', display: 'Radiology' },
  function: { system: V2_0074, code: 'OTH', display: 'Other' },
};

/** `<key>-kq<n>`, n = STT of the group's first XML4 row. */
export const reportId = (ep: EpisodeRecord, firstRow: number) => childId(ep, `kq${firstRow}`);

export function parseReportId(id: string): { key: string; n: number } | undefined {
  const m = /^(\d{1,18})-kq(\d{1,6})$/.exec(id);
  return m ? { key: m[1]!, n: Number(m[2]) } : undefined;
}

/** The group key of an XML4 row: its service code, or the row itself when it has none. */
export const reportGroupOf = (row: RowRecord): string => field(row.fields, 'MA_DICH_VU') || `row:${row.row_no}`;

/** XML4 rows grouped into reports, in order of their first row. */
export function reportGroups(rows: ReadonlyArray<RowRecord>): RowRecord[][] {
  const groups = new Map<string, RowRecord[]>();
  for (const r of [...rows].filter((x) => x.tbl === 'XML4').sort((a, b) => a.row_no - b.row_no)) {
    const k = reportGroupOf(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return [...groups.values()];
}

/** The XML3 line that ordered a report's service (the first one with that MA_DICH_VU). */
export function orderRowOf(group: ReadonlyArray<RowRecord>, rows: ReadonlyArray<RowRecord>): RowRecord | undefined {
  const service = field(group[0]!.fields, 'MA_DICH_VU');
  if (!service) return undefined;
  return [...rows].filter((r) => r.tbl === 'XML3' && field(r.fields, 'MA_DICH_VU') === service).sort((a, b) => a.row_no - b.row_no)[0];
}

const text = (title: string, body: string): Attachment => ({
  contentType: 'text/plain; charset=utf-8',
  language: 'vi',
  data: Buffer.from(body, 'utf8').toString('base64'),
  title,
});

/** One report from its XML4 rows (STT order, at least one) and, when sent, the XML3 line of the service. */
export function diagnosticReportResource(ep: EpisodeRecord, group: ReadonlyArray<RowRecord>, order: RowRecord | undefined): DiagnosticReport {
  const first = group[0];
  if (!first) throw new Error('a report needs at least one XML4 row');
  const service = field(first.fields, 'MA_DICH_VU');
  const index = field(first.fields, 'MA_CHI_SO');
  const known = service ? serviceByCode(service) : undefined;
  const name = (order ? field(order.fields, 'TEN_DICH_VU') : '') || known?.name || (group.length === 1 ? field(first.fields, 'TEN_CHI_SO') : '');
  const category = (known && CATEGORY[known.kind]) ?? (index ? CATEGORY.lab : undefined);
  const times = group.map((r) => field(r.fields, 'NGAY_KQ')).filter((t) => xmlTimeToFhir(t) !== undefined).sort();
  const effective = xmlTimeToFhir(times[0]);
  const last = times.length ? xmlTimeToFhir(times[times.length - 1]) : undefined;
  const readers = [...new Set(group.flatMap((r) => parts(field(r.fields, 'MA_BS_DOC_KQ'))))];
  const performers = order ? parts(field(order.fields, 'NGUOI_THUC_HIEN')) : [];
  const conclusions = [...new Set(group.map((r) => field(r.fields, 'KET_LUAN')).filter(Boolean))];
  const descriptions = [...new Set(group.map((r) => field(r.fields, 'MO_TA')).filter(Boolean))];
  const coding: Coding[] = service
    ? [{ system: codeSystemUrl('ma-dich-vu'), code: service, ...(name ? { display: name } : {}) }]
    : index
      ? [{ system: codeSystemUrl('ma-chi-so'), code: index, ...(name ? { display: name } : {}) }]
      : [];
  return {
    resourceType: 'DiagnosticReport',
    id: reportId(ep, first.row_no),
    meta: episodeMeta(ep),
    language: 'vi',
    status: 'final',
    ...(category ? { category: [{ coding: [category] }] } : {}),
    code: { ...(coding.length ? { coding } : {}), text: name || service || index || 'Kết quả cận lâm sàng' },
    subject: subjectOf(ep),
    encounter: encounterRef(ep),
    ...(effective ? { effectiveDateTime: effective } : {}),
    // issued is an instant: only a result time to the minute (12 characters) makes one.
    ...(last?.includes('T') ? { issued: last } : {}),
    performer: [facilityRef(ep), ...performers.map(practitionerByLicence)],
    ...(readers.length ? { resultsInterpreter: readers.map(practitionerByLicence) } : {}),
    result: group.map((r) => ({ reference: `Observation/${childId(ep, r.row_no)}` })),
    ...(conclusions.length ? { conclusion: conclusions.join('\n') } : {}),
    ...(descriptions.length ? { presentedForm: [text('Mô tả kết quả', descriptions.join('\n'))] } : {}),
  };
}
