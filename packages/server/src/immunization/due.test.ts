import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { vietnamToday } from '@openhssk/core';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { IMM_COMMUNES, seededRandom, seedImmunizationProvince } from '../../test-support/immunization.ts';
import { markCoverageDirty, rebuildCommuneCoverage, refreshCoverage } from './coverage.ts';
import { dueHorizon, dueList, refreshDue } from './due.ts';
import { dueFollower } from './due-follower.ts';
import { evaluatePerson } from './history.ts';
import { engineDosesOf, moveVaccinationRows } from './store.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field in assertions
type Json = Record<string, any>;

const TODAY = vietnamToday();
const HORIZON = dueHorizon(TODAY);
const addDays = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const COMMUNES = IMM_COMMUNES;


interface Person {
  id: string;
  ho_ten: string;
  ngay_sinh: string;
  birth_year: number;
  gioi_tinh: number;
  ma_xa: string;
}

/**
 * Children up to 8 years old with the programme's doses given on time, late (catch-up), too early
 * (invalid, the dose stays open) or not at all; women of childbearing age with some tetanus doses;
 * a few men and older persons who are never due.
 */
function generate(): { persons: Person[]; doses: Array<{ person_id: string; given_on: string; vaccine: string }> } {
  const next = seededRandom(79);
  const persons: Person[] = [];
  const doses: Array<{ person_id: string; given_on: string; vaccine: string }> = [];
  let n = 0;
  const plan: Array<[string, number]> = [
    ['VGB', 0], ['BCG', 30], ['DPT-VGB-Hib', 61], ['bOPV', 61], ['DPT-VGB-Hib', 91], ['bOPV', 91], ['DPT-VGB-Hib', 122], ['bOPV', 122], ['IPV', 152],
    ['Measles', 274], ['MR', 548], ['DPT', 548], ['JE', 365], ['JE', 372], ['JE', 730],
  ];
  for (const commune of Object.keys(COMMUNES)) {
    for (let i = 0; i < 45; i++) {
      const born = addDays(TODAY, -Math.floor(next() * 8 * 365));
      const p = { id: `P${n++}`, ho_ten: `Trẻ ${n}`, ngay_sinh: born, birth_year: Number(born.slice(0, 4)), gioi_tinh: 1 + (i % 2), ma_xa: commune };
      persons.push(p);
      const style = next();
      for (const [vaccine, day] of plan) {
        if (next() < (style < 0.3 ? 0.95 : style < 0.7 ? 0.7 : 0.3)) {
          // On time, late by up to a year (catch-up), or a few weeks too early (invalid: the dose stays open).
          const shift = next() < 0.1 ? -25 : next() < 0.5 ? Math.floor(next() * 365) : Math.floor(next() * 20);
          const on = addDays(born, Math.max(0, day + shift));
          if (on <= TODAY) doses.push({ person_id: p.id, given_on: on, vaccine });
        }
      }
    }
    for (let i = 0; i < 12; i++) {
      const woman = i < 9;
      const born = addDays(TODAY, -Math.floor((woman ? 15 + next() * 34 : 20 + next() * 60) * 365));
      const p = { id: `P${n++}`, ho_ten: `Người ${n}`, ngay_sinh: born, birth_year: Number(born.slice(0, 4)), gioi_tinh: woman ? 2 : 1, ma_xa: commune };
      persons.push(p);
      if (woman) for (let k = 0; k < Math.floor(next() * 4); k++) doses.push({ person_id: p.id, given_on: addDays(TODAY, -Math.floor(next() * 3 * 365)), vaccine: 'TT' });
    }
  }
  return { persons, doses };
}

const key = (person: string, series: string, dose: number, status: string) => `${person}|${series}|${dose}|${status}`;

