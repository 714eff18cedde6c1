/**
 * Station app sync: one full offline queue of 500 entries (831 items, check-ups, enrolments and the
 * follow-ups that need them) posted to /api/v1/primary-care/sync, in a commune of `--residents`
 * persons among `--persons`, repeated `--rounds` times with fresh entries (the record grows each
 * round). Printed beside an in-run baseline: the audit rows alone — 500 audited writes in
 * transactions of 50, the floor any audited, idempotent sync pays. Target (issue 15): < 10 s.
 *   npx tsx bench/primary-care/sync.ts [--persons 1000000] [--residents 10000] [--rounds 5] [--pglite]
 * PostgreSQL from BENCH_DATABASE_URL (a scratch database is created and dropped), or PGlite in memory.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { buildApp, loadConfig } from '@openhssk/server';
import { audit } from '@openhssk/server/audit';
import { migrate, openDatabase } from '@openhssk/server/db';
import { createStaff } from '@openhssk/server/staff';
import { createScratchPostgres } from '@openhssk/server/test-support';
import { sql } from 'kysely';

const { values } = parseArgs({
  options: {
    persons: { type: 'string', default: '1000000' },
    residents: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '5' },
    pglite: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const persons = Number(values.persons);
const residents = Number(values.residents);
const rounds = Number(values.rounds);
const COMMUNE = '21550';
const STATION = '51010';

const scratch = values.pglite ? undefined : await createScratchPostgres('hssk_bench', process.env.BENCH_DATABASE_URL);
const handle = await openDatabase(scratch ? { url: scratch.url, poolSize: 8 } : { dataDir: 'memory://' });
await migrate(handle);
const db = handle.db;

const t0 = Date.now();
await sql`insert into admin_unit(code, level, name, parent_code) values ('51', 'province', 'Tỉnh thử', null), (${COMMUNE}, 'commune', 'Xã thử', '51'), ('21551', 'commune', 'Xã bên', '51')`.execute(db);
await sql`insert into facility(code, name, level, admin_unit_code) values (${STATION}, 'Trạm Y tế xã thử', 'xã', ${COMMUNE})`.execute(db);
// The first `residents` persons live in the station's commune, the others next door.
await sql`insert into person(id, ho_ten, name_key, ngay_sinh, birth_year, gioi_tinh, so_cccd, ma_xa)
  select 'P' || lpad(g::text, 10, '0'), 'Nguyễn Văn ' || g, 'NGUYEN VAN ' || g, (1940 + g % 70)::text || '-06-15', 1940 + g % 70, 1 + g % 2,
         lpad(g::text, 12, '0'), case when g <= ${residents} then ${COMMUNE} else '21551' end
  from generate_series(1, ${persons}::int) g`.execute(db);
await sql`analyze person`.execute(db);
console.log(`setup: ${persons.toLocaleString('en')} persons (${residents.toLocaleString('en')} in the station's commune) in ${((Date.now() - t0) / 1000).toFixed(1)} s on ${handle.kind}`);

const { password } = await createStaff(db, { username: 'bench.ysi', fullName: 'Y sĩ thử', role: 'station_clinician', facilityCode: STATION, password: 'Bench-Passw0rd!' });
const config = loadConfig({ port: 0, host: '127.0.0.1', publicUrl: 'http://localhost:1', demo: false, webDistDir: '/nonexistent', reportRefreshSeconds: 0 });
const app = await buildApp({ config, database: handle, logger: false });
await app.ready();
const login = await app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { username: 'bench.ysi', password } });
const staffCookie = login.cookies.find((c) => c.name === 'hssk_staff');
if (!staffCookie) throw new Error(`login: ${login.statusCode} ${login.body}`);
const cookie = `hssk_staff=${staffCookie.value}`;

const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
const dayBefore = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) - n * 86400_000).toISOString().slice(0, 10);

/** 300 record entries over 100 persons, 100 check-ups, 50 enrolments, 50 follow-ups. */
function queue(round: number) {
  const ids = Array.from({ length: 100 }, (_, i) => `P${String(1 + ((round * 100 + i) % residents)).padStart(10, '0')}`);
  const out: Array<Record<string, unknown>> = [];
  const at = () => new Date(Date.now() - (500 - out.length) * 1000).toISOString();
  const rec = (personId: string, section: string, values: Record<string, unknown>, itemId?: string) =>
    out.push({ entryId: randomUUID(), kind: 'record', personId, recordedAt: at(), record: { section, ...(itemId ? { itemId } : {}), values } });
  ids.forEach((p, i) => {
    rec(p, 'administrative', { dan_toc: '01', nghe_nghiep: `Nghề ${round}` });
    rec(p, 'risk_factors', { hut_thuoc: i % 3 ? 'khong' : 'co', ruou_bia: 'khong', ma_tuy: 'khong', hoat_dong_the_luc: 'it' });
    rec(p, 'allergies', { loai: 'thuoc', tac_nhan: `Thuốc ${round}-${i}` }, randomUUID());
  });
  for (const p of ids) out.push({ entryId: randomUUID(), kind: 'checkup', personId: p, recordedAt: at(), checkup: { examinedOn: today, pulse: 78, sbp: 138, dbp: 86, heightCm: 160, weightKg: 60 } });
  for (const p of ids.slice(0, 50)) out.push({ entryId: randomUUID(), kind: 'enrolment', personId: p, recordedAt: at(), enrolment: { register: 'hypertension', icd10: 'I10', enrolledOn: dayBefore(90) } });
  for (const [i, p] of ids.slice(0, 50).entries()) {
    out.push({ entryId: randomUUID(), kind: 'followup', personId: p, recordedAt: at(), followUp: { register: 'hypertension', visitDate: dayBefore(i % 25), sbp: 120 + (i % 40), dbp: 75 + (i % 20) } });
  }
  return out;
}

const sync: number[] = [];
const baseline: number[] = [];
for (let round = 0; round < rounds; round++) {
  const entries = queue(round);
  let s = performance.now();
  const r = await app.inject({ method: 'POST', url: '/api/v1/primary-care/sync', headers: { cookie }, payload: { entries } });
  sync.push(performance.now() - s);
  const body = r.json() as { summary?: Record<string, number> };
  if (r.statusCode !== 200 || (body.summary?.refused ?? 1) > 0) throw new Error(`sync: ${r.statusCode} ${r.body.slice(0, 500)}`);
  s = performance.now();
  for (let c = 0; c < 10; c++) {
    await db.transaction().execute(async (tx) => {
      for (let i = 0; i < 50; i++) await audit(tx, { actor: { type: 'staff', id: 'bench' }, action: 'bench.baseline', personId: String(entries[c * 50 + i]!.personId) });
    });
  }
  baseline.push(performance.now() - s);
}
const fmt = (ms: number) => (ms / 1000).toFixed(2);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log('\n| measurement | rounds | median s | max s |\n|---|---|---|---|');
console.log(`| POST /api/v1/primary-care/sync, 500 entries | ${rounds} | ${fmt(median(sync))} | ${fmt(Math.max(...sync))} |`);
console.log(`| baseline: 500 audit rows in transactions of 50 | ${rounds} | ${fmt(median(baseline))} | ${fmt(Math.max(...baseline))} |`);
console.log(`\nratio median sync / baseline: ${(median(sync) / median(baseline)).toFixed(2)}; target 500 entries < 10 s: ${Math.max(...sync) < 10_000 ? 'met' : 'NOT met'}`);

await app.close();
await handle.close();
if (scratch && !values.keep) await scratch.drop();
