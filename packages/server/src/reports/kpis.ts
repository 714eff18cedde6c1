import { addDays, vietnamToday } from '@openhssk/core';
import type { Kpis, UnitRef } from '@openhssk/core/api';
import { sql } from 'kysely';
import { correctionFigures, NO_CORRECTIONS } from '../correction/index.ts';
import type { Db } from '../db/index.ts';

export type { Kpis, UnitRef };

/** KPI definitions: see `Kpis` in @openhssk/core/api/reports and docs/reports.md. */

export const DELAY_BUCKETS = ['< 1 giờ', '1–6 giờ', '6–24 giờ', '1–3 ngày', '3–7 ngày', '7–30 ngày', '≥ 30 ngày'] as const;


export interface Period {
  from: string;
  to: string;
}

const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);

export async function getUnit(db: Db, code: string): Promise<UnitRef | undefined> {
  return db.selectFrom('admin_unit').select(['code', 'name', 'level']).where('code', '=', code).executeTakeFirst();
}

/**
 * Units shown under a unit for a period. Since 01/07/2025 there is no district level: a commune
 * whose district ended (valid_to) before the period starts is listed directly under the province,
 * and the ended district is not listed.
 */
export async function childUnits(db: Db, code: string, period?: Period): Promise<UnitRef[]> {
  const from = period?.from ?? vietnamToday();
  const to = period?.to ?? from;
  const r = await sql<UnitRef>`
    with direct as (
      select code, name, level, valid_from, valid_to from admin_unit where parent_code = ${code}
    )
    select code, name, level from direct
     where (valid_to is null or valid_to >= ${from}::date) and (valid_from is null or valid_from <= ${to}::date)
    union all
    select c.code, c.name, c.level from direct d join admin_unit c on c.parent_code = d.code
     where d.level = 'district' and d.valid_to < ${from}::date
    order by code`.execute(db);
  return r.rows;
}

