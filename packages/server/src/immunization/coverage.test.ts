import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { vietnamToday } from '@openhssk/core';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { IMM_COMMUNES, seededRandom, seedImmunizationProvince } from '../../test-support/immunization.ts';
import { refreshCoverage } from './coverage.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field in assertions
type Json = Record<string, any>;

const TODAY = vietnamToday();
const MONTH = TODAY.slice(0, 7);
const addMonths = (iso: string, months: number, days = 0) => {
  const d = new Date(`${iso}T00:00:00Z`);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};
const monthsBack = (n: number) => addMonths(`${MONTH}-01`, -n).slice(0, 7);

const COMMUNES = IMM_COMMUNES;


interface Child {
  id: string;
  commune: string;
  born: string;
  birthDose: boolean;
  full: boolean;
  mr: boolean;
}

function generate(): { children: Child[]; doses: Array<{ person_id: string; given_on: string; vaccine: string }> } {
  const next = seededRandom(16);
  const children: Child[] = [];
  const doses: Array<{ person_id: string; given_on: string; vaccine: string }> = [];
  let n = 0;
  for (const commune of Object.keys(COMMUNES)) {
    for (let i = 0; i < 40; i++) {
      const born = addMonths(`${monthsBack(Math.floor(next() * 36))}-01`, 0, Math.floor(next() * 28));
      if (born > TODAY) continue;
      const c: Child = { id: `C${n++}`, commune, born, birthDose: next() < 0.7, full: next() < 0.6, mr: next() < 0.5 };
      children.push(c);
      const give = (on: string, vaccine: string) => on <= TODAY && doses.push({ person_id: c.id, given_on: on, vaccine });
      give(addMonths(born, 0, c.birthDose ? 0 : 3), 'VGB');
      give(addMonths(born, 0, 2), 'BCG');
      for (const m of [2, 3, 4]) {
        give(addMonths(born, m), 'DPT-VGB-Hib');
        give(addMonths(born, m), 'bOPV');
      }
      give(addMonths(born, 5), 'IPV');
      // Not fully immunized: measles only after the first birthday.
      give(addMonths(born, c.full ? 9 : 13), 'Measles');
      // No MR before the second birthday: given at 25 months.
      give(addMonths(born, c.mr ? 18 : 25), 'MR');
    }
  }
  return { children, doses };
}

