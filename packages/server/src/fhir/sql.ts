/**
 * The SQL of the FHIR projection. Every query reads only what FHIR may show: current versions of
 * episodes that are not sensitive (episode.sensitivity, set at ingest by ingest's sensitivityOfEpisode:
 * HIV/XML6, TB/XML15, HIV/TB/mental-health ICD-10 ranges) and whose visit category does not name a TB
 * or HIV patient, at facilities the caller may read. Hidden episodes are filtered before LIMIT, so
 * pages, next links and everything else look exactly as if they did not exist.
 *
 * Paging is keyset (no OFFSET): each query orders by a sort tuple ending in unique columns and starts
 * after the previous page's last tuple; migration 024 indexes each tuple.
 */
import { SENSITIVE_VISIT_CATEGORIES } from '@openhssk/core/fhir';
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { type DateBound, toInstant, toSqlLocal, toXmlText } from './params.ts';

/**
 * Whose episodes a caller reads: every facility, some facilities, or (a SMART app token) one
 * person's compartment at every facility, `{ person }`. `includeSensitive` is set only for the token
 * of an app the citizen explicitly let read their sensitive episodes (smart module); no other caller
 * ever has it.
 */
export type Facilities = 'all' | string[] | { person: string; includeSensitive?: boolean };
type Cond = RawBuilder<unknown>;

const none = ['-----'];

/** The rule that hides an episode from every caller but the citizen's own app on their choice. */
const NOT_SENSITIVE = sql`cardinality(e.sensitivity) = 0 and coalesce(e.xml1->'fields'->>'MA_DOITUONG_KCB', '') <> all(${[...SENSITIVE_VISIT_CATEGORIES]}::text[])`;

/** True when the caller reads the sensitive episodes of its one person too. */
export const includesSensitive = (facilities: Facilities): facilities is { person: string; includeSensitive: true } =>
  typeof facilities === 'object' && !Array.isArray(facilities) && facilities.includeSensitive === true;

/** What FHIR may show of an episode row aliased `e` (the partial indexes of migration 024 repeat the first two terms). */
export function visibleEpisode(facilities: Facilities): Cond {
  // The citizen's own app on their choice: the person's current episodes, sensitive or not (served by
  // the episode_person index, not the partial ones).
  if (includesSensitive(facilities)) return sql`e.is_current and e.person_id = ${facilities.person}`;
  const scope =
    facilities === 'all'
      ? sql``
      : Array.isArray(facilities)
        ? sql` and e.facility_code = any(${facilities.length ? facilities : none}::text[])`
        : sql` and e.person_id = ${facilities.person}`;
  return sql`e.is_current and ${NOT_SENSITIVE}${scope}`;
}

/** The rule of core's isProcedureRow, on a row aliased `r` (same text as the partial indexes of migration 024). */
export const PROCEDURE_ROW = sql`(r.fields->>'MA_NHOM' in ('8', '18') or coalesce(r.fields->>'MA_PTTT_QT', '') <> '') and coalesce(r.fields->>'MA_VAT_TU', '') = ''`;

/**
 * Episodes named by FHIR ids, in whatever version is current. An episode's FHIR id is the id of its
 * earliest version on the same person (the `key` column below): its first version, unless a resend
 * named another patient and the chain went on under that person (then the first version there).
 */
export const episodeKeyIn = (keys: readonly number[]): Cond =>
  sql`(e.facility_code, e.ma_lk, coalesce(e.person_id, '')) in (select v.facility_code, v.ma_lk, coalesce(v.person_id, '') from episode v
    where v.id = any(${keys.length ? keys.map(String) : ['0']}::bigint[])
      and not exists (select 1 from episode w where w.facility_code = v.facility_code and w.ma_lk = v.ma_lk and w.person_id is not distinct from v.person_id and w.id < v.id))`;

// ---------------------------------------------------------------------------------------------
// Dates. A point value t matches [lo, hi) per prefix; a period [start, end] (Encounter) by overlap,
// as FHIR defines the prefixes for ranges.

export type DateKind =
  | { kind: 'local'; expr: Cond } // zone-less Vietnam timestamp column
  | { kind: 'instant'; expr: Cond } // timestamptz column
  | { kind: 'xml'; expr: Cond; length: 8 | 12 } // XML 130 text
  | { kind: 'period'; start: Cond; end: Cond }; // zone-less start and end (end may be 'infinity')

function bound(k: Exclude<DateKind, { kind: 'period' }>, ms: number): Cond {
  if (k.kind === 'local') return sql`${toSqlLocal(ms)}::timestamp`;
  if (k.kind === 'instant') return sql`${toInstant(ms)}::timestamptz`;
  return sql`${toXmlText(ms, k.length)}::text`;
}

