/**
 * Commune station household register (issue 15) on PostgreSQL: 1,000,000 persons in 100 communes of
 * 10,000 (rows of a commune scattered through the table, as imports leave them), each with a
 * population source record and its blocking keys, 4-person households in 12 hamlets, and 300,000
 * hospital episodes (re-exam appointments, inpatient discharges, referrals to the station). Through
 * the HTTP API with a station nurse's session (guard, scope, audit of every person shown):
 *   - search in one commune (names with/without diacritics, CCCD, BHYT, phone, hamlet, household),
 *   - the station's day list (start page),
 *   - a batch of 500 queued register events (births, moves in, deaths, moves out).
 * Baselines in the same run: the plain indexed SQL query for each search (one table, no paging
 * count, no audit), the day-list SQL alone, and the MPI placement alone (register + linkIncoming in
 * its own transaction) for births. Targets: search and day list p95 < 100 ms; 500 entries < 10 s.
 *   npx tsx bench/station/household.ts [--persons 1000000] [--requests 300] [--keep] [--skip-search]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { searchKey, vietnamToday } from '@openhssk/core';
import { buildApp, loadConfig } from '@openhssk/server';
import { migrate, openDatabase } from '@openhssk/server/db';
import { linkIncoming } from '@openhssk/server/mpi';
import { registerSourceRecord } from '@openhssk/server/person';
import { auditMany } from '@openhssk/server/audit';
import { createStaff, staffActor } from '@openhssk/server/staff';
import { type DayList, dayList, dayListPersons, refreshRegister, searchRegister, stationArea } from '@openhssk/server/station';
import { createScratchPostgres } from '@openhssk/server/test-support';
import { sql } from 'kysely';

const { values } = parseArgs({
  options: {
    persons: { type: 'string', default: '1000000' },
    requests: { type: 'string', default: '300' },
    episodes: { type: 'string', default: '300000' },
    keep: { type: 'boolean', default: false },
    'skip-search': { type: 'boolean', default: false },
  },
});
const persons = Number(values.persons);
const requests = Number(values.requests);
const episodes = Number(values.episodes);
const COMMUNES = 100;
const communeCode = (k: number) => String(21000 + k * 3);
const TARGET = 37; // the commune under test: persons with i % 100 = 37
const C = communeCode(TARGET);
const STATION = '51242';

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Ngọc', 'Thanh', 'Hữu', 'Đức', 'Gia', 'Bảo', 'Khánh', 'Xuân', 'Quốc'];
const GIVEN = [
  'An', 'Bình', 'Châu', 'Dũng', 'Giang', 'Hà', 'Khoa', 'Lâm', 'My', 'Nam', 'Oanh', 'Phúc', 'Quân', 'Sơn', 'Tâm', 'Uyên', 'Vy', 'Yến', 'Hải',
  'Long', 'Hoa', 'Hòa', 'Hóa', 'Hùng', 'Lan', 'Mai', 'Nga', 'Phương', 'Thảo', 'Trang', 'Tuấn', 'Việt', 'Đạt', 'Hiếu', 'Linh', 'Ngân', 'Quý',
  'Thủy', 'Tiến', 'Vinh',
];
const keys = (xs: string[]) => xs.map(searchKey);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
async function time(n: number, f: (k: number) => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    const s = performance.now();
    await f(k);
    out.push(performance.now() - s);
  }
  return out;
}
const row = (name: string, xs: number[]) =>
  `| ${name.padEnd(46)} | ${String(xs.length).padStart(5)} | ${pct(xs, 50).toFixed(2).padStart(7)} | ${pct(xs, 95).toFixed(2).padStart(7)} | ${pct(xs, 99).toFixed(2).padStart(7)} |`;
const header = '| measurement                                    | calls |  p50 ms |  p95 ms |  p99 ms |\n|---|---|---|---|---|';

const scratch = await createScratchPostgres('hssk_stationbench', process.env.BENCH_DATABASE_URL);
const handle = await openDatabase({ url: scratch.url, poolSize: 4 });
const db = handle.db;
try {
  await migrate(handle);
  const t0 = performance.now();
  await db.insertInto('admin_unit').values([
    { code: '51', level: 'province', name: 'Quảng Ngãi', parent_code: null, valid_from: null, valid_to: null },
    { code: '528', level: 'district', name: 'Huyện thử', parent_code: '51', valid_from: null, valid_to: null },
    ...Array.from({ length: COMMUNES }, (_, k) => ({ code: communeCode(k), level: 'commune' as const, name: `xã Thử ${k}`, parent_code: '528', valid_from: null, valid_to: null })),
  ]).execute();
  await db.insertInto('facility').values([
    { code: STATION, name: 'Trạm Y tế xã Thử 37', level: 'xã', admin_unit_code: C },
    ...Array.from({ length: 10 }, (_, k) => ({ code: String(51001 + k), name: `Bệnh viện thử ${k + 1}`, level: 'tỉnh', admin_unit_code: '528' })),
  ]).execute();

  // Persons: commune = i % 100, household = (i / 100) / 4 within the commune (4 members), hamlet = household % 12.
  await sql`
    insert into person (id, ho_ten, name_key, ngay_sinh, birth_year, gioi_tinh, so_cccd, so_bhyt, bhxh, so_dien_thoai, dia_chi, ma_xa, ma_ho_gia_dinh)
    select 'P' || lpad(i::text, 9, '0'), f.v || ' ' || m.v || ' ' || g.v, fk.v || ' ' || mk.v || ' ' || gk.v,
           to_char(b, 'YYYY-MM-DD'), extract(year from b)::int, 1 + i % 2,
           case when (i / 100) % 10 < 7 then '051' || (case when extract(year from b) >= 2000 then 2 else 0 end + i % 2) || to_char(b, 'YY') || lpad((i % 1000000)::text, 6, '0') end,
           'DN451' || lpad(i::text, 8, '0'), '51' || lpad(i::text, 8, '0'),
           case when (i / 100) % 10 < 6 then '09' || lpad(i::text, 8, '0') end,
           'Thôn ' || (1 + ((i / 100) / 4) % 12) || ', xã Thử ' || (i % 100) || ', huyện Thử',
           (21000 + (i % 100) * 3)::text, 'HGD' || lpad(((i / 100) / 4)::text, 6, '0')
      from generate_series(1, ${persons}::int) i
      cross join lateral (select date '1935-01-01' + ((i::bigint * 7919) % 32000)::int as b) d
      cross join lateral (select (${FAMILY}::text[])[1 + i % ${FAMILY.length}] as v) f
      cross join lateral (select (${keys(FAMILY)}::text[])[1 + i % ${FAMILY.length}] as v) fk
      cross join lateral (select (${MIDDLE}::text[])[1 + (i / 7) % ${MIDDLE.length}] as v) m
      cross join lateral (select (${keys(MIDDLE)}::text[])[1 + (i / 7) % ${MIDDLE.length}] as v) mk
      cross join lateral (select (${GIVEN}::text[])[1 + (i / 13) % ${GIVEN.length}] as v) g
      cross join lateral (select (${keys(GIVEN)}::text[])[1 + (i / 13) % ${GIVEN.length}] as v) gk`.execute(db);
  const t1 = performance.now();
  // One population record per person, linked, with the blocking keys a finished relink leaves
  // (core matchKeys: name|year, CCCD, BHXH, phone, household, family|given|year, birth date).
  await sql`drop index source_record_match_keys`.execute(db);
  await sql`
    insert into source_record (source_system, source_id, ho_ten, ngay_sinh, gioi_tinh, so_cccd, so_bhyt, so_dien_thoai, dia_chi, ma_xa, ma_ho_gia_dinh,
                               quan_he_chu_ho, content_hash, person_id, link_rule, match_keys)
    select 'MIS2022', 'S' || substr(p.id, 2), p.ho_ten, to_char(p.ngay_sinh::date, 'DD/MM/YYYY'), case p.gioi_tinh when 1 then 'Nam' else 'Nữ' end,
           p.so_cccd, p.so_bhyt, p.so_dien_thoai, p.dia_chi, p.ma_xa, p.ma_ho_gia_dinh,
           (array['Chủ hộ', 'Vợ', 'Con', 'Con'])[1 + (substr(p.id, 2)::int / 100) % 4], md5(p.id), p.id, 'MPI_SINGLE',
           array_remove(array[
             'N:' || p.name_key || '|' || p.birth_year,
             case when p.so_cccd is not null then 'C:' || p.so_cccd end,
             'B:' || p.bhxh,
             case when p.so_dien_thoai is not null then 'P:' || p.so_dien_thoai end,
             'H:' || p.ma_xa || '|' || p.ma_ho_gia_dinh,
             'F:' || split_part(p.name_key, ' ', 1) || '|' || split_part(p.name_key, ' ', 3) || '|' || p.birth_year,
             'D:' || p.birth_year || '-' || extract(month from p.ngay_sinh::date) || '-' || extract(day from p.ngay_sinh::date)
           ], null)
      from person p`.execute(db);
  await sql`create index source_record_match_keys on source_record using gin (match_keys) with (gin_pending_list_limit = 128)`.execute(db);
  const t2 = performance.now();

  // Episodes of every third person at the hospitals: a tenth with a re-exam appointment (±180 days),
  // a twentieth inpatient, a thousandth of the commune's with a referral back to the station.
  const today = vietnamToday();
  await sql`insert into submission (id, facility_code, channel, sha256, size_bytes, status, episode_count, accepted_count, warning_count, rejected_count, receipt)
    values ('bench', '51001', 'bench', 'x', 0, 'accepted', 0, 0, 0, 0, '{}')`.execute(db);
  await sql`
    insert into episode (facility_code, ma_lk, version, is_current, submission_id, person_id, patient_source_id, status, ma_bn, ho_ten, ma_loai_kcb,
                         ngay_vao, ngay_ra, ma_benh_chinh, chan_doan_rv, sensitivity, content_sha256, xml1)
    select (51001 + g % 10)::text, 'E' || g, 1, true, 'bench', 'P' || lpad((1 + (g::bigint * 3) % ${persons})::text, 9, '0'), 'src' || g, 'accepted', 'BN' || g, 'Người bệnh',
           case when abs(hashtext('k' || g)) % 20 = 0 then '03' else '01' end,
           ${today}::timestamp - ((abs(hashtext('d' || g)) % 365) || ' days')::interval, ${today}::timestamp - ((abs(hashtext('d' || g)) % 365) || ' days')::interval + interval '3 days',
           (array['I10', 'E11.9', 'J18.9', 'K29.7'])[1 + g % 4], 'Chẩn đoán ra viện', case when g % 97 = 0 then array['mental'] else '{}'::text[] end, md5(g::text), '{}'::jsonb
      from generate_series(1, ${episodes}::int) g`.execute(db);
  await sql`
    insert into episode_row (episode_id, person_id, tbl, row_no, fields)
    select e.id, e.person_id, 'XML14', 1, jsonb_build_object('NGAY_HEN_KL', to_char(current_date + (abs(hashtext('h' || e.id)) % 360 - 180)::int, 'YYYYMMDD'), 'CHAN_DOAN_RV', 'Hẹn khám lại', 'MA_BENH_CHINH', e.ma_benh_chinh)
      from episode e where abs(hashtext('a' || e.id)) % 10 = 0`.execute(db);
  await sql`
    insert into episode_row (episode_id, person_id, tbl, row_no, fields)
    select e.id, e.person_id, 'XML13', 1, jsonb_build_object('MA_CSKCB_DEN', ${STATION}::text, 'SO_CHUYENTUYEN', 'CT' || e.id, 'HUONG_DIEU_TRI', 'Điều trị tiếp tại trạm', 'NGAY_RA', to_char(e.ngay_ra, 'YYYYMMDDHH24MI'))
      from episode e join person p on p.id = e.person_id where p.ma_xa = ${C} and abs(hashtext('r' || e.id)) % 7 = 0`.execute(db);
  await sql`analyze`.execute(db);
  await sql`vacuum (analyze) person`.execute(db);
  const t3 = performance.now();
  console.log(
    `setup: ${persons.toLocaleString('en')} persons ${((t1 - t0) / 1000).toFixed(1)} s, source records + keys ${((t2 - t1) / 1000).toFixed(1)} s, ` +
      `${episodes.toLocaleString('en')} episodes ${((t3 - t2) / 1000).toFixed(1)} s`,
  );

  const tb = performance.now();
  const built = await refreshRegister(db, C);
  console.log(`register of commune ${C} built from the lists: ${built!.households} households, ${built!.members} members in ${((performance.now() - tb) / 1000).toFixed(2)} s`);

  const config = loadConfig({ port: 0, host: '127.0.0.1', publicUrl: 'http://localhost:1', demo: false, webDistDir: '/nonexistent', bodyLimit: 64 * 1024 });
  const app = await buildApp({ config, database: handle, logger: false });
  await app.ready();
  const nurse = await createStaff(db, { username: 'bench.dieuduong', fullName: 'Điều dưỡng thử', role: 'station_nurse', facilityCode: STATION, password: 'bench-Passw0rd' });
  const login = await app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { username: 'bench.dieuduong', password: 'bench-Passw0rd' } });
  const cookie = `hssk_staff=${login.cookies.find((c) => c.name === 'hssk_staff')!.value}`;
  const api = async (url: string) => {
    const r = await app.inject({ method: 'GET', url, headers: { cookie } });
    if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
    return r.json() as Record<string, unknown>;
  };

  // Persons of the commune to look up: i = 100·k + 37.
  const member = (k: number) => 100 * (1 + ((k * 7919) % Math.floor(persons / 100 - 1))) + TARGET;
  // Phones are on persons whose (i / 100) % 10 < 6.
  const withPhone = (k: number) => 100 * (10 * ((k * 7919) % Math.floor(persons / 1000 - 1)) + (k % 6)) + TARGET;
  const cccdOf = async (i: number) => (await db.selectFrom('person').select('so_cccd').where('id', '=', `P${String(i).padStart(9, '0')}`).executeTakeFirst())?.so_cccd;
  const withCccd: string[] = [];
  for (let k = 0; withCccd.length < 50; k++) {
    const c = await cccdOf(member(k));
    if (c) withCccd.push(c);
  }
  const searches: Array<{ label: string; qs: (k: number) => string; base: (k: number) => Promise<unknown> }> = [
    {
      label: 'name without diacritics ("hoa")',
      qs: () => 'q=hoa',
      base: () => sql`select id, ho_ten from person where ma_xa = ${C} and (' ' || name_key) like '% HOA%' order by name_key, id limit 20`.execute(db),
    },
    {
      label: 'full name with diacritics',
      qs: (k) => `q=${encodeURIComponent(`${FAMILY[k % FAMILY.length]} Thị Hòa`)}`,
      base: (k) => sql`select id, ho_ten from person where ma_xa = ${C} and (' ' || name_key) like all(${[`% ${searchKey(FAMILY[k % FAMILY.length]!)}%`, '% THI%', '% HOA%']}::text[]) order by name_key, id limit 20`.execute(db),
    },
    {
      label: 'common family + middle name ("nguyen van")',
      qs: () => 'q=nguyen%20van',
      base: () => sql`select id, ho_ten from person where ma_xa = ${C} and (' ' || name_key) like all(array['% NGUYEN%', '% VAN%']) order by name_key, id limit 20`.execute(db),
    },
    { label: 'CCCD', qs: (k) => `q=${withCccd[k % withCccd.length]}`, base: (k) => sql`select id from person where so_cccd = ${withCccd[k % withCccd.length]!} and ma_xa = ${C}`.execute(db) },
    {
      label: 'BHYT card',
      qs: (k) => `q=DN451${String(member(k)).padStart(8, '0')}`,
      base: (k) => sql`select id from person where bhxh = ${`51${String(member(k)).padStart(8, '0')}`} and ma_xa = ${C}`.execute(db),
    },
    {
      label: 'phone',
      qs: (k) => `q=09${String(withPhone(k)).padStart(8, '0')}`,
      base: (k) => sql`select id from person where ma_xa = ${C} and so_dien_thoai = ${`09${String(withPhone(k)).padStart(8, '0')}`}`.execute(db),
    },
    {
      label: 'hamlet ("thon 3") + name',
      qs: () => 'hamlet=thon%203&q=thi',
      base: () => sql`select m.person_id from station_member m join station_household h on h.id = m.household_id join person p on p.id = m.person_id
        where h.commune_code = ${C} and h.hamlet_key = 'THON 3' and m.closed_at is null and (' ' || p.name_key) like '% THI%' order by p.name_key limit 20`.execute(db),
    },
    {
      label: 'household code',
      qs: (k) => `household=HGD${String(k % 2500).padStart(6, '0')}`,
      base: (k) => sql`select m.person_id from station_member m join station_household h on h.id = m.household_id
        where h.commune_code = ${C} and h.household_code = ${`HGD${String(k % 2500).padStart(6, '0')}`} and m.closed_at is null`.execute(db),
    },
  ];
  // Warm-up, then interleaved halves so drift on a shared machine hits API and baseline alike.
  for (const s of values['skip-search'] ? [] : searches) {
    await time(20, (k) => api(`/api/v1/station/search?${s.qs(k)}`).then(() => undefined));
    await time(20, (k) => s.base(k).then(() => undefined));
  }
  console.log(`\nSearch in commune ${C} (10,000 of ${persons.toLocaleString('en')} persons), ${requests} sequential requests each; load average ${loadavg()[0]!.toFixed(1)}`);
  console.log(header);
  const allApi: number[] = [];
  for (const s of values['skip-search'] ? [] : searches) {
    const a: number[] = [];
    const b: number[] = [];
    const f: number[] = [];
    for (let half = 0; half < 2; half++) {
      a.push(...(await time(requests / 2, (k) => api(`/api/v1/station/search?${s.qs(k + half * requests)}`).then(() => undefined))));
      f.push(...(await time(requests / 2, (k) => searchRegister(db, C, { ...Object.fromEntries(new URLSearchParams(s.qs(k + half * requests))), page: 1, pageSize: 20 }).then(() => undefined))));
      b.push(...(await time(requests / 2, (k) => s.base(k + half * requests).then(() => undefined))));
    }
    allApi.push(...a);
    console.log(row(`API  ${s.label}`, a));
    console.log(row(`     searchRegister() alone (no HTTP, no audit)`, f));
    console.log(row(`     baseline: plain indexed SQL`, b));
  }
  const searchP95 = pct(allApi, 95) ?? Number.NaN;
  if (allApi.length > 0) console.log(`\nsearch API p95 over all kinds: ${searchP95.toFixed(2)} ms → target p95 < 100 ms: ${searchP95 < 100 ? 'met' : 'NOT met'}`);

  // Day list (start page).
  const area = { commune: C, communeName: null, stationCode: STATION, canWrite: true, clinical: true };
  const window = { on: today, days: 7 };
  await time(20, () => api('/api/v1/station/day-list').then(() => undefined));
  const dl = await api('/api/v1/station/day-list');
  const dayApi: number[] = [];
  const dayBase: number[] = [];
  // Where the API's time goes beyond the SQL: the same steps the route takes, each timed alone.
  const staff = { id: nurse.id, username: 'bench.dieuduong', name: 'Điều dưỡng thử', role: 'station_nurse' as const, facilityCode: STATION, adminUnitCode: null, mustChangePassword: false, totpEnabled: false };
  const shown = dayListPersons(dl as unknown as DayList);
  const dayArea: number[] = [];
  const dayAudit: number[] = [];
  for (let half = 0; half < 2; half++) {
    dayApi.push(...(await time(requests / 2, () => api('/api/v1/station/day-list').then(() => undefined))));
    dayBase.push(...(await time(requests / 2, () => dayList(db, area, window).then(() => undefined))));
    dayArea.push(...(await time(requests / 2, () => stationArea(db, staff).then(() => undefined))));
    dayAudit.push(
      ...(await time(requests / 2, () =>
        auditMany(db, shown.map((id) => ({ actor: staffActor(staff), action: 'bench.day_list.read', personId: id, resource: `person/${id}/day-list`, detail: { purpose: 'day_list' } }))),
      )),
    );
  }
  const count = (k: string) => (Array.isArray(dl[k]) ? (dl[k] as unknown[]).length : 0);
  console.log(`\nDay list of commune ${C} (${count('appointments')} appointments, ${count('discharges')} discharges, ${count('referrals')} referrals, all audited)`);
  console.log(header);
  console.log(row('API  GET /api/v1/station/day-list', dayApi));
  console.log(row('     baseline: dayList() SQL alone (no audit)', dayBase));
  console.log(row('     part: stationArea() (commune lookup)', dayArea));
  console.log(row(`     part: auditMany() of the ${shown.length} persons shown`, dayAudit));
  console.log(`day list API p95 ${pct(dayApi, 95).toFixed(2)} ms → target p95 < 100 ms: ${pct(dayApi, 95) < 100 ? 'met' : 'NOT met'}`);

  // A batch of 500 queued entries: 300 births, 100 moves in (new persons), 50 deaths, 50 moves out.
  const hh = (await sql<{ id: number; code: string }>`select id, household_code as code from station_household where commune_code = ${C} order by id`.execute(db)).rows;
  const members = (await sql<{ person_id: string }>`select person_id from station_member where commune_code = ${C} and closed_at is null order by id`.execute(db)).rows.map((r) => r.person_id);
  const day = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
  const childName = (i: number) => `${FAMILY[i % FAMILY.length]} ${MIDDLE[(i >> 4) % MIDDLE.length]} ${GIVEN[(i >> 2) % GIVEN.length]} ${GIVEN[(i * 7) % GIVEN.length]}`;
  const entries: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 300; i++) {
    entries.push({ kind: 'birth', entry_id: crypto.randomUUID(), occurred_on: day(1 + (i % 200)), household_id: hh[(i * 37) % hh.length]!.id, child: { ho_ten: childName(i), gioi_tinh: 1 + (i % 2) } });
  }
  for (let i = 0; i < 100; i++) {
    entries.push({
      kind: 'move_in', entry_id: crypto.randomUUID(), occurred_on: day(i % 30), household_id: hh[(i * 53 + 11) % hh.length]!.id, relation: 'other',
      person: { ho_ten: childName(1000 + i), ngay_sinh: `${1960 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`, gioi_tinh: 1 + (i % 2) },
    });
  }
  for (let i = 0; i < 50; i++) entries.push({ kind: 'death', entry_id: crypto.randomUUID(), occurred_on: day(i % 20), person_id: members[1 + i * 97]! });
  for (let i = 0; i < 50; i++) entries.push({ kind: 'move_out', entry_id: crypto.randomUUID(), occurred_on: day(i % 20), person_id: members[2 + i * 89]!, destination: 'TP Quảng Ngãi' });
  const body = JSON.stringify({ entries });
  const tBatch = performance.now();
  const res = await app.inject({ method: 'POST', url: '/api/v1/station/events/batch', headers: { cookie, 'content-type': 'application/json' }, payload: body });
  const batchMs = performance.now() - tBatch;
  const out = res.json() as { applied: number; already_applied: number; refused: number; errors: number; results: Array<{ status: string; error?: { code: string } }> };
  if (res.statusCode !== 200) throw new Error(res.body);
  const refusedCodes = [...new Set(out.results.filter((r) => r.status !== 'applied').map((r) => r.error?.code))];
  const tReplay = performance.now();
  const replay = (await app.inject({ method: 'POST', url: '/api/v1/station/events/batch', headers: { cookie, 'content-type': 'application/json' }, payload: body })).json() as { already_applied: number };
  const replayMs = performance.now() - tReplay;
  // Baseline: the same mix of entries (60 births, 20 moves in, 10 deaths, 10 moves out) through the
  // single-entry route, one request and one transaction — one MPI placement — each: the way the batch
  // applied every entry before its chunks placed their new persons together.
  const single: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 60; i++) {
    single.push({ kind: 'birth', entry_id: crypto.randomUUID(), occurred_on: day(1 + (i % 200)), household_id: hh[(i * 41 + 7) % hh.length]!.id, child: { ho_ten: childName(3000 + i), gioi_tinh: 1 + (i % 2) } });
  }
  for (let i = 0; i < 20; i++) {
    single.push({
      kind: 'move_in', entry_id: crypto.randomUUID(), occurred_on: day(i % 30), household_id: hh[(i * 59 + 13) % hh.length]!.id, relation: 'other',
      person: { ho_ten: childName(4000 + i), ngay_sinh: `${1961 + (i % 38)}-0${1 + (i % 9)}-2${i % 8}`, gioi_tinh: 1 + (i % 2) },
    });
  }
  for (let i = 0; i < 10; i++) single.push({ kind: 'death', entry_id: crypto.randomUUID(), occurred_on: day(i % 20), person_id: members[members.length - 1 - i * 331]! });
  for (let i = 0; i < 10; i++) single.push({ kind: 'move_out', entry_id: crypto.randomUUID(), occurred_on: day(i % 20), person_id: members[members.length - 2 - i * 347]!, destination: 'TP Quảng Ngãi' });
  let singleApplied = 0;
  const tSingle = performance.now();
  for (const e of single) {
    const r = await app.inject({ method: 'POST', url: '/api/v1/station/events', headers: { cookie, 'content-type': 'application/json' }, payload: JSON.stringify(e) });
    if (r.statusCode === 201) singleApplied++;
  }
  const singlePer = (performance.now() - tSingle) / single.length;
  // Baseline: the MPI placement alone of 100 new records (register + linkIncoming, one transaction each).
  const tMpi = performance.now();
  for (let i = 0; i < 100; i++) {
    await db.transaction().execute(async (tx) => {
      await registerSourceRecord(tx, { source_system: 'BENCH', source_id: String(i), ho_ten: childName(5000 + i), ngay_sinh: day(1 + i), ma_xa: C, ma_ho_gia_dinh: hh[i]!.code });
      await linkIncoming(tx, [{ system: 'BENCH', id: String(i) }]);
    });
  }
  const mpiPer = (performance.now() - tMpi) / 100;
  console.log(`\nBatch of ${entries.length} queued entries (300 births, 100 moves in, 50 deaths, 50 moves out) in chunks, each chunk's new persons placed by one MPI call; load average ${loadavg()[0]!.toFixed(1)}`);
  console.log(`applied ${out.applied}, already applied ${out.already_applied}, refused ${out.refused}${refusedCodes.length ? ` (${refusedCodes.join(', ')})` : ''}, errors ${out.errors}`);
  console.log(`batch: ${(batchMs / 1000).toFixed(2)} s (${(batchMs / entries.length).toFixed(1)} ms per entry); replayed: ${replay.already_applied} already applied in ${(replayMs / 1000).toFixed(2)} s`);
  console.log(`baseline: the same mix one entry per request (single-entry route, own transaction each): ${single.length} entries (${singleApplied} applied), ${singlePer.toFixed(1)} ms per entry → ${((singlePer * entries.length) / 1000).toFixed(2)} s for ${entries.length}`);
  console.log(`baseline: MPI placement alone (register + linkIncoming, own transaction) ${mpiPer.toFixed(1)} ms per record`);
  console.log(`500 entries < 10 s: ${batchMs < 10_000 ? 'met' : 'NOT met'}`);
  await app.close();
} finally {
  await handle.close();
  if (!values.keep) await scratch.drop();
  else console.log(`kept ${scratch.url}`);
}
