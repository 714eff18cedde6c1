import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { vietnamToday } from '@openhssk/core';
import { sampleCheckinRow, sampleEpisode } from '@openhssk/core/testing';
import { buildCheckin, buildEnvelope } from '@openhssk/core/xml130';
import { facilityWithToken, startTestApp } from '../../test-support/app.ts';
import { staffSession } from '../../test-support/staff.ts';
import { upsertPersons } from '../person/index.ts';
import { cardDate, cardFromXml, cardHistory, cardStatus, importCardList, runBhyt } from './index.ts';

const FAC = '51002';
const BHXH = '0123456789';
const CCCD = '001085123456';

describe(`BHYT card data from XML0, XML1 and the card list (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let t: Awaited<ReturnType<typeof startTestApp>>;
  let token: string;
  let reception: string;
  const dir = mkdtempSync(join(tmpdir(), 'hssk-bhyt-'));
  const today = vietnamToday();
  const inAYear = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`;
  const vn = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

  const person = async () =>
    t.db.db.selectFrom('person').select(['so_bhyt', 'bhyt_valid_from', 'bhyt_valid_to', 'bhyt_facility_code']).where('id', '=', 'P-BHYT').executeTakeFirstOrThrow();
  const day = (d: unknown) => (d === null ? null : d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10));
  const checkin = async () => {
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/clinic/checkin', headers: { cookie: reception }, payload: { method: 'typed', value: CCCD } });
    assert.equal(r.statusCode < 300, true, r.body);
    return r.json().patient as { bhyt_status: string; bhyt_facility_code: string | null };
  };
  const headers = () => ({ 'content-type': 'application/xml', authorization: `Bearer ${token}` });

  before(async () => {
    t = await startTestApp();
    ({ token } = await facilityWithToken(t.app, t.db, FAC, { testMode: true }));
    await upsertPersons(t.db.db, [{ id: 'P-BHYT', ho_ten: 'Nguyễn Văn An', so_cccd: CCCD, so_bhyt: 'DN4010123456789', bhxh: BHXH }]);
    reception = (await staffSession(t.app, t.db.db, { username: 'letan.bhyt', fullName: 'Lễ tân', role: 'receptionist', facilityCode: FAC })).cookie;
  });
  after(() => t.close());

  it('reads dates and picks the card valid on the data date from a multi-card row', () => {
    assert.equal(cardDate('20240229'), '2024-02-29');
    assert.equal(cardDate('202403011000'), '2024-03-01');
    assert.equal(cardDate('01/02/2025'), '2025-02-01');
    assert.equal(cardDate('20230229'), null);
    assert.equal(cardDate(''), null);
    const o = cardFromXml(
      { NGAY_VAO: '202407010800', MA_THE_BHYT: 'DN4010123456789;GD4010123456789', GT_THE_TU: '20240101;20240601', GT_THE_DEN: '20240531;20241231', MA_DKBD: '01001;01002' },
      'xml1',
      'x',
    );
    assert.equal(o?.card_no, 'GD4010123456789');
    assert.equal(o?.valid_to, '2024-12-31');
    assert.equal(o?.facility_code, '01002');
    assert.equal(cardFromXml({ NGAY_VAO: '202407010800', MA_THE_BHYT: 'XX' }, 'xml0', 'x'), undefined);
    assert.equal(cardStatus({ so_bhyt: 'DN4010123456789', valid_from: null, valid_to: null }, today), 'unknown');
    assert.equal(cardStatus({ so_bhyt: null, valid_from: null, valid_to: null }, today), 'none');
  });

  it('shows "unknown" at reception while no card data was received, never valid by default', async () => {
    const p = await checkin();
    assert.equal(p.bhyt_status, 'unknown');
  });

  it('takes validity and registered facility from an XML0 check-in; an expired card is flagged at check-in', async () => {
    const row = { ...sampleCheckinRow(FAC), MA_LK: `${FAC}X0001`, HO_TEN: 'Nguyễn Văn An', SO_CCCD: CCCD, NGAY_VAO: '202405011000',
      MA_THE_BHYT: 'DN4010123456789', GT_THE_TU: '20240101', GT_THE_DEN: '20241231', MA_DKBD: FAC };
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/xml130/checkins', headers: headers(), payload: buildCheckin([row]) });
    assert.equal(r.statusCode, 201, r.body);
    const p = await person();
    assert.equal(day(p.bhyt_valid_from), '2024-01-01');
    assert.equal(day(p.bhyt_valid_to), '2024-12-31');
    assert.equal(p.bhyt_facility_code, FAC);
    const c = await checkin();
    assert.equal(c.bhyt_status, 'expired');
    assert.equal(c.bhyt_facility_code, FAC);
  });

  it('keeps the latest by the data date: an older XML1 episode is history, not the current card', async () => {
    // The sample episode starts on 2024-03-01, before the check-in above, and names facility 01001.
    const ep = sampleEpisode(1, FAC);
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/xml130/submissions', headers: headers(), payload: buildEnvelope({ facilityCode: FAC, createdDate: '20240305', episodes: [ep] }) });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal((await person()).bhyt_facility_code, FAC);
    const h = await cardHistory(t.db.db, BHXH);
    assert.deepEqual(h.map((x) => [x.source, x.observed_on, x.facility_code]), [['xml0', '2024-05-01', FAC], ['xml1', '2024-03-01', '01001']]);
    // The same episode sent again adds no second observation.
    await t.app.inject({ method: 'POST', url: '/api/v1/xml130/submissions', headers: headers(), payload: buildEnvelope({ facilityCode: FAC, createdDate: '20240306', episodes: [ep] }) });
    assert.equal((await cardHistory(t.db.db, BHXH)).length, 2);
  });

  it('imports a card list (Vietnamese headers, bad rows reported), renews the card, and re-importing stores nothing', async () => {
    const file = join(dir, 'the-bhyt.csv');
    writeFileSync(
      file,
      `\uFEFFMã thẻ;Giá trị từ;Giá trị đến;Nơi ĐKKCB ban đầu;Ngày dữ liệu\nGD4010123456789;01/01/${today.slice(0, 4)};${vn(inAYear)};51001;${vn(today)}\nXX123;01/01/2025;31/12/2025;51001;\nHT3019999999999;31/02/2025;31/12/2025;51001;\n`,
    );
    const r = await importCardList(t.db.db, file);
    assert.equal(r.rows, 3);
    assert.equal(r.accepted, 1);
    assert.equal(r.personsUpdated, 1);
    assert.deepEqual(r.issues.map((i) => i.line), [3, 4]);
    const p = await person();
    assert.equal(p.so_bhyt, 'GD4010123456789');
    assert.equal(day(p.bhyt_valid_to), inAYear);
    assert.equal(p.bhyt_facility_code, '51001');
    assert.equal((await checkin()).bhyt_status, 'valid');
    const again = await importCardList(t.db.db, file);
    assert.equal(again.stored, 0);
    assert.equal(again.personsUpdated, 0);
    assert.equal((await cardHistory(t.db.db, BHXH)).length, 3);
  });

  it('maps columns with --map like the MPI import', async () => {
    const file = join(dir, 'mapped.csv');
    writeFileSync(file, `So the,Han tu,Han den,KCBBD\nHT3019999999999,20250101,20251231,51003\n`);
    await upsertPersons(t.db.db, [{ id: 'P-MAP', ho_ten: 'Lê Thị Hoa', so_bhyt: 'HT3019999999999', bhxh: '9999999999' }]);
    // Through the command's own entry point (`hssk bhyt import FILE --map …`): exit code 0, all rows taken.
    assert.equal(await runBhyt(t.db.db, 'import', [file, '--map', 'ma_the=So the,gt_the_tu=Han tu,gt_the_den=Han den,ma_dkbd=KCBBD']), 0);
    await assert.rejects(() => runBhyt(t.db.db, 'import', []), /usage/);
    assert.equal(await runBhyt(t.db.db, 'import', [file, '--map', 'khong_co=So the']), 2);
    const p = await t.db.db.selectFrom('person').select(['bhyt_facility_code']).where('id', '=', 'P-MAP').executeTakeFirstOrThrow();
    assert.equal(p.bhyt_facility_code, '51003');
  });
});
