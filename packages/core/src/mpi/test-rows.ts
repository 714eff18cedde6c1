// Test support: hand-written source rows for the matcher's table-driven tests.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { linkRecords, type MatchModel } from './match.ts';
import { type MpiRecord, normalizeSourceRecord } from './record.ts';
import { generatePopulation, generateSourceRows } from './synth.ts';

let seq = 0;

/** A population-list row with every canonical column, blank unless given; each gets its own source id. */
export function sourceRow(fields: Partial<Record<string, string>>): Record<string, string> {
  const blank = {
    source_system: 'MIS2022', source_id: `T${++seq}`, ho_ten: '', ngay_sinh: '', gioi_tinh: '', so_cccd: '', so_bhyt: '',
    so_dien_thoai: '', dia_chi: '', ma_xa: '', ma_ho_gia_dinh: '',
  };
  return { ...blank, ...Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined)) };
}

/** Normalized records of rows a test expects to be usable; an unusable one fails the test with its issues. */
export function normalizeAll(rows: Array<Record<string, string>>): MpiRecord[] {
  return rows.map((r) => {
    const { record, issues } = normalizeSourceRecord(r);
    if (!record) throw new Error(`row ${r.source_id} is not usable: ${JSON.stringify(issues)}`);
    return record;
  });
}

let estimated: MatchModel | undefined;

/** The model the table-driven cases are linked with: estimated once on a generated population (hard profile). */
export function caseModel(): MatchModel {
  if (!estimated) {
    const persons = generatePopulation({ seed: 7, persons: 3000 });
    const { rows } = generateSourceRows({ seed: 7, persons, profile: 'hard' });
    estimated = linkRecords(normalizeAll(rows)).model;
  }
  return estimated;
}

/** A link-or-not case: its name, its rows, and whether the first two records are one person. */
export type LinkCase = [name: string, rows: Array<Record<string, string>>, same: boolean];

/**
 * One test per case, each linked with a model estimated once on a generated population (hard
 * profile), as a relink leaves it: the rules, not a model fitted to the few rows, are under test.
 */
export function linkCaseTests(cases: readonly LinkCase[]): void {
  let model: MatchModel;
  before(() => {
    model = caseModel();
  });
  for (const [name, rows, same] of cases) {
    it(name, () => {
      const r = linkRecords(normalizeAll(rows), { model });
      if (same) assert.equal(r.clusterOf[0], r.clusterOf[1]);
      else assert.notEqual(r.clusterOf[0], r.clusterOf[1]);
    });
  }
}
