import { invalid, vietnamToday } from '@openhssk/core';
import type { ImmDueList } from '@openhssk/core/api';
import {
  ANTIGEN_LABELS, type Antigen, antigenMask, antigensOfMask, formatDay, monthRange, parseDay, type ScheduleEvaluation, type ScheduleVersion, scheduleInForce,
} from '@openhssk/core/immunization';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { evaluatePerson, fullBirthDate } from './history.ts';
import { type AgeBand, type ListGroup, planningBands, withDetails } from './planning.ts';
import { engineDosesOf } from './store.ts';

/**
 * The cached due state (imm_due, migration 079): per person and series, the first open dose the core
 * engine computes, with the dates it becomes due, overdue and closes. The engine stays the one source
 * of truth; this is its output, kept so a province's due list is an indexed filter.
 *
 * Rows are rewritten in the writer's transaction when a person's doses change (station, import, FHIR)
 * and when an MPI decision moves them (dueFollower), and per commune by the coverage refresh (dirty
 * communes first, then every commune at least daily: births, moves, corrected birth dates, aging
 * into a series). A reader joins the golden record on the commune and birth date a row was computed
 * from, so a row a move or a correction left behind is not shown before its commune is rebuilt.
 */

/** Later doses depend on the open one being given: only the first open dose of each series is kept. */
export interface DueRow {
  person_id: string;
  series: string;
  dose: number;
  commune_code: string;
  born: string;
  due_on: string;
  overdue_on: string | null;
  last_on: string | null;
}

const addMonths = (month: string, n: number) => {
  const y = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + n;
  return `${Math.floor(y / 12)}-${String((y % 12) + 1).padStart(2, '0')}`;
};

/**
 * The last day a row is useful for: the end of next month. Rows falling due later are left out (the
 * daily rebuild adds them as they approach), so the per-person and per-commune paths store the same rows.
 */
export const dueHorizon = (asOf: string): string => formatDay(monthRange(addMonths(asOf.slice(0, 7), 1))!.last);

const rulesBySchedule = new WeakMap<ScheduleVersion, Map<string, ScheduleVersion['series'][number]>>();
const rulesOf = (schedule: ScheduleVersion) => {
  let m = rulesBySchedule.get(schedule);
  if (!m) {
    m = new Map(schedule.series.map((r) => [r.id, r]));
    rulesBySchedule.set(schedule, m);
  }
  return m;
};

const open = (status: string | undefined) => status === 'due' || status === 'overdue' || status === 'not_yet_due';

/**
 * The rows of one evaluation (as of `e.asOf`): each series' open dose falling due by the horizon.
 * Left out: the first dose of a series that waits an interval after the earlier series of its chain
 * (MR after measles, the DTP booster after the 5-in-1) while that series still has doses to give.
 * The engine dates it from the earlier dose being given "today", so the date moves with the day and
 * it is never due before the earlier dose is given (which rewrites the rows).
 */
export function dueRowsOf(person: { id: string; ma_xa: string; born: string }, e: ScheduleEvaluation): DueRow[] {
  const horizon = dueHorizon(e.asOf);
  const rules = rulesOf(scheduleInForce(e.asOf));
  const openChains = new Set<string>();
  const out: DueRow[] = [];
  for (const s of e.series) {
    const n = s.next;
    const rule = rules.get(s.series);
    const chain = rule?.chain ?? s.series;
    const waits = rule?.minIntervalAfterChain !== undefined && n?.dose === rule.doses[0]?.dose && openChains.has(chain);
    if (open(s.status)) openChains.add(chain);
    if (waits || !n || !open(n.status) || !n.recommendedDate || n.recommendedDate > horizon) continue;
    out.push({
      person_id: person.id, series: s.series, dose: n.dose, commune_code: person.ma_xa, born: person.born,
      due_on: n.recommendedDate, overdue_on: n.overdueFrom ?? null, last_on: n.lastDate ?? null,
    });
  }
  return out;
}

type Subject = { id: string; ngay_sinh: string | null; gioi_tinh: number | null; ma_xa: string | null };

const CHUNK = 5000;

