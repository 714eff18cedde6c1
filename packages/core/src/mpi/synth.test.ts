import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { HardNoiseKind, SourceRow, SynthPerson } from './synth.ts';
import { generatePopulation, generateSourceRows, HARD_NOISE_RATES, MPI_EVAL_SEEDS, MPI_TUNING_SEEDS } from './synth.ts';

const hash = (persons: SynthPerson[], rows: SourceRow[], truth: Map<string, string>) =>
  createHash('sha256').update(JSON.stringify(persons)).update(JSON.stringify(rows)).update(JSON.stringify([...truth])).digest('hex');

describe('synthetic MPI generator: classic profile', () => {
  it('is unchanged for fixed seeds (hash of persons, rows and truth)', () => {
    // Hashes taken from the generator before the 'hard' profile was added.
    for (const [seed, n, nRows, want] of [
      [1, 2000, 5163, 'b2e50506078d04c9f52d83d85a23102ac775889e29e1b278823e6e6fa48afb77'],
      [7, 500, 1311, '205df8e3d2364ae524af29f68cd0d69e98a8dd2c4161039a8dc51933be2e1ded'],
    ] as const) {
      const persons = generatePopulation({ seed, persons: n });
      const { rows, truth, noise } = generateSourceRows({ seed, persons });
      assert.equal(rows.length, nRows);
      assert.equal(noise.size, 0);
      assert.equal(hash(persons, rows, truth), want);
      const explicit = generateSourceRows({ seed, persons, profile: 'classic' });
      assert.equal(hash(persons, explicit.rows, explicit.truth), want);
    }
  });
});

describe('seeds', () => {
  it('keeps tuning and evaluation seeds apart', () => {
    assert.ok(MPI_TUNING_SEEDS.length > 0 && MPI_EVAL_SEEDS.length > 0);
    for (const s of MPI_EVAL_SEEDS) assert.ok(!MPI_TUNING_SEEDS.includes(s));
  });
});

