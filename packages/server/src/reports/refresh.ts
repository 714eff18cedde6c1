import { OLD_PROVINCES } from '@openhssk/core';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { bulkInsert } from '../db/index.ts';
import { pendingReviewsByCommune } from '../mpi/index.ts';

/**
 * Rows are folded in only once they are this old. An id or received_at is taken when the ingest
 * transaction starts, so a row may become visible after rows with a higher id; waiting longer than
 * any ingest transaction lasts keeps the watermark from stepping over it.
 */
export const DEFAULT_HOLDBACK_SECONDS = 30;

/** CCCD province prefixes accepted by parseCccd (leading 0 + an old province code). */
const CCCD_PREFIXES = Object.keys(OLD_PROVINCES).map((c) => `0${c}`);

export interface RefreshResult {
  episodes: number;
  visits: number;
  submissions: number;
  persons: number;
  ms: number;
}

export interface RefreshOptions {
  /** Seconds a row must have existed before it is folded in; 0 in tests that ingest then read. */
  holdbackSeconds?: number | undefined;
  /** Cap per run for the id-based sources, so one run stays short after a long outage. */
  batchSize?: number | undefined;
}

/**
 * Instants stay text with microseconds (a JavaScript Date keeps milliseconds, and a row written in
 * the same millisecond as the cutoff would then fall between two runs' windows). Always fixed-width
 * ISO 8601 in UTC, so they read back the same whatever the session's settings and compare as text.
 */