/** Evaluates persons (5,000 at a time, their doses read in one query) into rows. */
async function computeRows(db: Db, persons: readonly Subject[], asOf: string): Promise<DueRow[]> {
  const rows: DueRow[] = [];
  for (let i = 0; i < persons.length; i += CHUNK) {
    const chunk = persons.slice(i, i + CHUNK);
    const doses = await engineDosesOf(db, chunk.map((p) => p.id));
    for (const p of chunk) {
      const born = fullBirthDate(p.ngay_sinh);
      if (!born || !p.ma_xa || born > asOf) continue;
      const e = evaluatePerson(p, doses.get(p.id) ?? [], asOf);
      if (e) rows.push(...dueRowsOf({ id: p.id, ma_xa: p.ma_xa, born }, e));
    }
  }
  return rows;
}

/**
 * The lock a commune's due rows are written under, by a commune rebuild and by a dose's own refresh.
 * Without it the two interleave on PostgreSQL: both delete a person's rows, the later insert hits the
 * primary key (the dose's transaction fails), or a rebuild computed before the dose overwrites the
 * fresh rows with stale ones. Taken in commune order so two writers never wait on each other in a cycle.
 */
const DUE_LOCK_SPACE = 7346161;
export async function lockCommunesForDue(tx: Db, communes: readonly string[]): Promise<void> {
  for (const c of [...new Set(communes)].sort()) await sql`select pg_advisory_xact_lock(${DUE_LOCK_SPACE}, hashtext(${c}))`.execute(tx);
}

/** Takes the due locks of the communes these persons live in or have rows filed under, before any write to their rows. */
export async function lockDueOf(tx: Db, personIds: readonly string[]): Promise<void> {
  if (personIds.length === 0) return;
  const communes = (
    await sql<{ c: string }>`select ma_xa as c from person where id = any(${personIds}::text[]) and ma_xa is not null
                             union select commune_code from imm_due where person_id = any(${personIds}::text[])`.execute(tx)
  ).rows.map((r) => r.c);
  await lockCommunesForDue(tx, communes);
}

async function insertRows(tx: Db, rows: readonly DueRow[], asOf: string): Promise<void> {
  for (let i = 0; i < rows.length; i += 20_000) {
    const c = rows.slice(i, i + 20_000);
    await sql`insert into imm_due (person_id, series, dose, commune_code, born, due_on, overdue_on, last_on, computed_on)
      select x.p, x.s, x.d, x.c, x.b, x.due, x.od, x.lst, ${asOf}::date
        from unnest(${c.map((r) => r.person_id)}::text[], ${c.map((r) => r.series)}::text[], ${c.map((r) => r.dose)}::int2[], ${c.map((r) => r.commune_code)}::text[],
                    ${c.map((r) => r.born)}::text[], ${c.map((r) => r.due_on)}::date[], ${c.map((r) => r.overdue_on)}::date[], ${c.map((r) => r.last_on)}::date[])
             as x(p, s, d, c, b, due, od, lst)
      on conflict (person_id, series) do update set dose = excluded.dose, commune_code = excluded.commune_code, born = excluded.born,
        due_on = excluded.due_on, overdue_on = excluded.overdue_on, last_on = excluded.last_on, computed_on = excluded.computed_on`.execute(tx);
  }
}

/** A death the station recorded (station/, migration 021): no reminder goes to a bereaved family. */
const alive = (person: string) => sql<boolean>`not exists (select 1 from station_event e where e.kind = 'death' and e.person_id = ${sql.ref(person)})`;
/** A person an MPI decision left without records (merged into another) keeps a golden record but is nobody to invite. */
const retired = (flags: string) => sql<boolean>`'NO_SOURCE_RECORDS' = any(coalesce(${sql.ref(flags)}, '{}'))`;

/**
 * Rewrites these persons' rows from their doses now, in the caller's transaction (a dose and the
 * state it changes commit together). A person without a commune, a full birth date or a life left
 * has no rows.
 */
