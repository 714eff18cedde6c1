/**
 * The due/overdue list of a whole province on PostgreSQL (issue 16 acceptance: p95 < 1 s at
 * 1,000,000 persons). A province of --persons residents in 150 communes of 10 districts, ages drawn
 * from a Vietnamese-shaped age pyramid (about 24 % under 15, 52 % 15–49), the children under 8 with
 * the programme's doses up to their age (one dose in sixteen missing, so some are overdue).
 *  1. the cached due state (imm_due, migration 079) is built by the real scheduled mechanism,
 *     refreshCoverage over every commune (timed);
 *  2. p50/p95 through the real app (buildApp + inject) as a health officer of the province:
 *     GET /api/v1/immunization/due for the province (counts per series, antigen and district, first
 *     page of 50 children with names and guardians, audit), a later page by keyset, a district, a
 *     commune. Baselines in the same run: the plain SQL count over imm_due for the province, and the
 *     old way: planCommune, the live engine over ONE commune.
 *   npx tsx bench/immunization/province.ts [--persons 1000000] [--requests 40]
 *   --keep leaves the database (its name is printed); --reuse NAME measures part 2 on it.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { vietnamToday } from '@openhssk/core';
import { buildApp, loadConfig } from '@openhssk/server';
import { migrate } from '@openhssk/server/db';
import { planCommune, refreshCoverage } from '@openhssk/server/immunization';
import { createStaff } from '@openhssk/server/staff';
import { sql } from 'kysely';
import { benchDatabase, insertProgrammeDoses, log, timed } from '../shared/scratch.ts';

const { values } = parseArgs({
  options: { persons: { type: 'string', default: '1000000' }, requests: { type: 'string', default: '40' }, keep: { type: 'boolean', default: false }, reuse: { type: 'string' } },
});
const PERSONS = Number(values.persons);
const REQUESTS = Number(values.requests);
const COMMUNES = 150;
const DISTRICTS = 10;
const TODAY = vietnamToday();
const MONTH = TODAY.slice(0, 7);
process.env.HSSK_REPORT_REFRESH_SECONDS = '0';

const bench = await benchDatabase('immdue', { reuse: values.reuse, poolSize: 4 });
const { handle, db } = bench;
const reuse = bench.reused;
const commune = (i: number) => `2${String(i % COMMUNES).padStart(4, '0')}`;

async function generate() {
  await sql`insert into admin_unit (code, level, name, parent_code) values ('51', 'province', 'Tỉnh thử', null)`.execute(db);
  await sql`insert into admin_unit (code, level, name, parent_code)
            select '5' || lpad(d::text, 2, '0'), 'district', 'Huyện ' || d, '51' from generate_series(0, ${DISTRICTS - 1}::int) d`.execute(db);
  await sql`insert into admin_unit (code, level, name, parent_code)
            select '2' || lpad(c::text, 4, '0'), 'commune', 'Xã ' || c, '5' || lpad((c % ${DISTRICTS}::int)::text, 2, '0') from generate_series(0, ${COMMUNES - 1}::int) c`.execute(db);
  await sql`insert into facility (code, name, level, admin_unit_code)
            select '7' || lpad(c::text, 4, '0'), 'Trạm Y tế xã ' || c, 'xã', '2' || lpad(c::text, 4, '0') from generate_series(0, ${COMMUNES - 1}::int) c`.execute(db);
  await timed(`${PERSONS.toLocaleString('en')} persons`, () =>
    // Age by the inverse of a piecewise pyramid: 24 % under 15, 52 % 15–49, 16.5 % 50–64, 7.5 % 65–90.
    sql`insert into person (id, ho_ten, name_key, ngay_sinh, birth_year, gioi_tinh, ma_xa, dia_chi, so_dien_thoai)
      select 'P' || lpad(g::text, 8, '0'), 'Nguyễn Văn ' || g, 'NGUYEN VAN ' || g, to_char(d, 'YYYY-MM-DD'), extract(year from d)::int, 1 + (g / 7) % 2,
             '2' || lpad((g % ${COMMUNES}::int)::text, 4, '0'), 'Thôn ' || (1 + g % 12), '09' || lpad((g % 100000000)::text, 8, '0')
        from generate_series(1, ${PERSONS}::int) g,
        lateral (select ((g::bigint * 7919) % 1000003) / 1000003.0 as u) q,
        lateral (select case when u < 0.24 then u / 0.24 * 15 when u < 0.76 then 15 + (u - 0.24) / 0.52 * 35
                             when u < 0.925 then 50 + (u - 0.76) / 0.165 * 15 else 65 + (u - 0.925) / 0.075 * 25 end as age) a,
        lateral (select current_date - (a.age * 365.25)::int as d) x`.execute(db),
  );
  await timed('doses of the children under 8', () =>
    insertProgrammeDoses(db, sql<string>`'7' || right(p.ma_xa, 4)`),
  );
  // As autovacuum leaves a table that has settled: statistics and the visibility map (index-only scans).
  await sql`vacuum analyze person`.execute(db);
  await sql`vacuum analyze vaccination`.execute(db);
  await createStaff(db, { username: 'officer51', fullName: 'Cán bộ tỉnh', role: 'health_officer', adminUnitCode: '51', password: 'bench-Passw0rd1' });
  const built = await timed('imm_due built by refreshCoverage over every commune (with the coverage summaries)', () => refreshCoverage(db, { maxCommunes: COMMUNES, asOf: TODAY }));
  await sql`vacuum analyze imm_due`.execute(db);
  const n = (await sql<{ n: number; p: number }>`select count(*)::int as n, count(distinct person_id)::int as p from imm_due`.execute(db)).rows[0]!;
  log(`imm_due: ${n.n.toLocaleString('en')} rows for ${n.p.toLocaleString('en')} persons (${built.communes} communes rebuilt)`);
}

try {
  await migrate(handle);
  if (!reuse) await generate();
  const config = loadConfig({ port: 0, host: '127.0.0.1', publicUrl: 'http://localhost:1', demo: false, webDistDir: '/nonexistent' });
  const app = await buildApp({ config, database: handle, logger: false });
  await app.ready();
  const login = await app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { username: 'officer51', password: 'bench-Passw0rd1' } });
  const officer = `hssk_staff=${login.cookies.find((c) => c.name === 'hssk_staff')!.value}`;

  const get = async (path: string) => {
    const r = await app.inject({ method: 'GET', url: path, headers: { cookie: officer } });
    if (r.statusCode !== 200) throw new Error(`${path}: ${r.statusCode} ${r.body}`);
    return r.json() as { total: { persons: number; due: number; overdue: number }; persons: unknown[]; next: string | null };
  };
  const first = await get(`/api/v1/immunization/due?unit=51&on=${TODAY}`);
  // A cursor some way into the list (page 20) for the keyset measurement.
  let cursor = first.next;
  for (let i = 0; i < 19 && cursor; i++) cursor = (await get(`/api/v1/immunization/due?unit=51&on=${TODAY}&after=${cursor}`)).next;
  const communes = (await sql<{ code: string }>`select code from admin_unit where parent_code = '51'`.execute(db)).rows.map((r) => r.code);
  const provinceCommunes = (await sql<{ code: string }>`select code from admin_unit where level = 'commune'`.execute(db)).rows.map((r) => r.code);

  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
  const time = async (n: number, f: (i: number) => Promise<unknown>) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      await f(i);
      out.push(performance.now() - s);
    }
    return out;
  };
  const m = {
    province: (_: number) => get(`/api/v1/immunization/due?unit=51&on=${TODAY}`),
    keyset: (_: number) => get(`/api/v1/immunization/due?unit=51&on=${TODAY}${cursor ? `&after=${cursor}` : ''}`),
    district: (i: number) => get(`/api/v1/immunization/due?unit=${communes[i % communes.length]}&on=${TODAY}`),
    commune: (i: number) => get(`/api/v1/immunization/due?unit=${commune(i * 37)}&on=${TODAY}`),
    sqlCount: (_: number) =>
      sql`select count(*) from imm_due d where d.commune_code = any(${provinceCommunes}::text[]) and d.due_on <= ${TODAY}::date and (d.last_on is null or d.last_on >= ${TODAY}::date)`.execute(db),
    liveCommune: (i: number) => planCommune(db, commune(i * 37), MONTH),
  };
  for (const f of Object.values(m)) await time(3, f);
  const r: Record<keyof typeof m, number[]> = { province: [], keyset: [], district: [], commune: [], sqlCount: [], liveCommune: [] };
  // Interleaved halves so drift on a shared machine hits every measurement alike.
  for (let k = 0; k < 2; k++) for (const [name, f] of Object.entries(m)) r[name as keyof typeof m].push(...(await time(REQUESTS / 2, f)));

  const row = (name: string, xs: number[]) => `| ${name} | ${xs.length} | ${pct(xs, 50).toFixed(1)} | ${pct(xs, 95).toFixed(1)} | ${pct(xs, 99).toFixed(1)} |`;
  console.log(`\nprovince on ${TODAY}: ${first.total.persons.toLocaleString('en')} children due or overdue (${first.total.due.toLocaleString('en')} doses due, ${first.total.overdue.toLocaleString('en')} overdue)`);
  console.log('\n| measurement | calls | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|');
  console.log(row('GET /api/v1/immunization/due?unit=province (counts per series/antigen/district + first page of 50, names, guardians, audit)', r.province));
  console.log(row('the same, page 21 by keyset cursor', r.keyset));
  console.log(row('GET /api/v1/immunization/due?unit=district', r.district));
  console.log(row('GET /api/v1/immunization/due?unit=commune', r.commune));
  console.log(row('baseline: plain SQL count over imm_due for the province', r.sqlCount));
  console.log(row('baseline: planCommune, the live engine over ONE commune (before this table)', r.liveCommune));
  console.log(`\ntarget: province p95 < 1 s ${pct(r.province, 95) < 1000 ? 'met' : 'NOT met'}; load average ${loadavg()[0]!.toFixed(1)}`);
  await app.close();
} finally {
  await bench.close(values.keep);
}
