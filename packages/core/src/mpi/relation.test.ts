import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ageBounds, type HouseholdMember, householdParents, householdRelation } from './relation.ts';

describe('householdRelation (quan hệ với chủ hộ)', () => {
  const cases: Array<[string, string | undefined, string?]> = [
    ['Chủ hộ', 'head'],
    ['CHỦ HỘ', 'head'],
    ['chu ho', 'head'],
    ['ChuHo', 'head'],
    ['CH', 'head'],
    ['  Chủ  hộ. ', 'head'],
    ['Vợ', 'spouse'],
    ['Chồng', 'spouse'],
    ['vo', 'spouse'],
    ['Vợ/Chồng', 'spouse'],
    ['Con', 'child'],
    ['Con đẻ', 'child'],
    ['CON DE', 'child'],
    ['con-đẻ', 'child'],
    ['Con nuôi', 'child'],
    ['Con trai', 'child'],
    ['Con gái', 'child'],
    ['Con dâu', 'child_in_law'],
    ['Con rể', 'child_in_law'],
    ['Cháu', 'grandchild'],
    ['Cháu nội', 'grandchild', 'paternal'],
    ['chau ngoai', 'grandchild', 'maternal'],
    ['Bố', 'parent'],
    ['Cha', 'parent'],
    ['Mẹ', 'parent'],
    ['Ông', 'grandparent'],
    ['Bà', 'grandparent'],
    ['Ba', 'grandparent'],
    ['Ông ngoại', 'grandparent'],
    ['Anh', 'sibling'],
    ['Chị', 'sibling'],
    ['Em', 'sibling'],
    ['Em gái', 'sibling'],
    ['Khác', 'other'],
    ['Bố vợ', 'other'],
    ['Con riêng', 'other'],
    ['Chắt', 'other'],
    ['Ở nhờ', 'other'],
    ['child_in_law', 'child_in_law'],
    ['', undefined],
    ['   ', undefined],
  ];
  for (const [raw, code, lineage] of cases) {
    it(`"${raw}" → ${code ?? 'blank'}`, () => {
      const r = householdRelation(raw);
      assert.ok(r.ok);
      assert.equal(r.value?.code, code);
      assert.equal(r.value?.lineage, lineage);
    });
  }

  for (const raw of ['Hàng xóm', 'X', 'Con chó', '12']) {
    it(`"${raw}" is a row warning, not a guess`, () => {
      const r = householdRelation(raw);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.issue.severity, 'warning');
        assert.equal(r.issue.field, 'quan_he_chu_ho');
        assert.equal(r.issue.code, 'RELATION_UNKNOWN');
        assert.match(r.issue.message_vi, /Quan hệ với chủ hộ/);
      }
    });
  }
});

describe('ageBounds on a Vietnam date', () => {
  const cases: Array<[string | null, number | null, string, { min: number; max: number } | null]> = [
    ['2012-06-15', null, '2026-06-14', { min: 13, max: 13 }],
    ['2012-06-15', null, '2026-06-15', { min: 14, max: 14 }],
    ['2012-12-31', null, '2026-06-01', { min: 13, max: 13 }],
    // Year only: born 1 January at the earliest, 31 December at the latest.
    ['2012', null, '2026-06-01', { min: 13, max: 14 }],
    [null, 2012, '2026-06-01', { min: 13, max: 14 }],
    ['2012-02', null, '2026-02-15', { min: 13, max: 14 }],
    ['2012-02', null, '2026-03-01', { min: 14, max: 14 }],
    // 29 February: one year older on 1 March of a common year.
    ['2012-02-29', null, '2026-02-28', { min: 13, max: 13 }],
    ['2012-02-29', null, '2026-03-01', { min: 14, max: 14 }],
    [null, null, '2026-06-01', null],
    ['', null, '2026-06-01', null],
  ];
  for (const [ngaySinh, year, today, want] of cases) {
    it(`${ngaySinh ?? year} on ${today}`, () => assert.deepEqual(ageBounds(ngaySinh, year, today), want));
  }
});

const TODAY = '2026-06-01';
let seq = 0;
/** A member born on 1 July of `year` (so ages on TODAY are exact), with optional labels and sex. */
const member = (year: number, sex: 1 | 2 | null, ...labels: string[]): HouseholdMember => ({
  personId: `P${++seq}`,
  relationLabels: labels,
  ngaySinh: `${year}-07-01`,
  birthYear: year,
  sex,
});
const pairs = (members: HouseholdMember[]) =>
  householdParents(members, TODAY)
    .map((p) => `${members.findIndex((m) => m.personId === p.childId)}<-${members.findIndex((m) => m.personId === p.parentId)}:${p.rule}`)
    .sort();

