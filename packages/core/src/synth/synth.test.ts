import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBhyt, parseCccd } from '../identifiers/index.ts';
import { generateCheckin, generateEpisodes, generateResidents, QUANG_NGAI_DISTRICT, type SynthEpisode } from './index.ts';

const residents = generateResidents({ seed: 42, persons: 5000, district: QUANG_NGAI_DISTRICT });
const episodes = generateEpisodes({ seed: 42, residents, facilities: QUANG_NGAI_DISTRICT.facilities, from: new Date('2025-01-01'), to: new Date('2025-12-31'), count: 3000 });
const cents = (s: string | undefined): number => Math.round(Number(s) * 100);

describe('district', () => {
  it('has ≥12 facilities with 51xxx codes and ~15 communes', () => {
    assert.ok(QUANG_NGAI_DISTRICT.facilities.length >= 12);
    for (const f of QUANG_NGAI_DISTRICT.facilities) assert.match(f.code, /^51\d{3}$/);
    assert.ok(QUANG_NGAI_DISTRICT.communes.length >= 15);
  });
});

describe('generateResidents', () => {
  it('is deterministic', () => {
    const again = generateResidents({ seed: 42, persons: 5000, district: QUANG_NGAI_DISTRICT });
    assert.deepEqual(again, residents);
    assert.notDeepEqual(generateResidents({ seed: 43, persons: 50, district: QUANG_NGAI_DISTRICT }), residents.slice(0, 50));
  });
  it('issues valid, unique CCCD numbers consistent with birth year and sex', () => {
    const seen = new Set<string>();
    for (const r of residents) {
      if (2025 - r.birthYear >= 15) assert.ok(r.cccd, `${r.id} ≥14 needs a CCCD`);
      if (!r.cccd) continue;
      const c = parseCccd(r.cccd, { birthYear: r.birthYear, sex: r.sex });
      assert.ok(c.ok, r.cccd);
      assert.equal(c.warnings.length, 0, r.cccd);
      assert.ok(!seen.has(r.cccd));
      seen.add(r.cccd);
    }
  });
  it('issues valid, unique BHYT cards for ~92 %', () => {
    const sins = new Set<string>();
    let insured = 0;
    for (const r of residents) {
      if (!r.bhyt) continue;
      insured++;
      const b = parseBhyt(r.bhyt.number);
      assert.ok(b.ok, r.bhyt.number);
      assert.equal(b.value.provinceCode, '51');
      assert.equal(b.value.socialInsuranceNumber, r.socialInsuranceNumber);
      assert.ok(!sins.has(b.value.socialInsuranceNumber));
      sins.add(b.value.socialInsuranceNumber);
      assert.match(r.bhyt.registeredFacility, /^51\d{3}$/);
      if (2025 - r.birthYear < 5) assert.equal(r.bhyt.group, 'TE');
    }
    const share = insured / residents.length;
    assert.ok(share > 0.86 && share < 0.97, String(share));
  });
  it('has households with twins, parents and a plausible pyramid', () => {
    assert.ok(residents.some((r) => r.twinIndex !== undefined && residents[r.twinIndex]!.birthDate === r.birthDate));
    const kids = residents.filter((r) => r.fatherIndex !== undefined);
    assert.ok(kids.length > 0);
    for (const k of kids) assert.equal(k.familyName, residents[k.fatherIndex!]!.familyName);
    const under15 = residents.filter((r) => 2025 - r.birthYear < 15).length / residents.length;
    assert.ok(under15 > 0.17 && under15 < 0.3, String(under15));
    for (const r of residents) if (r.phone) assert.match(r.phone, /^0[35789]\d{8}$/);
  });
  it('is fast enough', () => {
    const t = performance.now();
    generateResidents({ seed: 7, persons: 5000, district: QUANG_NGAI_DISTRICT });
    assert.ok(performance.now() - t < 1000);
  });
});

const REQUIRED_XML1 = ['MA_LK', 'MA_BN', 'HO_TEN', 'NGAY_SINH', 'GIOI_TINH', 'MA_QUOCTICH', 'MA_DANTOC', 'DIA_CHI', 'MATINH_CU_TRU', 'MAHUYEN_CU_TRU', 'MAXA_CU_TRU', 'LY_DO_VV', 'CHAN_DOAN_VAO', 'CHAN_DOAN_RV', 'MA_BENH_CHINH', 'MA_DOITUONG_KCB', 'NGAY_VAO', 'NGAY_RA', 'SO_NGAY_DTRI', 'KET_QUA_DTRI', 'MA_LOAI_RV', 'T_THUOC', 'T_VTYT', 'T_TONGCHI_BV', 'T_TONGCHI_BH', 'T_BNTT', 'T_BNCCT', 'T_BHTT', 'T_NGUONKHAC', 'NAM_QT', 'THANG_QT', 'MA_LOAI_KCB', 'MA_KHOA', 'MA_CSKCB', 'CAN_NANG', 'MA_HSBA'];

