/**
 * DiagnosticReport: one per ordered service of an episode (the XML4 rows sharing a MA_DICH_VU, core
 * report.ts). The query walks the first XML4 row of each group and brings the group's rows and the
 * XML3 line of the service along as extra columns, so a page is still one keyset query.
 */
import { codeSystemUrl, diagnosticReportResource, parseReportId, type RowRecord } from '@openhssk/core/fhir';
import { sql } from 'kysely';
import { episodeKeyIn } from './sql.ts';
import { byCodeSystem, type EpisodeRowData, type EpisodeTypeDef, fieldIn, rowDate, rowTypes } from './types.ts';

/** The first XML4 row of its group: no earlier row of the episode has its (non-empty) MA_DICH_VU. */
const FIRST_OF_GROUP = sql`(coalesce(r.fields->>'MA_DICH_VU', '') = '' or not exists (
  select 1 from episode_row g where g.episode_id = r.episode_id and g.tbl = 'XML4' and g.row_no < r.row_no and g.fields->>'MA_DICH_VU' = r.fields->>'MA_DICH_VU'))`;

const GROUP_COLUMNS = sql`,
  case when coalesce(r.fields->>'MA_DICH_VU', '') = '' then jsonb_build_array(jsonb_build_object('row_no', r.row_no, 'fields', r.fields))
       else (select jsonb_agg(jsonb_build_object('row_no', g.row_no, 'fields', g.fields) order by g.row_no) from episode_row g
             where g.episode_id = r.episode_id and g.tbl = 'XML4' and g.fields->>'MA_DICH_VU' = r.fields->>'MA_DICH_VU') end as report_rows,
  (select jsonb_build_object('row_no', o.row_no, 'fields', o.fields) from episode_row o
    where o.episode_id = r.episode_id and o.tbl = 'XML3' and o.fields->>'MA_DICH_VU' = r.fields->>'MA_DICH_VU' order by o.row_no limit 1) as report_order`;

const NGAY_KQ = sql`coalesce(r.fields->>'NGAY_KQ', '')`;

type Stored = { row_no: number; fields: Record<string, string> };
const rowOf = (tbl: string, v: Stored): RowRecord => ({ tbl, row_no: Number(v.row_no), fields: v.fields });

function mapReport(ep: Parameters<EpisodeTypeDef['map']>[0], r: EpisodeRowData) {
  const group = ((r.report_rows as Stored[] | null) ?? []).map((g) => rowOf('XML4', g));
  const order = r.report_order ? rowOf('XML3', r.report_order as Stored) : undefined;
  return diagnosticReportResource(ep, group, order);
}

export const DIAGNOSTIC_REPORT: EpisodeTypeDef = rowTypes(
  'DiagnosticReport',
  'XML4',
  mapReport,
  { param: 'date', ...rowDate(NGAY_KQ, 12), documentation: 'NGAY_KQ of the first result of the report (XML4).' },
  {
    join: { kind: 'row', tbls: ['XML4'], predicate: FIRST_OF_GROUP, columns: GROUP_COLUMNS },
    idFilter: (id) => {
      const c = parseReportId(id);
      return c ? sql`${episodeKeyIn([Number(c.key)])} and r.row_no = ${c.n}` : undefined;
    },
    code: {
      documentation: `MA_DICH_VU (${codeSystemUrl('ma-dich-vu')}) of the service, or MA_CHI_SO (${codeSystemUrl('ma-chi-so')}) of a report without one.`,
      filter: (t) =>
        byCodeSystem(
          t,
          { [codeSystemUrl('ma-dich-vu')]: fieldIn('MA_DICH_VU'), [codeSystemUrl('ma-chi-so')]: (c) => sql`(coalesce(r.fields->>'MA_DICH_VU', '') = '' and ${fieldIn('MA_CHI_SO')(c)})` },
          (c) => sql`(${fieldIn('MA_DICH_VU')(c)} or (coalesce(r.fields->>'MA_DICH_VU', '') = '' and ${fieldIn('MA_CHI_SO')(c)}))`,
        ),
    },
  },
);
