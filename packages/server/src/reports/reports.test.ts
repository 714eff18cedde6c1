import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addDays, vietnamToday } from '@openhssk/core';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { startTestApp } from '../../test-support/app.ts';
import { staffSession } from '../../test-support/staff.ts';
import type { Db } from '../db/index.ts';
import { childUnits } from './kpis.ts';
import { refreshReports } from './refresh.ts';

// Rows below are back-dated, which a background refresh racing the setup could step over.
process.env.HSSK_REPORT_REFRESH_SECONDS = '0';

type App = Awaited<ReturnType<typeof startTestApp>>;

const today = vietnamToday();
const daysAgo = (n: number) => addDays(today, -n);
/** A Viet Nam local wall-clock time n days (plus h hours) before now, and the same instant as UTC. */
const vnLocal = (d: Date) => new Date(d.getTime() + 7 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');

interface P {
  id: string;
  ma_xa: string;
  resident: boolean;
  cccd: string | null;
  bhyt: string | null;
  ngay_sinh: string | null;
  dia_chi: string | null;
  phone: string | null;
  stale: boolean;
  consent: 'none' | 'active' | 'withdrawn';
  /** New data about the person and how many days ago it arrived. Visits are not health data. */
  data: Array<{ kind: 'episode' | 'visit' | 'vaccination' | 'declaration'; ago: number }>;
}

const COMMUNES = ['21001', '21002', '21101'];
const FAC: Record<string, { unit: string; bhyt: boolean }> = {
  '51001': { unit: '21001', bhyt: true },
  '51002': { unit: '21002', bhyt: true },
  '51003': { unit: '528', bhyt: false },
  '51101': { unit: '21101', bhyt: true },
};

function makePersons(): P[] {
  const out: P[] = [];
  for (let i = 0; i < 60; i++) {
    out.push({
      id: `P${String(i).padStart(4, '0')}`,
      ma_xa: COMMUNES[i % 3]!,
      resident: i % 10 !== 9,
      // Every 4th CCCD missing, every 7th malformed (province 099 does not exist).
      cccd: i % 4 === 0 ? null : i % 7 === 0 ? `0991${String(80000000 + i)}` : `0510${String(80000000 + i)}`,
      bhyt: i % 5 === 0 ? null : i % 11 === 0 ? 'XX9123' : `DN451${String(5100000000 + i)}`,
      ngay_sinh: i % 6 === 0 ? null : '1980-01-01',
      dia_chi: i % 8 === 0 ? null : 'Thôn 1',
      phone: i % 2 === 0 ? '0905000000' : null,
      stale: i % 9 === 0,
      consent: i % 3 === 0 ? 'active' : i % 13 === 0 ? 'withdrawn' : 'none',
      data: [
        ...(i % 5 === 1 ? [{ kind: 'episode' as const, ago: 10 }] : []),
        ...(i % 10 === 7 ? [{ kind: 'episode' as const, ago: 400 }] : []),
        ...(i % 5 === 2 ? [{ kind: 'vaccination' as const, ago: i % 2 === 0 ? 5 : 450 }] : []),
        ...(i % 7 === 3 ? [{ kind: 'declaration' as const, ago: 3 }] : []),
        ...(i % 6 === 4 ? [{ kind: 'visit' as const, ago: 1 }] : []),
      ],
    });
  }
  return out;
}

interface E {
  facility: string;
  ma_lk: string;
  version: number;
  received: Date;
  /** Discharge hours before receipt; null = not discharged. */
  delayH: number | null;
  xml13: number;
  xml14: number;
  person?: string;
  /** SO_CCCD as sent: 12 digits counts as identified, anything else does not. */
  cccd: string | null;
}

let eseq = 0;
function makeEpisodes(n: number, offsetDays: number): E[] {
  const facs = Object.keys(FAC);
  const delays = [null, 0.5, 3, 10, 30, 100, 200, 1000, -2];
  const out: E[] = [];
  for (let i = 0; i < n; i++) {
    eseq++;
    const received = new Date(Date.now() - (offsetDays + (i % 20)) * 86400_000 - 3600_000);
    out.push({ facility: facs[i % facs.length]!, ma_lk: `LK${eseq}`, version: 1, received, delayH: delays[i % delays.length]!, xml13: i % 5 === 0 ? 1 : 0, xml14: i % 4 === 0 ? 2 : 0,
      cccd: i % 3 === 0 ? `0510${String(90000000 + eseq)}` : i % 3 === 1 ? null : '05109' });
  }
  return out;
}

async function insertEpisodes(db: Db, eps: E[]) {
  for (const e of eps) {
    const sub = `S-${e.ma_lk}-${e.version}`;
    await sql`insert into submission (id, facility_code, channel, received_at, sha256, size_bytes, status, episode_count, accepted_count, warning_count, rejected_count, receipt)
              values (${sub}, ${e.facility}, 'api', ${e.received}, ${sub}, 1, 'accepted', 1, 0, 0, 0, '{}')`.execute(db);
    const ngayRa = e.delayH === null ? null : vnLocal(new Date(e.received.getTime() - e.delayH * 3600_000));
    const ngayVao = vnLocal(new Date(e.received.getTime() - 2000 * 3600_000));
    const r = await sql<{ id: number }>`
      insert into episode (facility_code, ma_lk, version, is_current, submission_id, patient_source_id, status, ma_bn, ho_ten, ma_loai_kcb, ngay_vao, ngay_ra, content_sha256, xml1, received_at, person_id, so_cccd)
      values (${e.facility}, ${e.ma_lk}, ${e.version}, false, ${sub}, 'X', 'accepted', 'BN', 'Nguyễn Văn A', '01', ${ngayVao}::timestamp, ${ngayRa}::timestamp, 'h', '{}', ${e.received},
              ${e.person ?? null}, ${e.cccd})
      returning id`.execute(db);
    const id = r.rows[0]!.id;
    for (let k = 0; k < e.xml13; k++) await sql`insert into episode_row (episode_id, tbl, row_no, fields) values (${id}, 'XML13', ${k}, '{}')`.execute(db);
    for (let k = 0; k < e.xml14; k++) await sql`insert into episode_row (episode_id, tbl, row_no, fields) values (${id}, 'XML14', ${k}, '{}')`.execute(db);
  }
}

/** The expected figures, computed in JavaScript from the generated rows (not through SQL). */
function expectedEpisodes(eps: E[], units: string[], from: string, to: string) {
  const day = (d: Date) => vnLocal(d).slice(0, 10);
  const sel = eps.filter((e) => e.version === 1 && units.includes(FAC[e.facility]!.unit) && day(e.received) >= from && day(e.received) <= to);
  const discharged = sel.filter((e) => e.delayH !== null);
  return {
    episodes: sel.length,
    withCccd: sel.filter((e) => e.cccd !== null && /^[0-9]{12}$/.test(e.cccd)).length,
    discharged: discharged.length,
    within24: discharged.filter((e) => (e.delayH ?? 0) < 24).length,
    referrals: sel.reduce((a, e) => a + e.xml13, 0),
    reexams: sel.reduce((a, e) => a + e.xml14, 0),
  };
}

describe('reports', () => {
  let t: App;
  let admin: string;
  let officer528: string;
  let officer529: string;
  let reception: string;
  const persons = makePersons();
  const episodes: E[] = [];
  const visits: Array<{ facility: string; method: string; day: string }> = [];

  before(async () => {
    t = await startTestApp();
    const db = t.db.db;
    await sql`insert into admin_unit (code, level, name, parent_code, valid_to) values
      ('51', 'province', 'Tỉnh Quảng Ngãi', null, null),
      ('528', 'district', 'Huyện Tư Nghĩa', '51', '2025-06-30'),
      ('529', 'district', 'Huyện Mộ Đức', '51', '2025-06-30'),
      ('21001', 'commune', 'Xã Nghĩa Kỳ', '528', null),
      ('21002', 'commune', 'Xã Nghĩa Hòa', '528', null),
      ('21101', 'commune', 'Xã Đức Phổ', '529', null)`.execute(db);
    for (const [code, f] of Object.entries(FAC)) {
      await sql`insert into facility (code, name, admin_unit_code, bhyt_contract) values (${code}, ${`Cơ sở ${code}`}, ${f.unit}, ${f.bhyt})`.execute(db);
    }
    for (const p of persons) {
      const upd = p.stale ? new Date(Date.now() - 500 * 86400_000) : new Date();
      await sql`insert into person (id, ho_ten, name_key, ngay_sinh, gioi_tinh, so_cccd, so_bhyt, dia_chi, so_dien_thoai, ma_xa, updated_at)
                values (${p.id}, 'Nguyễn Văn A', 'nguyen van a', ${p.ngay_sinh}, 1, ${p.cccd}, ${p.bhyt}, ${p.dia_chi}, ${p.phone}, ${p.ma_xa}, ${upd})`.execute(db);
      const sys = p.resident ? 'MIS2022' : 'KCB';
      await sql`insert into source_record (source_system, source_id, ho_ten, content_hash, person_id, ma_xa) values (${sys}, ${p.id}, 'x', 'h', ${p.id}, ${p.ma_xa})`.execute(db);
      if (p.consent !== 'none') {
        await sql`insert into citizen_account (subject, person_id, consent_at, consent_withdrawn_at)
                  values (${`S${p.id}`}, ${p.id}, now() - interval '2 days', ${p.consent === 'withdrawn' ? sql`now() - interval '1 day'` : null})`.execute(db);
      }
    }
    // Each person's new data, back-dated to when it arrived.
    let pv = 0;
    for (const p of persons) {
      for (const d of p.data) {
        const at = new Date(Date.now() - d.ago * 86400_000);
        if (d.kind === 'episode') {
          eseq++;
          const e: E = { facility: '51001', ma_lk: `LKP${eseq}`, version: 1, received: at, delayH: 2, xml13: 0, xml14: 0, person: p.id, cccd: p.cccd };
          // Inserted with the others below.
          episodes.push(e);
        } else if (d.kind === 'visit') {
          await sql`insert into visit (facility_code, ma_lk, person_id, patient_source_id, ho_ten, ngay_vao, id_method, status, checkin, received_at)
                    values ('51002', ${`VP${pv++}`}, ${p.id}, 'X', 'A', ${`${daysAgo(d.ago)} 08:00:00`}::timestamp, 'chip_cccd', 'open', '{}', ${at})`.execute(db);
          visits.push({ facility: '51002', method: 'chip_cccd', day: daysAgo(d.ago) });
        } else if (d.kind === 'vaccination') {
          await sql`insert into vaccination (person_id, vaccine_name, given_on, source, created_at, updated_at)
                    values (${p.id}, 'Viêm gan B', ${daysAgo(d.ago)}, 'test', ${at}, ${at})`.execute(db);
        } else {
          await sql`insert into citizen_declaration (person_id, kind, title, declared_by, created_at, updated_at)
                    values (${p.id}, 'allergy', 'Dị ứng penicillin', ${p.cccd ?? 'x'}, ${at}, ${at})`.execute(db);
        }
      }
    }
    // Two pending duplicate pairs in 21001 (P0000, P0003 live there).
    await sql`insert into mpi_review (a_system, a_id, b_system, b_id, score) values ('MIS2022', 'P0003', 'MIS2022', 'P0006', 0.8), ('MIS2022', 'P0012', 'MIS2022', 'P0015', 0.8)`.execute(db);
    episodes.push(...makeEpisodes(90, 0), ...makeEpisodes(9, 200));
    // A resubmission (version 2) of an earlier episode is a correction, not a new episode.
    episodes.push({ ...episodes[1]!, version: 2, received: new Date(Date.now() - 3600_000) });
    await insertEpisodes(db, episodes);
    const methods = ['xml0', 'vneid_qr', 'chip_cccd', 'vneid_qr', 'bhyt_card', 'typed', 'vneid_qr'];
    for (let i = 0; i < 40; i++) {
      const facility = Object.keys(FAC)[i % 4]!;
      const method = methods[i % methods.length]!;
      const day = daysAgo(i % 10);
      visits.push({ facility, method, day });
      await sql`insert into visit (facility_code, ma_lk, patient_source_id, ho_ten, ngay_vao, id_method, status, checkin)
                values (${facility}, ${`V${i}`}, 'X', 'A', ${`${day} 08:00:00`}::timestamp, ${method}, 'open', '{}')`.execute(db);
    }
    // Integration: 51001 sent 2 days ago (accepted), 51002 only 20 days ago, 51101 today but all rejected.
    const subs: Array<[string, number, number]> = [['51001', 2, 3], ['51002', 20, 5], ['51101', 0, 0]];
    for (const [f, ago, accepted] of subs) {
      const id = `SUB-${f}`;
      await sql`insert into submission (id, facility_code, channel, received_at, sha256, size_bytes, status, episode_count, accepted_count, warning_count, rejected_count, receipt)
                values (${id}, ${f}, 'api', ${new Date(Date.now() - ago * 86400_000)}, ${id}, 1, 'done', 1, ${accepted}, 0, 0, '{}')`.execute(db);
    }
    admin = (await staffSession(t.app, db, { username: 'quantri', fullName: 'Quản trị', role: 'system_admin' })).cookie;
    officer528 = (await staffSession(t.app, db, { username: 'cb528', fullName: 'Cán bộ 528', role: 'health_officer', adminUnitCode: '528' })).cookie;
    officer529 = (await staffSession(t.app, db, { username: 'cb529', fullName: 'Cán bộ 529', role: 'health_officer', adminUnitCode: '529' })).cookie;
    await sql`insert into facility (code, name, admin_unit_code, bhyt_contract) values ('51999', 'Phòng khám', '21001', false) on conflict do nothing`.execute(db);
    reception = (await staffSession(t.app, db, { username: 'letan', fullName: 'Lễ tân', role: 'receptionist', facilityCode: '51999' })).cookie;
    await refreshReports(db, { holdbackSeconds: 0 });
  });
  after(() => t.close());

  const kpis = async (cookie: string, unit: string, from = daysAgo(60), to = today) =>
    t.app.inject({ method: 'GET', url: `/api/v1/reports/kpis?unit=${unit}&from=${from}&to=${to}`, headers: { cookie } });

  it('person figures equal a direct count', async () => {
    const from = daysAgo(60);
    const r = await kpis(admin, '528', from);
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json();
    const sel = persons.filter((p) => p.resident && (p.ma_xa === '21001' || p.ma_xa === '21002'));
    const identity = (p: P) => Boolean(p.cccd && p.ngay_sinh && p.dia_chi);
    const health = (p: P) => p.data.some((d) => d.kind !== 'visit');
    assert.ok(sel.some(identity) && sel.some((p) => identity(p) && !health(p)) && sel.some((p) => identity(p) && health(p)));
    assert.equal(body.kpis.residents, sel.length);
    assert.equal(body.kpis.withIdentity, sel.filter(identity).length);
    assert.equal(body.kpis.withHealthData, sel.filter(health).length);
    assert.equal(body.kpis.withRecord, sel.filter((p) => identity(p) && health(p)).length);
    assert.equal(body.kpis.rates.withRecord, sel.filter((p) => identity(p) && health(p)).length / sel.length);
    assert.equal(body.kpis.withBhyt, sel.filter((p) => p.bhyt).length);
    assert.equal(body.kpis.activated, sel.filter((p) => p.consent === 'active').length);
    assert.equal(body.kpis.integratedResidents, sel.filter((p) => p.consent === 'active' && p.bhyt).length);
    // sống: the record changed or any data arrived in the period (month granularity: from its first month).
    const month = (ago: number) => vnLocal(new Date(Date.now() - ago * 86400_000)).slice(0, 7);
    const fresh = (p: P, fromDay: string) => !p.stale || p.data.some((d) => month(d.ago) >= fromDay.slice(0, 7));
    assert.ok(sel.some((p) => p.stale && fresh(p, from)) && sel.some((p) => p.stale && !fresh(p, from)));
    assert.equal(body.kpis.quality.fresh, sel.filter((p) => fresh(p, from)).length / sel.length);
    const present = sel.filter((p) => p.cccd).length + sel.filter((p) => p.bhyt).length;
    const valid = sel.filter((p) => p.cccd?.startsWith('051')).length + sel.filter((p) => p.bhyt?.startsWith('DN')).length;
    assert.equal(body.kpis.quality.valid, valid / present);
    const filled = sel.reduce((a, p) => a + 2 + [p.cccd, p.bhyt, p.ngay_sinh, p.dia_chi, p.phone].filter(Boolean).length, 0);
    assert.equal(body.kpis.quality.complete, filled / (sel.length * 7));
    assert.equal(body.kpis.quality.pendingReviews, 2);
    const c1 = body.children.find((c: { unit: { code: string } }) => c.unit.code === '21001');
    assert.equal(c1.kpis.residents, persons.filter((p) => p.resident && p.ma_xa === '21001').length);
    // The chronic-care block reads the same precomputed residents (the population list, not every person placed in the commune).
    const chronic = new Map((body.chronic_care.units as Array<{ unit: string; residents: number }>).map((u) => [u.unit, u.residents]));
    assert.equal(chronic.get('528'), sel.length);
    assert.equal(chronic.get('21001'), c1.kpis.residents);
    assert.ok(persons.some((p) => !p.resident && p.ma_xa === '21001'), 'the fixture has persons in 21001 off the population list');
  });

  it('episode, visit and integration figures equal a direct count', async () => {
    const from = daysAgo(60);
    const body = (await kpis(admin, '51', from, today)).json();
    const exp = expectedEpisodes(episodes, ['21001', '21002', '21101', '528'], from, today);
    assert.equal(body.kpis.episodes, exp.episodes);
    assert.equal(body.kpis.discharged, exp.discharged);
    assert.equal(body.kpis.visibleWithin24h, exp.within24);
    assert.equal(body.kpis.referrals, exp.referrals);
    assert.equal(body.kpis.reexams, exp.reexams);
    const checkins = visits.filter((v) => v.method !== 'xml0');
    assert.equal(body.kpis.checkins, checkins.length);
    assert.equal(body.kpis.vneidCheckins, checkins.filter((v) => v.method === 'vneid_qr').length);
    assert.equal(body.kpis.personalIdCheckins, checkins.filter((v) => v.method === 'vneid_qr' || v.method === 'chip_cccd').length);
    assert.ok(exp.withCccd > 0 && exp.withCccd < exp.episodes);
    assert.equal(body.kpis.episodesWithCccd, exp.withCccd);
    assert.equal(body.kpis.rates.identified, exp.withCccd / exp.episodes);
    assert.equal(body.kpis.insuredFacilities, 3);
    assert.equal(body.kpis.integratedFacilities, 1);
    // A period still running (ends in the future) measures integration up to today, not its last day.
    const running = (await kpis(admin, '51', from, addDays(today, 90))).json();
    assert.equal(running.kpis.integratedFacilities, 1);
    const e528 = expectedEpisodes(episodes, ['21001', '21002', '528'], from, today);
    assert.equal((await kpis(admin, '528', from, today)).json().kpis.episodes, e528.episodes);
    const old = expectedEpisodes(episodes, ['21001', '21002', '21101', '528'], daysAgo(400), daysAgo(150));
    assert.ok(old.episodes > 0);
    assert.equal((await kpis(admin, '51', daysAgo(400), daysAgo(150))).json().kpis.episodes, old.episodes);
    // Whole calendar months come from the monthly summary, the rest from the daily one.
    const mEnd = addDays(`${today.slice(0, 7)}-01`, -1);
    const mStart = `${addDays(`${mEnd.slice(0, 7)}-01`, -1).slice(0, 7)}-01`;
    for (const [f, tt] of [[mStart, mEnd], [mStart, today], [addDays(mStart, 3), mEnd]] as const) {
      const want = expectedEpisodes(episodes, ['21001', '21002', '21101', '528'], f, tt);
      const got = (await kpis(admin, '51', f, tt)).json().kpis;
      assert.equal(got.episodes, want.episodes, `${f}..${tt}`);
      assert.equal(got.visibleWithin24h, want.within24, `${f}..${tt}`);
    }
  });

  it('never moves a time watermark back: a refresh with a longer holdback after one without counts nothing twice', async () => {
    const db = t.db.db;
    await refreshReports(db, { holdbackSeconds: 0 });
    const accepted = async () =>
      Number((await sql<{ n: string }>`select coalesce(sum(accepted), 0) as n from report_facility_day`.execute(db)).rows[0]!.n);
    const direct = Number((await sql<{ n: string }>`select count(*) as n from submission where accepted_count > 0`.execute(db)).rows[0]!.n);
    assert.equal(await accepted(), direct);
    await refreshReports(db, { holdbackSeconds: 40 * 86400 });
    await refreshReports(db, { holdbackSeconds: 0 });
    assert.equal(await accepted(), direct);
  });

  it('folds only new rows on the next refresh', async () => {
    const db = t.db.db;
    const more = makeEpisodes(13, 1);
    episodes.push(...more);
    await insertEpisodes(db, more);
    await sql`update person set so_bhyt = null, updated_at = now() where id = 'P0001'`.execute(db);
    persons[1]!.bhyt = null;
    await refreshReports(db, { holdbackSeconds: 0 });
    const from = daysAgo(60);
    const body = (await kpis(admin, '51', from, today)).json();
    assert.equal(body.kpis.episodes, expectedEpisodes(episodes, ['21001', '21002', '21101', '528'], from, today).episodes);
    assert.equal(body.kpis.withBhyt, persons.filter((p) => p.resident && p.bhyt).length);
    // A second refresh with nothing new changes nothing.
    await refreshReports(db, { holdbackSeconds: 0 });
    assert.deepEqual((await kpis(admin, '51', from, today)).json().kpis, body.kpis);
  });

  it('lists communes under the province after the district level ended', async () => {
    const db = t.db.db;
    assert.deepEqual((await childUnits(db, '51', { from: '2025-01-01', to: '2025-06-30' })).map((u) => u.code), ['528', '529']);
    assert.deepEqual((await childUnits(db, '51', { from: '2025-07-01', to: '2025-12-31' })).map((u) => u.code), ['21001', '21002', '21101']);
    const tree = await t.app.inject({ method: 'GET', url: '/api/v1/reports/units?parent=51&from=2026-01-01&to=2026-06-30', headers: { cookie: admin } });
    assert.equal(tree.json().units.length, 3);
  });

  it('scopes a health officer to their area', async () => {
    const own = await kpis(officer528, '528');
    assert.equal(own.statusCode, 200);
    assert.deepEqual(own.json().children.map((c: { unit: { code: string } }) => c.unit.code), ['21001', '21002']);
    assert.equal((await kpis(officer528, '21001')).statusCode, 200);
    assert.equal((await kpis(officer529, '528')).statusCode, 403);
    assert.equal((await kpis(officer529, '21001')).statusCode, 403);
    assert.equal((await kpis(officer528, '51')).statusCode, 403);
    const r = await kpis(reception, '528');
    assert.equal(r.statusCode, 403);
    assert.ok(r.json().message_vi);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/reports/kpis?unit=528' })).statusCode, 401);
    const top = await t.app.inject({ method: 'GET', url: '/api/v1/reports/units', headers: { cookie: officer528 } });
    assert.deepEqual(top.json().units.map((u: { code: string }) => u.code), ['528']);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/reports/kpis.xlsx?unit=21101', headers: { cookie: officer528 } })).statusCode, 403);
    assert.equal((await kpis(admin, '528', 'x', today)).statusCode, 400);
  });

  it('exports the KPI table as XLSX with the same figures and logs the download', async () => {
    const r = await t.app.inject({ method: 'GET', url: `/api/v1/reports/kpis.xlsx?unit=528&from=${daysAgo(60)}&to=${today}`, headers: { cookie: officer528 } });
    assert.equal(r.statusCode, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Chỉ số')!;
    assert.equal(ws.getRow(4).getCell(1).value, '528');
    assert.equal(ws.getRow(4).getCell(4).value, persons.filter((p) => p.resident && p.ma_xa !== '21101').length);
    const logged = await sql<{ n: number }>`select count(*)::int n from audit_event where action = 'report.kpis.download' and person_id is null`.execute(t.db.db);
    assert.equal(logged.rows[0]!.n, 1);
  });

  it('builds the six-monthly report as XLSX and PDF', async () => {
    const year = Number(today.slice(0, 4));
    const x = await t.app.inject({ method: 'GET', url: `/api/v1/reports/six-monthly?unit=51&year=${year}&half=2&format=xlsx`, headers: { cookie: admin } });
    assert.equal(x.statusCode, 200, x.body);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    const sum = wb.getWorksheet('Tổng hợp')!;
    assert.match(String(sum.getRow(1).getCell(1).value), /6 tháng cuối năm/);
    assert.equal(sum.getRow(5).getCell(2).value, '≥ 95 %');
    assert.ok(wb.getWorksheet('Theo địa bàn'));
    const p = await t.app.inject({ method: 'GET', url: `/api/v1/reports/six-monthly?unit=51&year=${year}&half=1&format=pdf`, headers: { cookie: admin } });
    assert.equal(p.statusCode, 200);
    assert.equal(p.rawPayload.subarray(0, 5).toString(), '%PDF-');
    assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/reports/six-monthly?unit=51&year=${year}&half=3`, headers: { cookie: admin } })).statusCode, 400);
  });
});

describe('report targets', () => {
  let t: App;
  let admin: string;
  let province: string;
  let district: string;
  let otherProvince: string;
  const year = Number(today.slice(0, 4));

  before(async () => {
    t = await startTestApp();
    const db = t.db.db;
    await sql`insert into admin_unit (code, level, name, parent_code) values
      ('51', 'province', 'Tỉnh Quảng Ngãi', null), ('528', 'district', 'Huyện Tư Nghĩa', '51'),
      ('21001', 'commune', 'Xã Nghĩa Kỳ', '528'), ('21002', 'commune', 'Xã Nghĩa Hòa', '528'),
      ('62', 'province', 'Tỉnh Kon Tum', null)`.execute(db);
    // 21001: 4 residents, 3 with identity and health data (75 %); 21002: 2 residents, none (0 %).
    const people: Array<[string, string, boolean]> = [
      ['T1', '21001', true], ['T2', '21001', true], ['T3', '21001', true], ['T4', '21001', false], ['T5', '21002', false], ['T6', '21002', false],
    ];
    for (const [id, xa, full] of people) {
      await sql`insert into person (id, ho_ten, name_key, ngay_sinh, gioi_tinh, so_cccd, dia_chi, ma_xa)
                values (${id}, 'Trần Văn B', 'tran van b', '1990-02-03', 1, ${`0510${id === 'T1' ? '90000001' : id === 'T2' ? '90000002' : '90000003'}`}, 'Thôn 2', ${xa})`.execute(db);
      await sql`insert into source_record (source_system, source_id, ho_ten, content_hash, person_id, ma_xa) values ('MIS2022', ${id}, 'x', 'h', ${id}, ${xa})`.execute(db);
      if (full) await sql`insert into vaccination (person_id, vaccine_name, given_on, source) values (${id}, 'Sởi', ${today}, 'test')`.execute(db);
    }
    admin = (await staffSession(t.app, db, { username: 'quantri', fullName: 'Quản trị', role: 'system_admin' })).cookie;
    province = (await staffSession(t.app, db, { username: 'cb51', fullName: 'Cán bộ tỉnh', role: 'health_officer', adminUnitCode: '51' })).cookie;
    district = (await staffSession(t.app, db, { username: 'cb528', fullName: 'Cán bộ huyện', role: 'health_officer', adminUnitCode: '528' })).cookie;
    otherProvince = (await staffSession(t.app, db, { username: 'cb62', fullName: 'Cán bộ Kon Tum', role: 'health_officer', adminUnitCode: '62' })).cookie;
    await refreshReports(db, { holdbackSeconds: 0 });
  });
  after(() => t.close());

  const kpis = async (unit: string) =>
    (await t.app.inject({ method: 'GET', url: `/api/v1/reports/kpis?unit=${unit}&from=${year}-01-01&to=${today}`, headers: { cookie: district } })).json();
  const put = (cookie: string, body: unknown) => t.app.inject({ method: 'PUT', url: '/api/v1/reports/targets', headers: { cookie }, payload: body as object });

  it('uses the plans as defaults: 95 %, 90 % in 2025, over 80 %, 100 %', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/reports/targets?unit=528&year=2025', headers: { cookie: district } });
    assert.equal(r.statusCode, 200, r.body);
    const byInd = Object.fromEntries(r.json().targets.map((x: { indicator: string; value: number; strict: boolean }) => [x.indicator, x]));
    assert.equal(byInd.withRecord.value, 0.9);
    assert.equal(byInd.identified.value, 0.8);
    assert.equal(byInd.identified.strict, true);
    assert.equal(byInd.integratedResidents.value, 0.8);
    assert.equal(byInd.integratedFacilities.value, 1);
    assert.equal(r.json().editable, false);
    const y2026 = await t.app.inject({ method: 'GET', url: '/api/v1/reports/targets?unit=528&year=2026', headers: { cookie: province } });
    assert.equal(y2026.json().targets.find((x: { indicator: string }) => x.indicator === 'withRecord').value, 0.95);
    assert.equal(y2026.json().editable, true);
  });

  it('a target edit changes the status the dashboard reports, for the unit and what inherits it', async () => {
    const before = await kpis('528');
    assert.equal(before.kpis.rates.withRecord, 3 / 6);
    assert.equal(before.statuses.withRecord, 'not_met');
    const c1 = () => kpis('528').then((b) => b.children.find((c: { unit: { code: string } }) => c.unit.code === '21001'));
    assert.equal((await c1()).statuses.withRecord, 'not_met');
    // The province sets 50 % for the district this year: the district (50 %) now meets it, and so
    // does commune 21001 (75 %), which inherits it; 21002 (0 %) does not.
    const r = await put(province, { unit: '528', indicator: 'withRecord', year, value: 50 });
    assert.equal(r.statusCode, 200, r.body);
    const after1 = await kpis('528');
    assert.equal(after1.targets.withRecord.value, 0.5);
    assert.deepEqual(after1.targets.withRecord.setBy, { unitCode: '528', unitName: 'Huyện Tư Nghĩa', year, half: 0 });
    assert.equal(after1.statuses.withRecord, 'met');
    assert.equal((await c1()).statuses.withRecord, 'met');
    assert.equal(after1.children.find((c: { unit: { code: string } }) => c.unit.code === '21002').statuses.withRecord, 'not_met');
    // A commune's own, higher target wins over the inherited one.
    assert.equal((await put(admin, { unit: '21001', indicator: 'withRecord', year, value: 80 })).statusCode, 200);
    assert.equal((await c1()).statuses.withRecord, 'not_met');
    // Clearing it inherits again; the edit is in the audit log with the old value.
    assert.equal((await put(admin, { unit: '21001', indicator: 'withRecord', year, clear: true })).statusCode, 200);
    assert.equal((await c1()).statuses.withRecord, 'met');
    // 0 % is a value, not "no value": 21002 (0 %) meets it.
    assert.equal((await put(admin, { unit: '21002', indicator: 'withRecord', year, value: 0 })).statusCode, 200);
    const c2 = (await kpis('528')).children.find((c: { unit: { code: string } }) => c.unit.code === '21002');
    assert.equal(c2.targets.withRecord.value, 0);
    assert.equal(c2.statuses.withRecord, 'met');
    const logged = await sql<{ detail: { previous: number | null; value: number | null } }>`
      select detail from audit_event where action = 'report.target.set' and resource = 'unit:21001' order by id`.execute(t.db.db);
    assert.deepEqual(logged.rows.map((x) => [x.detail.previous, x.detail.value]), [[null, 0.8], [0.8, null]]);
  });

  it('colours the six-monthly report against the targets', async () => {
    const half = Number(today.slice(5, 7)) <= 6 ? 1 : 2;
    await put(province, { unit: '528', indicator: 'withRecord', year, half, value: 40 });
    const x = await t.app.inject({ method: 'GET', url: `/api/v1/reports/six-monthly?unit=528&year=${year}&half=${half}&format=xlsx`, headers: { cookie: district } });
    assert.equal(x.statusCode, 200, x.body);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    const row = wb.getWorksheet('Tổng hợp')!.getRow(5);
    assert.equal(row.getCell(2).value, '≥ 40 %');
    assert.equal(row.getCell(6).value, 'Đạt');
    assert.deepEqual((row.getCell(3).fill as { fgColor?: { argb?: string } }).fgColor?.argb, 'FFC6EFCE');
    await put(province, { unit: '528', indicator: 'withRecord', year, half, value: 60 });
    const y = await t.app.inject({ method: 'GET', url: `/api/v1/reports/six-monthly?unit=528&year=${year}&half=${half}&format=xlsx`, headers: { cookie: district } });
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.load(y.rawPayload as unknown as ArrayBuffer);
    assert.equal(wb2.getWorksheet('Tổng hợp')!.getRow(5).getCell(6).value, 'Chưa đạt');
  });

  it('lets only a system admin or the province officer set targets, within scope, with valid input', async () => {
    const body = { unit: '528', indicator: 'identified', year, value: 85 };
    assert.equal((await put(district, body)).statusCode, 403);
    assert.equal((await put(otherProvince, body)).statusCode, 403);
    assert.equal((await put(province, { ...body, unit: '62' })).statusCode, 403);
    assert.equal((await put(province, { ...body, value: 120 })).statusCode, 400);
    assert.equal((await put(province, { ...body, indicator: 'vneid' })).statusCode, 400);
    assert.equal((await put(province, { ...body, year: 1999 })).statusCode, 400);
    assert.equal((await put(province, { unit: '528', indicator: 'identified', year })).statusCode, 400);
    assert.equal((await t.app.inject({ method: 'PUT', url: '/api/v1/reports/targets', payload: body })).statusCode, 401);
    assert.equal((await put(province, body)).statusCode, 200);
  });
});
