import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { vietnamToday } from '@openhssk/core';
import { sql } from 'kysely';
import { createTestDatabase } from '../../test-support/database.ts';
import type { Actor } from '../audit/index.ts';
import { confirmGuardian, deriveHouseholdRelations, removeGuardian } from '../person/index.ts';
import { runMpi } from './cli.ts';
import { contentHash } from './import.ts';
import { relinkAll } from './link.ts';
import { mpiDb } from './tables.ts';

const Y = Number(vietnamToday().slice(0, 4));
const XA = '21550';
const STAFF: Actor = { type: 'staff', id: 'S-TEST', name: 'Cán bộ thử', role: 'health_officer' };

type Row = [id: string, name: string, born: string, sex: string, household: string, relation?: string];

// Population list with the relation column (header QUAN_HE, mapped on the command line).
const HOKHAU: Row[] = [
  ['HK1', 'Nguyễn Văn Hùng', '10/03/1985', 'Nam', 'HO-001', 'Chủ hộ'],
  ['HK2', 'Trần Thị Lan', '20/05/1987', 'Nữ', 'HO-001', 'Vợ'],
  ['HK3', 'Nguyễn Minh Khôi', `15/01/${Y - 8}`, 'Nam', 'HO-001', 'Con đẻ'],
  ['HK4', 'Nguyễn Thị Mai', `02/02/${Y - 20}`, 'Nữ', 'HO-001', 'CON'],
  ['HK5', 'Lê Văn Tư', '01/01/1990', 'Nam', 'HO-001', 'Ở nhờ'],
  ['HK6', 'Bùi Quang Vinh', '07/07/1992', 'Nam', 'HO-001', 'Hàng xóm'],
  ['HK7', 'Phạm Văn Sơn', '05/05/1950', 'Nam', 'HO-002', 'chu ho'],
  ['HK8', 'Phạm Văn Long', '06/06/1980', 'Nam', 'HO-002', 'Con'],
  ['HK9', 'Đỗ Thị Hoa', '09/09/1983', 'Nữ', 'HO-002', 'Con dâu'],
  ['HK10', 'Phạm Gia Bảo', `03/03/${Y - 6}`, 'Nam', 'HO-002', 'Cháu nội'],
];

// Another list: household ids and ages only.
const DANSO: Row[] = [
  ['DS1', 'Vũ Văn Toàn', '12/12/1982', 'Nam', 'H77'],
  ['DS2', 'Hoàng Thị Thu', '11/11/1985', 'Nữ', 'H77'],
  ['DS3', 'Vũ Thị Ngọc', `04/04/${Y - 10}`, 'Nữ', 'H77'],
  ['DS4', 'Vũ Văn Cường', '01/01/1945', 'Nam', 'H77'],
  ['DS5', 'Đặng Thị Hạnh', '08/08/1984', 'Nữ', 'H78'],
  ['DS6', 'Đặng Thị Hằng', '10/10/1988', 'Nữ', 'H78'],
  ['DS7', 'Đặng Minh Tú', `06/06/${Y - 5}`, 'Nam', 'H78'],
];

function writeList(path: string, rows: Row[], withRelation: boolean) {
  const header = ['source_id', 'ho_ten', 'ngay_sinh', 'gioi_tinh', 'ma_xa', 'MA_HO', ...(withRelation ? ['QUAN_HE'] : [])];
  const lines = rows.map(([id, name, born, sex, hh, rel]) => [id, name, born, sex, XA, hh, ...(withRelation ? [rel ?? ''] : [])].join(','));
  writeFileSync(path, `${[header.join(','), ...lines].join('\r\n')}\r\n`, 'utf8');
}