/** First day of the month of a YYYY-MM-DD day. */
const monthStart = (day: string) => `${day.slice(0, 7)}-01`;
const nextMonth = (day: string) => {
  const d = new Date(`${monthStart(day)}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 10);
};

/**
 * Rows of a daily summary and its monthly twin covering the period exactly: whole months from the
 * monthly table, the partial months at either end from the daily one. Columns: facility_code, m
 * (month), then the given columns.
 */
function periodRows(base: 'report_episode' | 'report_visit', cols: string[], period: Period) {
  const mFrom = period.from === monthStart(period.from) ? period.from : nextMonth(period.from);
  const mTo = addDays(period.to, 1) === nextMonth(period.to) ? nextMonth(period.to) : monthStart(period.to);
  const c = sql.join(cols.map((x) => sql.ref(x)));
  return sql`(
    select facility_code, day as m, ${c} from ${sql.table(`${base}_month`)}
     where day >= ${mFrom}::date and day < ${mTo}::date
    union all
    select facility_code, date_trunc('month', day)::date as m, ${c} from ${sql.table(`${base}_day`)}
     where day between ${period.from}::date and ${period.to}::date and (day < ${mFrom}::date or day >= ${mTo}::date)
  )`;
}

const EPISODE_COLS = ['episodes', 'with_cccd', 'no_discharge', 'd0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'delay_hours_sum', 'referrals', 'reexams'];

function emptyKpis(): Kpis {
  return {
    residents: null,
    withRecord: null,
    withIdentity: null,
    withHealthData: null,
    integratedResidents: null,
    withBhyt: null,
    activated: null,
    checkins: 0,
    vneidCheckins: 0,
    personalIdCheckins: 0,
    episodesWithCccd: 0,
    insuredFacilities: 0,
    integratedFacilities: 0,
    episodes: 0,
    discharged: 0,
    visibleWithin24h: 0,
    meanDelayHours: null,
    delayBuckets: DELAY_BUCKETS.map(() => 0),
    referrals: 0,
    reexams: 0,
    quality: { valid: null, complete: null, clean: null, fresh: null, pendingReviews: null, corrections: { ...NO_CORRECTIONS } },
    rates: { withRecord: null, withIdentity: null, withHealthData: null, integratedResidents: null, identified: null, personalIdCheckins: null, withBhyt: null, activated: null, vneid: null, integrated: null, visible24h: null },
  };
}

/**
 * Figures for several units at once, each over itself and everything below it. Reads only the
 * report_* summary tables plus admin_unit and facility (small).
 */
export async function computeKpis(db: Db, roots: string[], period: Period, scope: { facility?: string } = {}): Promise<Map<string, Kpis>> {
  const out = new Map<string, Kpis>(roots.map((c) => [c, emptyKpis()]));
  if (roots.length === 0) return out;
  // A facility's own report: the same definitions over that facility's rows only; person figures
  // belong to communes, not to the facility that treated someone, so they stay empty.
  const onlyFacility = scope.facility === undefined ? sql`` : sql`and f.code = ${scope.facility}`;
  // (root, code): every unit in each root's subtree.
  const tree = sql`tree as (
      select code as root, code from admin_unit where code = any(${roots})
      union all
      select t.root, a.code from admin_unit a join tree t on a.parent_code = t.code
    )`;

  // Summed per facility first (≤ one row per facility), then spread over the roots.
  const flow = await sql<Record<string, number | string>>`
    with recursive ${tree},
    e as (select facility_code, ${sql.join(EPISODE_COLS.map((c) => sql`sum(${sql.ref(c)}) as ${sql.ref(c)}`))}
            from ${periodRows('report_episode', EPISODE_COLS, period)} r group by facility_code)
    select t.root, sum(e.episodes) episodes, sum(e.with_cccd) with_cccd, sum(e.no_discharge) no_discharge,
           sum(e.d0) d0, sum(e.d1) d1, sum(e.d2) d2, sum(e.d3) d3, sum(e.d4) d4, sum(e.d5) d5, sum(e.d6) d6,
           sum(e.delay_hours_sum) delay_sum, sum(e.referrals) referrals, sum(e.reexams) reexams
      from tree t join facility f on f.admin_unit_code = t.code ${onlyFacility} join e on e.facility_code = f.code
     group by t.root`.execute(db);
  for (const r of flow.rows) {
    const k = out.get(String(r.root));
    if (!k) continue;
    const n = (c: string) => Number(r[c] ?? 0);
    k.episodes = n('episodes');
    k.episodesWithCccd = n('with_cccd');
    k.delayBuckets = [n('d0'), n('d1'), n('d2'), n('d3'), n('d4'), n('d5'), n('d6')];
    k.discharged = k.episodes - n('no_discharge');
    k.visibleWithin24h = n('d0') + n('d1') + n('d2');
    k.meanDelayHours = k.discharged > 0 ? n('delay_sum') / k.discharged : null;
    k.referrals = n('referrals');
    k.reexams = n('reexams');
  }

  const visits = await sql<{ root: string; checkins: number; vneid: number; personal_id: number }>`
    with recursive ${tree},
    v as (select facility_code, sum(checkins) checkins, sum(vneid) vneid, sum(personal_id) personal_id
            from ${periodRows('report_visit', ['checkins', 'vneid', 'personal_id'], period)} r group by facility_code)
    select t.root, sum(v.checkins) checkins, sum(v.vneid) vneid, sum(v.personal_id) personal_id
      from tree t join facility f on f.admin_unit_code = t.code ${onlyFacility} join v on v.facility_code = f.code
     group by t.root`.execute(db);
  for (const r of visits.rows) {
    const k = out.get(r.root);
    if (!k) continue;
    k.checkins = Number(r.checkins ?? 0);
    k.vneidCheckins = Number(r.vneid ?? 0);
    k.personalIdCheckins = Number(r.personal_id ?? 0);
  }

  // Integrated: an accepted submission in the 7 days ending on the period's last day, or today
  // while the period is still running (a half-year report made mid-period must not count the future).
  const windowEnd = period.to < vietnamToday() ? period.to : vietnamToday();
  const fac = await sql<{ root: string; insured: number; integrated: number }>`
    with recursive ${tree}
    select t.root, count(*) insured,
           count(*) filter (where exists (select 1 from report_facility_day d where d.facility_code = f.code
                                           and d.day between ${addDays(windowEnd, -6)}::date and ${windowEnd}::date and d.accepted > 0)) integrated
      from tree t join facility f on f.admin_unit_code = t.code
     where f.bhyt_contract and not f.test_mode ${onlyFacility}
     group by t.root`.execute(db);
  for (const r of fac.rows) {
    const k = out.get(r.root);
    if (!k) continue;
    k.insuredFacilities = Number(r.insured);
    k.integratedFacilities = Number(r.integrated);
  }

  // Residents: live figures for a period reaching today, otherwise the last daily copy in the period.
  const live = period.to >= vietnamToday();
  if (scope.facility !== undefined) return withRates(out);
  // sống = new data in the period, at month granularity (the summaries keep the month of each
  // resident's last new data). A past period reads the snapshot's months back to the period's first.
  const freshFrom = monthStart(period.from);
  const persons = live
    ? await sql<Record<string, number | string>>`
        with recursive ${tree},
        a as (select ma_xa, sum(persons) persons, sum(has_record) has_record, sum(has_identity) has_identity,
                     sum(has_health_data) has_health_data, sum(integrated) integrated, sum(has_bhyt) has_bhyt, sum(activated) activated,
                     sum(cccd_present) cccd_present, sum(cccd_valid) cccd_valid, sum(bhyt_present) bhyt_present,
                     sum(bhyt_valid) bhyt_valid, sum(fields_filled) fields_filled,
                     coalesce(sum(persons) filter (where upd_month >= ${freshFrom}::date), 0) fresh
                from report_person_agg group by ma_xa)
        select t.root, sum(a.persons) persons, sum(a.has_record) has_record, sum(a.has_identity) has_identity,
               sum(a.has_health_data) has_health_data, sum(a.integrated) integrated, sum(a.has_bhyt) has_bhyt, sum(a.activated) activated,
               sum(a.cccd_present) cccd_present, sum(a.cccd_valid) cccd_valid, sum(a.bhyt_present) bhyt_present, sum(a.bhyt_valid) bhyt_valid,
               sum(a.fields_filled) fields_filled, sum(a.fresh) fresh,
               (select coalesce(sum(rp.pending), 0) from report_review_pending rp join tree t2 on t2.code = rp.ma_xa where t2.root = t.root) pending
          from tree t left join a on a.ma_xa = t.code
         group by t.root`.execute(db)
    : await sql<Record<string, number | string>>`
        with recursive ${tree},
        snap as (select max(day) as day from report_person_daily where day <= ${period.to}::date),
        -- Months from the period's first month to the snapshot's month, both included (at most 24 kept).
        span as (select least(24, greatest(1, ((extract(year from snap.day) - extract(year from ${freshFrom}::date)) * 12
                   + extract(month from snap.day) - extract(month from ${freshFrom}::date))::int + 1)) as n from snap)
        select t.root, sum(d.persons) persons, sum(d.has_record) has_record, sum(d.has_identity) has_identity,
               sum(d.has_health_data) has_health_data, sum(d.integrated) integrated, sum(d.has_bhyt) has_bhyt, sum(d.activated) activated,
               sum(d.cccd_present) cccd_present, sum(d.cccd_valid) cccd_valid, sum(d.bhyt_present) bhyt_present, sum(d.bhyt_valid) bhyt_valid,
               sum(d.fields_filled) fields_filled,
               -- Snapshots older than migration 050 have no months: NULL, shown as "—".
               sum((select sum(v) from unnest(d.fresh_by_month[1:span.n]) as v)) fresh, sum(d.pending_reviews) pending
          from tree t join report_person_daily d on d.ma_xa = t.code join snap on snap.day = d.day cross join span
         group by t.root`.execute(db);
  for (const r of persons.rows) {
    const k = out.get(String(r.root));
    if (!k) continue;
    const n = (c: string) => Number(r[c] ?? 0);
    // Figures an old snapshot cannot answer stay null rather than 0.
    const orNull = (c: string): number | null => (live || (r[c] !== null && r[c] !== undefined) ? n(c) : null);
    k.residents = n('persons');
    k.withRecord = orNull('has_record');
    k.withIdentity = orNull('has_identity');
    k.withHealthData = orNull('has_health_data');
    k.integratedResidents = orNull('integrated');
    k.withBhyt = n('has_bhyt');
    k.activated = n('activated');
    k.quality = {
      valid: ratio(n('cccd_valid') + n('bhyt_valid'), n('cccd_present') + n('bhyt_present')),
      complete: ratio(n('fields_filled'), n('persons') * 7),
      clean: n('persons') > 0 ? Math.max(0, 1 - n('pending') / n('persons')) : null,
      fresh: ratio(orNull('fresh'), n('persons')),
      pendingReviews: n('pending'),
      corrections: k.quality.corrections,
    };
  }
  // Few rows (requests, not episodes): read live, so an answer shows in the figures at once.
  for (const [root, f] of await correctionFigures(db, roots, period)) {
    const k = out.get(root);
    if (k) k.quality.corrections = f;
  }
  return withRates(out);
}

function withRates(out: Map<string, Kpis>): Map<string, Kpis> {
  for (const k of out.values()) {
    k.rates = {
      withRecord: ratio(k.withRecord, k.residents),
      withIdentity: ratio(k.withIdentity, k.residents),
      withHealthData: ratio(k.withHealthData, k.residents),
      integratedResidents: ratio(k.integratedResidents, k.residents),
      identified: ratio(k.episodesWithCccd, k.episodes),
      personalIdCheckins: ratio(k.personalIdCheckins, k.checkins),
      withBhyt: ratio(k.withBhyt, k.residents),
      activated: ratio(k.activated, k.residents),
      vneid: ratio(k.vneidCheckins, k.checkins),
      integrated: ratio(k.integratedFacilities, k.insuredFacilities),
      visible24h: ratio(k.visibleWithin24h, k.discharged),
    };
  }
  return out;
}

export interface MonthlyEpisodes {
  month: string;
  episodes: number;
  visibleWithin24h: number;
  discharged: number;
}

/** Episodes per month of the period for one unit (for the trend chart). */
export async function monthlyEpisodes(db: Db, unit: string, period: Period): Promise<MonthlyEpisodes[]> {
  const r = await sql<{ month: string; episodes: number; v24: number; discharged: number }>`
    with recursive tree as (
      select code from admin_unit where code = ${unit}
      union all select a.code from admin_unit a join tree t on a.parent_code = t.code
    )
    select to_char(e.m, 'YYYY-MM') as month, sum(e.episodes) episodes, sum(e.d0 + e.d1 + e.d2) v24, sum(e.episodes - e.no_discharge) discharged
      from tree t join facility f on f.admin_unit_code = t.code
      join ${periodRows('report_episode', ['episodes', 'no_discharge', 'd0', 'd1', 'd2'], period)} e on e.facility_code = f.code
     group by 1 order by 1`.execute(db);
  return r.rows.map((x) => ({ month: x.month, episodes: Number(x.episodes), visibleWithin24h: Number(x.v24), discharged: Number(x.discharged) }));
}
