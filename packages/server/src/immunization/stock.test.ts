import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { vietnamToday } from '@openhssk/core';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { staffSessions } from '../../test-support/staff.ts';
import { COMMUNE_A, STATION_STAFF, twoCommuneStations } from '../../test-support/stations.ts';
import { upsertPersons } from '../person/index.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field in assertions
type Json = Record<string, any>;

const TODAY = vietnamToday();
const shift = (iso: string, months: number, days = 0) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};
const A = COMMUNE_A;
const CHILDREN = Array.from({ length: 6 }, (_, i) => ({
  id: `CHILD${i}`, ho_ten: `Trẻ ${i}`, ngay_sinh: shift(TODAY, -20), birth_year: Number(shift(TODAY, -20).slice(0, 4)), gioi_tinh: 1 + (i % 2), ma_xa: A,
}));
// Infants due for BCG and hepatitis B this month: the plan needs vaccine.
const INFANTS = Array.from({ length: 4 }, (_, i) => ({
  id: `INF${i}`, ho_ten: `Sơ sinh ${i}`, ngay_sinh: shift(TODAY, 0, -3), birth_year: Number(shift(TODAY, 0, -3).slice(0, 4)), gioi_tinh: 1, ma_xa: A,
}));

describe(`immunization: vaccine stock at a station (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  const cookie: Record<string, string> = {};
  const call = async (who: string | undefined, method: 'GET' | 'POST', url: string, payload?: object) => {
    const r = await app.inject({ method, url, headers: who ? { cookie: cookie[who]! } : {}, ...(payload ? { payload } : {}) });
    return { status: r.statusCode, body: r.json() as Json };
  };
  const receipt = (over: Record<string, unknown> = {}) => ({
    entry_id: crypto.randomUUID(), vaccine: 'MR', lot_no: 'MR-01', expires_on: shift(TODAY, 12), doses_per_vial: 10, vials: 3, received_on: shift(TODAY, -2), ...over,
  });

  before(async () => {
    ({ app, db, close } = await startTestApp());
    await twoCommuneStations(db.db, { name: 'xã Đức Nhuận', district: '529' });
    await upsertPersons(db.db, [...CHILDREN, ...INFANTS]);
    Object.assign(cookie, (await staffSessions(app, db.db, STATION_STAFF)).cookie);
  });
  after(async () => close());

  it('receipts are recorded once per entry id, audited, and refused to those who do not vaccinate', async () => {
    const r = receipt();
    const first = await call('nurseA', 'POST', '/api/v1/immunization/stock/receipts', r);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.result.doses, 30);
    const again = await call('nurseA', 'POST', '/api/v1/immunization/stock/receipts', r);
    assert.equal(again.status, 200);
    assert.equal(again.body.status, 'already_applied');
    assert.equal(again.body.result.receipt_id, first.body.result.receipt_id);
    const reused = await call('nurseA', 'POST', '/api/v1/immunization/stock/receipts', { ...r, vials: 4 });
    assert.equal(reused.status, 409);
    assert.equal(reused.body.code, 'ENTRY_ID_REUSED');
    assert.equal((await call('collabA', 'POST', '/api/v1/immunization/stock/receipts', receipt())).status, 403);
    assert.equal((await call('officer528', 'POST', '/api/v1/immunization/stock/receipts', receipt())).status, 403);
    const bad = await call('nurseA', 'POST', '/api/v1/immunization/stock/receipts', receipt({ vaccine: 'Không có' }));
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'VACCINE_UNKNOWN');
    const audited = (await sql<{ n: number }>`select count(*)::int as n from audit_event where action = 'immunization.stock.receipt'`.execute(db.db)).rows[0]!.n;
    assert.equal(audited, 1);
  });

  it('the offline batch answers each receipt; doses given draw the stock down, opened multi-dose vials are wasted by rule, expiry is alerted', async () => {
    const batch = await call('nurseA', 'POST', '/api/v1/immunization/stock/receipts/batch', {
      entries: [
        receipt({ vaccine: 'BCG', lot_no: 'BCG-9', doses_per_vial: 20, vials: 1, expires_on: shift(TODAY, 0, 10) }),
        receipt({ vaccine: 'VGB', lot_no: 'VGB-1', doses_per_vial: 1, vials: 2, expires_on: shift(TODAY, 6) }),
        { entry_id: crypto.randomUUID(), vaccine: 'MR' },
      ],
    });
    assert.equal(batch.status, 200, JSON.stringify(batch.body));
    assert.deepEqual([batch.body.applied, batch.body.refused], [2, 1]);
    assert.equal(batch.body.results[2].error.code, 'VALIDATION_FAILED');

    // Three MR doses yesterday from one 10-dose vial (session rule: 7 wasted), two BCG today (vial still open).
    for (const [i, vaccine, on, lot] of [
      [0, 'MR', shift(TODAY, 0, -1), 'MR-01'], [1, 'MR', shift(TODAY, 0, -1), 'MR-01'], [2, 'MR', shift(TODAY, 0, -1), null],
      [0, 'BCG', TODAY, null], [1, 'BCG', TODAY, 'BCG-9'],
    ] as const) {
      const r = await call('nurseA', 'POST', '/api/v1/immunization/station/doses', { entry_id: crypto.randomUUID(), person_id: vaccine === 'BCG' ? `INF${i}` : `CHILD${i}`, given_on: on, vaccine, ...(lot ? { lot_no: lot } : {}) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    const stock = await call('nurseA', 'GET', '/api/v1/immunization/stock');
    assert.equal(stock.status, 200, JSON.stringify(stock.body));
    const p = (id: string) => stock.body.products.find((x: Json) => x.product === id);
    assert.deepEqual([p('MR').received_doses, p('MR').used_doses, p('MR').wasted_doses, p('MR').on_hand_doses], [30, 3, 7, 20]);
    assert.deepEqual([p('BCG').used_doses, p('BCG').wasted_doses, p('BCG').on_hand_doses], [2, 0, 18]);
    assert.deepEqual(p('BCG').opened_vial_rule, { keep: 'session' });
    assert.deepEqual(p('VGB').on_hand_doses, 2);
    assert.deepEqual(stock.body.alerts.map((a: Json) => [a.product, a.kind]), [['BCG', 'expiring']]);
    // Tomorrow the open BCG vial is discarded.
    const tomorrow = await call('nurseA', 'GET', `/api/v1/immunization/stock?as_of=${shift(TODAY, 0, 1)}`);
    assert.equal(tomorrow.body.products.find((x: Json) => x.product === 'BCG').wasted_doses, 18);
  });

  it('the month plan warns when the stock on hand cannot cover the planned supply', async () => {
    const plan = await call('nurseA', 'GET', `/api/v1/immunization/plan?month=${TODAY.slice(0, 7)}`);
    assert.equal(plan.status, 200, JSON.stringify(plan.body));
    const needs = new Map(plan.body.vaccine_needs.map((n: Json) => [n.product, n.supplyDoses]));
    const short = new Map(plan.body.stock_shortfalls.map((s: Json) => [s.product, s]));
    for (const [product, supply] of needs) {
      const s = short.get(product) as Json | undefined;
      if (s) assert.equal(s.short_doses, (supply as number) - s.on_hand_doses);
    }
    assert.ok(short.size > 0, 'infants due this month need vaccine the station does not hold in full');
  });

  it('officers read the stock of communes under them only; another station is answered as forbidden', async () => {
    const officer = await call('officer528', 'GET', `/api/v1/immunization/stock?commune=${A}`);
    assert.equal(officer.status, 200);
    assert.equal(officer.body.facility_code, '51242');
    assert.equal((await call('officer529', 'GET', `/api/v1/immunization/stock?commune=${A}`)).status, 403);
    const other = await call('nurseB', 'GET', '/api/v1/immunization/stock');
    assert.equal(other.body.facility_code, '51243');
    assert.deepEqual(other.body.lots, []);
    assert.equal((await call(undefined, 'GET', '/api/v1/immunization/stock')).status, 401);
  });
});