describe('synthetic MPI generator: hard profile', () => {
  const seed = MPI_TUNING_SEEDS[0]!;
  const persons = generatePopulation({ seed, persons: 6000 });
  const classic = generateSourceRows({ seed, persons });
  const hard = generateSourceRows({ seed, persons, profile: 'hard' });
  const byId = new Map(persons.map((p) => [p.id, p]));
  const key = (r: SourceRow) => `${r.source_system}|${r.source_id}`;
  const personOf = (r: SourceRow) => byId.get(hard.truth.get(key(r))!)!;
  const has = (r: SourceRow, k: HardNoiseKind) => hard.noise.get(key(r))?.includes(k) ?? false;
  const rowsOf = new Map<string, SourceRow[]>();
  for (const r of hard.rows) {
    const id = hard.truth.get(key(r))!;
    rowsOf.set(id, [...(rowsOf.get(id) ?? []), r]);
  }
  const digits = (s: string) => s.replace(/\s/g, '');

  /** Observed share of eligible rows must be within a binomial 5-sigma band around the documented rate. */
  function assertRate(kind: HardNoiseKind, hits: number, eligible: number) {
    const p = HARD_NOISE_RATES[kind];
    const sd = Math.sqrt(eligible * p * (1 - p));
    assert.ok(eligible > 100, `${kind}: only ${eligible} eligible rows`);
    assert.ok(Math.abs(hits - eligible * p) <= 5 * sd + 2, `${kind}: ${hits}/${eligible}, rate ${p}`);
  }

  it('is deterministic per seed and keeps the same records and truth as classic', () => {
    const again = generateSourceRows({ seed, persons, profile: 'hard' });
    assert.deepEqual(again.rows, hard.rows);
    assert.deepEqual([...hard.truth], [...classic.truth]);
    assert.deepEqual(new Set(hard.rows.map((r) => r.source_system)), new Set(['MIS2022', 'BHXH', 'TIEMCHUNG', 'KCB']));
  });

  it('types BHYT numbers one digit apart within a person', () => {
    let eligible = 0, hits = 0, pairs = 0;
    classic.rows.forEach((c, i) => {
      const h = hard.rows[i]!;
      if (c.so_bhyt === '' || has(h, 'noIds') || has(h, 'tiemchungChild')) return;
      eligible++;
      if (h.so_bhyt !== c.so_bhyt) {
        hits++;
        const diff = [...h.so_bhyt!].filter((ch, j) => ch !== c.so_bhyt![j]).length;
        assert.equal(diff, 1);
        assert.ok(has(h, 'bhytDigit'));
      }
    });
    assertRate('bhytDigit', hits, eligible);
    // Seen from the data alone: pairs of one person's cards whose BHXH parts differ in one digit.
    for (const rs of rowsOf.values()) {
      const nums = rs.map((r) => r.so_bhyt!.slice(5)).filter((s) => s.length === 10);
      for (let i = 0; i < nums.length; i++) {
        for (let j = i + 1; j < nums.length; j++) if ([...nums[i]!].filter((ch, k) => ch !== nums[j]![k]).length === 1) pairs++;
      }
    }
    assert.ok(pairs >= hits * 0.3, `${pairs} one-digit-apart pairs for ${hits} mistyped cards`);
  });

  it('writes the wrong sex', () => {
    let eligible = 0, hits = 0;
    for (const r of hard.rows) {
      if (has(r, 'tiemchungChild')) continue;
      eligible++;
      const male = personOf(r).sex === 'male';
      const wrong = male ? ['2', 'Nữ'] : ['1', 'Nam'];
      if (wrong.includes(r.gioi_tinh!)) hits++;
    }
    assertRate('wrongSex', hits, eligible);
  });

  it('leaves some records with neither CCCD nor BHYT, matched only by name, birth date and commune', () => {
    let eligible = 0, hits = 0;
    for (const r of hard.rows) {
      if (has(r, 'tiemchungChild')) continue;
      eligible++;
      if (!has(r, 'noIds')) continue;
      hits++;
      const p = personOf(r);
      assert.equal(r.so_cccd, '');
      assert.equal(r.so_bhyt, '');
      assert.equal(r.ma_xa, p.communeCode);
    }
    assertRate('noIds', hits, eligible);
  });

  it('reduces children\'s TIEMCHUNG records to name, birth date, household phone and a bare address', () => {
    let eligible = 0, hits = 0;
    for (const r of hard.rows) {
      const p = personOf(r);
      if (r.source_system !== 'TIEMCHUNG' || p.year < 2006) continue;
      eligible++;
      if (!has(r, 'tiemchungChild')) continue;
      hits++;
      assert.deepEqual([r.so_cccd, r.so_bhyt, r.gioi_tinh, r.ma_xa, r.ma_ho_gia_dinh], ['', '', '', '', '']);
      assert.ok(/^[\x20-\x7e]*$/.test(r.dia_chi!), r.dia_chi);
      const parent = p.parentId ? byId.get(p.parentId) : undefined;
      assert.equal(r.so_dien_thoai, parent?.phone ?? p.phone ?? '');
    }
    assertRate('tiemchungChild', hits, eligible);
  });

  it('puts an old 9-digit CMND where other records carry the 12-digit CCCD', () => {
    let eligible = 0, hits = 0, withCccdElsewhere = 0;
    classic.rows.forEach((c, i) => {
      const h = hard.rows[i]!;
      const p = personOf(h);
      if (!p.cccd || p.year >= 1995 || digits(c.so_cccd!) !== p.cccd || has(h, 'noIds') || has(h, 'tiemchungChild')) return;
      eligible++;
      if (!has(h, 'cmndForCccd')) return;
      hits++;
      assert.match(h.so_cccd!, /^\d{9}$/);
      if (rowsOf.get(p.id)!.some((o) => digits(o.so_cccd!) === p.cccd)) withCccdElsewhere++;
    });
    assertRate('cmndForCccd', hits, eligible);
    assert.ok(withCccdElsewhere > hits / 3);
  });

  it('writes dates as yyyy-mm-dd with day and month swapped, or one day off', () => {
    let swapped = 0, dayOff = 0, swapEligible = 0, offEligible = 0;
    for (const r of hard.rows) {
      const p = personOf(r);
      const s = has(r, 'dateSwapIso'), o = has(r, 'dateDayOff');
      if (s) {
        swapped++;
        assert.equal(r.ngay_sinh, `${p.year}-${String(p.day).padStart(2, '0')}-${String(p.month).padStart(2, '0')}`);
      }
      if (o) {
        dayOff++;
        const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(r.ngay_sinh!) ?? /^(\d{4})-(\d{2})-(\d{2})$/.exec(r.ngay_sinh!)!;
        const day = r.ngay_sinh!.includes('/') ? Number(m[1]) : Number(m[3]);
        assert.equal(Math.abs(day - p.day), 1);
      }
      if (/^\d{4}$/.test(r.ngay_sinh!)) continue; // year-only dates are not eligible
      if (p.day <= 12 && p.day !== p.month) swapEligible++;
      if (!s) offEligible++;
    }
    assertRate('dateSwapIso', swapped, swapEligible);
    assertRate('dateDayOff', dayOff, offEligible);
  });

  it('drops middle names', () => {
    let eligible = 0, hits = 0;
    classic.rows.forEach((c, i) => {
      const h = hard.rows[i]!;
      if (has(h, 'noIds') || has(h, 'tiemchungChild')) return; // name rewritten before
      if (c.ho_ten!.trim().split(/\s+/).length < 3) return;
      eligible++;
      if (has(h, 'middleDropped')) {
        hits++;
        assert.equal(h.ho_ten!.split(' ').length, 2);
      }
    });
    assertRate('middleDropped', hits, eligible);
  });

  it('keeps the hard negatives of the population', () => {
    const tags = new Set(persons.flatMap((p) => p.tags));
    for (const t of ['twin', 'namesake-son', 'namesake-father', 'common-name']) assert.ok(tags.has(t), t);
  });
});
