/**
 * Immunization planning and the book's vaccination section on PostgreSQL (issue 16): a province of
 * 1,000,000 persons in 100 communes of 10,000 (rows of a commune scattered through the table), ages
 * 0–90, the children under 8 with the programme's doses up to their age (one dose in sixteen
 * missing, so some are overdue). Measured:
 *   - the month plan of one commune (`planCommune`: persons in the schedule's age bands, their doses,
 *     the core engine, monthly counts and vaccine needs), random communes;
 *   - the same through the HTTP API as a health officer of the province (guard, scope, audit of the
 *     200 persons of the first page, JSON);
 *   - a parent reading a child's vaccination section (GET /api/v1/book/vaccinations?person=…).
 * Baselines in the same run: the plan's SQL alone (the band query and the doses of those persons),
 * and the child's doses query alone. Targets: plan p95 < 1 s, book section p95 < 50 ms.
 *   npx tsx bench/immunization/planning.ts [--persons 1000000] [--requests 60] [--keep]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { vietnamToday } from '@openhssk/core';
import { CURRENT_SCHEDULE } from '@openhssk/core/immunization';
import { buildApp, loadConfig } from '@openhssk/server';
import { createSession, SESSION_COOKIE } from '@openhssk/server/auth';
import { migrate, openDatabase } from '@openhssk/server/db';
import { dosesOf, engineDosesOf, planCommune, planningBands } from '@openhssk/server/immunization';
import { createStaff } from '@openhssk/server/staff';
import { createScratchPostgres } from '@openhssk/server/test-support';
import { sql } from 'kysely';
import { insertProgrammeDoses } from '../shared/scratch.ts';

const { values } = parseArgs({ options: { persons: { type: 'string', default: '1000000' }, requests: { type: 'string', default: '60' }, keep: { type: 'boolean', default: false } } });
const persons = Number(values.persons);
const requests = Number(values.requests);
const COMMUNES = 100;
const MONTH = vietnamToday().slice(0, 7);
const commune = (i: number) => String(20000 + (i % COMMUNES));

const scratch = await createScratchPostgres('hssk_immplan', process.env.BENCH_DATABASE_URL);
const handle = await openDatabase({ url: scratch.url, poolSize: 4 });
const db = handle.db;
try {
  await migrate(handle);
  const t = performance.now();
  await sql`insert into admin_unit (code, level, name, parent_code) values ('79', 'province', 'Tỉnh thử', null)`.execute(db);
  await sql`insert into admin_unit (code, level, name, parent_code) select (790 + g)::text, 'district', 'Huyện ' || g, '79' from generate_series(0, 9) g`.execute(db);
  await sql`insert into admin_unit (code, level, name, parent_code) select (20000 + g)::text, 'commune', 'Xã ' || g, (790 + g / 10)::text from generate_series(0, ${COMMUNES - 1}::int) g`.execute(db);
  await sql`insert into facility (code, name, level, admin_unit_code) select (70000 + g)::text, 'Trạm Y tế xã ' || g, 'xã', (20000 + g)::text from generate_series(0, ${COMMUNES - 1}::int) g`.execute(db);
  // Ages spread evenly over 90 years; a commune's rows are every 100th row of the table.
  await sql`insert into person (id, ho_ten, name_key, ngay_sinh, birth_year, gioi_tinh, ma_xa, dia_chi, so_dien_thoai)
    select 'P' || lpad(g::text, 8, '0'), 'Nguyễn Văn ' || g, 'NGUYEN VAN ' || g, to_char(d, 'YYYY-MM-DD'), extract(year from d)::int, 1 + (g / ${COMMUNES}) % 2,
           (20000 + g % ${COMMUNES})::text, 'Thôn ' || (1 + g % 12), '09' || lpad((g % 100000000)::text, 8, '0')
      from generate_series(1, ${persons}::int) g, lateral (select current_date - ((g::bigint * 7919) % (90 * 365))::int as d) x`.execute(db);
  const t1 = performance.now();
  await insertProgrammeDoses(db, sql<string>`(70000 + right(p.ma_xa, 2)::int)::text`);
  // As autovacuum leaves a table that has settled: statistics and the visibility map (index-only scans).
  await sql`vacuum analyze person`.execute(db);
  await sql`vacuum analyze vaccination`.execute(db);
  const doses = (await sql<{ n: number }>`select count(*)::int as n from vaccination`.execute(db)).rows[0]!.n;
  console.log(`setup: ${persons.toLocaleString('en')} persons in ${((t1 - t) / 1000).toFixed(1)} s, ${doses.toLocaleString('en')} doses in ${((performance.now() - t1) / 1000).toFixed(1)} s`);

  // A parent with a child of 3 whose section is read.
  const child = (await sql<{ id: string }>`select id from person where ngay_sinh between to_char(current_date - interval '3 years', 'YYYY-MM-DD') and to_char(current_date - interval '2 years 11 months', 'YYYY-MM-DD') limit 1`.execute(db)).rows[0]!.id;
  await sql`insert into person_relation (person_id, related_person_id, relation, source) values (${child}, 'P00000007', 'parent', 'population_relation')`.execute(db);
  await sql`update person set ngay_sinh = '1990-01-01', birth_year = 1990 where id = 'P00000007'`.execute(db);
  await db.insertInto('citizen_account').values({ subject: '079190000007', person_id: 'P00000007', consent_at: new Date() }).execute();
  const citizen = `${SESSION_COOKIE}=${await createSession(db, 'citizen', '079190000007', { name: 'Bench' }, 3600)}`;
  await createStaff(db, { username: 'officer79', fullName: 'Cán bộ tỉnh', role: 'health_officer', adminUnitCode: '79', password: 'bench-Passw0rd1' });
  const config = loadConfig({ port: 0, host: '127.0.0.1', publicUrl: 'http://localhost:1', demo: false, webDistDir: '/nonexistent' });
  const app = await buildApp({ config, database: handle, logger: false });
  await app.ready();
  const login = await app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { username: 'officer79', password: 'bench-Passw0rd1' } });
  const officer = `hssk_staff=${login.cookies.find((c) => c.name === 'hssk_staff')!.value}`;

  const bands = planningBands(CURRENT_SCHEDULE, MONTH);
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
  const time = async (n: number, f: (i: number) => Promise<void>) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      await f(i);
      out.push(performance.now() - s);
    }
    return out;
  };
  let evaluated = 0;
  let listed = 0;
  const plan = async (i: number) => {
    const p = await planCommune(db, commune(i * 37), MONTH);
    evaluated = p.population.evaluated;
    listed = p.persons.length;
  };
  const planSql = async (i: number) => {
    const people = await db.selectFrom('person').select(['id', 'ngay_sinh', 'gioi_tinh']).where('ma_xa', '=', commune(i * 37))
      .where((eb) => eb.or(bands.map((b) => eb.and([eb('ngay_sinh', '>', b.bornAfter), eb('ngay_sinh', '<=', b.bornOnOrBefore), ...(b.sex ? [eb('gioi_tinh', '=', 2)] : [])])))).execute();
    await engineDosesOf(db, people.map((p) => p.id));
  };
  const planApi = async (i: number) => {
    const r = await app.inject({ method: 'GET', url: `/api/v1/immunization/plan?commune=${commune(i * 37)}&month=${MONTH}`, headers: { cookie: officer } });
    if (r.statusCode !== 200) throw new Error(r.body);
  };
  const book = async () => {
    const r = await app.inject({ method: 'GET', url: `/api/v1/book/vaccinations?person=${child}`, headers: { cookie: citizen } });
    if (r.statusCode !== 200) throw new Error(r.body);
  };
  const bookSql = async () => {
    await dosesOf(db, [child]);
  };
  await time(5, plan);
  await time(5, planSql);
  await time(20, book);
  // Interleaved halves so drift on a shared machine hits both sides alike.
  const r = { plan: [] as number[], planSql: [] as number[], planApi: [] as number[], book: [] as number[], bookSql: [] as number[] };
  for (let k = 0; k < 2; k++) {
    r.plan.push(...(await time(requests / 2, plan)));
    r.planSql.push(...(await time(requests / 2, planSql)));
    r.planApi.push(...(await time(requests / 2, planApi)));
    r.book.push(...(await time(250, book)));
    r.bookSql.push(...(await time(250, bookSql)));
  }
  const row = (name: string, xs: number[]) => `| ${name} | ${xs.length} | ${pct(xs, 50).toFixed(1)} | ${pct(xs, 95).toFixed(1)} | ${pct(xs, 99).toFixed(1)} |`;
  console.log(`\nper commune: ${evaluated} persons evaluated, ${listed} to invite in ${MONTH}`);
  console.log('\n| measurement | calls | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|');
  console.log(row('planCommune (bands, doses, engine, counts, needs, who is due)', r.plan));
  console.log(row('baseline: the plan’s SQL alone (band query + doses)', r.planSql));
  console.log(row('GET /api/v1/immunization/plan (officer; first page of 200 with names, guardians, audit)', r.planApi));
  console.log(row('GET /api/v1/book/vaccinations?person=child', r.book));
  console.log(row('baseline: the child’s doses query alone', r.bookSql));
  console.log(`\ntargets: plan p95 < 1 s ${pct(r.planApi, 95) < 1000 ? 'met' : 'NOT met'} (API); book section p95 < 50 ms ${pct(r.book, 95) < 50 ? 'met' : 'NOT met'}; load average ${loadavg()[0]!.toFixed(1)}`);
  await app.close();
} finally {
  await handle.close();
  if (!values.keep) await scratch.drop();
}
