import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { clusterMetrics, generatePopulation, generateSourceRows, SOURCE_COLUMNS } from '@openhssk/core/mpi';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import Papa from 'papaparse';
import { createTestDatabase } from '../../test-support/database.ts';
import { isoPartialDate } from '../person/index.ts';
import { csvField, EXPORT_HEADER, exportLinks } from './export.ts';
import type { ImportResult } from './import.ts';
import { importFile, MpiImportError, parseMapping } from './import.ts';
import { relinkAll } from './link.ts';

type Row = Record<string, string>;
const REPO = new URL('../../../..', import.meta.url).pathname;

function csv(rows: Row[], columns: readonly string[], headers: readonly string[], delimiter: string): string {
  const q = (v: string) => (/[",;\t\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [headers.map(q).join(delimiter), ...rows.map((r) => columns.map((c) => q(r[c] ?? '')).join(delimiter))].join('\r\n');
}

function parseExport(path: string): { header: string; rows: Array<[string, string, string]> } {
  const text = readFileSync(path, 'utf8');
  assert.ok(!text.startsWith('\uFEFF'), 'no BOM');
  assert.ok(!text.includes('\r'), 'LF line ends');
  const parsed = Papa.parse<string[]>(text.trimEnd(), { header: false });
  const [header, ...rows] = parsed.data;
  return { header: header!.join(','), rows: rows as Array<[string, string, string]> };
}

describe('MPI import → link → export', () => {
  let h: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  const files: Array<{ path: string; opts: { sourceSystem?: string; mapping?: Record<string, string> }; expectRows: number }> = [];
  let truth: Map<string, string>;
  const firstImports: ImportResult[] = [];
  const badLines = new Map<number, string>();
  // The broken rows are copies of real rows under new ids, so they belong to the same true person.
  const heldTruth = new Map<string, string>();

  before(async () => {
    h = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'hssk-mpi-'));
    const persons = generatePopulation({ seed: 11, persons: 300 });
    const gen = generateSourceRows({ seed: 11, persons });
    truth = gen.truth;
    const by = (s: string) => gen.rows.filter((r) => r.source_system === s);

    // UTF-8 with BOM, comma, canonical header; two broken rows that must be reported by line.
    const mis = by('MIS2022');
    const bad1: Row = { ...mis[0]!, source_id: 'MIS-BAD-1', ho_ten: '' };
    const bad2: Row = { ...mis[1]!, source_id: 'MIS-BAD-2', ngay_sinh: '31/02/abc' };
    const misRows = [...mis.slice(0, 10), bad1, ...mis.slice(10, 20), bad2, ...mis.slice(20)];
    heldTruth.set('MIS-BAD-1', truth.get(`MIS2022|${mis[0]!.source_id}`)!);
    heldTruth.set('MIS-BAD-2', truth.get(`MIS2022|${mis[1]!.source_id}`)!);
    badLines.set(12, 'ho_ten');
    badLines.set(23, 'ngay_sinh');
    const misPath = join(dir, 'mis2022.csv');
    writeFileSync(misPath, `\uFEFF${csv(misRows, SOURCE_COLUMNS, SOURCE_COLUMNS, ',')}\r\n`, 'utf8');
    files.push({ path: misPath, opts: {}, expectRows: misRows.length });

    // UTF-16 LE with BOM, tab separated: what Excel's "Unicode text" produces.
    const bhxh = by('BHXH');
    const bhxhPath = join(dir, 'bhxh.txt');
    writeFileSync(bhxhPath, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv(bhxh, SOURCE_COLUMNS, SOURCE_COLUMNS, '\t'), 'utf16le')]));
    files.push({ path: bhxhPath, opts: {}, expectRows: bhxh.length });

    // Semicolon, Vietnamese headers, no source_system column: needs --source and a mapping.
    const tc = by('TIEMCHUNG');
    const cols = SOURCE_COLUMNS.filter((c) => c !== 'source_system');
    const vi: Record<string, string> = {
      source_id: 'Mã', ho_ten: 'Họ và tên', ngay_sinh: 'Ngày sinh', gioi_tinh: 'Giới tính', so_cccd: 'Số CCCD',
      so_bhyt: 'Số thẻ BHYT', so_dien_thoai: 'Điện thoại', dia_chi: 'Địa chỉ', ma_xa: 'Mã xã', ma_ho_gia_dinh: 'Mã hộ',
    };
    const tcPath = join(dir, 'tiemchung.csv');
    writeFileSync(tcPath, csv(tc, cols, cols.map((c) => vi[c]!), ';'), 'utf8');
    files.push({ path: tcPath, opts: { sourceSystem: 'TIEMCHUNG', mapping: vi }, expectRows: tc.length });

    // XLSX through the streaming writer; one birth date as a real Excel date cell.
    const kcb = by('KCB');
    const kcbPath = join(dir, 'kcb.xlsx');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: kcbPath, useStyles: true, useSharedStrings: true });
    const ws = wb.addWorksheet('KCB');
    ws.addRow([...SOURCE_COLUMNS]).commit();
    kcb.forEach((r, i) => {
      const values: unknown[] = SOURCE_COLUMNS.map((c) => r[c] ?? '');
      const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(r.ngay_sinh ?? '');
      if (i === 0 && iso) {
        values[3] = new Date(Date.UTC(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3])));
      }
      const row = ws.addRow(values);
      if (i === 0 && iso) row.getCell(4).numFmt = 'dd/mm/yyyy';
      row.commit();
    });
    ws.commit();
    await wb.commit();
    files.push({ path: kcbPath, opts: {}, expectRows: kcb.length });

    // An episode of the first KCB patient, stored before any person exists for it.
    await sql`insert into facility (code, name) values ('01001', 'Trạm y tế thử')`.execute(h.db);
    await sql`insert into submission (id, facility_code, channel, sha256, size_bytes, status, episode_count, accepted_count,
      warning_count, rejected_count, receipt) values ('S1', '01001', 'api', 'x', 1, 'accepted', 1, 1, 0, 0, '{}')`.execute(h.db);
    await sql`insert into episode (id, facility_code, ma_lk, version, is_current, submission_id, patient_source_id, status, ma_bn,
      ho_ten, ma_loai_kcb, ngay_vao, content_sha256, xml1) values (1, '01001', 'LK1', 1, true, 'S1', ${kcb[0]!.source_id}, 'accepted',
      'BN1', ${kcb[0]!.ho_ten}, '1', '2024-01-01 08:00', 'x', '{}')`.execute(h.db);
    await sql`insert into episode_row (episode_id, tbl, row_no, fields) values (1, 'XML2', 1, '{}')`.execute(h.db);
  });

  after(async () => {
    await h.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports CSV (BOM, UTF-16LE, semicolon + mapping) and XLSX, reporting bad rows by line', async () => {
    for (const f of files) {
      const r = await importFile(h.db, f.path, f.opts);
      assert.equal(r.alreadyImported, false);
      assert.equal(r.rows, f.expectRows, f.path);
      assert.equal(r.accepted + r.rejected, r.rows);
      firstImports.push(r);
    }
    const [mis, bhxh, tc, kcb] = firstImports;
    // Rows with an unusable name or birth date are reported AND kept (held, never similarity-matched).
    assert.equal(mis!.rejected, 0);
    assert.equal(mis!.held, 2);
    assert.deepEqual(mis!.errors.map((e) => [e.line, e.field]), [...badLines.entries()]);
    assert.ok(mis!.errors.every((e) => e.message_vi && e.message_en));
    assert.equal(bhxh!.rejected, 0);
    assert.equal(tc!.rejected, 0);
    assert.equal(kcb!.rejected, 0);
    const stored = await sql<{ n: number }>`select count(*)::int as n from source_record where source_system = 'TIEMCHUNG'`.execute(h.db);
    assert.equal(stored.rows[0]!.n, tc!.accepted);
    // The Excel date cell arrives as an ISO date, and Vietnamese text survives UTF-16.
    const first = await sql<{ ngay_sinh: string }>`select ngay_sinh from source_record where source_id = 'KCB-0000001'`.execute(h.db);
    assert.match(first.rows[0]!.ngay_sinh, /^\d{4}-\d{2}-\d{2}$/);
    const issues = await sql<{ line: number }>`select line from mpi_import_issue where import_id = ${mis!.importId} and severity = 'error' order by line`.execute(h.db);
    assert.deepEqual(issues.rows.map((r) => r.line), [12, 23]);
    // Records no person holds yet get their blocking keys from the link that places them.
    const keyed = await sql<{ n: number }>`select count(*)::int as n from source_record where match_keys is not null`.execute(h.db);
    assert.equal(keyed.rows[0]!.n, 0);
  });

  let firstExport: string;
  it('links with high precision, exports the exact format and updates episodes', async () => {
    const stats = await relinkAll(h.db);
    const accepted = firstImports.reduce((s, r) => s + r.accepted, 0);
    assert.equal(stats.records + stats.unlinkable, accepted);
    assert.equal(stats.unlinkable, 2);
    assert.ok(stats.persons > 250 && stats.persons < 330, `persons ${stats.persons}`);
    const out = join(dir, 'links.csv');
    const { rows } = await exportLinks(h.db, out);
    assert.equal(rows, accepted);
    const exp = parseExport(out);
    assert.equal(readFileSync(out, 'utf8').split('\n')[0], 'source_system,source_id,person_id');
    assert.equal(exp.header, EXPORT_HEADER);
    assert.equal(exp.rows.length, accepted);
    assert.ok(exp.rows.every((r) => r.length === 3 && /^P[0-9A-F]{12}$/.test(r[2])));
    const predicted = exp.rows.map((r) => r[2]);
    const actual = exp.rows.map((r) => truth.get(`${r[0]}|${r[1]}`) ?? heldTruth.get(r[1]) ?? assert.fail(`unknown record ${r[0]}|${r[1]}`));
    const m = clusterMetrics(predicted, actual);
    assert.ok(m.pairwise.precision >= 0.998, `precision ${m.pairwise.precision}`);
    assert.ok(m.pairwise.f1 >= 0.98, `F1 ${m.pairwise.f1}`);
    firstExport = readFileSync(out, 'utf8');

    const ep = await sql<{ e: string | null; r: string | null; s: string | null }>`
      select e.person_id as e, er.person_id as r, sr.person_id as s from episode e
      join episode_row er on er.episode_id = e.id
      join source_record sr on sr.source_system = 'KCB' and sr.source_id = e.patient_source_id`.execute(h.db);
    assert.ok(ep.rows[0]!.s);
    assert.equal(ep.rows[0]!.e, ep.rows[0]!.s);
    assert.equal(ep.rows[0]!.r, ep.rows[0]!.s);
    const persons = await sql<{ ngay_sinh: string | null }>`select ngay_sinh from person`.execute(h.db);
    assert.ok(persons.rows.every((p) => p.ngay_sinh === null || /^\d{4}(-\d{2}(-\d{2})?)?$/.test(p.ngay_sinh)));
    // Every matchable record now carries its keys (the held ones, without name or birth date, have none).
    const unkeyed = await sql<{ n: number }>`select count(*)::int as n from source_record where match_keys is null`.execute(h.db);
    assert.equal(unkeyed.rows[0]!.n, stats.unlinkable);
  });

  it('re-import is a no-op with the same counts and the same person ids; relink keeps ids', async () => {
    for (const [i, f] of files.entries()) {
      const r = await importFile(h.db, f.path, f.opts);
      assert.equal(r.alreadyImported, true);
      const first = firstImports[i]!;
      assert.deepEqual([r.rows, r.accepted, r.rejected, r.warnings, r.importId], [first.rows, first.accepted, first.rejected, first.warnings, first.importId]);
      assert.deepEqual(r.errors.map((e) => e.line), first.errors.map((e) => e.line));
    }
    const stats = await relinkAll(h.db);
    assert.equal(stats.changedRecords, 0);
    const out = join(dir, 'links2.csv');
    await exportLinks(h.db, out);
    assert.equal(readFileSync(out, 'utf8'), firstExport);
    const reviews = await sql<{ n: number }>`select count(*)::int as n from mpi_review`.execute(h.db);
    const again = await relinkAll(h.db);
    const reviews2 = await sql<{ n: number }>`select count(*)::int as n from mpi_review`.execute(h.db);
    assert.equal(reviews2.rows[0]!.n, reviews.rows[0]!.n, 'review pairs are not duplicated');
    assert.equal(again.persons, stats.persons);
  });

  it('a changed row is updated in place; the same content under a new file name is not duplicated', async () => {
    const text = readFileSync(files[0]!.path, 'utf8').replace('\r\n', '\r\nMIS2022,MIS-NEW-1,Trần Thị Mới,01/01/1990,Nữ,,,,,,\r\n');
    const path = join(dir, 'mis2022-v2.csv');
    writeFileSync(path, text);
    const r = await importFile(h.db, path);
    assert.equal(r.alreadyImported, false);
    assert.equal(r.rejected, 0);
    assert.equal(r.held, 2);
    assert.deepEqual(r.errors.map((e) => e.line), [13, 24]);
    const n = await sql<{ n: number }>`select count(*)::int as n from source_record where source_system = 'MIS2022'`.execute(h.db);
    assert.equal(n.rows[0]!.n, firstImports[0]!.accepted + 1);
    // The new row waits for its link; the rows already linked keep their keys.
    const keys = await sql<{ source_id: string; keyed: boolean }>`select source_id, match_keys is not null as keyed from source_record
      where source_system = 'MIS2022' and (person_id is not null or source_id = 'MIS-NEW-1') and coalesce(link_rule, '') not like 'MPI_HELD%' order by source_id`.execute(h.db);
    assert.deepEqual(keys.rows.filter((r) => !r.keyed).map((r) => r.source_id), ['MIS-NEW-1']);
  });

  it('never merges a pair a reviewer marked separate', async () => {
    const pair = await sql<{ a: string; b: string; p: string }>`
      select a.source_id as a, b.source_id as b, a.person_id as p from source_record a
      join source_record b on b.person_id = a.person_id and b.source_system = 'BHXH'
      where a.source_system = 'MIS2022' limit 1`.execute(h.db);
    const { a, b, p } = pair.rows[0]!;
    await sql`insert into mpi_review (a_system, a_id, b_system, b_id, score, status, decided_by, decided_at)
      values ('BHXH', ${b}, 'MIS2022', ${a}, 0, 'separate', 'test', now())
      on conflict (a_system, a_id, b_system, b_id) do update set status = 'separate'`.execute(h.db);
    const stats = await relinkAll(h.db);
    assert.ok(stats.separatedByDecision >= 1);
    const after = await sql<{ source_id: string; person_id: string }>`
      select source_id, person_id from source_record where (source_system, source_id) in (('MIS2022', ${a}), ('BHXH', ${b}))`.execute(h.db);
    assert.equal(after.rows.length, 2);
    assert.notEqual(after.rows[0]!.person_id, after.rows[1]!.person_id);
    // Only one side of the split may keep the old id; the other gets a fresh one.
    assert.equal(after.rows.filter((r) => r.person_id === p).length, 1);
  });

  it('rejects a file whose header lacks required columns, bilingually', async () => {
    const path = join(dir, 'bad-header.csv');
    writeFileSync(path, 'foo,bar\n1,2\n');
    await assert.rejects(importFile(h.db, path), (e: unknown) => e instanceof MpiImportError && /thiếu cột/.test(e.message_vi) && /lacks required/.test(e.message));
  });
});

