/**
 * Import of an immunization-system export on PostgreSQL (issue 16): a generated file of N dose rows
 * (children 0–7 years, the doses the national schedule gives at their age, 0.5 % bad rows) goes
 * through `importImmunizationFile` — the code path of `hssk immunization import` — with every row's
 * person placed by the MPI (linkIncoming) in the dose's transaction. Half of the children are already
 * in the MPI from a population list (their BHYT card links them); the others become new persons.
 * Then: the same file again (recognised, nothing read), the same rows in a new file (row-level
 * idempotency), and a second source reporting 10 % of the doses a day later (duplicates linked).
 * Baseline in the same run: a plain COPY of the same CSV into a text table with the file's columns.
 *   npx tsx bench/immunization/import.ts [--rows 100000] [--seed 7] [--keep]
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { vietnamToday } from '@openhssk/core';
import { createRng, FAMILY_NAMES, FEMALE_GIVEN, FEMALE_MIDDLE, MALE_GIVEN, MALE_MIDDLE, pickWeighted } from '@openhssk/core/synth';
import { wireIdentityFollowers } from '@openhssk/server';
import { migrate, openDatabase } from '@openhssk/server/db';
import { importImmunizationFile } from '@openhssk/server/immunization';
import { importFile, relinkAll } from '@openhssk/server/mpi';
import { createScratchPostgres } from '@openhssk/server/test-support';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, seed: { type: 'string', default: '7' }, keep: { type: 'boolean', default: false } } });
const target = Number(values.rows);
const rng = createRng(Number(values.seed));
const TODAY = vietnamToday();
const dayMs = 86_400_000;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const dmy = (s: string) => `${s.slice(8, 10)}/${s.slice(5, 7)}/${s.slice(0, 4)}`;
const addMonths = (s: string, n: number) => {
  const d = new Date(`${s}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + n);
  return d.toISOString().slice(0, 10);
};
const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

// The programme's doses by age (months, extra days), as a station gives them (names as exports write them).
const DOSES: ReadonlyArray<[months: number, days: number, vaccine: string, dose: number]> = [
  [0, 0, 'Viêm gan B sơ sinh', 1], [0, 0, 'BCG', 1],
  [2, 0, 'DPT-VGB-Hib', 1], [2, 0, 'bOPV', 1], [3, 0, 'DPT-VGB-Hib', 2], [3, 0, 'bOPV', 2], [4, 0, 'DPT-VGB-Hib', 3], [4, 0, 'bOPV', 3],
  [5, 0, 'IPV', 1], [9, 0, 'IPV', 2], [9, 0, 'Sởi', 1], [12, 0, 'VNNB', 1], [12, 14, 'VNNB', 2], [18, 0, 'MR', 1], [18, 0, 'DPT', 4], [24, 14, 'VNNB', 3],
];
const COMMUNES = Array.from({ length: 20 }, (_, i) => String(21500 + i));
const HEADER = ['source_id', 'ma_doi_tuong', 'ho_ten', 'ngay_sinh', 'gioi_tinh', 'so_bhyt', 'so_dien_thoai', 'dia_chi', 'ma_xa', 'ten_vac_xin', 'mui_so', 'ngay_tiem', 'ma_co_so', 'so_lo', 'duong_tiem'];

interface Child {
  id: string;
  name: string;
  born: string;
  sex: 'Nam' | 'Nữ';
  bhyt: string;
  phone: string;
  commune: string;
}

const children: Child[] = [];
const lines: string[] = [HEADER.join(',')];
const doses: Array<{ child: Child; vaccine: string; dose: number; on: string; id: string }> = [];
let bad = 0;
for (let i = 0; lines.length - 1 < target; i++) {
  const male = rng() < 0.51;
  const born = iso(Date.parse(`${TODAY}T00:00:00Z`) - Math.floor(rng() * 7 * 365) * dayMs);
  const c: Child = {
    id: `TC${String(i).padStart(7, '0')}`,
    name: `${pickWeighted(rng, FAMILY_NAMES)} ${pickWeighted(rng, male ? MALE_MIDDLE : FEMALE_MIDDLE)} ${pickWeighted(rng, male ? MALE_GIVEN : FEMALE_GIVEN)}`,
    born,
    sex: male ? 'Nam' : 'Nữ',
    bhyt: `TE151${String(1_000_000_000 + i).slice(-10)}`,
    phone: `09${String(10_000_000 + Math.floor(rng() * 89_999_999)).slice(0, 8)}`,
    commune: COMMUNES[i % COMMUNES.length]!,
  };
  children.push(c);
  const spread = Math.floor(rng() * 10);
  for (const [months, days, vaccine, dose] of DOSES) {
    // The child's sessions fall a few days after each recommended date.
    const on = iso(Date.parse(`${addMonths(c.born, months)}T00:00:00Z`) + (days + spread) * dayMs);
    if (on >= TODAY || lines.length - 1 >= target) break;
    const id = `MT${String(lines.length).padStart(8, '0')}`;
    doses.push({ child: c, vaccine, dose, on, id });
    let row = [id, c.id, c.name, dmy(c.born), c.sex, c.bhyt, c.phone, `Thôn ${1 + (i % 9)}, xã ${c.commune}`, c.commune, vaccine, String(dose), dmy(on), `7${c.commune.slice(1)}`, `L${i % 97}`, 'IM'];
    // 0.5 % bad rows, each with a reason the import names.
    const r = rng();
    if (r < 0.002) row[11] = '31/02/2024';
    else if (r < 0.004) row[9] = '';
    else if (r < 0.005) row[2] = '';
    if (r < 0.005) bad++;
    row = row.map(cell);
    lines.push(row.join(','));
  }
}

const dir = mkdtempSync(join(tmpdir(), 'hssk-imm-bench-'));
const file = join(dir, 'tiemchung.csv');
writeFileSync(file, `${lines.join('\n')}\n`);
// Half of the children are on the commune's population list already.
const population = join(dir, 'population.csv');
writeFileSync(
  population,
  `source_system,source_id,ho_ten,ngay_sinh,gioi_tinh,so_bhyt,dia_chi,ma_xa\n${children
    .filter((_, i) => i % 2 === 0)
    .map((c) => ['MIS2022', `P${c.id}`, c.name, dmy(c.born), c.sex, c.bhyt, `Thôn 1, xã ${c.commune}`, c.commune].map(cell).join(','))
    .join('\n')}\n`,
);
// A second source (a service clinic) reporting one dose in ten a day later under its own ids.
const second = join(dir, 'clinic.csv');
const echoes = doses.filter((_, i) => i % 10 === 3);
writeFileSync(
  second,
  `${HEADER.join(',')}\n${echoes
    .map((d) => [`VC${d.id}`, `V${d.child.id}`, d.child.name, dmy(d.child.born), d.child.sex, d.child.bhyt, d.child.phone, '', d.child.commune, d.vaccine, String(d.dose), dmy(iso(Date.parse(`${d.on}T00:00:00Z`) + dayMs)), '', '', ''].map(cell).join(','))
    .join('\n')}\n`,
);
console.log(`generated ${lines.length - 1} dose rows of ${children.length} children (${bad} bad rows), ${echoes.length} rows from a second source; load average ${loadavg()[0]!.toFixed(1)}`);

const scratch = await createScratchPostgres('hssk_immbench', process.env.BENCH_DATABASE_URL);
const handle = await openDatabase({ url: scratch.url, poolSize: 4 });
wireIdentityFollowers();
const db = handle.db;
try {
  await migrate(handle);
  let t = performance.now();
  await importFile(db, population);
  await relinkAll(db);
  console.log(`population list: ${Math.ceil(children.length / 2)} children in the MPI in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  await client.query(`create table copy_baseline (${HEADER.map((c) => `${c} text`).join(', ')})`);
  t = performance.now();
  await pipeline(createReadStream(file), client.query(copyFrom('copy copy_baseline from stdin with (format csv, header true)')));
  const copySeconds = (performance.now() - t) / 1000;
  await client.query('drop table copy_baseline');
  await client.end();

  let progressCalls = 0;
  t = performance.now();
  const first = await importImmunizationFile(db, file, { onProgress: () => progressCalls++ });
  const importSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const same = await importImmunizationFile(db, file);
  const sameSeconds = (performance.now() - t) / 1000;
  const copy = join(dir, 'tiemchung-again.csv');
  writeFileSync(copy, `${lines.join('\n')}\n\n`);
  t = performance.now();
  const again = await importImmunizationFile(db, copy);
  const againSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const clinic = await importImmunizationFile(db, second, { sourceSystem: 'VNVC' });
  const clinicSeconds = (performance.now() - t) / 1000;

  const stored = (await sql<{ n: number; persons: number; dup: number }>`select count(*)::int as n, count(distinct person_id)::int as persons, count(duplicate_of)::int as dup from vaccination`.execute(db)).rows[0]!;
  const s = (x: number) => `${x.toFixed(1)} s`;
  console.log('\n| step | rows | time | rows/s | result |\n|---|---|---|---|---|');
  console.log(`| baseline: COPY of the CSV into a text table | ${first.rows} | ${s(copySeconds)} | ${Math.round(first.rows / copySeconds)} | — |`);
  console.log(
    `| import (persons placed by the MPI, doses, duplicates, issues) | ${first.rows} | ${s(importSeconds)} | ${Math.round(first.rows / importSeconds)} | ${first.accepted} stored, ${first.rejected} refused with line and reason; persons ${first.persons.joined} joined, ${first.persons.new} new; ${progressCalls} progress reports |`,
  );
  console.log(`| the same file again | ${same.rows} | ${s(sameSeconds)} | — | recognised: ${same.alreadyImported} |`);
  console.log(`| the same rows in another file | ${again.rows} | ${s(againSeconds)} | ${Math.round(again.rows / againSeconds)} | ${again.inserted} new, ${again.updated} updated, ${again.unchanged} unchanged |`);
  console.log(`| second source, 10 % of the doses a day later | ${clinic.rows} | ${s(clinicSeconds)} | ${Math.round(clinic.rows / clinicSeconds)} | ${clinic.duplicates} duplicates linked, persons ${clinic.persons.joined} joined, ${clinic.persons.new} new |`);
  console.log(`\nimport / COPY: ${(importSeconds / copySeconds).toFixed(0)}×; stored ${stored.n} doses of ${stored.persons} persons, ${stored.dup} linked as duplicates; load average ${loadavg()[0]!.toFixed(1)}`);
  if (first.rejected !== bad) throw new Error(`expected ${bad} refused rows, got ${first.rejected}`);
} finally {
  await handle.close();
  if (!values.keep) await scratch.drop();
  rmSync(dir, { recursive: true, force: true });
}
