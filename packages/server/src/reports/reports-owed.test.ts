import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addDays, lastEndedHalfYear, vietnamToday } from '@openhssk/core';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { startTestApp } from '../../test-support/app.ts';
import { staffSession } from '../../test-support/staff.ts';
import { sheetRows } from '../../test-support/xlsx.ts';
import type { Db } from '../db/index.ts';
import { runReportsCli } from './cli.ts';
import { refreshReports } from './refresh.ts';
import { lastDueWeek, takeWeeklySnapshot, weekOf } from './weekly.ts';

// Rows below are back-dated; neither background job may run in between.
process.env.HSSK_REPORT_REFRESH_SECONDS = '0';

type App = Awaited<ReturnType<typeof startTestApp>>;

const today = vietnamToday();
/** Noon, Viet Nam time, of a day, as an instant. */
const vnNoon = (day: string) => new Date(`${day}T05:00:00Z`);
const vnLocal = (d: Date) => new Date(d.getTime() + 7 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');

// Province 51 with two districts (still in force here, so the weekly table is per district).
const FAC: Record<string, { unit: string; district: string }> = {
  '51001': { unit: '21001', district: '528' },
  '51002': { unit: '21001', district: '528' },
  '51101': { unit: '21101', district: '529' },
  '51102': { unit: '21101', district: '529' },
};

interface Ep {
  facility: string;
  received: Date;
  cccd: string | null;
  /** Discharge hours before receipt. */
  delayH: number;
  xml13: boolean;
}

let seq = 0;
async function insertEpisodes(db: Db, eps: Ep[]) {
  for (const e of eps) {
    const n = ++seq;
    const sub = `SUB-O-${n}`;
    // Every episode arrives in an accepted submission: a facility with an episode in a week is integrated that week.
    await sql`insert into submission (id, facility_code, channel, received_at, sha256, size_bytes, status, episode_count, accepted_count, warning_count, rejected_count, receipt)
              values (${sub}, ${e.facility}, 'api', ${e.received}, ${sub}, 1, 'done', 1, 1, 0, 0, '{}')`.execute(db);
    const r = await sql<{ id: number }>`
      insert into episode (facility_code, ma_lk, version, is_current, submission_id, patient_source_id, status, ma_bn, ho_ten, ma_loai_kcb, ngay_vao, ngay_ra, content_sha256, xml1, received_at, so_cccd)
      values (${e.facility}, ${`LKO${n}`}, 1, true, ${sub}, 'X', 'accepted', 'BN', 'Nguyễn Văn A', '01',
              ${vnLocal(new Date(e.received.getTime() - 200 * 3600_000))}::timestamp, ${vnLocal(new Date(e.received.getTime() - e.delayH * 3600_000))}::timestamp,
              'h', '{}', ${e.received}, ${e.cccd}) returning id`.execute(db);
    if (e.xml13) await sql`insert into episode_row (episode_id, tbl, row_no, fields) values (${r.rows[0]!.id}, 'XML13', 1, '{}')`.execute(db);
  }
}

/** Episodes spread over the given days and facilities, a known mix of identified ones and delays. */
function makeEpisodes(days: string[], facilities: string[], n: number): Ep[] {
  const out: Ep[] = [];
  for (let i = 0; i < n; i++) {
    const day = days[i % days.length]!;
    out.push({
      facility: facilities[(i * 7 + days.length) % facilities.length]!,
      received: new Date(vnNoon(day).getTime() + (i % 5) * 3600_000),
      cccd: i % 3 === 0 ? null : i % 3 === 1 ? `0510${String(70000000 + i)}` : '05101',
      delayH: [2, 10, 30, 100][i % 4]!,
      xml13: i % 6 === 0,
    });
  }
  return out;
}

const isId = (e: Ep) => e.cccd !== null && /^[0-9]{12}$/.test(e.cccd);

async function readXlsx(buf: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}

describe('reports owed by others: facility report, weekly table, onboarding queue', () => {
  let t: App;
  let db: Db;
  let admin: string;
  let province: string;
  let officer528: string;
  let officer529: { cookie: string; id: string };
  let facAdmin: string;
  let facAdmin2: string;
  let reception: string;
  const half = lastEndedHalfYear();
  const hFrom = half.half === 1 ? `${half.year}-01-01` : `${half.year}-07-01`;
  const hTo = half.half === 1 ? `${half.year}-06-30` : `${half.year}-12-31`;
  const prevFrom = half.half === 1 ? `${half.year - 1}-07-01` : `${half.year}-01-01`;
  const halfEps: Ep[] = [];
  const prevEps: Ep[] = [];
  // Two past weeks with known episodes: W1 and the week before it (W0).
  const w1 = weekOf(addDays(today, -21));
  const w0 = addDays(w1, -7);
  const weekDays = (end: string) => Array.from({ length: 7 }, (_, i) => addDays(end, i - 6));
  const weekEps = new Map<string, Ep[]>();

  before(async () => {
    t = await startTestApp({ config: { weeklyReportCheckSeconds: 0, reportRefreshSeconds: 0 } });
    db = t.db.db;
    await sql`insert into admin_unit (code, level, name, parent_code) values
      ('51', 'province', 'Tỉnh Quảng Ngãi', null), ('528', 'district', 'Huyện Tư Nghĩa', '51'), ('529', 'district', 'Huyện Mộ Đức', '51'),
      ('21001', 'commune', 'Xã Nghĩa Kỳ', '528'), ('21101', 'commune', 'Xã Đức Phổ', '529'),
      ('60', 'province', 'Tỉnh khác', null), ('60001', 'commune', 'Xã khác', '60')`.execute(db);
    for (const [code, f] of Object.entries(FAC)) {
      await sql`insert into facility (code, name, admin_unit_code, bhyt_contract) values (${code}, ${`Bệnh viện ${code}`}, ${f.unit}, true)`.execute(db);
    }
    // The half-year: inside it 51001 and 51002 send; 51001 also in the previous half.
    const hDays = Array.from({ length: 12 }, (_, i) => addDays(hFrom, 3 + i * 14));
    halfEps.push(...makeEpisodes(hDays, ['51001', '51002'], 40));
    prevEps.push(...makeEpisodes([addDays(prevFrom, 10), addDays(prevFrom, 40)], ['51001'], 7));
    // 51001 is integrated at the half's end (an accepted submission in its last 7 days), 51002 is not.
    halfEps.push({ facility: '51001', received: vnNoon(addDays(hTo, -2)), cccd: null, delayH: 5, xml13: false });
    weekEps.set(w0, makeEpisodes(weekDays(w0), ['51001', '51101'], 15));
    weekEps.set(w1, makeEpisodes(weekDays(w1), ['51001', '51002', '51101'], 24));
    await insertEpisodes(db, [...halfEps, ...prevEps, ...weekEps.get(w0)!, ...weekEps.get(w1)!]);
    // Residents: 10 per commune; persons 0–3 of each have a vaccination (health data).
    for (const commune of ['21001', '21101']) {
      for (let i = 0; i < 10; i++) {
        const id = `R${commune}-${i}`;
        await sql`insert into person (id, ho_ten, name_key, ngay_sinh, gioi_tinh, so_cccd, dia_chi, ma_xa)
                  values (${id}, 'Trần Thị B', 'tran thi b', '1990-01-01', 2, ${`0511${commune}${String(i).padStart(3, '0')}`}, 'Thôn 2', ${commune})`.execute(db);
        await sql`insert into source_record (source_system, source_id, ho_ten, content_hash, person_id, ma_xa) values ('MIS2022', ${id}, 'x', 'h', ${id}, ${commune})`.execute(db);
        if (i < 4) await sql`insert into vaccination (person_id, vaccine_name, given_on, source) values (${id}, 'Sởi', ${addDays(today, -3)}, 'test')`.execute(db);
      }
    }
    await refreshReports(db, { holdbackSeconds: 0 });
    admin = (await staffSession(t.app, db, { username: 'quantri', fullName: 'Quản trị', role: 'system_admin' })).cookie;
    province = (await staffSession(t.app, db, { username: 'cb51', fullName: 'Cán bộ tỉnh', role: 'health_officer', adminUnitCode: '51' })).cookie;
    officer528 = (await staffSession(t.app, db, { username: 'cb528', fullName: 'Cán bộ Tư Nghĩa', role: 'health_officer', adminUnitCode: '528' })).cookie;
    officer529 = await staffSession(t.app, db, { username: 'cb529', fullName: 'Cán bộ Mộ Đức', role: 'health_officer', adminUnitCode: '529' });
    facAdmin = (await staffSession(t.app, db, { username: 'qtcs', fullName: 'Quản trị 51001', role: 'facility_admin', facilityCode: '51001' })).cookie;
    facAdmin2 = (await staffSession(t.app, db, { username: 'qtcs2', fullName: 'Quản trị 51101', role: 'facility_admin', facilityCode: '51101' })).cookie;
    reception = (await staffSession(t.app, db, { username: 'letan', fullName: 'Lễ tân', role: 'receptionist', facilityCode: '51001' })).cookie;
  });
  after(() => t.close());

  const get = (cookie: string, url: string) => t.app.inject({ method: 'GET', url, headers: { cookie } });
  const post = (cookie: string, url: string, payload?: object) => t.app.inject({ method: 'POST', url, headers: { cookie }, ...(payload ? { payload } : {}) });

  describe('facility six-monthly report', () => {
    const url = (q = '') => `/api/v1/reports/facility/six-monthly?year=${half.year}&half=${half.half}${q}`;

    it('counts only the facility’s own episodes, with the dashboard’s definitions (XLSX read back)', async () => {
      const r = await get(facAdmin, url());
      assert.equal(r.statusCode, 200, r.body);
      assert.match(String(r.headers['content-disposition']), /bao-cao-6-thang-co-so-51001/);
      const wb = await readXlsx(r.rawPayload);
      const own = halfEps.filter((e) => e.facility === '51001');
      const prev = prevEps.filter((e) => e.facility === '51001');
      assert.ok(own.length > 0 && own.length < halfEps.length, 'the other facility’s episodes exist and must not count');
      const row = sheetRows(wb.getWorksheet('Theo địa bàn')!, 'Mã')[0]!;
      assert.equal(row['Mã'], '51001');
      assert.equal(row['Cấp'], 'Cơ sở KCB');
      assert.equal(row['Hồ sơ KCB nhận được'], own.length);
      assert.equal(row['Tỷ lệ hồ sơ KCB có số định danh cá nhân (ước tính)'], own.filter(isId).length / own.length);
      assert.equal(row['Tỷ lệ hiển thị trong 24 giờ'], own.filter((e) => e.delayH < 24).length / own.length);
      assert.equal(row['Giấy chuyển tuyến (XML13)'], own.filter((e) => e.xml13).length);
      assert.equal(row['Tỷ lệ cơ sở đã liên thông'], 1);
      // Person figures belong to communes: not in a facility's report.
      assert.equal(row['Dân số thường trú (danh sách MIS2022)'], undefined);
      const prior = sheetRows(wb.getWorksheet('Kỳ trước')!, 'Mã')[0]!;
      assert.equal(prior['Hồ sơ KCB nhận được'], prev.length);
      // Results against the targets of its commune: identification (> 80 %) and its own connection.
      const summary = sheetRows(wb.getWorksheet('Tổng hợp')!, 'Chỉ tiêu');
      assert.deepEqual(summary.map((x) => x['Chỉ tiêu']).length, 2);
      const ident = summary.find((x) => String(x['Chỉ tiêu']).includes('định danh'))!;
      assert.equal(ident['Kỳ này'], own.filter(isId).length / own.length);
      assert.equal(ident['Đánh giá'], 'Chưa đạt');
      const other = await readXlsx((await get(admin, url('&facility=51002'))).rawPayload);
      const row2 = sheetRows(other.getWorksheet('Theo địa bàn')!, 'Mã')[0]!;
      assert.equal(row2['Hồ sơ KCB nhận được'], halfEps.filter((e) => e.facility === '51002').length);
      assert.equal(row2['Tỷ lệ cơ sở đã liên thông'], 0);
    });

    it('is a Vietnamese PDF with the fonts embedded', async () => {
      const r = await get(facAdmin, url('&format=pdf'));
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.headers['content-type'], 'application/pdf');
      const dir = mkdtempSync(join(tmpdir(), 'hssk-fac-'));
      try {
        const f = join(dir, 'r.pdf');
        writeFileSync(f, r.rawPayload);
        const text = execFileSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
        assert.match(text, /BÁO CÁO KẾT QUẢ TRIỂN KHAI SỔ SỨC KHỎE ĐIỆN TỬ/);
        assert.match(text, /Cơ sở KCB: Bệnh viện 51001 \(51001\)/);
        assert.match(text, /Giấy chuyển tuyến \(XML13\)/);
        assert.doesNotMatch(text, /Dân số thường trú/);
        const fonts = execFileSync('pdffonts', [f], { encoding: 'utf8' });
        assert.match(fonts, /DejaVu/);
        assert.doesNotMatch(fonts.split('\n').slice(2).join('\n'), / no +no +/, 'every font embedded');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('is the facility admin’s own facility only, and audited', async () => {
      assert.equal((await get(facAdmin, url('&facility=51002'))).statusCode, 403);
      assert.equal((await get(facAdmin2, url('&facility=51001'))).statusCode, 403);
      assert.equal((await get(reception, url())).statusCode, 403);
      assert.equal((await get(officer529.cookie, url('&facility=51001'))).statusCode, 403);
      assert.equal((await get(officer528, url('&facility=51001'))).statusCode, 200);
      assert.equal((await get(facAdmin, url().replace(/half=\d/, 'half=3'))).statusCode, 400);
      const a = await sql<{ n: number }>`select count(*)::int n from audit_event where action = 'report.facility_six_monthly.download' and resource = 'facility:51001'`.execute(db);
      assert.ok(Number(a.rows[0]!.n) >= 3);
    });
  });

  describe('weekly Đề án 06 table', () => {
    it('puts the week end at Thursday 15:00, Viet Nam time', () => {
      // 2026-11-26 is a Thursday.
      assert.equal(weekOf('2026-11-20'), '2026-11-26');
      assert.equal(weekOf('2026-11-26'), '2026-11-26');
      assert.equal(weekOf('2026-11-27'), '2026-12-03');
      assert.equal(lastDueWeek(new Date('2026-11-26T07:59:59Z')), '2026-11-19');
      assert.equal(lastDueWeek(new Date('2026-11-26T08:00:00Z')), '2026-11-26');
      assert.equal(lastDueWeek(new Date('2026-11-29T10:00:00Z')), '2026-11-26');
    });

    it('stores each week once; per district figures and the change since last week equal a direct count', async () => {
      const first = await takeWeeklySnapshot(db, w0);
      assert.equal(first.existed, false);
      // 51 (itself + 528, 529), 528 (itself + 21001), 529 (itself + 21101), 60 (itself + 60001).
      assert.equal(first.rows, 9);
      assert.equal((await takeWeeklySnapshot(db, w0)).existed, true);
      await takeWeeklySnapshot(db, w1);
      const r = await get(province, `/api/v1/reports/weekly?unit=51&week=${addDays(w1, -3)}`);
      assert.equal(r.statusCode, 200, r.body);
      const body = r.json();
      assert.equal(body.weekEnd, w1);
      assert.deepEqual(body.period, { from: addDays(w1, -6), to: w1 });
      assert.deepEqual(body.rows.map((x: { unit: { code: string } }) => x.unit.code), ['51', '528', '529']);
      assert.ok(body.weeks.includes(w0) && body.weeks.includes(w1));
      const expect = (week: string, district: string | null) => {
        const eps = weekEps.get(week)!.filter((e) => district === null || FAC[e.facility]!.district === district);
        const facs = Object.entries(FAC).filter(([, f]) => district === null || f.district === district).map(([c]) => c);
        return { episodes: eps.length, withCccd: eps.filter(isId).length, integrated: facs.filter((c) => eps.some((e) => e.facility === c)).length, insured: facs.length };
      };
      for (const row of body.rows) {
        const d = row.unit.code === '51' ? null : row.unit.code;
        const now = expect(w1, d);
        const before = expect(w0, d);
        assert.equal(row.episodes, now.episodes, row.unit.code);
        assert.equal(row.episodesWithCccd, now.withCccd, row.unit.code);
        assert.equal(row.identifiedRate, now.withCccd / now.episodes, row.unit.code);
        assert.equal(row.insuredFacilities, now.insured, row.unit.code);
        assert.equal(row.integratedFacilities, now.integrated, row.unit.code);
        assert.equal(row.change.integratedFacilities, now.integrated - before.integrated, row.unit.code);
        assert.ok(Math.abs(row.change.identifiedRate - (now.withCccd / now.episodes - before.withCccd / before.episodes)) < 1e-12, row.unit.code);
      }
      // 51002 sent only in W1: one more integrated facility in 528.
      assert.equal(body.rows.find((x: { unit: { code: string } }) => x.unit.code === '528').change.integratedFacilities, 1);
    });

    it('books with data and their change come from stored snapshots, not from today’s figures', async () => {
      // Two running weeks (their figures are live): this week, then three more residents of 21001 with data, then the next.
      const wa = weekOf(today);
      const wb = addDays(wa, 7);
      await takeWeeklySnapshot(db, wa);
      for (const i of [4, 5, 6]) await sql`insert into vaccination (person_id, vaccine_name, given_on, source) values (${`R21001-${i}`}, 'Sởi', ${today}, 'test')`.execute(db);
      await refreshReports(db, { holdbackSeconds: 0 });
      await takeWeeklySnapshot(db, wb);
      const rows = (await get(admin, `/api/v1/reports/weekly?unit=51&week=${wb}`)).json().rows as Array<{ unit: { code: string }; withHealthData: number; residents: number; change: { withHealthData: number } }>;
      const by = Object.fromEntries(rows.map((x) => [x.unit.code, x]));
      const direct = async (communes: string[]) =>
        Number((await sql<{ n: number }>`select count(distinct v.person_id)::int n from vaccination v join person p on p.id = v.person_id where p.ma_xa = any(${communes})`.execute(db)).rows[0]!.n);
      assert.equal(by['528']!.withHealthData, await direct(['21001']));
      assert.equal(by['529']!.withHealthData, await direct(['21101']));
      assert.equal(by['51']!.withHealthData, await direct(['21001', '21101']));
      assert.equal(by['51']!.residents, 20);
      assert.equal(by['528']!.change.withHealthData, 3);
      assert.equal(by['529']!.change.withHealthData, 0);
      assert.equal(by['51']!.change.withHealthData, 3);
      // The stored week is not rewritten by later data.
      const again = (await get(admin, `/api/v1/reports/weekly?unit=51&week=${wa}`)).json().rows.find((x: { unit: { code: string } }) => x.unit.code === '528');
      assert.equal(again.withHealthData, 4);
    });

    it('downloads as XLSX for province and district officers, in scope only, audited', async () => {
      const r = await get(province, `/api/v1/reports/weekly.xlsx?unit=51&week=${w1}`);
      assert.equal(r.statusCode, 200, r.body);
      const wb = await readXlsx(r.rawPayload);
      const rows = sheetRows(wb.getWorksheet('Tiến độ tuần')!, 'Mã');
      const json = (await get(province, `/api/v1/reports/weekly?unit=51&week=${w1}`)).json().rows;
      assert.deepEqual(rows.map((x) => x['Mã']), ['51', '528', '529']);
      for (const [i, x] of rows.entries()) {
        assert.equal(x['Hồ sơ KCB trong tuần'], json[i].episodes);
        assert.equal(x['Cơ sở đã liên thông'], json[i].integratedFacilities);
        assert.equal(x['Tỷ lệ hồ sơ có số định danh cá nhân'], json[i].identifiedRate);
        assert.equal(x['Thay đổi: cơ sở liên thông'], json[i].change.integratedFacilities);
      }
      // A district officer: their district and its communes; not the neighbour's, not the province.
      const d = await get(officer529.cookie, `/api/v1/reports/weekly.xlsx?week=${w1}`);
      assert.equal(d.statusCode, 200);
      assert.deepEqual(sheetRows((await readXlsx(d.rawPayload)).getWorksheet('Tiến độ tuần')!, 'Mã').map((x) => x['Mã']), ['529', '21101']);
      assert.equal((await get(officer529.cookie, `/api/v1/reports/weekly.xlsx?unit=528&week=${w1}`)).statusCode, 403);
      assert.equal((await get(officer529.cookie, `/api/v1/reports/weekly?unit=51&week=${w1}`)).statusCode, 403);
      assert.equal((await get(facAdmin, `/api/v1/reports/weekly.xlsx?unit=21001&week=${w1}`)).statusCode, 403);
      assert.equal((await get(province, '/api/v1/reports/weekly?unit=51&week=2026-02-30')).statusCode, 400);
      const a = await sql<{ n: number }>`select count(*)::int n from audit_event where action = 'report.weekly.download'`.execute(db);
      assert.equal(Number(a.rows[0]!.n), 2);
    });

    it('hssk reports weekly stores the week and writes the same table', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hssk-weekly-'));
      const w2 = addDays(w1, 7);
      try {
        const out = join(dir, 'tuan.xlsx');
        const log = console.log;
        console.log = () => {};
        try {
          assert.equal(await runReportsCli(db, 'weekly', ['--week', addDays(w2, -2), '--unit', '51', '--out', out]), 0);
        } finally {
          console.log = log;
        }
        const rows = sheetRows((await readXlsx(readFileSync(out))).getWorksheet('Tiến độ tuần')!, 'Mã');
        assert.deepEqual(rows.map((x) => x['Mã']), ['51', '528', '529']);
        const stored = await sql<{ n: number }>`select count(*)::int n from report_weekly where week_end = ${w2}::date`.execute(db);
        assert.equal(Number(stored.rows[0]!.n), 9);
        // Nothing arrived in that week; the change is against W1's stored snapshot.
        assert.equal(rows[0]!['Hồ sơ KCB trong tuần'], 0);
        assert.equal(rows[0]!['Thay đổi: cơ sở liên thông'], -3);
        assert.equal(await runReportsCli(db, 'weekly', ['--week', 'tuesday']), 2);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('is taken by the app’s scheduled job once the week is due', async () => {
      const other = await startTestApp({ config: { weeklyReportCheckSeconds: 1, reportRefreshSeconds: 0 } });
      try {
        await sql`insert into admin_unit (code, level, name, parent_code) values ('51', 'province', 'Tỉnh Quảng Ngãi', null)`.execute(other.db.db);
        const due = lastDueWeek();
        let n = 0;
        for (let i = 0; i < 100 && n === 0; i++) {
          await new Promise((r) => setTimeout(r, 200));
          n = Number((await sql<{ n: number }>`select count(*)::int n from report_weekly where week_end = ${due}::date and root_code = '51'`.execute(other.db.db)).rows[0]!.n);
        }
        assert.equal(n, 1);
      } finally {
        await other.close();
      }
    });
  });

  describe('onboarding overview and request queue', () => {
    let interopId: number;

    it('a facility admin files a request for an interop account; one open request per facility and kind', async () => {
      const r = await post(facAdmin, '/api/v1/onboarding/requests', { kind: 'interop_account', applicant: 'Nguyễn Văn Quản, 0905 123 456', note: 'Phần mềm HIS mới' });
      assert.equal(r.statusCode, 201, r.body);
      const req = r.json().request;
      interopId = req.id;
      assert.equal(req.status, 'pending');
      assert.equal(req.facility_code, '51001');
      assert.equal(req.admin_unit_code, '21001');
      const again = await post(facAdmin, '/api/v1/onboarding/requests', { kind: 'interop_account', applicant: 'x' });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().code, 'REQUEST_OPEN');
      // Not for another facility.
      assert.equal((await post(facAdmin, '/api/v1/onboarding/requests', { kind: 'interop_account', facility_code: '51101', applicant: 'x' })).statusCode, 403);
      assert.equal((await post(reception, '/api/v1/onboarding/requests', { kind: 'interop_account', applicant: 'x' })).statusCode, 403);
    });

    it('only the officers over the facility see and decide it', async () => {
      const list528 = (await get(officer528, '/api/v1/onboarding/requests?status=pending')).json().requests;
      assert.deepEqual(list528.map((x: { id: number }) => x.id), [interopId]);
      assert.deepEqual((await get(officer529.cookie, '/api/v1/onboarding/requests')).json().requests, []);
      assert.equal((await get(officer529.cookie, `/api/v1/onboarding/requests/${interopId}`)).statusCode, 404);
      assert.equal((await post(officer529.cookie, `/api/v1/onboarding/requests/${interopId}/approve`, {})).statusCode, 404);
      assert.equal((await get(officer529.cookie, '/api/v1/onboarding/requests?unit=528')).statusCode, 403);
      // The filing facility admin sees its own request but cannot decide it.
      assert.equal((await get(facAdmin, `/api/v1/onboarding/requests/${interopId}`)).statusCode, 200);
      assert.equal((await post(facAdmin, `/api/v1/onboarding/requests/${interopId}/approve`, {})).statusCode, 403);
      assert.equal((await get(facAdmin2, `/api/v1/onboarding/requests/${interopId}`)).statusCode, 404);
    });

    it('returned with a reason, corrected, filed again, approved: the account works and the history is kept', async () => {
      assert.equal((await post(officer528, `/api/v1/onboarding/requests/${interopId}/return`, { reason: '' })).statusCode, 400);
      const ret = await post(officer528, `/api/v1/onboarding/requests/${interopId}/return`, { reason: 'Thiếu công văn đề nghị có dấu của cơ sở' });
      assert.equal(ret.statusCode, 200, ret.body);
      assert.equal(ret.json().request.status, 'returned');
      assert.equal(ret.json().request.return_reason, 'Thiếu công văn đề nghị có dấu của cơ sở');
      // A returned request is not decided again until it is filed again.
      assert.equal((await post(officer528, `/api/v1/onboarding/requests/${interopId}/approve`, {})).statusCode, 409);
      assert.equal((await post(officer528, `/api/v1/onboarding/requests/${interopId}/return`, { reason: 'x' })).statusCode, 409);
      const re = await post(facAdmin, `/api/v1/onboarding/requests/${interopId}/refile`, { note: 'Đã bổ sung công văn số 12/CV' });
      assert.equal(re.statusCode, 200, re.body);
      assert.equal(re.json().request.status, 'pending');
      assert.equal((await post(facAdmin, `/api/v1/onboarding/requests/${interopId}/refile`, {})).statusCode, 409);
      const ok = await post(province, `/api/v1/onboarding/requests/${interopId}/approve`, {});
      assert.equal(ok.statusCode, 200, ok.body);
      const body = ok.json();
      assert.equal(body.request.status, 'approved');
      assert.deepEqual(body.history.map((h: { action: string }) => h.action), ['filed', 'returned', 'refiled', 'approved']);
      assert.equal(body.history[1].reason, 'Thiếu công văn đề nghị có dấu của cơ sở');
      assert.equal(body.history[3].actor_name, 'Cán bộ tỉnh');
      assert.equal(body.request.result.client_id, body.client_id);
      assert.ok(!JSON.stringify(body.request).includes(body.client_secret), 'the secret is not stored with the request');
      const token = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: body.client_id, client_secret: body.client_secret } });
      assert.equal(token.statusCode, 200, token.body);
      assert.equal((await post(province, `/api/v1/onboarding/requests/${interopId}/approve`, {})).statusCode, 409);
      const audits = await sql<{ action: string }>`select action from audit_event where resource = ${`onboarding_request/${interopId}`} order by id`.execute(db);
      assert.deepEqual(audits.rows.map((a) => a.action), ['onboarding.request.file', 'onboarding.request.return', 'onboarding.request.refile', 'onboarding.request.approve']);
    });

    it('a facility code requested for an applicant is created by approval, in test mode, at its first onboarding step', async () => {
      // A facility admin cannot apply for a unit of another province; an officer only within their area.
      assert.equal((await post(facAdmin, '/api/v1/onboarding/requests', { kind: 'facility_code', facility_name: 'PK', admin_unit_code: '60001', applicant: 'x' })).statusCode, 403);
      assert.equal((await post(officer528, '/api/v1/onboarding/requests', { kind: 'facility_code', facility_name: 'PK', admin_unit_code: '21101', applicant: 'x' })).statusCode, 403);
      const f = await post(officer529.cookie, '/api/v1/onboarding/requests', { kind: 'facility_code', facility_name: 'Phòng khám đa khoa Đức Phổ', admin_unit_code: '21101', applicant: 'BS. Lê Văn Đức, 0914 000 111' });
      assert.equal(f.statusCode, 201, f.body);
      const id = f.json().request.id;
      assert.equal((await post(officer529.cookie, `/api/v1/onboarding/requests/${id}/approve`, {})).statusCode, 400);
      // A code already taken is refused and the request stays pending.
      const taken = await post(officer529.cookie, `/api/v1/onboarding/requests/${id}/approve`, { code: '51101' });
      assert.equal(taken.statusCode, 409);
      assert.equal((await get(officer529.cookie, `/api/v1/onboarding/requests/${id}`)).json().request.status, 'pending');
      const ok = await post(officer529.cookie, `/api/v1/onboarding/requests/${id}/approve`, { code: '51199' });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().request.facility_code, '51199');
      const fac = await sql<{ name: string; admin_unit_code: string; test_mode: boolean }>`select name, admin_unit_code, test_mode from facility where code = '51199'`.execute(db);
      assert.deepEqual(fac.rows[0], { name: 'Phòng khám đa khoa Đức Phổ', admin_unit_code: '21101', test_mode: true });
      const ov = await get(officer529.cookie, '/api/v1/reports/onboarding');
      assert.equal(ov.statusCode, 200, ov.body);
      const facilities = ov.json().facilities as Array<{ code: string; step: { key: string } | null; steps_done: number; badge: string }>;
      assert.deepEqual(facilities.map((x) => x.code), ['51101', '51102', '51199']);
      const fresh = facilities.find((x) => x.code === '51199')!;
      assert.equal(fresh.step?.key, 'credential');
      assert.equal(fresh.steps_done, 1);
      assert.equal(fresh.badge, 'not_ready');
    });

    it('the overview shows each facility’s step, per district and in scope', async () => {
      const ov = (await get(officer528, '/api/v1/reports/onboarding')).json();
      const by = Object.fromEntries((ov.facilities as Array<{ code: string; step: { key: string } | null; items: Array<{ key: string; state: string }> }>).map((x) => [x.code, x]));
      assert.deepEqual(Object.keys(by), ['51001', '51002']);
      // 51001 has its approved credential and accepted data but no certificate; 51002 has neither credential nor certificate.
      assert.equal(by['51001']!.items.find((i) => i.key === 'credential')!.state, 'ok');
      assert.equal(by['51001']!.step?.key, 'certificate');
      assert.equal(by['51002']!.step?.key, 'credential');
      assert.equal((await get(officer528, '/api/v1/reports/onboarding?unit=529')).statusCode, 403);
      assert.equal((await get(facAdmin, '/api/v1/reports/onboarding')).statusCode, 403);
      assert.equal((await get(province, '/api/v1/reports/onboarding')).json().facilities.length, 5);
    });
  });
});
