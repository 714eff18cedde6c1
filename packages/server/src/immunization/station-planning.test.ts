import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { vietnamToday } from '@openhssk/core';
import { evaluateSchedule, planMonth } from '@openhssk/core/immunization';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { staffSessions } from '../../test-support/staff.ts';
import { COMMUNE_A, COMMUNE_B, STATION_STAFF, twoCommuneStations } from '../../test-support/stations.ts';
import { addRelations, upsertPersons } from '../person/index.ts';
import { planningBands } from './planning.ts';
import { immDb } from './tables.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field in assertions
type Json = Record<string, any>;

const TODAY = vietnamToday();
const MONTH = TODAY.slice(0, 7);
const FIRST = `${MONTH}-01`;
const shift = (iso: string, months: number, days = 0) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};
const [A, B] = [COMMUNE_A, COMMUNE_B];

// Born so that on the first of this month the infant is 2 months and a few days old.
const INFANT_BORN = shift(FIRST, -2, -5);
const TODDLER_BORN = shift(FIRST, -19);
const PEOPLE = [
  { id: 'INFANT', ho_ten: 'Nguyễn Minh Khang', ngay_sinh: INFANT_BORN, birth_year: Number(INFANT_BORN.slice(0, 4)), gioi_tinh: 1, ma_xa: A, dia_chi: 'Thôn An Hội Bắc' },
  { id: 'TODDLER', ho_ten: 'Lê Thu Hà', ngay_sinh: TODDLER_BORN, birth_year: Number(TODDLER_BORN.slice(0, 4)), gioi_tinh: 2, ma_xa: A, dia_chi: 'Thôn Phú Thọ' },
  { id: 'MOTHER', ho_ten: 'Trần Thị Hoa', ngay_sinh: shift(TODAY, -12 * 30), birth_year: Number(TODAY.slice(0, 4)) - 30, gioi_tinh: 2, ma_xa: A, so_dien_thoai: '0905111222' },
  { id: 'WOMAN', ho_ten: 'Phạm Thị Lan', ngay_sinh: shift(TODAY, -12 * 25), birth_year: Number(TODAY.slice(0, 4)) - 25, gioi_tinh: 2, ma_xa: A },
  { id: 'MAN', ho_ten: 'Võ Văn Tâm', ngay_sinh: shift(TODAY, -12 * 40), birth_year: Number(TODAY.slice(0, 4)) - 40, gioi_tinh: 1, ma_xa: A },
  { id: 'OLDWOMAN', ho_ten: 'Đỗ Thị Mười', ngay_sinh: shift(TODAY, -12 * 50), birth_year: Number(TODAY.slice(0, 4)) - 50, gioi_tinh: 2, ma_xa: A },
  { id: 'YEARONLY', ho_ten: 'Hồ Văn Năm', ngay_sinh: String(Number(TODAY.slice(0, 4)) - 2), birth_year: Number(TODAY.slice(0, 4)) - 2, gioi_tinh: 1, ma_xa: A },
  { id: 'DECEASED', ho_ten: 'Nguyễn Văn Mất', ngay_sinh: INFANT_BORN, birth_year: Number(INFANT_BORN.slice(0, 4)), gioi_tinh: 1, ma_xa: A },
  { id: 'OTHERCHILD', ho_ten: 'Đinh Văn Xa', ngay_sinh: INFANT_BORN, birth_year: Number(INFANT_BORN.slice(0, 4)), gioi_tinh: 1, ma_xa: B },
];