export async function refreshDue(tx: Db, personIds: readonly (string | null | undefined)[], asOf: string = vietnamToday()): Promise<number> {
  const ids = [...new Set(personIds.filter((p): p is string => !!p))];
  if (ids.length === 0) return 0;
  await lockDueOf(tx, ids);
  const persons = (
    await sql<Subject>`select p.id, p.ngay_sinh, p.gioi_tinh, p.ma_xa from person p where p.id = any(${ids}::text[]) and ${alive('p.id')} and not ${retired('p.quality_flags')}`.execute(tx)
  ).rows;
  const rows = await computeRows(tx, persons, asOf);
  await sql`delete from imm_due where person_id = any(${ids}::text[])`.execute(tx);
  await insertRows(tx, rows, asOf);
  return rows.length;
}

/** Birth-date bands of every person who can have a row as of `asOf`: any series open this month or next. */
function bandsThrough(schedule: ScheduleVersion, asOf: string): AgeBand[] {
  const month = asOf.slice(0, 7);
  const out = new Map<string, AgeBand>();
  for (const b of [...planningBands(schedule, month), ...planningBands(schedule, addMonths(month, 1))]) {
    const key = b.sex ?? 'any';
    const seen = out.get(key);
    out.set(key, seen
      ? { ...b, bornAfter: seen.bornAfter < b.bornAfter ? seen.bornAfter : b.bornAfter, bornOnOrBefore: seen.bornOnOrBefore > b.bornOnOrBefore ? seen.bornOnOrBefore : b.bornOnOrBefore }
      : b);
  }
  return [...out.values()];
}

/** A commune's rows computed from its residents now (under the commune's due lock, so no dose refresh of its residents is in flight). */
export async function communeDueRows(db: Db, commune: string, asOf: string): Promise<{ persons: string[]; rows: DueRow[] }> {
  const bands = bandsThrough(scheduleInForce(asOf), asOf);
  const persons = await db
    .selectFrom('person')
    .select(['id', 'ngay_sinh', 'gioi_tinh', 'ma_xa'])
    .where('ma_xa', '=', commune)
    .where(alive('person.id'))
    .where(sql<boolean>`not ${retired('person.quality_flags')}`)
    .where((eb) =>
      eb.or(bands.map((b) => eb.and([eb('ngay_sinh', '>', b.bornAfter), eb('ngay_sinh', '<=', b.bornOnOrBefore), ...(b.sex === 'female' ? [eb('gioi_tinh', '=', 2)] : [])]))),
    )
    .execute();
  return { persons: persons.map((p) => p.id), rows: await computeRows(db, persons, asOf) };
}

/**
 * Replaces a commune's rows (inside the coverage rebuild's transaction, after lockCommunesForDue and a
 * computation made under it): those filed under the commune, and those of its residents filed
 * elsewhere (moved in).
 */
export async function writeCommuneDue(tx: Db, commune: string, computed: { persons: string[]; rows: DueRow[] }, asOf: string): Promise<void> {
  await sql`delete from imm_due where commune_code = ${commune}`.execute(tx);
  for (let i = 0; i < computed.persons.length; i += 20_000) {
    await sql`delete from imm_due where person_id = any(${computed.persons.slice(i, i + 20_000)}::text[])`.execute(tx);
  }
  await insertRows(tx, computed.rows, asOf);
}

// ---- the due list of a unit ------------------------------------------------------------------------

export type DueStatus = 'all' | 'due' | 'overdue';

export interface DueQuery {
  unit: string;
  /** The day (default today); from today to the end of next month (the rows' horizon). */
  on: string;
  status: DueStatus;
  group: ListGroup;
  antigen?: string | undefined;
  after?: string | undefined;
  limit: number;
}

const CHILD_UNTIL_YEARS = 15;

/** Series whose programme vaccine carries the antigen (the same mapping as core planMonth's totals). */
const antigensOf = (schedule: ScheduleVersion) =>
  new Map(schedule.series.map((s) => [s.id, antigensOfMask(antigenMask(s.accepts[0] ?? [])) as Antigen[]]));

const cursorOf = (c: { commune_code: string; born: string; person_id: string }) => Buffer.from(JSON.stringify([c.commune_code, c.born, c.person_id])).toString('base64url');