type Instant = string;
const EPOCH: Instant = '1970-01-01T00:00:00.000000Z';
const isoInstant = (expr: ReturnType<typeof sql>) => sql`to_char((${expr}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

async function watermark(db: Db, name: string): Promise<{ lastId: number; lastAt: Instant | null }> {
  const r = await sql<{ last_id: number; last_at: Instant | null }>`select last_id, ${isoInstant(sql`last_at`)} as last_at from report_watermark where name = ${name}`.execute(db);
  const row = r.rows[0];
  return { lastId: Number(row?.last_id ?? 0), lastAt: row?.last_at ?? null };
}

async function setWatermark(db: Db, name: string, lastId: number, lastAt: Instant | null) {
  await sql`insert into report_watermark (name, last_id, last_at, updated_at) values (${name}, ${lastId}, ${lastAt}, now())
    on conflict (name) do update set last_id = excluded.last_id, updated_at = now(),
      -- Never backwards (greatest ignores NULL, the id-based watermarks keep none).
      last_at = greatest(report_watermark.last_at, excluded.last_at)`.execute(db);
}

/** Highest id in (lastId, …] below which every row is older than the cutoff. */
async function safeUpperId(db: Db, table: 'episode' | 'visit', lastId: number, cutoff: Instant, batch: number): Promise<number> {
  const t = sql.table(table);
  const r = await sql<{ max_id: number | null; young: number | null }>`
    select (select max(id) from ${t} where id > ${lastId}) as max_id,
           (select min(id) from ${t} where id > ${lastId} and received_at >= ${cutoff}) as young`.execute(db);
  const row = r.rows[0];
  if (!row?.max_id) return lastId;
  const upper = row.young ? Number(row.young) - 1 : Number(row.max_id);
  return Math.min(upper, lastId + batch);
}

/** Check-in methods that identify by the personal ID itself (VNeID QR, chip card); clinic/identify.ts. */
const PERSONAL_ID_METHODS = sql`('vneid_qr', 'chip_cccd')`;

/** The local day a timestamptz falls on in Viet Nam (SQL function of migration 016). */
const vnDay = (col: ReturnType<typeof sql.ref>) => sql`vn_day(${col})`;

/** Daily table and its monthly twin (column `day` holds the month's first day there). */
const GRAINS = [
  { suffix: 'day', key: sql`e.day` },
  { suffix: 'month', key: sql`date_trunc('month', e.day)::date` },
] as const;

async function refreshEpisodes(db: Db, cutoff: Instant, batch: number): Promise<number> {
  const wm = await watermark(db, 'episode');
  const upper = await safeUpperId(db, 'episode', wm.lastId, cutoff, batch);
  if (upper <= wm.lastId) return 0;
  await db.transaction().execute(async (tx) => {
    for (const g of GRAINS) {
      const target = sql.table(`report_episode_${g.suffix}`);
      // NGAY_RA is Viet Nam wall-clock time without zone: vn_instant() makes it comparable with received_at.
      await sql`
        with e as (
          select e.id, e.facility_code, ${vnDay(sql.ref('e.received_at'))} as day,
                 -- Personal ID carried by the episode (the identification proxy, docs/reports.md).
                 coalesce(e.so_cccd ~ '^[0-9]{12}$', false) as cccd,
                 case when e.ngay_ra is null then null
                      else extract(epoch from (e.received_at - vn_instant(e.ngay_ra))) / 3600.0 end as h
            from episode e
           where e.id > ${wm.lastId} and e.id <= ${upper} and e.version = 1
        ), rw as materialized (
          -- Materialized: without fresh statistics (PGlite has no autovacuum) the planner re-ran this
          -- aggregate once per episode (measured 26 s for 20,000 episodes instead of well under 1 s).
          select episode_id, count(*) filter (where tbl = 'XML13') as ref, count(*) filter (where tbl = 'XML14') as re
            from episode_row
           where episode_id > ${wm.lastId} and episode_id <= ${upper} and tbl in ('XML13', 'XML14')
           group by episode_id
        )
        insert into ${target} as t (facility_code, day, episodes, with_cccd, no_discharge, d0, d1, d2, d3, d4, d5, d6, delay_hours_sum, referrals, reexams)
        select e.facility_code, ${g.key}, count(*), count(*) filter (where e.cccd),
               count(*) filter (where h is null),
               count(*) filter (where h < 1),
               count(*) filter (where h >= 1 and h < 6),
               count(*) filter (where h >= 6 and h < 24),
               count(*) filter (where h >= 24 and h < 72),
               count(*) filter (where h >= 72 and h < 168),
               count(*) filter (where h >= 168 and h < 720),
               count(*) filter (where h >= 720),
               coalesce(sum(greatest(h, 0)), 0),
               coalesce(sum(rw.ref), 0), coalesce(sum(rw.re), 0)
          from e left join rw on rw.episode_id = e.id
         group by 1, 2
        on conflict (facility_code, day) do update set
          episodes = t.episodes + excluded.episodes, with_cccd = t.with_cccd + excluded.with_cccd, no_discharge = t.no_discharge + excluded.no_discharge,
          d0 = t.d0 + excluded.d0, d1 = t.d1 + excluded.d1, d2 = t.d2 + excluded.d2, d3 = t.d3 + excluded.d3,
          d4 = t.d4 + excluded.d4, d5 = t.d5 + excluded.d5, d6 = t.d6 + excluded.d6,
          delay_hours_sum = t.delay_hours_sum + excluded.delay_hours_sum,
          referrals = t.referrals + excluded.referrals, reexams = t.reexams + excluded.reexams`.execute(tx);
    }
    await setWatermark(tx, 'episode', upper, null);
  });
  return upper - wm.lastId;
}

async function refreshVisits(db: Db, cutoff: Instant, batch: number): Promise<number> {
  const wm = await watermark(db, 'visit');
  const upper = await safeUpperId(db, 'visit', wm.lastId, cutoff, batch);
  if (upper <= wm.lastId) return 0;
  await db.transaction().execute(async (tx) => {
    for (const g of GRAINS) {
      await sql`
        with e as (select facility_code, ngay_vao::date as day, id_method from visit where id > ${wm.lastId} and id <= ${upper})
        insert into ${sql.table(`report_visit_${g.suffix}`)} as t (facility_code, day, visits, checkins, vneid, personal_id)
        select e.facility_code, ${g.key}, count(*), count(*) filter (where id_method <> 'xml0'), count(*) filter (where id_method = 'vneid_qr'),
               count(*) filter (where id_method in ${PERSONAL_ID_METHODS})
          from e group by 1, 2
        on conflict (facility_code, day) do update set
          visits = t.visits + excluded.visits, checkins = t.checkins + excluded.checkins, vneid = t.vneid + excluded.vneid,
          personal_id = t.personal_id + excluded.personal_id`.execute(tx);
    }
    await setWatermark(tx, 'visit', upper, null);
  });
  return upper - wm.lastId;
}

async function refreshSubmissions(db: Db, cutoff: Instant): Promise<number> {
  const wm = await watermark(db, 'submission');
  const from = wm.lastAt ?? EPOCH;
  if (cutoff <= from) return 0;
  let n = 0;
  await db.transaction().execute(async (tx) => {
    const r = await sql`
      insert into report_facility_day as t (facility_code, day, accepted)
      select facility_code, ${vnDay(sql.ref('received_at'))}, count(*)
        from submission where received_at > ${from} and received_at <= ${cutoff} and accepted_count > 0
       group by 1, 2
      on conflict (facility_code, day) do update set accepted = t.accepted + excluded.accepted`.execute(tx);
    n = Number(r.numAffectedRows ?? 0);
    await setWatermark(tx, 'submission', 0, cutoff);
  });
  return n;
}

const AGG_COLS = ['has_record', 'has_identity', 'has_health_data', 'integrated', 'has_bhyt', 'activated', 'cccd_present', 'cccd_valid', 'bhyt_present', 'bhyt_valid'] as const;

/** Adds (sign 1) or removes (sign -1) the contribution of the persons in report_changed. */
async function applyPersonState(tx: Db, sign: 1 | -1) {
  const sums = sql.join(AGG_COLS.map((c) => sql`${sign} * count(*) filter (where s.${sql.ref(c)})`));
  const updates = sql.join(AGG_COLS.map((c) => sql`${sql.ref(c)} = t.${sql.ref(c)} + excluded.${sql.ref(c)}`));
  await sql`
    insert into report_person_agg as t (ma_xa, upd_month, persons, ${sql.join(AGG_COLS.map((c) => sql.ref(c)))}, fields_filled)
    select s.ma_xa, s.upd_month, ${sign} * count(*), ${sums}, ${sign} * sum(s.fields_filled)
      from report_person_state s join report_changed c on c.person_id = s.person_id
     where s.ma_xa is not null
     group by s.ma_xa, s.upd_month
    on conflict (ma_xa, upd_month) do update set persons = t.persons + excluded.persons, ${updates}, fields_filled = t.fields_filled + excluded.fields_filled`.execute(tx);
}

async function refreshPersons(db: Db, cutoff: Instant): Promise<number> {
  const wm = await watermark(db, 'person');
  const from = wm.lastAt ?? EPOCH;
  if (cutoff <= from) return 0;
  let n = 0;
  await db.transaction().execute(async (tx) => {
    await sql`create temp table report_changed (person_id text primary key) on commit drop`.execute(tx);
    // A person's figures change with the golden record, with its linked source records (population
    // list membership) and with the citizen's consent to the book.
    await sql`
      insert into report_changed
      select id from person where updated_at > ${from} and updated_at <= ${cutoff}
      union select person_id from source_record where updated_at > ${from} and updated_at <= ${cutoff} and person_id is not null
      union select person_id from citizen_account where person_id is not null and (
              (created_at > ${from} and created_at <= ${cutoff}) or (consent_at > ${from} and consent_at <= ${cutoff})
              or (consent_withdrawn_at > ${from} and consent_withdrawn_at <= ${cutoff}))
      -- New health data of any kind makes the person "sống" and may give them "có hồ sơ".
      union select person_id from episode where received_at > ${from} and received_at <= ${cutoff} and person_id is not null
      union select person_id from visit where received_at > ${from} and received_at <= ${cutoff} and person_id is not null
      union select person_id from pc_entry where received_at > ${from} and received_at <= ${cutoff}
      union select person_id from station_event where recorded_at > ${from} and recorded_at <= ${cutoff} and person_id is not null
      union select person_id from vaccination where updated_at > ${from} and updated_at <= ${cutoff}
      union select person_id from citizen_declaration where updated_at > ${from} and updated_at <= ${cutoff}
      on conflict do nothing`.execute(tx);
    await applyPersonState(tx, -1);
    await sql`delete from report_person_state s using report_changed c where c.person_id = s.person_id`.execute(tx);
    const r = await sql`
      insert into report_person_state (person_id, ma_xa, upd_month, resident, has_record, has_identity, has_health_data, integrated,
                                       has_bhyt, activated, cccd_present, cccd_valid, bhyt_present, bhyt_valid, fields_filled)
      select x.id, x.ma_xa, date_trunc('month', vn_day(x.last_data_at)::timestamp)::date, true,
             x.has_identity and x.has_health_data, x.has_identity, x.has_health_data, x.activated and x.has_bhyt,
             x.has_bhyt, x.activated, x.cccd_present, x.cccd_valid, x.bhyt_present, x.bhyt_valid, x.fields_filled
        from (
      select p.id, p.ma_xa,
             -- Last new data of any kind, by when it reached the platform (greatest ignores NULLs).
             greatest(p.updated_at,
                      (select max(received_at) from episode e where e.person_id = p.id),
                      (select max(received_at) from visit v where v.person_id = p.id),
                      (select max(received_at) from pc_entry pe where pe.person_id = p.id),
                      (select max(recorded_at) from station_event se where se.person_id = p.id),
                      (select max(updated_at) from vaccination va where va.person_id = p.id),
                      (select max(updated_at) from citizen_declaration cd where cd.person_id = p.id)) as last_data_at,
             -- Identity record (831 core): a golden record with name, birth date, sex, personal ID, address and commune.
             (coalesce(p.ho_ten, '') <> '' and p.ngay_sinh is not null and p.gioi_tinh is not null
               and coalesce(p.so_cccd, '') <> '' and coalesce(p.dia_chi, '') <> '' and p.ma_xa is not null) as has_identity,
             -- Health data: an examination episode, a primary-care entry, a vaccination or the citizen's own declaration.
             (exists (select 1 from episode e where e.person_id = p.id)
               or exists (select 1 from pc_entry pe where pe.person_id = p.id)
               or exists (select 1 from vaccination va where va.person_id = p.id)
               or exists (select 1 from citizen_declaration cd where cd.person_id = p.id)) as has_health_data,
             coalesce(p.so_bhyt, '') <> '' as has_bhyt,
             exists (select 1 from citizen_account a where a.person_id = p.id and a.consent_at is not null
                       and (a.consent_withdrawn_at is null or a.consent_withdrawn_at < a.consent_at)) as activated,
             coalesce(p.so_cccd, '') <> '' as cccd_present,
             -- Same structure test as parseCccd: 12 digits; a leading 0 must be followed by a province code.
             coalesce(p.so_cccd ~ '^[0-9]{12}$' and (left(p.so_cccd, 1) <> '0' or left(p.so_cccd, 3) = any(${CCCD_PREFIXES})), false) as cccd_valid,
             coalesce(p.so_bhyt, '') <> '' as bhyt_present,
             coalesce(upper(p.so_bhyt) ~ '^[A-Z]{2}[1-5][0-9]{12}$', false) as bhyt_valid,
             ((coalesce(p.ho_ten, '') <> '')::int + (p.ngay_sinh is not null)::int + (p.gioi_tinh is not null)::int
               + (coalesce(p.so_cccd, '') <> '')::int + (coalesce(p.so_bhyt, '') <> '')::int
               + (coalesce(p.dia_chi, '') <> '')::int + (coalesce(p.so_dien_thoai, '') <> '')::int)::smallint as fields_filled
        from person p join report_changed c on c.person_id = p.id
       where exists (select 1 from source_record sr where sr.person_id = p.id and sr.source_system = 'MIS2022')
        ) x`.execute(tx);
    n = Number(r.numAffectedRows ?? 0);
    await applyPersonState(tx, 1);
    await sql`delete from report_person_agg where persons = 0`.execute(tx);
    await setWatermark(tx, 'person', 0, cutoff);
  });
  return n;
}

/** Pending duplicate pairs per commune; the pending queue is small, so it is recounted. */
async function refreshReviews(db: Db) {
  await db.transaction().execute(async (tx) => {
    await sql`delete from report_review_pending`.execute(tx);
    await bulkInsert(tx, 'report_review_pending', { ma_xa: 'text', pending: 'int' }, await pendingReviewsByCommune(tx));
  });
}

/** Today's copy of the resident figures (overwritten by every refresh of the day). */
async function snapshotToday(db: Db) {
  await sql`
    with d as (select vn_day(now()) as day, date_trunc('month', vn_day(now())::timestamp)::date as m0),
    x as (select ma_xa from report_person_agg union select ma_xa from report_review_pending),
    a as (
      select ma_xa, sum(persons) persons, sum(has_record) has_record, sum(has_identity) has_identity,
             sum(has_health_data) has_health_data, sum(integrated) integrated, sum(has_bhyt) has_bhyt, sum(activated) activated,
             sum(cccd_present) cccd_present, sum(cccd_valid) cccd_valid, sum(bhyt_present) bhyt_present, sum(bhyt_valid) bhyt_valid,
             sum(fields_filled) fields_filled,
             sum(persons) filter (where upd_month >= (date_trunc('month', vn_day(now())::timestamp) - interval '11 months')::date) fresh
        from report_person_agg group by ma_xa),
    -- Residents by how many months before this month their last new data came (0..23).
    fm as (
      select x.ma_xa, array_agg(coalesce(g.n, 0) order by k.k) as by_month
        from x cross join generate_series(0, 23) as k(k) cross join d
        left join (select ma_xa, upd_month, sum(persons) n from report_person_agg group by 1, 2) g
          on g.ma_xa = x.ma_xa and g.upd_month = (d.m0 - make_interval(months => k.k))::date
       group by x.ma_xa)
    insert into report_person_daily as t (day, ma_xa, persons, has_record, has_identity, has_health_data, integrated, has_bhyt, activated,
                                          cccd_present, cccd_valid, bhyt_present, bhyt_valid, fields_filled, fresh, fresh_by_month, pending_reviews)
    select d.day, x.ma_xa, coalesce(a.persons, 0), coalesce(a.has_record, 0), coalesce(a.has_identity, 0), coalesce(a.has_health_data, 0),
           coalesce(a.integrated, 0), coalesce(a.has_bhyt, 0), coalesce(a.activated, 0),
           coalesce(a.cccd_present, 0), coalesce(a.cccd_valid, 0), coalesce(a.bhyt_present, 0), coalesce(a.bhyt_valid, 0),
           coalesce(a.fields_filled, 0), coalesce(a.fresh, 0), fm.by_month, coalesce(rp.pending, 0)
      from d, x
      left join a on a.ma_xa = x.ma_xa
      left join fm on fm.ma_xa = x.ma_xa
      left join report_review_pending rp on rp.ma_xa = x.ma_xa
    on conflict (day, ma_xa) do update set persons = excluded.persons, has_record = excluded.has_record,
      has_identity = excluded.has_identity, has_health_data = excluded.has_health_data, integrated = excluded.integrated,
      has_bhyt = excluded.has_bhyt, activated = excluded.activated, cccd_present = excluded.cccd_present, cccd_valid = excluded.cccd_valid,
      bhyt_present = excluded.bhyt_present, bhyt_valid = excluded.bhyt_valid, fields_filled = excluded.fields_filled,
      fresh = excluded.fresh, fresh_by_month = excluded.fresh_by_month, pending_reviews = excluded.pending_reviews`.execute(db);
}

let running: Promise<RefreshResult> | null = null;

/**
 * Folds rows added since the last run into the summary tables. Runs are serialised per process:
 * a timer tick and an on-demand call never apply the same rows twice.
 */
export function refreshReports(db: Db, opts: RefreshOptions = {}): Promise<RefreshResult> {
  const prev = running ?? Promise.resolve(undefined);
  const next = prev.catch(() => undefined).then(() => runRefresh(db, opts));
  running = next;
  void next.finally(() => {
    if (running === next) running = null;
  }).catch(() => {});
  return next;
}

async function runRefresh(db: Db, opts: RefreshOptions): Promise<RefreshResult> {
  const t0 = performance.now();
  const holdback = opts.holdbackSeconds ?? DEFAULT_HOLDBACK_SECONDS;
  const batch = opts.batchSize ?? 1_000_000;
  const cutoff = (await sql<{ c: Instant }>`select ${isoInstant(sql`now() - make_interval(secs => ${holdback})`)} as c`.execute(db)).rows[0]!.c;
  // Batches keep each transaction bounded after an outage or a bulk load; loop until caught up.
  let episodes = 0;
  for (;;) {
    const n = await refreshEpisodes(db, cutoff, batch);
    if (n === 0) break;
    episodes += n;
  }
  let visits = 0;
  for (;;) {
    const n = await refreshVisits(db, cutoff, batch);
    if (n === 0) break;
    visits += n;
  }
  const submissions = await refreshSubmissions(db, cutoff);
  const persons = await refreshPersons(db, cutoff);
  await refreshReviews(db);
  await snapshotToday(db);
  return { episodes, visits, submissions, persons, ms: Math.round(performance.now() - t0) };
}
