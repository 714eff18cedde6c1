/**
 * Issue 7 check-in lookup on PostgreSQL: 1,000,000 synthetic persons, then front-desk check-ins by
 * CCCD and by BHYT card number through the HTTP API (`POST /api/v1/clinic/checkin`: session, guard,
 * lookup, visit upsert, audit), sequential, server in-process. Baseline in the same run: the same
 * person lookup called directly (`findPerson`: the identifier directory, then the person by id). Target: API p99 < 20 ms.
 * Issue 18: the clinician summary with its added sections (`GET /api/v1/clinic/patients/:id/summary`)
 * for `--summaries` of those persons, each given 8 episodes at three facilities (results, medicines,
 * procedures, record summary, re-exam; one sensitive), a check-in at the clinician's facility and the
 * cross-facility choice, so every section is read. Baseline in the same run: the book's front-page
 * queries (`summaryRows`) for the same persons. Target: summary p95 < 80 ms.
 *   npx tsx bench/checkin/lookup.ts [--persons 1000000] [--requests 2000] [--summaries 1000]
 */
import { parseArgs } from 'node:util';
import { summaryRows } from '@openhssk/server/book';
import { findPerson } from '@openhssk/server/clinic';
import { createFacility } from '@openhssk/server/facility';
import { createStaff } from '@openhssk/server/staff';
import { startTestApp } from '@openhssk/server/test-support';
import { sql } from 'kysely';
import { insertClinicalEpisodes, percentile, ROWS_PER_EPISODE } from '../shared/clinical.ts';

const { values } = parseArgs({ options: { persons: { type: 'string', default: '1000000' }, requests: { type: 'string', default: '2000' }, summaries: { type: 'string', default: '1000' } } });
const persons = Number(values.persons);
const requests = Number(values.requests);
const summaries = Math.min(Number(values.summaries), persons);
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
  // The check-in finds a number in the identifier directory (migration 081), which the person writers
  // derive; persons inserted here by SQL get their rows by the same derivation, in one statement.
  await sql`insert into person_identifier (identifier, kind, person_id)
    select so_cccd, 'cccd', id from person where so_cccd is not null union all select bhxh, 'bhxh', id from person where bhxh is not null`.execute(db.db);
  await sql`analyze person; analyze person_identifier`.execute(db.db);
  console.log(`generated ${persons} persons in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  await createFacility(db.db, { code: '51001', name: 'Bệnh viện thử' });
  await createStaff(db.db, { username: 'bench.letan', fullName: 'Lễ tân', role: 'receptionist', facilityCode: '51001', password: 'bench-Passw0rd' });
  const login = await fetch(`${url}/api/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench.letan', password: 'bench-Passw0rd' }) });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;

  // Deterministic spread over the whole table.
  const pick = (k: number) => 1 + ((k * 7919 + 13) % persons);
  const cccdOf = (i: number) => `051${i % 2}${String(50 + (i % 50)).padStart(2, '0')}${String(i - 1).padStart(6, '0')}`;
  const cardOf = (i: number) => `DN45151${String(i).padStart(8, '0')}`;

  async function run(label: string, fn: (k: number) => Promise<void>, n = requests, warm = 200) {
    for (let k = 0; k < warm; k++) await fn(n + k); // warm-up
    const times: number[] = [];
    for (let k = 0; k < n; k++) {
      const s = performance.now();
      await fn(k);
      times.push(performance.now() - s);
    }
    return { label, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
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

  // Issue 18: the clinician summary. Summary persons are those the check-ins above did not warm.
  const summaryPerson = (k: number) => `B${pick(requests + 200 + k)}`;
  const ids = Array.from({ length: summaries + 50 }, (_, k) => Number(summaryPerson(k).slice(1)));
  const t1 = performance.now();
  await createFacility(db.db, { code: '51002', name: 'Bệnh viện thử B' });
  await createFacility(db.db, { code: '51003', name: 'Bệnh viện thử C' });
  await sql`insert into submission (id, facility_code, channel, sha256, size_bytes, status, episode_count, accepted_count, warning_count, rejected_count, receipt)
            values ('BENCH-SUMMARY', '51001', 'rest', 'bench-summary', 1, 'accepted', 0, 0, 0, 0, '{}')`.execute(db.db);
  await insertClinicalEpisodes(db.db, { ids, personPrefix: 'B', perPerson: 8, sensitiveAt: 7, facilities: ['51001', '51002', '51003'], submissionId: 'BENCH-SUMMARY', spacingDays: 40 });
  // Arrived at the clinician's facility today, with the citizen's cross-facility choice: every section is read.
  await sql`insert into visit (facility_code, ma_lk, person_id, patient_source_id, ho_ten, ngay_vao, id_method, status, checkin)
            select '51001', 'BV-' || i, 'B' || i, 'BN' || i, 'Người thử ' || i, localtimestamp, 'typed', 'open', '{}' from unnest(${ids}::int[]) as i`.execute(db.db);
  await sql`insert into citizen_account (subject, person_id, consent_at, cross_facility_consent_at)
            select 'S' || i, 'B' || i, now(), now() from unnest(${ids}::int[]) as i`.execute(db.db);
  await sql`analyze episode; analyze episode_row; analyze visit; analyze citizen_account`.execute(db.db);
  console.log(`\ngave ${ids.length} persons 8 episodes each (${ids.length * 8 * ROWS_PER_EPISODE} episode rows) in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  await createStaff(db.db, { username: 'bench.bacsi', fullName: 'Bác sĩ', role: 'clinician', facilityCode: '51001', password: 'bench-Passw0rd' });
  const dlogin = await fetch(`${url}/api/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench.bacsi', password: 'bench-Passw0rd' }) });
  const doctor = (dlogin.headers.get('set-cookie') ?? '').split(';')[0]!;
  const summaryResults = [
    await run('SQL book summary rows (baseline)', async (k) => void (await summaryRows(db.db, summaryPerson(k))), summaries, 50),
    await run('API clinician summary', async (k) => {
      const r = await fetch(`${url}/api/v1/clinic/patients/${summaryPerson(k)}/summary`, { headers: { cookie: doctor } });
      if (r.status !== 200) throw new Error(`${r.status} ${await r.text()}`);
      const body = (await r.json()) as { lab_results: unknown[]; last_discharge_summary: unknown };
      if (body.lab_results.length === 0 || !body.last_discharge_summary) throw new Error('summary without its sections');
    }, summaries, 50),
  ];
  const sbase = summaryResults[0]!.p95;
  console.log(`\n${persons} persons, ${summaries} sequential summaries (persons with 8 episodes, 88 rows each)`);
  for (const r of summaryResults) console.log(`${r.label.padEnd(34)} p50 ${r.p50.toFixed(2).padStart(6)} ms  p95 ${r.p95.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms  (${(r.p95 / sbase).toFixed(1)}× baseline p95)`);
  const p95 = summaryResults[1]!.p95;
  console.log(`\nclinician summary p95 ${p95.toFixed(2)} ms: ${p95 < 80 ? 'meets' : 'MISSES'} the 80 ms target`);
} finally {
  await close();
}