function parseCursor(after: string): [string, string, string] {
  try {
    const v = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'string')) return v as [string, string, string];
  } catch {
    // answered below
  }
  throw invalid('IMMUNIZATION_BAD_CURSOR', 'Con trỏ trang không hợp lệ.', 'The page cursor is not valid.');
}

/** Checks the day against the rows' horizon: before today the rows no longer tell (doses given since), after it they do not reach. */
export function checkDueDay(on: string, today: string = vietnamToday()): void {
  if (parseDay(on) === undefined) throw invalid('IMMUNIZATION_BAD_DATE', `Ngày "${on}" không hợp lệ.`, `"${on}" is not a valid date.`);
  const horizon = dueHorizon(today);
  if (on < today || on > horizon) {
    throw invalid('IMMUNIZATION_DUE_DAY_OUT_OF_RANGE', `Chỉ xem được từ hôm nay (${today}) đến ${horizon}.`, `The day must be between today (${today}) and ${horizon}.`);
  }
}

/**
 * Due and overdue doses on a day in a unit: totals per series and antigen, one row per unit directly
 * under it, and a page of persons in (commune, birth date, person) order. Persons are returned
 * without details; the caller adds them and audits those shown.
 */
export async function dueList(db: Db, q: DueQuery): Promise<Omit<ImmDueList, 'persons'> & { page: DuePerson[] }> {
  const unit = await db.selectFrom('admin_unit').select(['code', 'name', 'level']).where('code', '=', q.unit).executeTakeFirst();
  if (!unit) throw invalid('UNIT_UNKNOWN', `Không có đơn vị hành chính mã ${q.unit}.`, `No administrative unit ${q.unit}.`);
  const schedule = scheduleInForce(q.on);
  const antigens = antigensOf(schedule);
  const names = new Map(schedule.series.map((s) => [s.id, s]));
  const series = q.antigen ? [...antigens.entries()].filter(([, a]) => a.includes(q.antigen as Antigen)).map(([id]) => id) : null;

  // Each commune under the unit with the unit directly under it that holds it (itself for a commune).
  const tree = (
    await sql<{ code: string; top: string }>`
      with recursive tree(code, top) as (
        select code, code from admin_unit where parent_code = ${q.unit}
        union all
        select a.code, t.top from admin_unit a join tree t on a.parent_code = t.code
      )
      select t.code, t.top from tree t join admin_unit u on u.code = t.code and u.level = 'commune'
      union all select ${q.unit}::text, ${q.unit}::text where ${unit.level} = 'commune'`.execute(db)
  ).rows;
  const communes = tree.map((t) => t.code).sort();
  const childCut = `${Number(q.on.slice(0, 4)) - CHILD_UNTIL_YEARS + 1}-01-01`;
  const filter = sql`d.due_on <= ${q.on}::date and (d.last_on is null or d.last_on >= ${q.on}::date)
    ${q.status === 'due' ? sql`and (d.overdue_on is null or d.overdue_on > ${q.on}::date)` : q.status === 'overdue' ? sql`and d.overdue_on <= ${q.on}::date` : sql``}
    ${q.group === 'children' ? sql`and d.born >= ${childCut}` : q.group === 'women' ? sql`and d.born < ${childCut}` : sql``}
    ${series ? sql`and d.series = any(${series}::text[])` : sql``}
    and d.person_id not in (select e.person_id from station_event e where e.kind = 'death' and e.person_id is not null)`;
  // The list shows only rows that still match the golden record (a move or a corrected birth date
  // waits for its commune's rebuild): one primary-key read per row listed, written as a scalar
  // sub-query so the planner cannot turn it into a scan of the commune's persons. The counts skip it
  // (a province's tens of thousands of rows): like the coverage summaries they may count such a
  // person in the old commune until the rebuild, within a day.
  const current = sql`(select p.ma_xa = d.commune_code and p.ngay_sinh = d.born from person p where p.id = d.person_id)`;

  const counts = (
    await sql<{ commune_code: string; series: string | null; dose: number | null; persons: number; due: number; overdue: number; computed_from: string | null }>`
      select d.commune_code, d.series, d.dose, count(distinct d.person_id)::int as persons,
             count(*) filter (where d.overdue_on is null or d.overdue_on > ${q.on}::date)::int as due,
             count(*) filter (where d.overdue_on <= ${q.on}::date)::int as overdue,
             min(d.computed_on)::text as computed_from
        from imm_due d
       where d.commune_code = any(${communes}::text[]) and ${filter}
       group by grouping sets ((d.commune_code, d.series, d.dose), (d.commune_code))`.execute(db)
  ).rows;

  const topOf = new Map(tree.map((t) => [t.code, t.top]));
  const tops = (
    await db.selectFrom('admin_unit').select(['code', 'name', 'level']).where('code', 'in', [...new Set(tree.map((t) => t.top)), q.unit]).orderBy('code').execute()
  ).filter((u) => u.code !== q.unit || unit.level === 'commune');
  type Row = ImmDueList['rows'][number];
  const rows = new Map<string, Row>(tops.map((u) => [u.code, { code: u.code, name: u.name, level: u.level, persons: 0, due: 0, overdue: 0, by_series: [] }]));
  const bySeries = new Map<string, { series: string; dose: number; due: number; overdue: number }>();
  const total = { persons: 0, due: 0, overdue: 0 };
  let computedFrom: string | null = null;
  for (const c of counts) {
    const row = rows.get(topOf.get(c.commune_code) ?? '');
    if (!row) continue;
    if (c.series === null) {
      row.persons += c.persons;
      total.persons += c.persons;
      if (c.computed_from && (!computedFrom || c.computed_from < computedFrom)) computedFrom = c.computed_from;
      continue;
    }
    const key = `${c.series}#${c.dose}`;
    const mine = row.by_series.find((x) => x.series === c.series && x.dose === c.dose);
    if (mine) {
      mine.due += c.due;
      mine.overdue += c.overdue;
    } else row.by_series.push({ series: c.series, dose: c.dose!, due: c.due, overdue: c.overdue });
    row.due += c.due;
    row.overdue += c.overdue;
    total.due += c.due;
    total.overdue += c.overdue;
    const t = bySeries.get(key) ?? { series: c.series, dose: c.dose!, due: 0, overdue: 0 };
    t.due += c.due;
    t.overdue += c.overdue;
    bySeries.set(key, t);
  }
  const order = new Map(schedule.series.map((s, i) => [s.id, i]));
  const sortSeries = <T extends { series: string; dose: number }>(xs: T[]) => xs.sort((a, b) => (order.get(a.series) ?? 0) - (order.get(b.series) ?? 0) || a.dose - b.dose);
  const byAntigen = new Map<string, { due: number; overdue: number }>();
  for (const t of bySeries.values()) {
    for (const a of antigens.get(t.series) ?? []) {
      const x = byAntigen.get(a) ?? { due: 0, overdue: 0 };
      x.due += t.due;
      x.overdue += t.overdue;
      byAntigen.set(a, x);
    }
  }

  const page = await duePage(db, communes, sql`${filter} and ${current}`, q);
  return {
    unit: { code: unit.code, name: unit.name, level: unit.level },
    on: q.on,
    schedule_id: schedule.id,
    status: q.status,
    group: q.group,
    total,
    by_series: sortSeries([...bySeries.values()]).map((t) => ({ ...t, name_vi: names.get(t.series)?.name_vi ?? t.series, name_en: names.get(t.series)?.name_en ?? t.series })),
    by_antigen: [...byAntigen.entries()].map(([a, t]) => ({ antigen: a, name_vi: ANTIGEN_LABELS[a as Antigen]?.vi ?? a, name_en: ANTIGEN_LABELS[a as Antigen]?.en ?? a, ...t })),
    rows: [...rows.values()].map((r) => ({ ...r, by_series: sortSeries(r.by_series) })),
    computed_from: computedFrom,
    page: page.persons,
    next: page.next,
  };
}

