import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { decideIncoming, type LinkedCandidate, lookupKeys, matchKeys } from './incremental.ts';
import { linkRecords, type MatchModel } from './match.ts';
import { type MpiRecord, normalizeSourceRecord } from './record.ts';
import { generatePopulation, generateSourceRows } from './synth.ts';
import { normalizeAll, sourceRow } from './test-rows.ts';

/** Candidates of a newcomer as the database finds them: records sharing a key, then their persons' records. */
function candidatesOf(r: MpiRecord, byKey: Map<string, number[]>, personOf: string[], members: Map<string, number[]>, records: MpiRecord[]) {
  const persons = new Set<string>();
  for (const k of lookupKeys(r)) for (const j of byKey.get(k) ?? []) persons.add(personOf[j]!);
  const out: LinkedCandidate[] = [];
  for (const p of persons) for (const j of members.get(p)!) out.push({ record: records[j]!, personId: p });
  return out;
}

describe('decideIncoming: one record placed as it arrives', () => {
  let model: MatchModel;
  let records: MpiRecord[];
  let truth: string[];
  let personOf: string[];
  const byKey = new Map<string, number[]>();
  const members = new Map<string, number[]>();
  let newRecords: MpiRecord[];
  let newTruth: string[];

  before(() => {
    const persons = generatePopulation({ seed: 21, persons: 3000 });
    const gen = generateSourceRows({ seed: 21, persons, profile: 'hard' });
    const all = gen.rows.flatMap((row) => normalizeSourceRecord(row).record ?? []);
    // Every tenth record arrives later; the rest are the population linked globally.
    newRecords = all.filter((_, i) => i % 10 === 0);
    newTruth = newRecords.map((x) => gen.truth.get(`${x.sourceSystem}|${x.sourceId}`)!);
    const base = all.filter((_, i) => i % 10 !== 0);
    const r = linkRecords(base);
    model = r.model;
    records = base;
    truth = base.map((x) => gen.truth.get(`${x.sourceSystem}|${x.sourceId}`)!);
    personOf = Array.from(r.clusterOf, (c) => `P${c}`);
    base.forEach((x, j) => {
      for (const k of matchKeys(x)) byKey.set(k, [...(byKey.get(k) ?? []), j]);
      members.set(personOf[j]!, [...(members.get(personOf[j]!) ?? []), j]);
    });
  });

  it('joins newcomers to their person with no wrong join', () => {
    // The person a global cluster stands for is the truth most of its records carry.
    const majority = new Map<string, string>();
    for (const [p, js] of members) {
      const count = new Map<string, number>();
      for (const j of js) count.set(truth[j]!, (count.get(truth[j]!) ?? 0) + 1);
      majority.set(p, [...count].sort((a, b) => b[1] - a[1])[0]![0]);
    }
    const known = new Set(truth);
    let joinable = 0, joined = 0, wrong = 0;
    newRecords.forEach((r, i) => {
      const d = decideIncoming(r, candidatesOf(r, byKey, personOf, members, records), model);
      if (known.has(newTruth[i]!)) joinable++;
      if (d.personId === undefined) return;
      if (majority.get(d.personId) === newTruth[i]) joined++;
      else wrong++;
    });
    assert.ok(joinable > 300, `enough newcomers with a known person (${joinable})`);
    assert.ok(wrong <= joinable * 0.002, `wrong joins ${wrong} of ${joinable}`);
    assert.ok(joined >= joinable * 0.9, `joined ${joined} of ${joinable}`);
  });

  it('a stranger starts a person of their own; a CCCD alone against another name and birth date does not join', () => {
    const [base, stranger, relative, impostor] = normalizeAll([
      sourceRow({ ho_ten: 'Đinh Thị Ngọc Bích', ngay_sinh: '14/02/1991', gioi_tinh: 'Nữ', so_cccd: '051191000123', ma_xa: '21550' }),
      sourceRow({ source_system: 'KCB', ho_ten: 'Lò Văn Páo', ngay_sinh: '03/03/1957', gioi_tinh: 'Nam', ma_xa: '21550' }),
      // The number contradicts this row's own birth year and sex: a relative's CCCD typed in.
      sourceRow({ source_system: 'KCB', ho_ten: 'Trương Công Định', ngay_sinh: '30/10/1962', gioi_tinh: 'Nam', so_cccd: '051191000123' }),
      // Consistent with the number, but another name and birth date: one of the two rows is wrong.
      sourceRow({ source_system: 'KCB', ho_ten: 'Trương Thị Hoa', ngay_sinh: '20/07/1991', gioi_tinh: 'Nữ', so_cccd: '051191000123' }),
    ]);
    const cands = [{ record: base!, personId: 'PB' }];
    assert.equal(decideIncoming(stranger!, [], model).personId, undefined);
    assert.equal(decideIncoming(relative!, cands, model).personId, undefined);
    const d = decideIncoming(impostor!, cands, model);
    assert.equal(d.personId, undefined);
    assert.deepEqual(d.sharedIdWith, [0]);
  });

  it('the same person typed again joins by CCCD despite a mistyped sex', () => {
    const [base, again] = normalizeAll([
      sourceRow({ ho_ten: 'Đinh Thị Ngọc Bích', ngay_sinh: '14/02/1991', gioi_tinh: 'Nữ', so_cccd: '051191000123', ma_xa: '21550' }),
      sourceRow({ source_system: 'KCB', ho_ten: 'Dinh Thi Ngoc Bich', ngay_sinh: '1991-02-14', gioi_tinh: 'Nam', so_cccd: '051191000123' }),
    ]);
    assert.equal(decideIncoming(again!, [{ record: base!, personId: 'PB' }], model).personId, 'PB');
  });
});