describe('MPI helpers', () => {
  it('quotes CSV fields per RFC 4180', () => {
    assert.equal(csvField('a'), 'a');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('x\ny'), '"x\ny"');
  });
  it('parses column mappings and refuses unknown columns', () => {
    assert.deepEqual(parseMapping('ho_ten=Họ và tên, ngay_sinh=Ngày sinh'), { ho_ten: 'Họ và tên', ngay_sinh: 'Ngày sinh' });
    assert.throws(() => parseMapping('name=Tên'), MpiImportError);
  });
  it('stores golden dates in ISO order', () => {
    assert.equal(isoPartialDate('06/04/1991'), '1991-04-06');
    assert.equal(isoPartialDate('04/1991'), '1991-04');
    assert.equal(isoPartialDate('1991'), '1991');
    assert.equal(isoPartialDate(undefined), null);
  });
});

describe('hssk mpi CLI', () => {
  it('imports a CSV with a bad row and exports the links', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hssk-mpi-cli-'));
    try {
      const persons = generatePopulation({ seed: 5, persons: 40 });
      const { rows } = generateSourceRows({ seed: 5, persons });
      const all = [...rows, { ...rows[0]!, source_id: 'BROKEN-1', ngay_sinh: '' }];
      const input = join(dir, 'pop.csv');
      writeFileSync(input, csv(all, SOURCE_COLUMNS, SOURCE_COLUMNS, ','));
      const out = join(dir, 'out.csv');
      const env = { ...process.env, HSSK_DATA_DIR: join(dir, 'data'), HSSK_DEMO: '0', DATABASE_URL: '' };
      const run = promisify(execFile);
      const bin = join(REPO, 'packages/server/bin/hssk.mjs');
      const imp = await run(process.execPath, [bin, 'mpi', 'import', input, '--source', 'MIS2022'], { env, cwd: REPO });
      assert.match(imp.stdout, /rejected: 0/);
      assert.match(imp.stdout, /unmatchable \(no usable name or birth date\): 1/);
      assert.match(imp.stdout, new RegExp(`pop\\.csv:${all.length + 1} ngay_sinh`));
      assert.match(imp.stdout, /persons: \d+/);
      const exp = await run(process.execPath, [bin, 'mpi', 'export', '--out', out], { env, cwd: REPO });
      assert.match(exp.stdout, new RegExp(`${all.length} `));
      const text = readFileSync(out, 'utf8');
      const lines = text.split('\n');
      assert.equal(lines[0], 'source_system,source_id,person_id');
      assert.equal(lines.at(-1), '');
      assert.equal(lines.length - 2, all.length, 'every imported record is exported, including the held one');
      assert.ok(lines.slice(1, -1).every((l) => /^[A-Z0-9]+,[^,]+,P[0-9A-F]{12}$/.test(l)));
      await assert.rejects(run(process.execPath, [bin, 'mpi', 'import', join(dir, 'missing.csv')], { env, cwd: REPO }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('MPI import writer', () => {
  it('stores text with tabs, backslashes, quotes and line breaks exactly, and keys only for linked records', async () => {
    const h = await createTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'hssk-mpi-odd-'));
    try {
      const odd: Row = {
        source_system: 'ODD', source_id: 'A\\1', ho_ten: 'Nguyễn "Văn"\tAn', ngay_sinh: '01/02/1990', gioi_tinh: 'Nam',
        so_cccd: '', so_bhyt: '', so_dien_thoai: '', dia_chi: 'Thôn 1\\2\r\nxã Đông', ma_xa: '00001', ma_ho_gia_dinh: '\\N',
      };
      const plain: Row = { ...odd, source_id: 'B', ho_ten: 'Trần Thị Bình', dia_chi: 'Thôn 3' };
      const path = join(dir, 'odd.csv');
      writeFileSync(path, `${csv([odd, plain], SOURCE_COLUMNS, SOURCE_COLUMNS, ',')}\n`, 'utf8');
      const r = await importFile(h.db, path);
      assert.deepEqual([r.accepted, r.rejected], [2, 0]);
      const stored = await sql<Row & { match_keys: string[] | null }>`select * from source_record where source_system = 'ODD' order by source_id`.execute(h.db);
      assert.equal(stored.rows.length, 2);
      const a = stored.rows[0]!;
      assert.deepEqual([a.source_id, a.ho_ten, a.dia_chi, a.ma_ho_gia_dinh], [odd.source_id, odd.ho_ten, odd.dia_chi, odd.ma_ho_gia_dinh]);
      // Nobody's candidate before the link: no keys yet.
      assert.ok(stored.rows.every((x) => x.match_keys === null));

      await relinkAll(h.db);
      // A changed record of a linked person keeps keys with its new content.
      writeFileSync(path, `${csv([{ ...odd, so_dien_thoai: '0912345678' }, plain], SOURCE_COLUMNS, SOURCE_COLUMNS, ',')}\n`, 'utf8');
      await importFile(h.db, path);
      const again = await sql<{ so_dien_thoai: string | null; n: number }>`
        select so_dien_thoai, coalesce(cardinality(match_keys), 0) as n from source_record where source_system = 'ODD' and source_id = ${odd.source_id}`.execute(h.db);
      assert.equal(again.rows[0]!.so_dien_thoai, '0912345678');
      assert.ok(again.rows[0]!.n > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await h.drop();
    }
  });
});