export interface DuePerson {
  person_id: string;
  commune_code: string;
  ngay_sinh: string;
  doses: Array<{ series: string; dose: number; due_on: string; overdue_on: string | null; last_on: string | null }>;
}

/**
 * One page of persons by keyset: each commune's persons are read in index order (commune, birth
 * date, person) up to the page size, then the communes' heads are merged, so a page costs the same
 * at page one and page one thousand.
 */
async function duePage(db: Db, communes: readonly string[], filter: ReturnType<typeof sql>, q: DueQuery): Promise<{ persons: DuePerson[]; next: string | null }> {
  const after = q.after ? parseCursor(q.after) : null;
  const from = after ? communes.filter((c) => c >= after[0]) : communes;
  if (from.length === 0 || q.limit === 0) return { persons: [], next: null };
  const keyset = after ? sql`and (d.commune_code, d.born, d.person_id) > (${after[0]}, ${after[1]}, ${after[2]})` : sql``;
  const r = await sql<{ person_id: string; commune_code: string; born: string; doses: string }>`
    select k.person_id, k.commune_code, k.born, k.doses::text as doses
      from unnest(${from as string[]}::text[]) as c(code)
      cross join lateral (
        select d.commune_code, d.born, d.person_id,
               json_agg(json_build_array(d.series, d.dose, d.due_on::text, d.overdue_on::text, d.last_on::text)) as doses
          from imm_due d
         where d.commune_code = c.code ${keyset} and ${filter}
         group by d.commune_code, d.born, d.person_id
         order by d.born, d.person_id
         limit ${q.limit + 1}) k
     order by k.commune_code, k.born, k.person_id
     limit ${q.limit + 1}`.execute(db);
  const list = r.rows.slice(0, q.limit).map((x) => ({
    person_id: x.person_id, commune_code: x.commune_code, ngay_sinh: x.born,
    doses: (JSON.parse(x.doses) as Array<[string, number, string, string | null, string | null]>).map(([series, dose, due_on, overdue_on, last_on]) => ({ series, dose, due_on, overdue_on, last_on })),
  }));
  const last = list[list.length - 1];
  return { persons: list, next: r.rows.length > q.limit && last ? cursorOf({ commune_code: last.commune_code, born: last.ngay_sinh, person_id: last.person_id }) : null };
}