export function dateCondition(k: DateKind, b: DateBound): Cond {
  if (k.kind === 'period') {
    const lo = sql`${toSqlLocal(b.lo)}::timestamp`;
    const hi = sql`${toSqlLocal(b.hi)}::timestamp`;
    switch (b.prefix) {
      case 'eq':
        return sql`(${k.start} >= ${lo} and ${k.end} < ${hi})`;
      case 'ge':
        return sql`${k.end} >= ${lo}`;
      case 'gt':
        return sql`${k.end} >= ${hi}`;
      case 'le':
        return sql`${k.start} < ${hi}`;
      case 'lt':
        return sql`${k.start} < ${lo}`;
    }
  }
  const lo = bound(k, b.lo);
  const hi = bound(k, b.hi);
  switch (b.prefix) {
    case 'eq':
      return sql`(${k.expr} >= ${lo} and ${k.expr} < ${hi})`;
    case 'ge':
      return sql`${k.expr} >= ${lo}`;
    case 'gt':
      return sql`${k.expr} >= ${hi}`;
    case 'le':
      return sql`${k.expr} < ${hi}`;
    case 'lt':
      return sql`${k.expr} < ${lo}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Sorting and keyset paging.

export interface SortKey {
  /** Expression ordered by and compared with the cursor. */
  expr: Cond;
  /** Value read back for the next cursor. */
  value: Cond;
  /** The cursor value as an SQL operand. */
  operand: (v: string | number) => Cond;
  kind: 'text' | 'int';
}

export const intKey = (expr: Cond): SortKey => ({ expr, value: expr, operand: (v) => sql`${String(v)}::bigint`, kind: 'int' });
export const textKey = (expr: Cond): SortKey => ({ expr, value: expr, operand: (v) => sql`${String(v)}::text`, kind: 'text' });
export const localTimeKey = (expr: Cond): SortKey => ({ expr, value: sql`${expr}::text`, operand: (v) => sql`${String(v)}::timestamp`, kind: 'text' });
/** timestamptz kept exact to the microsecond in the cursor (a JavaScript Date would drop them). */
export const instantKey = (expr: Cond): SortKey => ({
  expr,
  value: sql`(extract(epoch from ${expr}) * 1000000)::bigint`,
  operand: (v) => sql`(timestamptz 'epoch' + ${String(v)}::bigint * interval '1 microsecond')`,
  kind: 'int',
});

export interface Page {
  keys: SortKey[];
  desc: boolean;
  after: Array<string | number> | undefined;
  limit: number;
}

export function keyset(p: Page): { where: Cond | undefined; order: Cond; values: Cond } {
  const order = sql.join(
    p.keys.map((k) => (p.desc ? sql`${k.expr} desc` : sql`${k.expr} asc`)),
    sql`, `,
  );
  const values = sql.join(
    p.keys.map((k, i) => sql`${k.value} as ${sql.ref(`k${i}`)}`),
    sql`, `,
  );
  if (!p.after) return { where: undefined, order, values };
  const lhs = sql.join(
    p.keys.map((k) => k.expr),
    sql`, `,
  );
  const rhs = sql.join(
    p.keys.map((k, i) => k.operand(p.after![i]!)),
    sql`, `,
  );
  return { where: p.desc ? sql`(${lhs}) < (${rhs})` : sql`(${lhs}) > (${rhs})`, order, values };
}

const and = (conds: Cond[]): Cond => (conds.length ? sql.join(conds, sql` and `) : sql`true`);

/** The sort values of a result row, for the next cursor. */
export function rowKeys(row: object, count: number): Array<string | number> {
  const out: Array<string | number> = [];
  for (let i = 0; i < count; i++) {
    const v: unknown = Reflect.get(row, `k${i}`);
    out.push(typeof v === 'number' ? v : String(v ?? ''));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Episode-based queries: episode alone, episode × diagnosis, episode × one table's rows.

export interface EpisodeSqlRow {
  id: number;
  key: number;
  version: number;
  facility_code: string;
  facility_name: string | null;
  ma_lk: string;
  person_id: string | null;
  ma_bn: string;
  ho_ten: string;
  ma_loai_kcb: string;
  ngay_vao: string;
  ngay_vao_noi_tru: string | null;
  ngay_ra: string | null;
  ma_benh_chinh: string | null;
  ma_benh_kt: string | null;
  chan_doan_rv: string | null;
  ket_qua_dtri: number | null;
  ma_loai_rv: number | null;
  xml1: { fields?: Record<string, string> } | null;
  submission_id: string;
  submission_sha256: string | null;
  signature: { verified?: boolean; method?: string; certificate_id?: string } | null;
  received_at: Date;
  /** The episode is one FHIR hides unless the citizen chose otherwise (only such a caller ever gets one). */
  sensitive: boolean;
  [k: `k${number}`]: unknown;
}

export type EpisodeJoin = { kind: 'episode' } | { kind: 'diagnosis' } | { kind: 'row'; tbls: readonly string[]; predicate?: Cond; columns?: Cond };

// key: the id of the episode's earliest version on its person (its FHIR id, as episodeKeyIn reads it).
// A first version is its own, so the index probe runs only for corrected episodes: most rows skip it
// (CASE evaluates the sub-select only in its branch). Naming the person keeps the probe on the
// episode's shard on a Citus cluster (issue 21), by value when the query is about one person (Citus
// routes a correlated probe only then). A chain a resend moved to another patient keeps a stable id
// on each person rather than pointing at a version the reader may not see.
const episodeColumns = (person?: string) => sql`e.id, e.version, e.facility_code, f.name as facility_name, e.ma_lk, e.person_id, e.ma_bn, e.ho_ten, e.ma_loai_kcb,
  e.ngay_vao, e.ngay_vao_noi_tru, e.ngay_ra, e.ma_benh_chinh, e.ma_benh_kt, e.chan_doan_rv, e.ket_qua_dtri, e.ma_loai_rv, e.xml1,
  e.submission_id, s.sha256 as submission_sha256, s.receipt->'signature' as signature, e.received_at, coalesce(not (${NOT_SENSITIVE}), true) as sensitive,
  case when e.version = 1 then e.id else coalesce((select min(v.id) from episode v where ${person ? sql`v.person_id = ${person}` : sql`v.person_id is not distinct from e.person_id`}
    and v.facility_code = e.facility_code and v.ma_lk = e.ma_lk), e.id) end as key`;

export async function queryEpisodes<Extra extends object>(
  db: Db,
  join: EpisodeJoin,
  facilities: Facilities,
  filters: Cond[],
  page: Page,
  /** The one person all the episodes are of, when the filters name one. */
  person?: string,
): Promise<Array<EpisodeSqlRow & Extra>> {
  const k = keyset(page);
  const extra =
    join.kind === 'diagnosis'
      ? { columns: sql`, d.code, d.n::int as n`, from: sql` cross join lateral unnest(fhir_diagnosis_codes(e.ma_benh_chinh, e.ma_benh_kt)) with ordinality as d(code, n)` }
      : join.kind === 'row'
        ? {
            columns: sql`, r.tbl, r.row_no, r.fields${join.columns ?? sql``}`,
            from: sql` join episode_row r on r.episode_id = e.id and r.tbl = any(${[...join.tbls]}::text[])${join.predicate ? sql` and ${join.predicate}` : sql``}`,
          }
        : { columns: sql``, from: sql`` };
  const where = and([visibleEpisode(facilities), ...filters, ...(k.where ? [k.where] : [])]);
  const r = await sql<EpisodeSqlRow & Extra>`select ${episodeColumns(person)}${extra.columns}, ${k.values}
    from episode e join facility f on f.code = e.facility_code join submission s on s.id = e.submission_id${extra.from}
    where ${where}
    order by ${k.order}
    limit ${page.limit}`.execute(db);
  return r.rows;
}

/**
 * The bulk export's walk over episodes: the next `window` episode ids after `after` (every version,
 * visible or not, in the caller's facilities), then those of them FHIR may show, in id order, with
 * `walked` the last id looked at (the next cursor; undefined at the end). The window is picked by
 * the primary key alone because, in one query with the visibility rule, the planner misjudges how
 * many rows the rule keeps and sorts every remaining episode to return the first few hundred, which
 * makes a whole walk quadratic; this way each step reads at most `window` episodes.
 */
export async function episodeWindow(
  db: Db,
  facilities: Facilities,
  filters: Cond[],
  after: number | undefined,
  window: number,
): Promise<{ rows: EpisodeSqlRow[]; walked: number | undefined }> {
  const scope = Array.isArray(facilities)
    ? [sql`e.facility_code = any(${facilities.length ? facilities : none}::text[])`]
    : typeof facilities === 'object'
      ? [sql`e.person_id = ${facilities.person}`]
      : [];
  const start = after === undefined ? [] : [sql`e.id > ${String(after)}::bigint`];
  const ids = (await sql<{ id: string }>`select e.id::text as id from episode e where ${and([...scope, ...start])} order by e.id limit ${window}`.execute(db)).rows.map((r) => r.id);
  if (ids.length === 0) return { rows: [], walked: undefined };
  const r = await sql<EpisodeSqlRow>`select ${episodeColumns()}
    from episode e join facility f on f.code = e.facility_code join submission s on s.id = e.submission_id
    where e.id = any(${ids}::bigint[]) and ${and([visibleEpisode(facilities), ...filters])}
    order by e.id`.execute(db);
  return { rows: r.rows, walked: Number(ids[ids.length - 1]) };
}

/** Rows that become resources, of the given episodes (for Provenance targets). */
/**
 * `personId`, when all the episodes are that person's: their rows carry it too (episode_row follows its
 * episode), and naming it keeps the read on one shard on a Citus cluster (issue 21).
 */
export async function projectedRows(db: Db, episodeIds: readonly number[], personId?: string) {
  if (episodeIds.length === 0) return [];
  const r = await sql<{ episode_id: number; tbl: string; row_no: number; fields: Record<string, string> }>`
    select r.episode_id, r.tbl, r.row_no, r.fields from episode_row r
    where ${personId === undefined ? sql`` : sql`r.person_id = ${personId} and `}r.episode_id = any(${episodeIds.map(String)}::bigint[]) and r.tbl in ('XML2', 'XML3', 'XML4', 'XML7', 'XML8', 'XML13', 'XML14')
    order by r.episode_id, r.tbl, r.row_no`.execute(db);
  return r.rows;
}

// ---------------------------------------------------------------------------------------------
// Persons (Patient, Coverage): only persons with an episode the caller may see, or data it sent (FHIR writes).

export interface PersonSqlRow {
  id: string;
  ho_ten: string;
  ngay_sinh: string | null;
  gioi_tinh: number | null;
  so_cccd: string | null;
  so_bhyt: string | null;
  bhxh: string | null;
  bhyt_valid_from: string | null;
  bhyt_valid_to: string | null;
  bhyt_facility_code: string | null;
  so_dien_thoai: string | null;
  dia_chi: string | null;
  updated_at: Date;
}

const PERSON_COLUMNS = sql`p.id, p.ho_ten, p.ngay_sinh, p.gioi_tinh, p.so_cccd, p.so_bhyt, p.bhxh, p.bhyt_valid_from::text as bhyt_valid_from,
  p.bhyt_valid_to::text as bhyt_valid_to, p.bhyt_facility_code, p.so_dien_thoai, p.dia_chi, p.updated_at`;

/**
 * What an external system sent about the person through FHIR writes (doses, vital signs) makes the
 * person one of its patients, as an episode it sent does (fhir/access.ts).
 */
// On a row `w` of vaccination or vital_sign: sent by one of the caller's facilities, or (a patient's
// app) about the patient themselves.
const senderIn = (facilities: Facilities): Cond =>
  facilities === 'all'
    ? sql`w.sender_facility_code is not null`
    : Array.isArray(facilities)
      ? sql`w.sender_facility_code = any(${facilities.length ? facilities : none}::text[])`
      : sql`w.sender_facility_code is not null and w.person_id = ${facilities.person}`;

function sentAbout(facilities: Facilities, onePerson?: string): Cond {
  const scope = senderIn(facilities);
  return sql`(exists (select 1 from vaccination w where ${samePerson('w', onePerson)} and ${scope})
    or exists (select 1 from vital_sign w where ${samePerson('w', onePerson)} and ${scope}))`;
}

/**
 * A subquery's rows of person p. With the one person's id named inside the subquery as well, a Citus
 * cluster plans the whole statement on that person's shard (issue 21); the meaning is the same.
 */
const samePerson = (alias: string, onePerson: string | undefined): Cond =>
  onePerson === undefined ? sql`${sql.ref(`${alias}.person_id`)} = p.id` : sql`${sql.ref(`${alias}.person_id`)} = p.id and ${sql.ref(`${alias}.person_id`)} = ${onePerson}`;

/**
 * Persons in id order after `after`. With `direct` conditions (ids, identifiers) the persons are looked
 * up and checked; otherwise the walk goes through the caller's episodes (index on person or on
 * facility + person), so a facility's listing never visits other facilities' patients.
 */
export async function queryPersons(
  db: Db, facilities: Facilities, direct: Cond[] | undefined, onlyWithCard: boolean, after: string | undefined, limit: number,
  /** Set when `direct` selects exactly this person by id (samePerson). */
  onePerson?: string,
): Promise<PersonSqlRow[]> {
  const card = onlyWithCard ? sql` and p.so_bhyt is not null` : sql``;
  const start = after !== undefined ? sql` and p.id > ${after}` : sql``;
  if (direct) {
    const r = await sql<PersonSqlRow>`select ${PERSON_COLUMNS} from person p
      where ${and(direct)}${card}${start} and (exists (select 1 from episode e where ${samePerson('e', onePerson)} and ${visibleEpisode(facilities)}) or ${sentAbout(facilities, onePerson)})
      order by p.id limit ${limit}`.execute(db);
    return r.rows;
  }
  const startE = after !== undefined ? sql` and e.person_id > ${after}` : sql``;
  const scope = senderIn(facilities);
  const sent = (table: 'vaccination' | 'vital_sign') => sql`(select w.person_id from ${sql.table(table)} w${onlyWithCard ? sql` join person p on p.id = w.person_id` : sql``}
      where ${scope}${after !== undefined ? sql` and w.person_id > ${after}` : sql``}${card} group by w.person_id order by w.person_id limit ${limit})`;
  const r = await sql<PersonSqlRow>`select ${PERSON_COLUMNS} from person p
    where p.id in (select x.person_id from (
      (select e.person_id from episode e${onlyWithCard ? sql` join person p on p.id = e.person_id` : sql``}
      where ${visibleEpisode(facilities)} and e.person_id is not null${startE}${card}
      group by e.person_id order by e.person_id limit ${limit})
      union ${sent('vaccination')} union ${sent('vital_sign')}) x order by x.person_id limit ${limit})
    order by p.id`.execute(db);
  return r.rows;
}

/**
 * The bulk export's walk over every person (all facilities): the next `window` person ids after
 * `after`, then those of them with a visible episode or data sent by a facility system, with `walked`
 * the last id looked at (undefined at the end). Each person is probed through its own episodes
 * (LATERAL … LIMIT 1): the planner, misjudging how many episodes the visibility rule keeps, would
 * otherwise hash every visible episode of the store for each window.
 */
export async function personWindow(db: Db, after: string | undefined, window: number): Promise<{ rows: PersonSqlRow[]; walked: string | undefined }> {
  const start = after === undefined ? sql`true` : sql`p.id > ${after}`;
  const ids = (await sql<{ id: string }>`select p.id from person p where ${start} order by p.id limit ${window}`.execute(db)).rows.map((r) => r.id);
  if (ids.length === 0) return { rows: [], walked: undefined };
  const scope = senderIn('all');
  const r = await sql<PersonSqlRow>`select ${PERSON_COLUMNS} from person p
    left join lateral (select true as yes from episode e where e.person_id = p.id and ${visibleEpisode('all')} limit 1) ve on true
    left join lateral (select true as yes from vaccination w where w.person_id = p.id and ${scope} limit 1) vv on true
    left join lateral (select true as yes from vital_sign w where w.person_id = p.id and ${scope} limit 1) vs on true
    where p.id = any(${ids}::text[]) and (ve.yes or vv.yes or vs.yes)
    order by p.id`.execute(db);
  return { rows: r.rows, walked: ids[ids.length - 1] };
}

/** Persons by id, for `_include` (each already known to be visible through a visible episode). */
export async function personsById(db: Db, ids: readonly string[]): Promise<PersonSqlRow[]> {
  if (ids.length === 0) return [];
  const r = await sql<PersonSqlRow>`select ${PERSON_COLUMNS} from person p where p.id = any(${[...ids]}::text[])`.execute(db);
  return r.rows;
}

// ---------------------------------------------------------------------------------------------
// Facilities (Organization): the registry is reference data, readable by every caller.

export interface FacilitySqlRow {
  code: string;
  name: string;
  level: string | null;
  admin_unit_code: string | null;
  admin_unit_name: string | null;
}

export async function queryFacilities(db: Db, codes: readonly string[] | undefined, after: string | undefined, limit: number): Promise<FacilitySqlRow[]> {
  const conds: Cond[] = [];
  if (codes) conds.push(sql`f.code = any(${codes.length ? [...codes] : none}::text[])`);
  if (after !== undefined) conds.push(sql`f.code > ${after}`);
  const r = await sql<FacilitySqlRow>`select f.code, f.name, f.level, f.admin_unit_code, u.name as admin_unit_name
    from facility f left join admin_unit u on u.code = f.admin_unit_code
    where ${and(conds)} order by f.code limit ${limit}`.execute(db);
  return r.rows;
}
