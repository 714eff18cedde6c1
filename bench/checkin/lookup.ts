/**
 * Issue 7 check-in lookup on PostgreSQL: 1,000,000 synthetic persons, then front-desk check-ins by
 * CCCD and by BHYT card number through the HTTP API (`POST /api/v1/clinic/checkin`: session, guard,
 * lookup, visit upsert, audit), sequential, server in-process. Baseline in the same run: the same
 * person lookup as a direct SQL query (`findPerson`). Target: API p99 < 20 ms.
 *   npx tsx bench/checkin/lookup.ts [--persons 1000000] [--requests 2000]
 */
import { parseArgs } from 'node:util';
import { findPerson } from '@openhssk/server/clinic';
import { createFacility } from '@openhssk/server/facility';
import { createStaff } from '@openhssk/server/staff';
import { startTestApp } from '@openhssk/server/test-support';
import { sql } from 'kysely';

const { values } = parseArgs({ options: { persons: { type: 'string', default: '1000000' }, requests: { type: 'string', default: '2000' } } });
const persons = Number(values.persons);
const requests = Number(values.requests);
process.env.HSSK_TEST_DB = 'postgres';
if (process.env.BENCH_DATABASE_URL) process.env.TEST_DATABASE_URL = process.env.BENCH_DATABASE_URL;

// The per-staff check-in throttle (30/min by default) is lifted: one account stands for every front desk.
const { db, url, close } = await startTestApp({ config: { throttleCheckinPerStaff: 0 } });
try {
  const t0 = performance.now();
  // Synthetic but structurally valid: CCCD 051 G YY NNNNNN (province 51), BHXH 51NNNNNNNN inside DN451….
  await sql`
    insert into person (id, ho_ten, name_key, ngay_sinh, birth_year, gioi_tinh, so_cccd, so_bhyt, bhxh, bhyt_valid_from, bhyt_valid_to, bhyt_facility_code)
    select 'B' || i, 'Người thử ' || i, 'nguoi thu ' || i, (1950 + i % 70) || '-01-01', 1950 + i % 70, 1 + i % 2,
           '051' || (i % 2) || lpad(((50 + i % 50))::text, 2, '0') || lpad((i - 1)::text, 6, '0'),
           'DN451' || '51' || lpad(i::text, 8, '0'), '51' || lpad(i::text, 8, '0'), date '2025-01-01', date '2099-12-31', null
    from generate_series(1, ${persons}) as i`.execute(db.db);
  await sql`analyze person`.execute(db.db);
  console.log(`generated ${persons} persons in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  await createFacility(db.db, { code: '51001', name: 'Bệnh viện thử' });
  await createStaff(db.db, { username: 'bench.letan', fullName: 'Lễ tân', role: 'receptionist', facilityCode: '51001', password: 'bench-Passw0rd' });
  const login = await fetch(`${url}/api/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench.letan', password: 'bench-Passw0rd' }) });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;

  // Deterministic spread over the whole table.
  const pick = (k: number) => 1 + ((k * 7919 + 13) % persons);
  const cccdOf = (i: number) => `051${i % 2}${String(50 + (i % 50)).padStart(2, '0')}${String(i - 1).padStart(6, '0')}`;
  const cardOf = (i: number) => `DN45151${String(i).padStart(8, '0')}`;

  const pct = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
  };
  async function run(label: string, fn: (k: number) => Promise<void>) {
    for (let k = 0; k < 200; k++) await fn(requests + k); // warm-up
    const times: number[] = [];
    for (let k = 0; k < requests; k++) {
      const s = performance.now();
      await fn(k);
      times.push(performance.now() - s);
    }
    return { label, p50: pct(times, 50), p99: pct(times, 99) };
  }
  const http = (method: string, value: string) => async () => {
    const r = await fetch(`${url}/api/v1/clinic/checkin`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ method, value }) });
    if (r.status !== 201 && r.status !== 200) throw new Error(`${r.status} ${await r.text()}`);
    await r.arrayBuffer();
  };
  const results = [
    await run('SQL lookup by CCCD (baseline)', async (k) => void (await findPerson(db.db, { kind: 'cccd', value: cccdOf(pick(k)) }))),
    await run('SQL lookup by BHXH (baseline)', async (k) => void (await findPerson(db.db, { kind: 'bhxh', value: cardOf(pick(k)).slice(5) }))),
    await run('API check-in by CCCD', (k) => http('chip_cccd', cccdOf(pick(k)))()),
    await run('API check-in by BHYT card', (k) => http('bhyt_card', cardOf(pick(k)))()),
  ];
  const base = results[0]!.p99;
  console.log(`\n${persons} persons, ${requests} sequential requests each (PostgreSQL, server in-process)`);
  for (const r of results) console.log(`${r.label.padEnd(32)} p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms  (${(r.p99 / base).toFixed(1)}× baseline p99)`);
  const worst = Math.max(results[2]!.p99, results[3]!.p99);
  console.log(`\nAPI p99 ${worst.toFixed(2)} ms: ${worst < 20 ? 'meets' : 'MISSES'} the 20 ms target`);
} finally {
  await close();
}
