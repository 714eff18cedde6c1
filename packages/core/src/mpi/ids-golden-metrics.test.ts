import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goldenRecord } from './golden.ts';
import { clusterMetrics } from './metrics.ts';
import type { MpiRecord } from './record.ts';
import { normalizeSourceRecord } from './record.ts';
import { assignStableIds } from './stable-ids.ts';

function counter(prefix = 'N') {
  let i = 0;
  return () => `${prefix}${++i}`;
}

describe('assignStableIds', () => {
  const cases: Array<[string, number[], Array<string | undefined>, string[]]> = [
    ['unchanged clusters keep their ids', [0, 0, 1], ['A', 'A', 'B'], ['A', 'A', 'B']],
    ['a new record joins an existing person', [0, 0, 0], ['A', 'A', undefined], ['A', 'A', 'A']],
    ['a merge keeps the id of the larger part', [0, 0, 0], ['A', 'B', 'B'], ['B', 'B', 'B']],
    ['a split gives the larger part the old id and the rest a new one', [0, 0, 1], ['A', 'A', 'A'], ['A', 'A', 'N1']],
    ['ties go to the smaller id, deterministically', [0, 0], ['B', 'A'], ['A', 'A']],
    ['a tie between clusters for one id goes to the first cluster', [0, 1], ['A', 'A'], ['A', 'N1']],
    ['brand-new clusters get fresh ids in record order', [1, 0, 1], [undefined, undefined, undefined], ['N1', 'N2', 'N1']],
  ];
  for (const [label, clusters, prev, want] of cases) {
    it(label, () => assert.deepEqual(assignStableIds(clusters, prev, counter()), want));
  }
  it('never reuses an id that is already taken', () => {
    const ids = assignStableIds([0, 1], ['N1', undefined], counter());
    assert.deepEqual(ids, ['N1', 'N2']);
  });
});

describe('clusterMetrics', () => {
  it('scores a perfect clustering as 1', () => {
    const m = clusterMetrics([0, 0, 1], ['a', 'a', 'b']);
    assert.deepEqual([m.pairwise.precision, m.pairwise.recall, m.bcubed.f1], [1, 1, 1]);
  });
  it('counts pairs from the contingency table', () => {
    // Predicted {0,1,2},{3}; truth {0,1},{2,3}: 3 predicted pairs, 1 correct; 2 true pairs.
    const m = clusterMetrics([0, 0, 0, 1], ['a', 'a', 'b', 'b']);
    assert.equal(m.pairwise.predictedPairs, 3);
    assert.equal(m.pairwise.truePositivePairs, 1);
    assert.equal(m.pairwise.truePairs, 2);
    assert.ok(Math.abs(m.pairwise.precision - 1 / 3) < 1e-12);
    assert.equal(m.pairwise.recall, 0.5);
    // B-cubed precision: (2/3 + 2/3 + 1/3 + 1) / 4; recall: (1 + 1 + 1/2 + 1/2) / 4.
    assert.ok(Math.abs(m.bcubed.precision - (2 / 3 + 2 / 3 + 1 / 3 + 1) / 4) < 1e-12);
    assert.equal(m.bcubed.recall, 0.75);
  });
  it('treats all-singletons as perfect precision and zero recall', () => {
    const m = clusterMetrics([0, 1, 2], [5, 5, 5]);
    assert.equal(m.pairwise.precision, 1);
    assert.equal(m.pairwise.recall, 0);
    assert.equal(m.pairwise.f1, 0);
  });
});

function rec(fields: Record<string, string>): MpiRecord {
  const { record } = normalizeSourceRecord({ source_id: String(Math.random()), ...fields });
  assert.ok(record);
  return record;
}

describe('goldenRecord', () => {
  const recs = [
    rec({ source_system: 'BHXH', ho_ten: 'LE THI HOA', ngay_sinh: '1972', gioi_tinh: '2', so_bhyt: 'DN4400123456780', ma_xa: '17000' }),
    rec({ source_system: 'KCB', ho_ten: 'Lê Thị Hoà', ngay_sinh: '07/04/1972', gioi_tinh: 'Nữ', so_bhyt: 'HT3400123456780', so_dien_thoai: '+84987654321' }),
    rec({ source_system: 'TIEMCHUNG', ho_ten: 'Lê Thị Hòa', ngay_sinh: '04/07/1972', so_bhyt: 'HT3400123456780', so_dien_thoai: '0987654321' }),
    rec({ source_system: 'MIS2022', ho_ten: 'Le Thi Hoa', ngay_sinh: '07/04/1972', gioi_tinh: 'Nữ', so_cccd: '038072001234', ma_xa: '17000', ma_ho_gia_dinh: 'H1', dia_chi: 'Xóm 2, X. Quỳnh Lập' }),
  ];
  const g = goldenRecord(recs);
  it('prefers an accented spelling of the agreed name', () => assert.equal(g.fields.hoTen, 'Lê Thị Hoà'));
  it('takes the most precise agreed birth date and reports the swapped copy', () => {
    assert.equal(g.fields.ngaySinh, '07/04/1972');
    assert.deepEqual(g.corrections.map((c) => [c.field, c.from, c.to]), [['ngaySinh', '04/07/1972', '07/04/1972']]);
    assert.ok(g.corrections[0]!.reason_vi.includes('đảo'));
  });
  it('takes the most frequent card of the social-insurance number', () => {
    assert.equal(g.fields.soBhyt, 'HT3400123456780');
    assert.equal(g.fieldSources.soBhyt, `${recs[1]!.sourceSystem}|${recs[1]!.sourceId}`);
  });
  it('fills the other fields by vote and source priority', () => {
    assert.equal(g.fields.gioiTinh, 'Nữ');
    assert.equal(g.fields.soDienThoai, '0987654321');
    assert.equal(g.fields.maXa, '17000');
    assert.equal(g.fields.maHoGiaDinh, 'H1');
    assert.equal(g.fields.diaChi, 'Xóm 2, xã Quỳnh Lập');
  });
  it('flags a CCCD that contradicts the agreed sex as wrong information', () => {
    // 038072… encodes a man born 1972; the person is a woman.
    assert.equal(g.fields.soCccd, '038072001234');
    assert.ok(g.qualityFlags.includes('CCCD_INCONSISTENT'));
  });
  it('flags an imprecise date when no source has the full date', () => {
    const only = goldenRecord([rec({ source_system: 'KCB', ho_ten: 'An', ngay_sinh: '1950' })]);
    assert.equal(only.fields.ngaySinh, '1950');
    assert.ok(only.qualityFlags.includes('BIRTH_DATE_IMPRECISE'));
  });
});