describe(`families from population lists (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let h: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  let id: (name: string) => string;
  const relations = async () =>
    (
      await sql<{ c: string; p: string; source: string; removed: boolean }>`
        select c.ho_ten as c, p.ho_ten as p, r.source, r.removed_at is not null as removed
        from person_relation r join person c on c.id = r.person_id join person p on p.id = r.related_person_id
        order by c.ho_ten, p.ho_ten`.execute(h.db)
    ).rows.map((r) => `${r.c} ← ${r.p}: ${r.source}${r.removed ? ' (removed)' : ''}`);
  const importList = async (file: string, source: string, map: string) => {
    const log = console.log;
    console.log = () => {};
    try {
      await runMpi(h.db, 'import', [file, '--source', source, '--map', map, '--no-link']);
    } finally {
      console.log = log;
    }
  };
  /** relinkAll derives the relations at its end, in its transaction; its stats carry what it did. */
  const relinkAndDerive = async () => {
    const { families } = await relinkAll(h.db);
    const names = await h.db.selectFrom('person').select(['id', 'ho_ten']).execute();
    id = (name) => names.find((n) => n.ho_ten === name)?.id ?? assert.fail(`no person ${name}`);
    return families;
  };

  before(async () => {
    h = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'hssk-families-'));
    writeList(join(dir, 'hokhau.csv'), HOKHAU, true);
    writeList(join(dir, 'danso.csv'), DANSO, false);
  });
  after(async () => {
    await h.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports the relation column through --map quan_he_chu_ho=QUAN_HE, keeps the raw text and warns on unknown labels', async () => {
    await importList(join(dir, 'hokhau.csv'), 'HOKHAU', 'ma_ho_gia_dinh=MA_HO,quan_he_chu_ho=QUAN_HE');
    await importList(join(dir, 'danso.csv'), 'DANSO', 'ma_ho_gia_dinh=MA_HO');
    const stored = await h.db.selectFrom('source_record').select(['source_id', 'quan_he_chu_ho']).orderBy('source_id').execute();
    const raw = new Map(stored.map((r) => [r.source_id, r.quan_he_chu_ho]));
    assert.equal(raw.get('HK3'), 'Con đẻ');
    assert.equal(raw.get('HK6'), 'Hàng xóm');
    assert.equal(raw.get('DS1'), null);
    const issues = await mpiDb(h.db).selectFrom('mpi_import_issue').select(['line', 'field', 'code', 'severity']).where('field', '=', 'quan_he_chu_ho').execute();
    assert.deepEqual(issues, [{ line: 7, field: 'quan_he_chu_ho', code: 'RELATION_UNKNOWN', severity: 'warning' }]);
    const imports = await mpiDb(h.db).selectFrom('mpi_import').select(['accepted', 'warnings']).orderBy('id').execute();
    assert.deepEqual(imports[0], { accepted: HOKHAU.length, warnings: 1 });
  });

  it('hashes a row without a relation exactly as before the column existed', () => {
    const row = { ho_ten: 'Vũ Văn Toàn', ngay_sinh: '12/12/1982', gioi_tinh: 'Nam', so_cccd: null, so_bhyt: null, so_dien_thoai: null, dia_chi: null, ma_xa: XA, ma_ho_gia_dinh: 'H77' };
    const legacy = createHash('sha256').update(JSON.stringify(row)).digest('hex');
    assert.equal(contentHash({ ...row, quan_he_chu_ho: null }), legacy);
    assert.equal(contentHash({ ...row, quan_he_chu_ho: '' }), legacy);
    assert.notEqual(contentHash({ ...row, quan_he_chu_ho: 'Chủ hộ' }), legacy);
  });

  it('derives parents after linking: relation column where the list has one, ages where it has not', async () => {
    const stats = await relinkAndDerive();
    assert.deepEqual(await relations(), [
      'Nguyễn Minh Khôi ← Nguyễn Văn Hùng: population_relation',
      'Nguyễn Minh Khôi ← Trần Thị Lan: population_relation',
      'Phạm Gia Bảo ← Phạm Văn Long: population_relation',
      'Phạm Gia Bảo ← Đỗ Thị Hoa: population_relation',
      'Vũ Thị Ngọc ← Hoàng Thị Thu: household_age',
      'Vũ Thị Ngọc ← Vũ Văn Toàn: household_age',
    ]);
    assert.deepEqual(stats, { households: 4, pairs: 6, added: 6, changed: 0, removed: 0 });
    const again = await deriveHouseholdRelations(h.db);
    assert.deepEqual(again, { households: 4, pairs: 6, added: 0, changed: 0, removed: 0 });
  });

  it('never overwrites staff decisions or demo rows; follows later lists for its own rows', async () => {
    await removeGuardian(h.db, { childId: id('Nguyễn Minh Khôi'), guardianId: id('Trần Thị Lan'), reason: 'Mẹ kế, không phải mẹ đẻ' }, STAFF);
    await confirmGuardian(h.db, { childId: id('Vũ Thị Ngọc'), guardianId: id('Vũ Văn Toàn'), relation: 'parent', proofType: 'birth_certificate', proofNumber: '123/2016' }, STAFF);
    await h.db.insertInto('person_relation').values({ person_id: id('Đặng Minh Tú'), related_person_id: id('Đặng Thị Hạnh'), relation: 'parent', source: 'demo' }).execute();

    // The next list: Toàn has moved to another household and Thu is now recorded as head.
    const relabel: Record<string, [household: string, relation: string]> = { DS1: ['H99', ''], DS2: ['H77', 'Chủ hộ'], DS3: ['H77', 'Con'] };
    const moved = DANSO.map(([sid, name, born, sex, hh]): Row => [sid, name, born, sex, ...(relabel[sid] ?? [hh, ''])]);
    writeList(join(dir, 'danso-2.csv'), moved, true);
    await importList(join(dir, 'danso-2.csv'), 'DANSO', 'ma_ho_gia_dinh=MA_HO,quan_he_chu_ho=QUAN_HE');
    const stats = await relinkAndDerive();
    assert.deepEqual(await relations(), [
      'Nguyễn Minh Khôi ← Nguyễn Văn Hùng: population_relation',
      'Nguyễn Minh Khôi ← Trần Thị Lan: population_relation (removed)',
      'Phạm Gia Bảo ← Phạm Văn Long: population_relation',
      'Phạm Gia Bảo ← Đỗ Thị Hoa: population_relation',
      'Vũ Thị Ngọc ← Hoàng Thị Thu: population_relation',
      'Vũ Thị Ngọc ← Vũ Văn Toàn: staff_confirmed',
      'Đặng Minh Tú ← Đặng Thị Hạnh: demo',
    ]);
    assert.equal(stats.changed, 1, 'Thu: household_age → population_relation');
    const confirmed = await h.db.selectFrom('person_relation').selectAll().where('source', '=', 'staff_confirmed').executeTakeFirstOrThrow();
    assert.deepEqual([confirmed.proof_type, confirmed.proof_number, confirmed.decided_by], ['birth_certificate', '123/2016', 'S-TEST']);
    const audits = await h.db.selectFrom('audit_event').select(['action', 'person_id']).where('action', 'like', 'family.%').execute();
    assert.equal(audits.length, 4, 'remove and confirm, each on child and parent');
  });

  it('drops its own rows when the household no longer supports them', async () => {
    // Long leaves household HO-002: Bảo has no adult "con" left, so neither Long nor Hoa is derived.
    const left = HOKHAU.map((r): Row => (r[0] === 'HK8' ? [r[0], r[1], r[2], r[3], 'HO-009', 'Chủ hộ'] : r));
    writeList(join(dir, 'hokhau-2.csv'), left, true);
    await importList(join(dir, 'hokhau-2.csv'), 'HOKHAU', 'ma_ho_gia_dinh=MA_HO,quan_he_chu_ho=QUAN_HE');
    const stats = await relinkAndDerive();
    assert.equal(stats.removed, 2);
    const rows = await relations();
    assert.ok(!rows.some((r) => r.startsWith('Phạm Gia Bảo')), rows.join('\n'));
    assert.ok(rows.includes('Nguyễn Minh Khôi ← Trần Thị Lan: population_relation (removed)'));
  });
});
