import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { vietnamToday } from '@openhssk/core';
import type { FastifyInstance } from 'fastify';
import type { JSONWebKeySet } from 'jose';
import { sql } from 'kysely';
import QRCode from 'qrcode';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { citizenCookie } from '../../test-support/book-fixture.ts';
import { staffSession } from '../../test-support/staff.ts';
import { importFile, relinkAll } from '../mpi/index.ts';
import { setSourceLinks, upsertPersons } from '../person/index.ts';
import { verifyCertificate } from './certificate.ts';
import { runImmunization } from './cli.ts';
import { importImmunizationFile } from './import.ts';
import { loadCertificateKeys, rotateCertificateKey } from './keys.ts';
import { dosesOf, moveVaccinationRows, returnVaccinationRows } from './store.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field in assertions
type Json = Record<string, any>;

const TODAY = vietnamToday();
const shift = (iso: string, months: number, days = 0) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};
const dmy = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
const A = '21556';
const CHILD_BORN = shift(TODAY, -7);

/** The token with one character changed at `at` (to another base64url character). */
const flip = (token: string, at: number) => token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);

describe(`immunization in the book, certificates (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let keysDir: string;
  let url: string;
  const cookie: Record<string, string> = {};
  /** Person ids the MPI gave the population list's records. */
  const P: Record<string, string> = {};
  const call = async (who: string | undefined, method: 'GET' | 'POST', path: string, payload?: object) => {
    const r = await app.inject({ method, url: path, headers: who ? { cookie: cookie[who]! } : {}, ...(payload ? { payload } : {}) });
    return { status: r.statusCode, body: (String(r.headers['content-type']).includes('json') ? r.json() : {}) as Json, raw: r.rawPayload };
  };
  const record = (person: string, vaccine: string, given: string) =>
    call('nurseA', 'POST', '/api/v1/immunization/station/doses', { entry_id: crypto.randomUUID(), person_id: person, given_on: given, vaccine });

  before(async () => {
    keysDir = mkdtempSync(join(tmpdir(), 'imm-keys-'));
    ({ app, db, close, url } = await startTestApp({ config: { keysDir } }));
    await db.db.insertInto('admin_unit').values([
      { code: '51', level: 'province', name: 'Quảng Ngãi', parent_code: null, valid_from: null, valid_to: null },
      { code: '528', level: 'district', name: 'Tư Nghĩa', parent_code: '51', valid_from: null, valid_to: null },
      { code: A, level: 'commune', name: 'xã Nghĩa Kỳ', parent_code: '528', valid_from: null, valid_to: null },
      { code: '21559', level: 'commune', name: 'xã Nghĩa Thuận', parent_code: '528', valid_from: null, valid_to: null },
    ]).execute();
    await db.db.insertInto('facility').values([
      { code: '51242', name: 'Trạm Y tế xã Nghĩa Kỳ', level: 'xã', admin_unit_code: A },
      { code: '51243', name: 'Trạm Y tế xã Nghĩa Thuận', level: 'xã', admin_unit_code: '21559' },
      { code: '51001', name: 'Bệnh viện Đa khoa tỉnh', level: 'tỉnh', admin_unit_code: '51' },
    ]).execute();
    // Persons come from a population list through the MPI, so the immunization system's records of them link.
    const population = join(keysDir, 'population.csv');
    writeFileSync(
      population,
      [
        'source_system,source_id,ho_ten,ngay_sinh,gioi_tinh,so_cccd,so_bhyt,so_dien_thoai,dia_chi,ma_xa,ma_ho_gia_dinh,quan_he_chu_ho',
        `MIS2022,PARENT,Trần Thị Hoa,04/03/1992,Nữ,051192001234,,0905111222,"Thôn An Hội Bắc, xã Nghĩa Kỳ",${A},H1,Chủ hộ`,
        `MIS2022,CHILD,Nguyễn Minh Khang,${dmy(CHILD_BORN)},Nam,,TE1510000000011,,"Thôn An Hội Bắc, xã Nghĩa Kỳ",${A},H1,Con`,
        `MIS2022,STRANGER,Lê Văn Khác,01/01/1980,Nam,051080009999,,,"Thôn Phú Thọ, xã Nghĩa Kỳ",${A},H2,Chủ hộ`,
      ].join('\n'),
    );
    await importFile(db.db, population);
    await relinkAll(db.db);
    for (const r of await db.db.selectFrom('source_record').select(['source_id', 'person_id']).where('source_system', '=', 'MIS2022').execute()) P[r.source_id] = r.person_id!;
    // The list's relation column makes the mother the child's parent (population_relation): she opens the child's book.
    const rel = await db.db.selectFrom('person_relation').select(['source']).where('person_id', '=', P.CHILD!).where('related_person_id', '=', P.PARENT!).executeTakeFirstOrThrow();
    assert.equal(rel.source, 'population_relation');
    for (const [u, role, facilityCode] of [['nurseA', 'station_nurse', '51242'], ['nurseB', 'station_nurse', '51243'], ['doctor', 'clinician', '51001']] as const) {
      cookie[u] = (await staffSession(app, db.db, { username: u, fullName: `Nhân viên ${u}`, role, facilityCode })).cookie;
    }
    cookie.parent = await citizenCookie(db, '051192001234', P.PARENT!, true);
    cookie.stranger = await citizenCookie(db, '051080009999', P.STRANGER!, true);
    // The child's doses: the station's, and the immunization system's export (a facility it knows by a code this registry does not).
    for (const [v, d] of [['VGB', CHILD_BORN], ['BCG', shift(CHILD_BORN, 0, 2)], ['DPT-VGB-Hib', shift(CHILD_BORN, 2)], ['bOPV', shift(CHILD_BORN, 2)], ['DPT-VGB-Hib', shift(CHILD_BORN, 3)]] as const) {
      assert.equal((await record(P.CHILD!, v, d)).status, 201);
    }
    const csv = join(keysDir, 'export.csv');
    writeFileSync(
      csv,
      [
        'source_id,ho_ten,ngay_sinh,gioi_tinh,so_bhyt,ten_vac_xin,ngay_tiem,ma_co_so',
        // The same 5-in-1 dose 2 as the station's (one real dose), and dose 3 the station never entered.
        `T1,Nguyễn Minh Khang,${dmy(CHILD_BORN)},Nam,TE1510000000011,Quinvaxem,${dmy(shift(CHILD_BORN, 3, 1))},99001`,
        `T2,Nguyễn Minh Khang,${dmy(CHILD_BORN)},Nam,TE1510000000011,DPT-VGB-Hib,${dmy(shift(CHILD_BORN, 4))},99001`,
      ].join('\n'),
    );
    const r = await importImmunizationFile(db.db, csv);
    assert.equal(r.accepted, 2, JSON.stringify(r.errors));
  });
  after(async () => {
    await close();
    rmSync(keysDir, { recursive: true, force: true });
  });

  it('the parent sees the child’s doses by antigen, counted once, and what is due next; others cannot', async () => {
    const r = await call('parent', 'GET', `/api/v1/book/vaccinations?person=${P.CHILD}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.viewing_child.name, 'Nguyễn Minh Khang');
    assert.equal(r.body.vaccinations.length, 7, 'every record is listed…');
    assert.equal(r.body.vaccinations.filter((v: Json) => v.duplicate_of !== null).length, 1, '…the second record of one dose marked');
    const hib = r.body.by_antigen.find((g: Json) => g.antigen === 'hib');
    assert.equal(hib.doses.length, 3);
    assert.equal(hib.name_vi, 'Hib');
    const dpt = r.body.schedule.series.find((s: Json) => s.series === 'dpt_vgb_hib');
    assert.equal(dpt.status, 'complete');
    assert.ok(dpt.doses.every((d: Json) => /^Mũi \d DPT-VGB-Hib/.test(d.text_vi)));
    // OPV 2 and 3 are due (the station gave only dose 1); IPV follows the schedule.
    const next = r.body.schedule.next_due.map((n: Json) => `${n.series}#${n.dose}`);
    assert.ok(next.includes('opv#2'), next.join(','));
    const audit = await sql<{ person_id: string; actor_id: string; actor_role: string | null }>`
      select person_id, actor_id, actor_role from audit_event where action = 'book.vaccinations.list' order by id`.execute(db.db);
    assert.deepEqual(audit.rows.map((a) => [a.person_id, a.actor_id, a.actor_role]), [[P.CHILD, '051192001234', 'parent']]);

    assert.equal((await call('stranger', 'GET', `/api/v1/book/vaccinations?person=${P.CHILD}`)).status, 404);
    assert.equal((await call(undefined, 'GET', '/api/v1/book/vaccinations')).status, 401);
    const own = await call('parent', 'GET', '/api/v1/book/vaccinations');
    assert.equal(own.body.vaccinations.length, 0);
    assert.ok(own.body.schedule.next_due.some((n: Json) => n.series === 'tetanus_women'), 'a woman of 15–35 is offered the tetanus series');

    const family = await call('parent', 'GET', '/api/v1/book/immunization/family');
    assert.deepEqual(family.body.persons.map((p: Json) => [p.id, p.relation]), [[P.PARENT, 'self'], [P.CHILD, 'parent']]);
    assert.equal(family.body.persons[1].doses_recorded, 6);
    assert.ok(family.body.persons[1].next_due.length > 0);
    const summary = await call('parent', 'GET', `/api/v1/book/summary?person=${P.CHILD}`);
    assert.equal(summary.body.vaccinations.length, 6, 'the summary counts real doses');
  });

  it('issues a certificate whose QR payload verifies online and offline; one changed character anywhere fails', async () => {
    const pdf = await call('parent', 'GET', `/api/v1/book/vaccinations/certificate.pdf?person=${P.CHILD}`);
    assert.equal(pdf.status, 200);
    const file = join(keysDir, 'cert.pdf');
    writeFileSync(file, pdf.raw);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    assert.match(text, /GIẤY CHỨNG NHẬN TIÊM CHỦNG/);
    assert.match(text, /Nguyễn Minh Khang/);
    assert.match(text, /Bạch hầu, Uốn ván, Ho gà,\s+Viêm gan B, Hib/);
    assert.match(text, /Trạm Y tế xã Nghĩa\s+Kỳ/);

    const c = await call('parent', 'GET', `/api/v1/book/vaccinations/certificate?person=${P.CHILD}`);
    assert.equal(c.status, 200);
    const jws: string = c.body.jws;
    assert.equal(c.body.verify_url, `${url}/verify#${jws}`);
    // The screen's QR code is the verification link's (the PDF prints the same).
    const svg = Buffer.from(String(c.body.qr).replace(/^data:image\/svg\+xml;base64,/, ''), 'base64').toString('utf8');
    assert.equal(svg, await QRCode.toString(c.body.verify_url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));
    const published = await fetch(`${url}/.well-known/jwks.json`);
    assert.equal(published.status, 200);
    assert.equal(published.headers.get('access-control-allow-origin'), '*');
    const jwks = (await published.json()) as JSONWebKeySet;
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]!.kid, c.body.kid);
    assert.equal(jwks.keys[0]!.d, undefined, 'no private part is published');

    const ok = await call(undefined, 'POST', '/api/v1/immunization/verify', { certificate: c.body.verify_url });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.valid, true, JSON.stringify(ok.body));
    assert.deepEqual(ok.body.holder, { name: 'Nguyễn Minh Khang', birth_date: CHILD_BORN });
    assert.equal(ok.body.doses.length, 6);
    assert.deepEqual(ok.body.doses[0], { date: CHILD_BORN, antigens: [{ code: 'hepb', name_vi: 'Viêm gan B', name_en: 'Hepatitis B' }], dose_no: null, facility_code: '51242', facility_name: 'Trạm Y tế xã Nghĩa Kỳ' });

    // One character changed in the header, the payload or the signature — every position of a sample.
    const [h, p] = jws.split('.') as [string, string, string];
    const positions = [0, 5, h.length - 1, h.length + 1, h.length + 10, h.length + p.length, h.length + p.length + 2, jws.length - 10, jws.length - 1];
    for (const at of positions) {
      if (jws[at] === '.') continue;
      const bad = await verifyCertificate(flip(jws, at), jwks);
      assert.equal(bad.valid, false, `a change at ${at} must be detected`);
    }
    const tampered = await call(undefined, 'POST', '/api/v1/immunization/verify', { certificate: flip(jws, h.length + 20) });
    assert.deepEqual([tampered.status, tampered.body.valid, tampered.body.code], [200, false, 'CERTIFICATE_INVALID']);
    assert.match(tampered.body.message_vi, /không hợp lệ/);
    const junk = await call(undefined, 'POST', '/api/v1/immunization/verify', { certificate: 'không phải mã' });
    assert.equal(junk.body.code, 'CERTIFICATE_MALFORMED');

    // Offline: the CLI with a saved copy of the published keys, no database.
    const saved = join(keysDir, 'jwks.json');
    writeFileSync(saved, JSON.stringify(jwks));
    const certFile = join(keysDir, 'cert.txt');
    writeFileSync(certFile, `${c.body.verify_url}\n`);
    const noDb = async () => {
      throw new Error('verify --jwks must not open the database');
    };
    const log = console.log;
    const lines: string[] = [];
    console.log = (m: string) => lines.push(m);
    try {
      assert.equal(await runImmunization('verify', [certFile, '--jwks', saved], noDb, { keysDir: undefined, kek: undefined }), 0);
      assert.equal(await runImmunization('verify', [flip(jws, h.length + 30), '--jwks', saved], noDb, { keysDir: undefined, kek: undefined }), 1);
    } finally {
      console.log = log;
    }
    assert.match(lines[0]!, /^HỢP LỆ \/ VALID/);
    assert.match(lines.at(-1)!, /^KHÔNG HỢP LỆ \/ NOT VALID \[CERTIFICATE_INVALID\]/);

    // A certificate signed with another key of the same shape is not ours.
    const foreign = join(mkdtempSync(join(tmpdir(), 'imm-foreign-')), 'k');
    const other = await loadCertificateKeys(db.db, { keysDir: foreign, kek: undefined });
    const forged = await (await import('./certificate.ts')).signCertificate(other, JSON.parse('{"iss":"x","iat":1,"v":1,"n":"Giả Mạo","b":"2020-01-01","d":[]}'));
    assert.equal((await verifyCertificate(forged, jwks)).valid, false);
    assert.equal(((await verifyCertificate(forged, jwks)) as Json).code, 'CERTIFICATE_UNKNOWN_KEY');
    rmSync(foreign, { recursive: true, force: true });
  });

  it('keeps the signing key in the keys folder (0600); a rotation keeps earlier certificates verifiable', async () => {
    const path = join(keysDir, 'immunization-certificate-keys.json');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal((await db.db.selectFrom('app_state').select('key').where('key', '=', 'immunization_certificate_keys').execute()).length, 0);
    const before = await loadCertificateKeys(db.db, { keysDir, kek: undefined });
    const old = (await call('parent', 'GET', `/api/v1/book/vaccinations/certificate?person=${P.CHILD}`)).body.jws as string;
    const r = await rotateCertificateKey(db.db, { keysDir, kek: undefined });
    const after = await loadCertificateKeys(db.db, { keysDir, kek: undefined });
    assert.notEqual(after.signer.kid, before.signer.kid);
    assert.equal(after.signer.kid, r.kid);
    assert.deepEqual(after.jwks.keys.map((k) => k.kid).sort(), [before.signer.kid, r.kid].sort());
    assert.equal((await verifyCertificate(old, after.jwks)).valid, true);
    assert.ok(JSON.parse(readFileSync(path, 'utf8')).keys.every((k: Json) => typeof k.jwk.d === 'string'));
    // Under a key-encryption key, the database holds it sealed.
    const kek = Buffer.alloc(32, 7).toString('base64');
    const sealed = await loadCertificateKeys(db.db, { keysDir: undefined, kek });
    const stored = (await db.db.selectFrom('app_state').select('value').where('key', '=', 'immunization_certificate_keys').executeTakeFirstOrThrow()).value as Json;
    assert.equal(stored.enc, 'A256GCM');
    assert.ok(!JSON.stringify(stored).includes(String(sealed.jwks.keys[0]!.x)));
    assert.equal((await loadCertificateKeys(db.db, { keysDir: undefined, kek })).signer.kid, sealed.signer.kid);
  });

  it('a reaction report goes to the facility that gave the dose, or the commune’s station; only they see it', async () => {
    const doses = (await call('parent', 'GET', `/api/v1/book/vaccinations?person=${P.CHILD}`)).body.vaccinations as Json[];
    const stationDose = doses.find((d) => d.source === 'TYT' && d.antigens.some((a: Json) => a.code === 'bcg'))!;
    const importedDose = doses.find((d) => d.source === 'TIEMCHUNG' && d.duplicate_of === null)!;
    const report = (dose: Json, body: object, who = 'parent') => call(who, 'POST', `/api/v1/book/vaccinations/${dose.id}/reactions?person=${P.CHILD}`, body);
    const mild = await report(stationDose, { onset_on: shift(CHILD_BORN, 0, 3), symptoms: ['injection_site', 'fever'], severity: 'mild', detail: 'Sưng đỏ 2 cm' });
    assert.equal(mild.status, 201, JSON.stringify(mild.body));
    assert.deepEqual([mild.body.routed_to, mild.body.severity, mild.body.advice.code], ['51242', 'mild', 'REPORT_SENT']);
    const serious = await report(importedDose, { onset_on: importedDose.given_on, symptoms: ['seizure'], severity: 'mild' });
    assert.equal(serious.status, 201);
    assert.deepEqual([serious.body.routed_to, serious.body.severity, serious.body.advice.code], ['51242', 'severe', 'SEEK_CARE_NOW'], 'an unknown facility: the commune’s station');
    assert.equal((await report(stationDose, { onset_on: shift(CHILD_BORN, 0, 1), symptoms: ['fever'], severity: 'mild' })).body.code, 'REACTION_BEFORE_DOSE');
    assert.equal((await report(stationDose, { onset_on: TODAY, symptoms: ['fever'], severity: 'mild' }, 'stranger')).status, 404);
    assert.equal((await call('parent', 'POST', `/api/v1/book/vaccinations/999999/reactions?person=${P.CHILD}`, { onset_on: TODAY, symptoms: ['fever'], severity: 'mild' })).status, 404);

    const list = await call('nurseA', 'GET', '/api/v1/immunization/reactions?status=new');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.reports.map((x: Json) => [x.person_id, x.severity]), [[P.CHILD, 'severe'], [P.CHILD, 'mild']]);
    assert.equal(list.body.reports[1].symptoms[0].name_vi, 'Sưng, đỏ, đau chỗ tiêm');
    assert.equal((await call('nurseB', 'GET', '/api/v1/immunization/reactions')).body.reports.length, 0);
    assert.equal((await call('doctor', 'GET', '/api/v1/immunization/reactions')).body.reports.length, 0);
    assert.equal((await call('nurseB', 'POST', `/api/v1/immunization/reactions/${mild.body.id}`, { status: 'acknowledged' })).status, 404);
    const ack = await call('nurseA', 'POST', `/api/v1/immunization/reactions/${mild.body.id}`, { status: 'acknowledged', note: 'Đã gọi điện hỏi thăm' });
    assert.equal(ack.body.status, 'acknowledged');
    const mine = await call('parent', 'GET', `/api/v1/book/vaccinations?person=${P.CHILD}`);
    assert.deepEqual(mine.body.reactions.map((x: Json) => x.status).sort(), ['acknowledged', 'new']);
  });

  it('"đăng ký tiêm": a slot at the commune’s next session, listed for the station', async () => {
    const session = await call('nurseA', 'POST', '/api/v1/immunization/sessions', { session_on: shift(TODAY, 0, 7), place: 'Trạm Y tế' });
    assert.equal(session.status, 201);
    const r = await call('parent', 'POST', `/api/v1/book/immunization/slot-requests?person=${P.CHILD}`, { note: 'Xin tiêm buổi sáng' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.request.session_on, shift(TODAY, 0, 7));
    assert.ok(r.body.request.series.includes('opv#2'));
    const again = await call('parent', 'POST', `/api/v1/book/immunization/slot-requests?person=${P.CHILD}`, {});
    assert.deepEqual([again.status, again.body.created, again.body.request.id], [200, false, r.body.request.id]);
    const listed = await call('nurseA', 'GET', '/api/v1/immunization/slot-requests?status=requested');
    assert.deepEqual(listed.body.requests.map((x: Json) => x.person_id), [P.CHILD]);
    assert.equal((await call('nurseB', 'GET', '/api/v1/immunization/slot-requests')).body.requests.length, 0);
    const done = await call('nurseA', 'POST', `/api/v1/immunization/slot-requests/${r.body.request.id}`, { status: 'scheduled', session_id: session.body.id });
    assert.equal(done.body.status, 'scheduled');
    assert.equal((await call('nurseB', 'POST', `/api/v1/immunization/slot-requests/${r.body.request.id}`, { status: 'cancelled' })).status, 404);
  });

  it('station doses follow an MPI merge and go back on its undo', async () => {
    await upsertPersons(db.db, [{ id: 'CHILD2', ho_ten: 'Nguyễn Minh Khang', ngay_sinh: CHILD_BORN, birth_year: Number(CHILD_BORN.slice(0, 4)), gioi_tinh: 1, ma_xa: A }]);
    const before = (await dosesOf(db.db, [P.CHILD!])).length;
    const moved = await moveVaccinationRows(db.db, [{ from: P.CHILD!, to: 'CHILD2' }]);
    assert.equal(moved.length, 5, "the station's doses; imported ones stay with their source record's person");
    // The imported doses belong to whoever their source record names: the MPI moves the records in
    // the same decision (setSourceLinks), and their doses with them.
    const sources = await sql<{ s: string; i: string }>`select distinct person_source_system as s, person_source_id as i from vaccination
      where person_id = ${P.CHILD!} and person_source_id is not null`.execute(db.db);
    assert.ok(sources.rows.length > 0);
    const relink = (p: string) => db.db.transaction().execute((tx) => setSourceLinks(tx, sources.rows.map((k) => ({ ...k, p, r: 'MPI_MANUAL_MERGE' }))));
    assert.equal((await dosesOf(db.db, ['CHILD2'])).length, 5);
    assert.equal((await dosesOf(db.db, [P.CHILD!])).length, 2, 'until the MPI moves their records');
    await relink('CHILD2');
    assert.equal((await dosesOf(db.db, ['CHILD2'])).length, 7);
    assert.equal((await dosesOf(db.db, [P.CHILD!])).length, 0);
    // The undo: the MPI moves the source records back (their doses with them), the follower the rest.
    await relink(P.CHILD!);
    assert.equal((await returnVaccinationRows(db.db, moved, 'CHILD2', P.CHILD!)).length, 5);
    assert.equal((await dosesOf(db.db, [P.CHILD!])).length, before);
    // A merge logged when imported doses still moved by person lists them: an undo leaves them with their record.
    const imported = await sql<{ id: string }>`select id::text from vaccination where person_id = ${P.CHILD!} and person_source_id is not null`.execute(db.db);
    assert.deepEqual(await returnVaccinationRows(db.db, imported.rows.map((r) => Number(r.id)), P.CHILD!, 'CHILD2'), []);
  });
});