describe(`immunization due state (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  const cookie: Record<string, string> = {};
  const data = generate();
  const call = async (who: string, url: string) => {
    const r = await app.inject({ method: 'GET', url, headers: { cookie: cookie[who]! } });
    return { status: r.statusCode, body: r.json() as Json };
  };

  /** The live engine on every generated person, on day `on`: each series' next dose when due or overdue. */
  const live = async (on: string, communes: readonly string[] = Object.keys(COMMUNES)) => {
    const mine = data.persons.filter((p) => communes.includes(p.ma_xa));
    const doses = await engineDosesOf(db.db, mine.map((p) => p.id));
    const out = new Set<string>();
    for (const p of mine) {
      const e = evaluatePerson(p, doses.get(p.id) ?? [], on);
      for (const s of e?.series ?? []) if (s.next && (s.next.status === 'due' || s.next.status === 'overdue')) out.add(key(p.id, s.series, s.next.dose, s.next.status));
    }
    return out;
  };
  /** The same read from the table through the due list (every person, one page). */
  const cached = async (on: string, unit = '51') => {
    const r = await dueList(db.db, { unit, on, status: 'all', group: 'all', limit: 100_000 });
    const out = new Set<string>();
    for (const p of r.page) for (const d of p.doses) out.add(key(p.person_id, d.series, d.dose, d.overdue_on !== null && d.overdue_on <= on ? 'overdue' : 'due'));
    return { set: out, list: r };
  };
  const tableRows = async () =>
    (await sql<Json>`select person_id, series, dose, commune_code, born, due_on::text, overdue_on::text, last_on::text from imm_due order by person_id, series`.execute(db.db)).rows;

  before(async () => {
    ({ app, db, close } = await startTestApp({ config: { reportRefreshSeconds: 0 } }));
    Object.assign(cookie, await seedImmunizationProvince(app, db.db, data.persons, data.doses));
  });
  after(async () => close());

  it('the rows the coverage refresh builds equal the live engine today and on later days up to the horizon, and the per-person path writes the same rows', async () => {
    assert.equal((await refreshCoverage(db.db)).communes, 3);
    const days = [TODAY, addDays(TODAY, 1), addDays(TODAY, 9), addDays(TODAY, 20), HORIZON].filter((d) => d <= HORIZON);
    let compared = 0;
    for (const on of days) {
      const want = await live(on);
      const got = (await cached(on)).set;
      const differ = [...[...got].filter((k) => !want.has(k)).map((k) => `table only ${k}`), ...[...want].filter((k) => !got.has(k)).map((k) => `engine only ${k}`)];
      assert.deepEqual(differ, [], `day ${on}`);
      compared += want.size;
    }
    // The generated persons exercise the interesting cases.
    const today = await live(TODAY);
    assert.ok([...today].some((k) => k.endsWith('|overdue')) && [...today].some((k) => k.endsWith('|due')), 'both statuses occur');
    assert.ok([...today].some((k) => k.includes('|tetanus_women|')), 'women are due for tetanus');
    assert.ok(compared > 200, `compared ${compared}`);
    const built = await tableRows();
    await sql`delete from imm_due`.execute(db.db);
    await refreshDue(db.db, data.persons.map((p) => p.id));
    assert.deepEqual(await tableRows(), built, 'per-person recomputation = commune rebuild');
  });

  it('the province answers counts per antigen and district that equal the list, pages by keyset without gaps, and audits each person shown', async () => {
    const { list } = await cached(TODAY);
    const children = list.page.filter((p) => p.ngay_sinh >= `${Number(TODAY.slice(0, 4)) - 14}-01-01`);
    const r = await call('officer51', `/api/v1/immunization/due?unit=51&on=${TODAY}&limit=500`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.group, 'children');
    assert.equal(r.body.total.persons, children.length);
    assert.deepEqual(r.body.persons.map((p: Json) => p.person_id), children.map((p) => p.person_id));
    const doses = children.flatMap((p) => p.doses);
    assert.equal(r.body.total.due + r.body.total.overdue, doses.length);
    assert.deepEqual(r.body.rows.map((x: Json) => x.code), ['528', '529'], 'drill-down: the districts');
    assert.equal(r.body.rows[0].persons, children.filter((p) => p.commune_code !== '21559').length);
    const dtp = r.body.by_antigen.find((a: Json) => a.antigen === 'diphtheria');
    const dtpSeries = r.body.by_series.filter((s: Json) => ['dpt_vgb_hib', 'dtp_booster', 'td_7y'].includes(s.series));
    assert.equal(dtp.due + dtp.overdue, dtpSeries.reduce((n: number, s: Json) => n + s.due + s.overdue, 0));
    const first = r.body.persons[0];
    assert.match(first.ho_ten, /^Trẻ /);
    assert.ok(first.doses.every((d: Json) => d.date === (d.status === 'overdue' ? d.overdue_on : d.due_on)));

    // Keyset pages of 7 walk the same list.
    const walked: string[] = [];
    let after: string | null = null;
    do {
      const page: { status: number; body: Json } = await call('officer51', `/api/v1/immunization/due?unit=51&on=${TODAY}&limit=7${after ? `&after=${after}` : ''}`);
      walked.push(...page.body.persons.map((p: Json) => p.person_id));
      after = page.body.next;
    } while (after);
    assert.deepEqual(walked, children.map((p) => p.person_id));

    const overdue = await call('officer51', `/api/v1/immunization/due?unit=528&on=${TODAY}&status=overdue&antigen=measles&limit=500`);
    assert.deepEqual(overdue.body.rows.map((x: Json) => x.code), ['21556', '21557']);
    assert.ok(overdue.body.persons.every((p: Json) => p.commune_code !== '21559' && p.doses.every((d: Json) => d.status === 'overdue' && ['measles', 'mr'].includes(d.series))));
    assert.ok(overdue.body.persons.length > 0);

    const audited = (await sql<{ n: number }>`select count(*)::int as n from audit_event where action = 'immunization.due.read' and person_id is not null`.execute(db.db)).rows[0]!.n;
    assert.equal(audited, children.length * 2 + overdue.body.persons.length);
  });

  it('officers see only their units, station staff only their commune; days outside today..horizon are refused', async () => {
    assert.equal((await call('officer529', `/api/v1/immunization/due?unit=528`)).status, 403);
    assert.equal((await call('officer529', `/api/v1/immunization/due`)).body.unit.code, '529');
    const mine = await call('nurse', `/api/v1/immunization/due`);
    assert.equal(mine.status, 200);
    assert.equal(mine.body.unit.code, '21556');
    assert.equal((await call('nurse', `/api/v1/immunization/due?unit=51`)).status, 403);
    assert.equal((await call('officer51', `/api/v1/immunization/due?on=${addDays(TODAY, -1)}`)).status, 400);
    assert.equal((await call('officer51', `/api/v1/immunization/due?on=${addDays(HORIZON, 1)}`)).status, 400);
    assert.equal((await call('officer51', `/api/v1/immunization/due?after=bm9wZQ`)).status, 400);
  });

  it('a dose recorded at the station rewrites that child’s rows in its transaction', async () => {
    const before = await live(TODAY, ['21556']);
    const open = [...before].map((k) => k.split('|')).find(([, series]) => series === 'dpt_vgb_hib' || series === 'bcg')!;
    assert.ok(open, 'a child of 21556 due for BCG or 5-in-1');
    const r = await app.inject({
      method: 'POST', url: '/api/v1/immunization/station/doses', headers: { cookie: cookie.nurse! },
      payload: { entry_id: crypto.randomUUID(), person_id: open[0], given_on: TODAY, vaccine: open[1] === 'bcg' ? 'BCG' : 'DPT-VGB-Hib' },
    });
    assert.equal(r.statusCode, 201, r.body);
    const got = (await cached(TODAY, '21556')).set;
    assert.ok(!got.has(open.join('|')), 'the dose given is no longer listed');
    assert.deepEqual([...got].sort(), [...(await live(TODAY, ['21556']))].sort());
  });

  it('a move hides the rows until the commune is rebuilt; a merge recomputes both persons', async () => {
    const child = data.persons.find((p) => p.ma_xa === '21559' && p.id !== 'x' && p.gioi_tinh === 1 && p.ngay_sinh > addDays(TODAY, -3 * 365))!;
    const had = (await cached(TODAY, '21559')).list.page.some((p) => p.person_id === child.id);
    assert.ok(had);
    await sql`update person set ma_xa = '21557' where id = ${child.id}`.execute(db.db);
    assert.ok(!(await cached(TODAY)).list.page.some((p) => p.person_id === child.id), 'the stale row is not shown');
    await markCoverageDirty(db.db, ['21557']);
    await refreshCoverage(db.db);
    assert.equal((await cached(TODAY, '21557')).list.page.find((p) => p.person_id === child.id)?.commune_code, '21557');
    await sql`update person set ma_xa = '21559' where id = ${child.id}`.execute(db.db);
    await markCoverageDirty(db.db, ['21559']);
    await refreshCoverage(db.db);

    // A merge: the book's follower moves the doses, then the due state follows.
    const [from, to] = data.persons.filter((p) => p.ma_xa === '21557' && p.ngay_sinh > addDays(TODAY, -2 * 365));
    assert.ok(from && to);
    await db.db.transaction().execute(async (tx) => {
      await moveVaccinationRows(tx, [{ from: from.id, to: to.id }]);
      await dueFollower.move(tx, [{ from: from.id, to: to.id }]);
    });
    const rows = await tableRows();
    assert.ok(!rows.some((r) => r.person_id === from.id), 'no rows stay on the merged-in person');
    assert.deepEqual([...(await cached(TODAY, '21557')).set].sort(), [...(await live(TODAY, ['21557']))].filter((k) => !k.startsWith(`${from.id}|`)).sort());
  });

  it('a commune rebuild started while a dose refresh is open waits for it and writes rows no older than that dose', { skip: process.env.HSSK_TEST_DB !== 'postgres' && 'two connections: PostgreSQL only' }, async () => {
    const child = data.persons.find((p) => p.ma_xa === '21556' && p.ngay_sinh > addDays(TODAY, -2 * 365) && p.ngay_sinh < addDays(TODAY, -200))!;
    const before = (await tableRows()).filter((r) => r.person_id === child.id);
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let entered!: () => void;
    const inside = new Promise<void>((r) => { entered = r; });
    // A correction that removes the child's doses and refreshes its rows, held open on one connection.
    const dose = db.db.transaction().execute(async (tx) => {
      await sql`delete from vaccination where person_id = ${child.id}`.execute(tx);
      await refreshDue(tx, [child.id]);
      entered();
      await held;
    });
    await inside;
    // The rebuild on another connection: without the commune lock it computed the child from the
    // committed doses, then collided with (or overwrote) the open transaction's rows.
    const rebuild = rebuildCommuneCoverage(db.db, '21556', TODAY);
    await new Promise((r) => setTimeout(r, 300));
    release();
    await dose;
    await rebuild;
    const after = (await tableRows()).filter((r) => r.person_id === child.id);
    assert.notDeepEqual(after, before, 'the rows are the ones computed without the doses');
    assert.deepEqual([...(await cached(TODAY, '21556')).set].sort(), [...(await live(TODAY, ['21556']))].sort());
  });
});