describe('householdParents: with the relation column', () => {
  it('head and spouse are parents of each minor "con", not of an adult one', () => {
    const h = [member(1985, 1, 'Chủ hộ'), member(1988, 2, 'Vợ'), member(2015, 2, 'Con'), member(2005, 1, 'Con đẻ')];
    assert.deepEqual(pairs(h), ['2<-0:population_relation', '2<-1:population_relation']);
  });

  it('nothing is read without exactly one head', () => {
    assert.deepEqual(pairs([member(1985, 1, 'Vợ'), member(2015, 2, 'Con')]), []);
    assert.deepEqual(pairs([member(1985, 1, 'Chủ hộ'), member(1986, 2, 'Chủ hộ'), member(2015, 2, 'Con')]), []);
  });

  it('two spouses: only the head is a parent', () => {
    const h = [member(1970, 1, 'Chủ hộ'), member(1975, 2, 'Vợ'), member(1980, 2, 'Vợ'), member(2015, 1, 'Con')];
    assert.deepEqual(pairs(h), ['3<-0:population_relation']);
  });

  it('a labelled parent too close in age (swapped labels) is refused', () => {
    assert.deepEqual(pairs([member(2000, 1, 'Chủ hộ'), member(2010, 2, 'Con')]), []);
  });

  it('a grandchild gets the one adult "con" and that child’s spouse of the other sex', () => {
    const h = [member(1955, 1, 'Chủ hộ'), member(1957, 2, 'Vợ'), member(1982, 1, 'Con'), member(1984, 2, 'Con dâu'), member(2012, 1, 'Cháu nội')];
    assert.deepEqual(pairs(h), ['4<-2:population_relation', '4<-3:population_relation']);
  });

  it('a grandchild is left alone when two adult children could be the parent, or cháu ngoại meets a son', () => {
    const two = [member(1955, 1, 'Chủ hộ'), member(1980, 1, 'Con'), member(1983, 2, 'Con'), member(2012, 1, 'Cháu')];
    assert.deepEqual(pairs(two), []);
    const wrongLine = [member(1955, 1, 'Chủ hộ'), member(1980, 1, 'Con'), member(2012, 1, 'Cháu ngoại')];
    assert.deepEqual(pairs(wrongLine), []);
  });

  it('grandparents, siblings and others of the head are never parents', () => {
    const h = [member(1990, 1, 'Chủ hộ'), member(1960, 2, 'Mẹ'), member(1985, 2, 'Chị'), member(1962, 1, 'Khác'), member(2015, 1, 'Em')];
    assert.deepEqual(pairs(h), []);
  });

  it('a minor head gets the parents listed as bố/mẹ', () => {
    const h = [member(2010, 1, 'Chủ hộ'), member(1980, 1, 'Bố'), member(1982, 2, 'Mẹ')];
    assert.deepEqual(pairs(h), ['0<-1:population_relation', '0<-2:population_relation']);
  });

  it('records that disagree or carry an unknown label leave the member out; the age rule is not used instead', () => {
    const h = [member(1985, 1, 'Chủ hộ'), member(2015, 2, 'Con', 'Cháu'), member(2016, 1, 'Hàng xóm'), member(2017, 1)];
    assert.deepEqual(pairs(h), []);
  });
});

describe('householdParents: household id and ages only', () => {
  it('a couple 16–40 years older than a minor are taken as parents', () => {
    const h = [member(1985, 1), member(1988, 2), member(2015, 2), member(1950, 2)];
    assert.deepEqual(pairs(h), ['2<-0:household_age', '2<-1:household_age']);
  });

  it('a single adult in the age window is taken', () => {
    assert.deepEqual(pairs([member(1990, 2), member(2016, 1)]), ['1<-0:household_age']);
  });

  it('two candidates of one sex, or a parent and a grandparent, are ambiguous', () => {
    assert.deepEqual(pairs([member(1985, 2), member(1990, 2), member(2015, 2)]), []);
    assert.deepEqual(pairs([member(1977, 1), member(1995, 2), member(2016, 1)]), []);
  });

  it('three candidates are ambiguous; an adult sibling 15 years older is not a candidate', () => {
    assert.deepEqual(pairs([member(1985, 1), member(1987, 2), member(1995, 2), member(2015, 2)]), []);
    assert.deepEqual(pairs([member(1985, 1), member(1987, 2), member(2001, 1), member(2015, 2)]).length, 2);
  });

  it('adults older than the window and unknown birth dates take no part', () => {
    assert.deepEqual(pairs([member(1960, 2), member(2015, 1)]), []);
    const noDate: HouseholdMember = { personId: 'PX', relationLabels: [], ngaySinh: null, birthYear: null, sex: 1 };
    assert.deepEqual(householdParents([noDate, member(2015, 1)], TODAY), []);
  });

  it('an adult born in the year 18 years ago (birth date unknown) is not yet certainly an adult', () => {
    const young: HouseholdMember = { personId: 'PY', relationLabels: [], ngaySinh: '2008', birthYear: 2008, sex: 2 };
    assert.deepEqual(householdParents([young, member(2025, 1)], TODAY), []);
  });
});
