import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { MatchModel } from './match.ts';
import { linkRecords } from './match.ts';
import { clusterMetrics } from './metrics.ts';
import { generatePopulation, generateSourceRows } from './synth.ts';
import { normalizeAll, sourceRow } from './test-rows.ts';


/** Linked together ⇔ same cluster, checked for every listed pair of record indexes. */
function assertLinks(clusterOf: Int32Array, same: Array<[number, number]>, different: Array<[number, number]>) {
  for (const [a, b] of same) assert.equal(clusterOf[a], clusterOf[b], `records ${a} and ${b} should be one person`);
  for (const [a, b] of different) assert.notEqual(clusterOf[a], clusterOf[b], `records ${a} and ${b} must stay apart`);
}

describe('linkRecords', () => {
  // The m/u weights come from a realistic synthetic run; the hand-made cases below are too
  // small for EM on their own.
  let model: MatchModel;
  before(() => {
    const persons = generatePopulation({ seed: 7, persons: 3000 });
    const { rows } = generateSourceRows({ seed: 7, persons });
    model = linkRecords(normalizeAll(rows)).model;
  });

  const household = { dia_chi: 'Thôn 3, xã Tân Lập, huyện Đan Phượng, Hà Nội', ma_xa: '09619', ma_ho_gia_dinh: 'HGD7', so_dien_thoai: '0912000111' };

  it('does not merge twins (same birth date, household and phone, different given names)', () => {
    const recs = normalizeAll([
      sourceRow({ ...household, ho_ten: 'Nguyễn Văn An', ngay_sinh: '05/03/2015', gioi_tinh: 'Nam', so_bhyt: 'TE1010000000001' }),
      sourceRow({ ...household, source_system: 'KCB', ho_ten: 'Nguyen Van An', ngay_sinh: '2015-03-05', gioi_tinh: '1', ma_ho_gia_dinh: '' }),
      sourceRow({ ...household, ho_ten: 'Nguyễn Văn Bình', ngay_sinh: '05/03/2015', gioi_tinh: 'Nam', so_bhyt: 'TE1010000000002' }),
      sourceRow({ ...household, source_system: 'KCB', ho_ten: 'NGUYEN VAN BINH', ngay_sinh: '05/03/2015', gioi_tinh: '1', ma_ho_gia_dinh: '' }),
    ]);
    const r = linkRecords(recs, { model });
    assertLinks(r.clusterOf, [[0, 1], [2, 3]], [[0, 2], [0, 3], [1, 2], [1, 3]]);
  });

  it('does not merge a father and son with the same full name', () => {
    const recs = normalizeAll([
      sourceRow({ ...household, ho_ten: 'Trần Văn Hùng', ngay_sinh: '12/08/1960', gioi_tinh: 'Nam', so_cccd: '001060123456' }),
      sourceRow({ ...household, source_system: 'BHXH', ho_ten: 'TRAN VAN HUNG', ngay_sinh: '1960', so_bhyt: 'HT2010000000011' }),
      sourceRow({ ...household, ho_ten: 'Trần Văn Hùng', ngay_sinh: '20/01/1988', gioi_tinh: 'Nam' }),
      sourceRow({ ...household, source_system: 'KCB', ho_ten: 'Tran Van Hung', ngay_sinh: '1988-01-20', gioi_tinh: 'Nam', ma_ho_gia_dinh: '' }),
    ]);
    const r = linkRecords(recs, { model });
    assertLinks(r.clusterOf, [[0, 1], [2, 3]], [[0, 2], [0, 3], [1, 2], [1, 3]]);
  });

  it('does not merge strangers with a common name and birth year, nor chain them through a year-only row', () => {
    const recs = normalizeAll([
      sourceRow({ ho_ten: 'Nguyễn Văn Hùng', ngay_sinh: '05/03/1980', gioi_tinh: 'Nam', ma_xa: '10000', so_dien_thoai: '0912000001', dia_chi: 'Thôn 1, xã Yên Sở' }),
      sourceRow({ ho_ten: 'Nguyễn Văn Hùng', ngay_sinh: '09/07/1980', gioi_tinh: 'Nam', ma_xa: '10037', so_dien_thoai: '0912000002', dia_chi: 'Thôn 9, xã Đại Mỗ' }),
      sourceRow({ ho_ten: 'Nguyễn Văn Hùng', ngay_sinh: '21/11/1980', gioi_tinh: 'Nam', ma_xa: '10000', so_dien_thoai: '0912000003', dia_chi: 'Thôn 4, xã Yên Sở' }),
      sourceRow({ source_system: 'KCB', ho_ten: 'Nguyen Van Hung', ngay_sinh: '1980', ma_xa: '10000' }),
    ]);
    const r = linkRecords(recs, { model });
    assertLinks(r.clusterOf, [], [[0, 1], [0, 2], [1, 2], [0, 3], [2, 3]]);
  });

  it('merges noisy copies of one person across the four sources', () => {
    const recs = normalizeAll([
      sourceRow({ ho_ten: 'Lê Thị Hòa', ngay_sinh: '07/04/1972', gioi_tinh: 'Nữ', so_cccd: '038172001234', dia_chi: 'Xóm 2, xã Quỳnh Lập, tỉnh Nghệ An', ma_xa: '17000', ma_ho_gia_dinh: 'H1', so_dien_thoai: '0987654321' }),
      sourceRow({ source_system: 'BHXH', ho_ten: 'LE THI HOA', ngay_sinh: '1972', gioi_tinh: '2', so_bhyt: 'DN4400123456780', ma_xa: '17000' }),
      sourceRow({ source_system: 'KCB', ho_ten: 'Lê Thị Hoà', ngay_sinh: '1972-07-04', gioi_tinh: 'Nữ', so_bhyt: 'HT3400123456780', so_dien_thoai: '+84 987 654 321', dia_chi: 'Xóm 2, X. Quỳnh Lập, T. Nghệ An' }),
      sourceRow({ source_system: 'TIEMCHUNG', ho_ten: 'le thi hoà', ngay_sinh: '07/04/1972', so_dien_thoai: '0987.654.321', ma_xa: '17000' }),
      // A typo plus nothing but a shared phone is not enough to merge blindly: it must reach review.
      sourceRow({ source_system: 'TIEMCHUNG', ho_ten: 'Lê Thị Hòai', ngay_sinh: '07/04/1972', so_dien_thoai: '0987654321', ma_xa: '17000' }),
    ]);
    const r = linkRecords(recs, { model });
    assertLinks(r.clusterOf, [[0, 1], [0, 2], [0, 3]], []);
    assert.ok(r.clusterOf[4] === r.clusterOf[0] || r.reviewPairs.some((p) => p.b === 4 && r.clusterOf[p.a] === r.clusterOf[0]));
  });

  it('refuses to chain two different valid CCCDs into one person', () => {
    const phone = { so_dien_thoai: '0909111222', ma_xa: '10000' };
    const recs = normalizeAll([
      sourceRow({ ...phone, ho_ten: 'Phạm Minh Tuấn', ngay_sinh: '01/02/1990', gioi_tinh: 'Nam', so_cccd: '001090000001' }),
      sourceRow({ ...phone, source_system: 'KCB', ho_ten: 'Phạm Minh Tuấn', ngay_sinh: '01/02/1990', gioi_tinh: 'Nam' }),
      sourceRow({ ...phone, source_system: 'BHXH', ho_ten: 'Pham Minh Tuan', ngay_sinh: '01/02/1990', gioi_tinh: 'Nam', so_cccd: '001090000002' }),
    ]);
    const r = linkRecords(recs, { model });
    assert.notEqual(r.clusterOf[0], r.clusterOf[2]);
    assert.ok(r.reviewPairs.some((p) => p.reasons.includes('id-conflict') || p.reasons.some((x) => x.startsWith('cluster-'))));
  });

  it('treats one CCCD on two clearly different people as a data error, neither a merge nor a review pair', () => {
    const recs = normalizeAll([
      sourceRow({ ho_ten: 'Phạm Thị Lan', ngay_sinh: '01/01/1985', gioi_tinh: 'Nữ', so_cccd: '001185000077', ma_xa: '10000' }),
      sourceRow({ source_system: 'KCB', ho_ten: 'Hoàng Quốc Việt', ngay_sinh: '09/09/1985', so_cccd: '001185000077', ma_xa: '10000' }),
    ]);
    const r = linkRecords(recs, { model });
    assert.notEqual(r.clusterOf[0], r.clusterOf[1]);
    assert.deepEqual(r.sharedIdPairs, [{ a: 0, b: 1 }]);
    // Deciding "separate" would change nothing: the wrong number has to be corrected at its source.
    assert.equal(r.reviewPairs.length, 0);
  });

  it('links by the social-insurance number when the card group code changed', () => {
    const recs = normalizeAll([
      sourceRow({ source_system: 'BHXH', ho_ten: 'Đỗ Hữu Phúc', ngay_sinh: '1999', so_bhyt: 'SV4790987654321' }),
      sourceRow({ source_system: 'KCB', ho_ten: 'Do Huu Phuc', ngay_sinh: '03/10/1999', so_bhyt: 'DN1790987654321' }),
    ]);
    const r = linkRecords(recs, { model });
    assert.equal(r.clusterOf[0], r.clusterOf[1]);
    assert.equal(r.stats.deterministicLinks, 1);
  });

  it('is deterministic', () => {
    const persons = generatePopulation({ seed: 3, persons: 400 });
    const recs = normalizeAll(generateSourceRows({ seed: 3, persons }).rows);
    assert.deepEqual(linkRecords(recs).clusterOf, linkRecords(recs).clusterOf);
  });
});

describe('end-to-end quality on seeded synthetic data', () => {
  it('reaches precision ≥ 0.998 and F1 ≥ 0.99 on 3,000 persons', () => {
    const persons = generatePopulation({ seed: 11, persons: 3000 });
    const { rows, truth } = generateSourceRows({ seed: 11, persons });
    const recs = normalizeAll(rows);
    const r = linkRecords(recs);
    const m = clusterMetrics(r.clusterOf, recs.map((x) => truth.get(`${x.sourceSystem}|${x.sourceId}`)!));
    assert.ok(m.pairwise.precision >= 0.998, `precision ${m.pairwise.precision}`);
    assert.ok(m.pairwise.f1 >= 0.99, `F1 ${m.pairwise.f1}`);
    assert.ok(persons.some((p) => p.tags.includes('twin')) && persons.some((p) => p.tags.includes('namesake-son')));
  });
});