describe(`immunization coverage (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  const cookie: Record<string, string> = {};
  const data = generate();
  const call = async (who: string, url: string) => {
    const r = await app.inject({ method: 'GET', url, headers: { cookie: cookie[who]! } });
    return { status: r.statusCode, body: (r.headers['content-type']?.toString().includes('json') ? r.json() : {}) as Json, raw: r.rawPayload };
  };

  /** The direct count: from the generated profiles, not from the summary tables. */
  const expected = (communes: readonly string[]) => {
    const inCohort = (c: Child, from: number, to: number) => c.born.slice(0, 7) >= monthsBack(to) && c.born.slice(0, 7) <= monthsBack(from);
    const mine = data.children.filter((c) => communes.includes(c.commune));
    const h = mine.filter((c) => inCohort(c, 0, 11));
    const f = mine.filter((c) => inCohort(c, 12, 23));
    const m = mine.filter((c) => inCohort(c, 24, 35));
    return {
      hepb: [h.filter((c) => c.birthDose).length, h.length],
      // A child of the oldest-but-one month may not have had the first birthday yet: not counted as reached.
      full: [f.filter((c) => c.full && addMonths(c.born, 12) <= TODAY).length, f.length],
      mr: [m.filter((c) => c.mr && addMonths(c.born, 24) <= TODAY).length, m.length],
    };
  };
  const got = (v: Json) => ({
    hepb: [v.hepb_birth_24h.numerator, v.hepb_birth_24h.denominator],
    full: [v.fully_immunized_u1.numerator, v.fully_immunized_u1.denominator],
    mr: [v.mr_by_24m.numerator, v.mr_by_24m.denominator],
  });

  before(async () => {
    ({ app, db, close } = await startTestApp({ config: { reportRefreshSeconds: 0 } }));
    Object.assign(cookie, await seedImmunizationProvince(app, db.db, data.children.map((c, i) => ({ id: c.id, ho_ten: `Trẻ ${i}`, ngay_sinh: c.born, birth_year: Number(c.born.slice(0, 4)), gioi_tinh: 1 + (i % 2), ma_xa: c.commune })), data.doses));
  });
  after(async () => close());
  it('the province, its districts and a commune equal a direct count on the generated children', async () => {
    assert.ok(data.children.length > 100);
    const run = await refreshCoverage(db.db);
    assert.equal(run.communes, 3);
    const province = await call('officer51', `/api/v1/immunization/coverage?unit=51&month=${MONTH}`);
    assert.equal(province.status, 200, JSON.stringify(province.body));
    assert.deepEqual(got(province.body.total), expected(Object.keys(COMMUNES)));
    assert.deepEqual(province.body.rows.map((r: Json) => r.code), ['528', '529'], 'drill-down: the districts');
    assert.deepEqual(got(province.body.rows[0]), expected(['21556', '21557']));
    assert.deepEqual(got(province.body.rows[1]), expected(['21559']));
    assert.equal(province.body.stale_communes, 0);
    const district = await call('officer51', `/api/v1/immunization/coverage?unit=528&month=${MONTH}`);
    assert.deepEqual(district.body.rows.map((r: Json) => r.code), ['21556', '21557'], 'drill-down: the communes');
    assert.deepEqual(got(district.body.rows[1]), expected(['21557']));
    const commune = await call('officer51', `/api/v1/immunization/coverage?unit=21559&month=${MONTH}`);
    assert.deepEqual(got(commune.body.total), expected(['21559']));
    assert.deepEqual(commune.body.rows, []);
    // A second run finds nothing to rebuild.
    assert.equal((await refreshCoverage(db.db)).communes, 0);
  });

  it('a dose recorded at the station marks its commune; the next run rebuilds only that commune', async () => {
    const child = data.children.find((c) => c.commune === '21556' && !c.birthDose && c.born.slice(0, 7) >= monthsBack(11))!;
    assert.ok(child, 'a recent child without the birth dose');
    const before = (await call('officer51', `/api/v1/immunization/coverage?unit=21556&month=${MONTH}`)).body.total.hepb_birth_24h.numerator;
    const r = await app.inject({
      method: 'POST', url: '/api/v1/immunization/station/doses', headers: { cookie: cookie.nurse! },
      payload: { entry_id: crypto.randomUUID(), person_id: child.id, given_on: addMonths(child.born, 0, 1), vaccine: 'VGB' },
    });
    assert.equal(r.statusCode, 201, r.body);
    const stale = await call('officer51', `/api/v1/immunization/coverage?unit=51&month=${MONTH}`);
    assert.equal(stale.body.stale_communes, 1, 'the report says a commune waits for a rebuild');
    assert.equal((await refreshCoverage(db.db)).communes, 1);
    const after = (await call('officer51', `/api/v1/immunization/coverage?unit=21556&month=${MONTH}`)).body.total.hepb_birth_24h.numerator;
    assert.equal(after, before + 1);
  });

  it('XLSX export; officers see only their units; station staff are refused; the read is audited', async () => {
    const x = await call('officer51', `/api/v1/immunization/coverage?unit=51&month=${MONTH}&format=xlsx`);
    assert.equal(x.status, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.raw as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    assert.equal(ws.getRow(3).getCell(2).value, 'Đơn vị');
    assert.equal(ws.getRow(4).getCell(1).value, '528');
    assert.equal(ws.getRow(6).getCell(2).value, 'Toàn Quảng Ngãi');
    assert.equal((await call('officer529', `/api/v1/immunization/coverage?unit=528&month=${MONTH}`)).status, 403);
    assert.equal((await call('officer529', `/api/v1/immunization/coverage?month=${MONTH}`)).body.unit.code, '529');
    assert.equal((await call('nurse', `/api/v1/immunization/coverage?unit=21556&month=${MONTH}`)).status, 403);
    const n = (await sql<{ n: number }>`select count(*)::int as n from audit_event where action = 'immunization.coverage.read'`.execute(db.db)).rows[0]!.n;
    assert.ok(n >= 6);
  });
});