describe(`immunization: station entry and monthly planning (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  const cookie: Record<string, string> = {};
  const call = async (who: string | undefined, method: 'GET' | 'POST', url: string, payload?: object) => {
    const r = await app.inject({ method, url, headers: who ? { cookie: cookie[who]! } : {}, ...(payload ? { payload } : {}) });
    return { status: r.statusCode, body: (r.headers['content-type']?.toString().includes('json') ? r.json() : {}) as Json, raw: r.rawPayload, type: r.headers['content-type'] };
  };
  const dose = (over: Record<string, unknown> = {}) => ({ entry_id: crypto.randomUUID(), person_id: 'INFANT', given_on: TODAY, vaccine: 'DPT-VGB-Hib', dose_no: 1, lot_no: 'QV123', route: 'IM', body_site: 'đùi trái', ...over });
  const audits = async (action: string) => (await sql<{ person_id: string; actor_id: string }>`select person_id, actor_id from audit_event where action = ${action} order by id`.execute(db.db)).rows;

  before(async () => {
    ({ app, db, close } = await startTestApp());
    await twoCommuneStations(db.db, { name: 'xã Đức Nhuận', district: '529' });
    await upsertPersons(db.db, PEOPLE);
    await addRelations(db.db, [{ person_id: 'INFANT', related_person_id: 'MOTHER', relation: 'parent', source: 'population_relation' }]);
    // A death the station recorded: that child is never invited.
    await sql`insert into station_event (entry_id, kind, commune_code, facility_code, person_id, occurred_on, recorded_by, payload_sha256, payload, result)
      values (${crypto.randomUUID()}::uuid, 'death', ${A}, '51242', 'DECEASED', ${TODAY}::date, 'test', 'x', '{}'::jsonb, '{}'::jsonb)`.execute(db.db);
    Object.assign(cookie, (await staffSessions(app, db.db, STATION_STAFF)).cookie);
  });
  after(async () => close());

  it('a station vaccinator records a dose for a resident; a replay answers the first result; a reused entry id is refused', async () => {
    const entry = dose({ given_on: shift(TODAY, 0, -1) });
    const first = await call('nurseA', 'POST', '/api/v1/immunization/station/doses', entry);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.status, 'applied');
    assert.equal(first.body.result.person_id, 'INFANT');
    assert.deepEqual(first.body.result.antigens, ['diphtheria', 'tetanus', 'pertussis', 'hepb', 'hib']);
    const again = await call('nurseA', 'POST', '/api/v1/immunization/station/doses', entry);
    assert.equal(again.status, 200);
    assert.equal(again.body.status, 'already_applied');
    assert.equal(again.body.result.dose_id, first.body.result.dose_id);
    const reused = await call('nurseA', 'POST', '/api/v1/immunization/station/doses', { ...entry, lot_no: 'KHAC' });
    assert.equal(reused.status, 409);
    assert.equal(reused.body.code, 'ENTRY_ID_REUSED');
    const row = await immDb(db.db).selectFrom('vaccination').selectAll().where('id', '=', first.body.result.dose_id).executeTakeFirstOrThrow();
    assert.deepEqual([row.source, row.facility_code, row.entry_id, row.lot_no, row.route, row.body_site], ['TYT', '51242', entry.entry_id, 'QV123', 'IM', 'đùi trái']);
    assert.deepEqual((await audits('immunization.dose.record')).map((a) => a.person_id), ['INFANT']);
  });

  it('refuses doses outside the station’s people, from other roles, in the future or of unknown vaccines', async () => {
    const other = await call('nurseA', 'POST', '/api/v1/immunization/station/doses', dose({ person_id: 'OTHERCHILD' }));
    assert.equal(other.status, 404, 'a child of another commune answers like an unknown one');
    const unknown = await call('nurseA', 'POST', '/api/v1/immunization/station/doses', dose({ person_id: 'NOBODY' }));
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body.code, other.body.code);
    assert.equal((await call('nurseB', 'POST', '/api/v1/immunization/station/doses', dose())).status, 404);
    assert.equal((await call('collabA', 'POST', '/api/v1/immunization/station/doses', dose())).status, 403);
    assert.equal((await call('officer528', 'POST', '/api/v1/immunization/station/doses', dose())).status, 403);
    assert.equal((await call(undefined, 'POST', '/api/v1/immunization/station/doses', dose())).status, 401);
    const future = await call('nurseA', 'POST', '/api/v1/immunization/station/doses', dose({ given_on: shift(TODAY, 0, 3) }));
    assert.deepEqual([future.status, future.body.code], [400, 'DOSE_DATE_IN_FUTURE']);
    const vaccine = await call('nurseA', 'POST', '/api/v1/immunization/station/doses', dose({ vaccine: 'Nước cất' }));
    assert.deepEqual([vaccine.status, vaccine.body.code], [400, 'VACCINE_UNKNOWN']);
    assert.match(vaccine.body.message_vi, /Không nhận ra vắc xin/);
  });

  it('takes a batch from the offline app and answers each entry; a second record of one dose is linked as its duplicate', async () => {
    const mr = dose({ person_id: 'TODDLER', vaccine: 'MR', dose_no: 1, given_on: shift(TODAY, 0, -2) });
    const r = await call('nurseA', 'POST', '/api/v1/immunization/station/doses/batch', {
      entries: [
        mr,
        { entry_id: crypto.randomUUID(), given_on: TODAY, vaccine: 'BCG' },
        mr,
        // The same dose typed again on another device, a day later and as "Sởi": one real dose.
        dose({ person_id: 'TODDLER', vaccine: 'Sởi', given_on: shift(TODAY, 0, -1) }),
        dose({ person_id: 'OTHERCHILD' }),
      ],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.results.map((x: Json) => x.status), ['applied', 'refused', 'already_applied', 'applied', 'refused']);
    assert.equal(r.body.results[1].error.code, 'VALIDATION_FAILED');
    assert.deepEqual([r.body.applied, r.body.already_applied, r.body.refused, r.body.errors], [2, 1, 2, 0]);
    assert.equal(r.body.results[3].result.duplicate_of, r.body.results[0].result.dose_id);
    const view = await call('nurseA', 'GET', '/api/v1/immunization/persons/TODDLER');
    assert.equal(view.status, 200);
    const measles = view.body.by_antigen.find((g: Json) => g.antigen === 'measles');
    assert.equal(measles.doses.length, 1, 'counted once in the history');
    assert.equal((await call('nurseB', 'GET', '/api/v1/immunization/persons/TODDLER')).status, 404);
    const tooMany = await call('nurseA', 'POST', '/api/v1/immunization/station/doses/batch', { entries: Array.from({ length: 501 }, () => dose()) });
    assert.equal(tooMany.status, 400);
  });

  it('plans the month: only the commune’s children and women in age ranges, the core engine’s counts, needs and the persons to invite', async () => {
    const bands = planningBands((await import('@openhssk/core/immunization')).CURRENT_SCHEDULE, MONTH);
    assert.equal(bands.length, 2);
    assert.ok(bands.some((b) => b.sex === 'female'));
    const session = await call('nurseA', 'POST', '/api/v1/immunization/sessions', { session_on: shift(TODAY, 0, 1), place: 'Hội trường thôn An Hội' });
    assert.equal(session.status, 201);
    const r = await call('nurseA', 'GET', `/api/v1/immunization/plan?month=${MONTH}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.commune, A);
    // INFANT, TODDLER, MOTHER, WOMAN evaluated; the man and the woman of 50 are outside every band;
    // the child known only by birth year cannot be evaluated.
    assert.deepEqual(r.body.population, { evaluated: 4, birth_date_incomplete: 1 });

    // The same four through the core engine directly: the API must agree.
    const rows = (await sql<{ person_id: string; given_on: string; antigens: string[] }>`select person_id, given_on, antigens from vaccination`.execute(db.db)).rows;
    const expected = planMonth(
      PEOPLE.filter((p) => ['INFANT', 'TODDLER', 'MOTHER', 'WOMAN'].includes(p.id)).map((p) =>
        evaluateSchedule(
          { birthDate: p.ngay_sinh, sex: p.gioi_tinh === 1 ? 'male' : 'female' },
          rows.filter((d) => d.person_id === p.id).map((d) => ({ date: d.given_on, antigens: d.antigens as never })),
          FIRST,
        ),
      ),
      MONTH,
    );
    assert.deepEqual(r.body.by_series.map((c: Json) => [c.series, c.dose, c.due, c.overdue]), expected.bySeries.map((c) => [c.series, c.dose, c.due, c.overdue]));
    assert.deepEqual(r.body.vaccine_needs.map((n: Json) => [n.product, n.doses, n.vials]), expected.byProduct.map((n) => [n.product, n.doses, n.vials]));
    assert.ok(r.body.by_series.some((c: Json) => c.series === 'tetanus_women'), 'women of childbearing age are planned');
    assert.ok(r.body.vaccine_needs.every((n: Json) => typeof n.name_vi === 'string'));

    const infant = r.body.persons.find((p: Json) => p.person_id === 'INFANT');
    assert.ok(infant, 'the infant is on the list');
    assert.equal(infant.group, 'child');
    assert.deepEqual(infant.guardian, { person_id: 'MOTHER', ho_ten: 'Trần Thị Hoa', so_dien_thoai: '0905111222', relation: 'parent' });
    assert.ok(infant.doses.some((d: Json) => d.series === 'opv' && d.dose === 1));
    assert.ok(!r.body.persons.some((p: Json) => ['MAN', 'OLDWOMAN', 'OTHERCHILD', 'DECEASED'].includes(p.person_id)));
    assert.deepEqual(r.body.sessions.map((s: Json) => s.place), TODAY.slice(0, 7) === shift(TODAY, 0, 1).slice(0, 7) ? ['Hội trường thôn An Hội'] : []);
    const children = await call('nurseA', 'GET', `/api/v1/immunization/plan?month=${MONTH}&group=children`);
    assert.ok(children.body.persons.every((p: Json) => p.group === 'child'));
    assert.deepEqual(
      (await audits('immunization.plan.read')).map((a) => a.person_id).slice(0, r.body.persons.length).sort(),
      r.body.persons.map((p: Json) => p.person_id).sort(),
      'every person shown is in the access log',
    );
  });

  it('exports the session list as XLSX and CSV with reminder texts, and as a PDF to print', async () => {
    const x = await call('nurseA', 'GET', `/api/v1/immunization/plan/session-list?month=${MONTH}&group=children`);
    assert.equal(x.status, 200);
    assert.match(String(x.type), /spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.raw as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    assert.equal(ws.getRow(3).getCell(2).value, 'Họ và tên');
    const names: string[] = [];
    ws.eachRow((row, n) => {
      if (n > 3) names.push(String(row.getCell(2).value));
    });
    assert.ok(names.includes('Nguyễn Minh Khang'));
    const khang = [...Array(ws.rowCount).keys()].map((i) => ws.getRow(i + 1)).find((row) => row.getCell(2).value === 'Nguyễn Minh Khang')!;
    assert.equal(khang.getCell(8).value, '0905111222', 'the guardian’s phone');
    assert.match(String(khang.getCell(12).value), /^Trạm Y tế xã Nghĩa Kỳ nhắc: cháu Nguyễn Minh Khang/);
    assert.match(String(khang.getCell(13).value), /^Tram Y te xa Nghia Ky nhac: chau Nguyen Minh Khang/);
    const c = await call('nurseA', 'GET', `/api/v1/immunization/plan/session-list?month=${MONTH}&format=csv`);
    assert.equal(c.status, 200);
    const text = c.raw.toString('utf8');
    assert.ok(text.startsWith('\uFEFFSTT,Họ và tên,'));
    assert.ok(text.includes('Phạm Thị Lan'));
    assert.ok((await audits('immunization.session_list.export')).some((a) => a.person_id === 'INFANT'));
    const pdf = await call('nurseA', 'GET', `/api/v1/immunization/plan/session-list?month=${MONTH}&format=pdf`);
    assert.equal(pdf.status, 200);
    assert.equal(pdf.type, 'application/pdf');
    const file = join(mkdtempSync(join(tmpdir(), 'hssk-plan-')), 'plan.pdf');
    writeFileSync(file, pdf.raw);
    const printed = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    assert.match(printed, /DANH SÁCH ĐỐI TƯỢNG TIÊM CHỦNG THÁNG/);
    assert.ok(printed.includes('Nguyễn Minh Khang') && printed.includes('Phạm Thị Lan'), 'children and women on the printed list');
  });

  it('planning is for the commune’s station and the officers above it', async () => {
    assert.equal((await call('officer528', 'GET', `/api/v1/immunization/plan?commune=${A}&month=${MONTH}`)).status, 200);
    assert.equal((await call('officer529', 'GET', `/api/v1/immunization/plan?commune=${A}&month=${MONTH}`)).status, 403);
    assert.equal((await call('collabA', 'GET', `/api/v1/immunization/plan?month=${MONTH}`)).status, 403);
    assert.equal((await call('nurseA', 'GET', `/api/v1/immunization/plan?commune=${B}&month=${MONTH}`)).status, 403);
    assert.equal((await call('nurseA', 'GET', '/api/v1/immunization/plan?month=2025-13')).status, 400);
    const b = await call('nurseB', 'GET', `/api/v1/immunization/plan?month=${MONTH}`);
    assert.deepEqual(b.body.persons.map((p: Json) => p.person_id), ['OTHERCHILD']);
  });
});