describe('generateEpisodes', () => {
  it('is deterministic', () => {
    const again = generateEpisodes({ seed: 42, residents, facilities: QUANG_NGAI_DISTRICT.facilities, from: new Date('2025-01-01'), to: new Date('2025-12-31'), count: 3000 });
    assert.deepEqual(again, episodes);
  });
  it('has unique MA_LK per facility, repeated in every row', () => {
    const seen = new Set<string>();
    for (const e of episodes) {
      const key = `${e.facilityCode}|${e.maLk}`;
      assert.ok(!seen.has(key));
      seen.add(key);
      for (const rows of Object.values(e.tables)) for (const row of rows!) assert.equal(row.MA_LK, e.maLk);
    }
  });
  it('fills required XML1 fields with valid formats', () => {
    for (const e of episodes) {
      const x = e.tables.XML1[0]!;
      for (const k of REQUIRED_XML1) assert.ok(x[k] !== undefined && x[k] !== '', `${e.maLk} ${k}`);
      assert.match(x.NGAY_VAO!, /^\d{12}$/);
      assert.match(x.NGAY_RA!, /^\d{12}$/);
      assert.match(x.NGAY_SINH!, /^\d{12}$/);
      if (x.MA_THE_BHYT) assert.ok(parseBhyt(x.MA_THE_BHYT).ok);
      if (x.SO_CCCD) assert.ok(parseCccd(x.SO_CCCD).ok);
    }
  });
  it('keeps dates in order', () => {
    for (const e of episodes) {
      const x = e.tables.XML1[0]!;
      const vao = x.NGAY_VAO!;
      const vnt = x.NGAY_VAO_NOI_TRU || vao;
      assert.ok(vao <= vnt && vnt <= x.NGAY_RA!, e.maLk);
      if (x.NGAY_TAI_KHAM) assert.ok(x.NGAY_TAI_KHAM > x.NGAY_RA!.slice(0, 8));
      for (const r of e.tables.XML14 ?? []) assert.ok(r.NGAY_HEN_KL! > x.NGAY_RA!.slice(0, 8));
      if (x.MA_LOAI_KCB === '01') assert.equal(x.SO_NGAY_DTRI, '0');
    }
  });
  it('ends every episode by `to` (Viet Nam wall-clock) and orders every line inside its stay', () => {
    const to = new Date('2025-12-31T05:30:00Z');
    const list = generateEpisodes({ seed: 9, residents, facilities: QUANG_NGAI_DISTRICT.facilities, from: new Date('2025-01-01'), to, count: 1500 });
    assert.ok(list.length >= 1490, `${list.length} episodes`);
    for (const e of list) {
      const x = e.tables.XML1[0]!;
      assert.ok(x.NGAY_RA! <= '202512311230', `${e.maLk} ends ${x.NGAY_RA}`);
      for (const r of [...(e.tables.XML2 ?? []), ...(e.tables.XML3 ?? [])]) {
        assert.ok(r.NGAY_YL! >= x.NGAY_VAO! && r.NGAY_YL! <= x.NGAY_RA!, `${e.maLk} ${r.STT}: ${r.NGAY_YL} outside ${x.NGAY_VAO}–${x.NGAY_RA}`);
      }
      for (const r of e.tables.XML4 ?? []) assert.ok(r.NGAY_KQ! <= x.NGAY_RA!, `${e.maLk}: result ${r.NGAY_KQ} after ${x.NGAY_RA}`);
    }
  });
  it('brings the regulars back every month', () => {
    const regulars = [residents.findIndex((r) => 2025 - r.birthYear >= 50), residents.findIndex((r) => 2025 - r.birthYear >= 60)];
    const list = generateEpisodes({ seed: 42, residents, facilities: QUANG_NGAI_DISTRICT.facilities, from: new Date('2025-01-01'), to: new Date('2025-12-31'), count: 3000, regulars });
    for (const i of regulars) {
      const own = list.filter((e) => e.personIndex === i);
      assert.ok(own.length >= 11, `resident ${i}`);
      assert.ok(own.some((e) => e.tables.XML1[0]!.MA_LOAI_KCB === '03' && (e.tables.XML3 ?? []).filter((r) => r.MA_GIUONG).length > 1), `resident ${i} had a stay`);
    }
  });
  it('makes XML1 totals equal the sums of XML2/XML3 lines', () => {
    for (const e of episodes) {
      const x = e.tables.XML1[0]!;
      const lines = [...(e.tables.XML2 ?? []), ...(e.tables.XML3 ?? [])];
      const sum = (k: string, rows = lines) => rows.reduce((a, r) => a + cents(r[k]), 0);
      assert.equal(cents(x.T_THUOC), sum('THANH_TIEN_BV', e.tables.XML2 ?? []));
      assert.equal(cents(x.T_VTYT), sum('THANH_TIEN_BV', (e.tables.XML3 ?? []).filter((r) => r.MA_NHOM === '10')));
      assert.equal(cents(x.T_TONGCHI_BV), sum('THANH_TIEN_BV'));
      assert.equal(cents(x.T_TONGCHI_BH), sum('THANH_TIEN_BH'));
      for (const k of ['T_BNTT', 'T_BNCCT', 'T_BHTT', 'T_NGUONKHAC']) assert.equal(cents(x[k]), sum(k), `${e.maLk} ${k}`);
      assert.equal(cents(x.T_BHTT), cents(x.T_TONGCHI_BH) - cents(x.T_BNCCT));
      for (const k of ['T_TONGCHI_BV', 'T_BHTT']) assert.match(x[k]!, /^\d+\.\d{2}$/);
    }
  });
  it('has the expected mix of tables', () => {
    const count = (t: keyof SynthEpisode['tables']) => episodes.filter((e) => e.tables[t]).length;
    assert.equal(count('XML8'), episodes.length);
    assert.ok(count('XML4') > 0 && count('XML7') > 0 && count('XML14') > 0);
    const share14 = count('XML14') / episodes.length;
    assert.ok(share14 > 0.05 && share14 < 0.2, String(share14));
    assert.ok(episodes.some((e) => e.tables.XML15));
  });
  it('builds a matching check-in row', () => {
    const e = episodes[0]!;
    const c = generateCheckin(e);
    assert.equal(c.MA_LK, e.maLk);
    assert.equal(c.MA_CSKCB, e.facilityCode);
    assert.ok(c.MA_DICH_VU || c.MA_THUOC);
    assert.match(c.NGAY_YL!, /^\d{12}$/);
  });
});
