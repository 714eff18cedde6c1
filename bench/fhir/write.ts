/**
 * FHIR writes over HTTP (issue 17 item 6): N `POST /fhir/R4/Immunization`, each a dose of a new child
 * described by a contained Patient (so every post places a person through the MPI), one request at a
 * time as an integrating system sends them; then the same N again (re-posts: 200, nothing written).
 * Baseline in the same run: the same N doses as rows of one CSV through `importImmunizationFile` (the
 * `hssk immunization import` path, the same writer and MPI placement, batched).
 *   HSSK_TEST_DB=postgres TEST_DATABASE_URL=… npx tsx bench/fhir/write.ts [--n 300]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { codeSystemUrl } from '@openhssk/core/fhir';
import { importImmunizationFile } from '@openhssk/server/immunization';
import { facilityWithToken, startTestApp } from '@openhssk/server/test-support';

const { values } = parseArgs({ options: { n: { type: 'string', default: '300' } } });
const n = Number(values.n);
const t = await startTestApp();
const { token } = await facilityWithToken(t.app, t.db, '51001');
const born = (i: number) => `2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`;
const given = (i: number) => `2025-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`;
const name = (i: number) => `Nguyễn Văn Thử ${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + (Math.floor(i / 26) % 26))}${Math.floor(i / 676)}`;

const body = (i: number) =>
  JSON.stringify({
    resourceType: 'Immunization',
    identifier: [{ system: 'https://bench.example.vn/mui', value: `M${i}` }],
    status: 'completed',
    contained: [{ resourceType: 'Patient', id: 'p', name: [{ text: name(i) }], birthDate: born(i), gender: i % 2 ? 'male' : 'female', identifier: [{ system: 'https://bench.example.vn/dt', value: `DT${i}` }] }],
    patient: { reference: '#p' },
    vaccineCode: { coding: [{ system: codeSystemUrl('vac-xin'), code: 'DPT-VGB-Hib' }] },
    occurrenceDateTime: given(i),
  });

async function run(label: string, expect: number) {
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    const r = await fetch(`${t.url}/fhir/R4/Immunization`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` }, body: body(i) });
    await r.arrayBuffer();
    if (r.status !== expect) throw new Error(`${label}: ${r.status}`);
    lat.push(performance.now() - s);
  }
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  console.log(`${label.padEnd(34)} ${String(n).padStart(6)} doses  ${(n / secs).toFixed(1).padStart(7)} /s  p50 ${lat[Math.floor(n * 0.5)]!.toFixed(1)} ms  p95 ${lat[Math.floor(n * 0.95)]!.toFixed(1)} ms`);
  return n / secs;
}

console.log(`database ${process.env.HSSK_TEST_DB ?? 'pglite'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const created = await run('POST Immunization (new persons)', 201);
const reposted = await run('POST again (re-posts, 200)', 200);

const dir = mkdtempSync(join(tmpdir(), 'fhir-write-bench-'));
const file = join(dir, 'doses.csv');
const rows = ['source_id,ma_doi_tuong,ho_ten,ngay_sinh,gioi_tinh,ten_vac_xin,ngay_tiem'];
for (let i = 0; i < n; i++) rows.push(`B${i},BDT${i},${name(i + n)},${born(i)},${i % 2 ? 'Nam' : 'Nữ'},DPT-VGB-Hib,${given(i)}`);
writeFileSync(file, `${rows.join('\n')}\n`);
const s = performance.now();
const imported = await importImmunizationFile(t.db.db, file, { sourceSystem: 'BENCH' });
const secs = (performance.now() - s) / 1000;
if (imported.inserted !== n) throw new Error(`import inserted ${imported.inserted}`);
console.log(`${'baseline: CSV import, same doses'.padEnd(34)} ${String(n).padStart(6)} doses  ${(n / secs).toFixed(1).padStart(7)} /s`);
console.log(`ratio POST / import ${(created / (n / secs)).toFixed(2)}; re-post / POST ${(reposted / created).toFixed(2)}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
rmSync(dir, { recursive: true, force: true });
await t.close();