/** The page with names, addresses, phones and guardians (planning's withDetails), doses in schedule order. */
export async function duePersons(db: Db, page: readonly DuePerson[], on: string): Promise<ImmDueList['persons']> {
  const schedule = scheduleInForce(on);
  const names = new Map(schedule.series.map((s) => [s.id, s]));
  const order = new Map(schedule.series.map((s, i) => [s.id, i]));
  const childCut = `${Number(on.slice(0, 4)) - CHILD_UNTIL_YEARS + 1}-01-01`;
  if (page.length === 0) return [];
  const sex = new Map((await db.selectFrom('person').select(['id', 'gioi_tinh']).where('id', 'in', page.map((p) => p.person_id)).execute()).map((r) => [r.id, r.gioi_tinh]));
  const planned = page.map((p) => ({
    person_id: p.person_id,
    ngay_sinh: p.ngay_sinh,
    gioi_tinh: sex.get(p.person_id) ?? null,
    group: p.ngay_sinh >= childCut ? ('child' as const) : ('woman' as const),
    doses: [...p.doses]
      .sort((a, b) => (order.get(a.series) ?? 0) - (order.get(b.series) ?? 0))
      .map((d) => {
        const overdue = d.overdue_on !== null && d.overdue_on <= on;
        return {
          series: d.series, name_vi: names.get(d.series)?.name_vi ?? d.series, name_en: names.get(d.series)?.name_en ?? d.series, dose: d.dose,
          status: overdue ? ('overdue' as const) : ('due' as const),
          // Due or overdue since: the day the status began.
          date: overdue ? d.overdue_on! : d.due_on,
          due_on: d.due_on, overdue_on: d.overdue_on, last_on: d.last_on,
        };
      }),
  }));
  const detailed = await withDetails(db, planned);
  return detailed.map((p, i) => ({
    person_id: p.person_id, ho_ten: p.ho_ten, ngay_sinh: p.ngay_sinh, gioi_tinh: p.gioi_tinh, commune_code: page[i]!.commune_code,
    dia_chi: p.dia_chi, so_dien_thoai: p.so_dien_thoai, group: p.group, guardian: p.guardian, doses: planned[i]!.doses,
  }));
}
