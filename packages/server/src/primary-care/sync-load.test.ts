import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { addDays, vietnamToday } from '@openhssk/core';
import type { FastifyInstance } from 'fastify';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { staffSession } from '../../test-support/staff.ts';
import { upsertPersons } from '../person/index.ts';
import { pcDb } from './tables.ts';

const TODAY = vietnamToday();
const PERSONS = 100;

/**
 * A full offline queue (500 entries: 831 items, check-ups, enrolments and the follow-ups that
 * need them) synced in one request, then replayed. Its time is measured by bench/primary-care/sync.ts
 * beside a baseline, not asserted here (a loaded CI machine is no measure).
 */
function queuedEntries(personIds: readonly string[], when: Date = new Date()) {
  const at = (i: number) => new Date(when.getTime() - (500 - i) * 1000).toISOString();
  const entries: Array<Record<string, unknown>> = [];
  const rec = (personId: string, section: string, values: Record<string, unknown>, itemId?: string) =>
    entries.push({ entryId: randomUUID(), kind: 'record', personId, recordedAt: at(entries.length), record: { section, ...(itemId ? { itemId } : {}), values } });
  personIds.forEach((p, i) => {
    rec(p, 'administrative', { dan_toc: '01', nghe_nghiep: 'Nông dân', nhom_mau_abo: 'O' });
    rec(p, 'risk_factors', { hut_thuoc: i % 3 === 0 ? 'co' : 'khong', ruou_bia: 'khong', ma_tuy: 'khong', hoat_dong_the_luc: 'it' });
    rec(p, 'allergies', i % 4 === 0 ? { loai: 'thuoc', tac_nhan: 'Penicilin' } : { none: true }, i % 4 === 0 ? randomUUID() : undefined);
  });
  for (const p of personIds) {
    entries.push({ entryId: randomUUID(), kind: 'checkup', personId: p, recordedAt: at(entries.length), checkup: { examinedOn: TODAY, pulse: 76, sbp: 145, dbp: 92, heightCm: 160, weightKg: 62, exam: { tuan_hoan: 'Tim đều' } } });
  }
  const enrolled = personIds.slice(0, 50);
  for (const p of enrolled) {
    entries.push({ entryId: randomUUID(), kind: 'enrolment', personId: p, recordedAt: at(entries.length), enrolment: { register: 'hypertension', icd10: 'I10', enrolledOn: addDays(TODAY, -60) } });
  }
  for (const [i, p] of enrolled.entries()) {
    entries.push({
      entryId: randomUUID(),
      kind: 'followup',
      personId: p,
      recordedAt: at(entries.length),
      followUp: { register: 'hypertension', visitDate: addDays(TODAY, -(i % 20)), sbp: 120 + (i % 40), dbp: 70 + (i % 25), medicines: [{ name: 'Amlodipin 5mg', quantity: 30, unit: 'viên', days: 30 }], adherence: 'tot' },
    });
  }
  return entries;
}

describe(`sync of a full offline queue (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let cookie: string;
  const ids = Array.from({ length: PERSONS }, (_, i) => `PL${String(i).padStart(4, '0')}`);

  before(async () => {
    ({ app, db, close } = await startTestApp());
    await db.db.insertInto('admin_unit').values([
      { code: '51', level: 'province', name: 'Quảng Ngãi', parent_code: null, valid_from: null, valid_to: null },
      { code: '21550', level: 'commune', name: 'thị trấn La Hà', parent_code: '51', valid_from: null, valid_to: null },
    ]).execute();
    await db.db.insertInto('facility').values({ code: '51010', name: 'Trạm Y tế thị trấn La Hà', level: 'xã', admin_unit_code: '21550' }).execute();
    await upsertPersons(
      db.db,
      ids.map((id, i) => ({ id, ho_ten: `Người dân ${i}`, ngay_sinh: `${1950 + (i % 40)}-01-01`, birth_year: 1950 + (i % 40), gioi_tinh: 1, so_cccd: `0510${String(i).padStart(8, '0')}`, ma_xa: '21550' })),
    );
    cookie = (await staffSession(app, db.db, { username: 'ytruong', fullName: 'Y sĩ Trạm', role: 'station_clinician', facilityCode: '51010' })).cookie;
  });
  after(async () => close());

  it('500 queued entries apply exactly once; the replay changes nothing', async () => {
    const entries = queuedEntries(ids);
    assert.equal(entries.length, 500);
    const send = async () => {
      const r = await app.inject({ method: 'POST', url: '/api/v1/primary-care/sync', headers: { cookie }, payload: { entries } });
      assert.equal(r.statusCode, 200, r.body);
      return { body: r.json() as { summary: Record<string, number>; results: Array<{ status: string; error?: unknown }> } };
    };
    const first = await send();
    assert.deepEqual(first.body.summary, { applied: 500, already_applied: 0, conflict: 0, refused: 0 }, JSON.stringify(first.body.results.find((r) => r.status !== 'applied')));
    const replay = await send();
    assert.deepEqual(replay.body.summary, { applied: 0, already_applied: 500, conflict: 0, refused: 0 });
    const pdb = pcDb(db.db);
    const n = async (t: 'pc_entry' | 'pc_checkup' | 'pc_followup') => Number((await pdb.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    assert.deepEqual([await n('pc_entry'), await n('pc_checkup'), await n('pc_followup')], [500, 100, 50], 'exactly once');
    const audits = await db.db.selectFrom('audit_event').select((eb) => eb.fn.countAll<number>().as('n')).where('action', 'like', 'primary_care.%').executeTakeFirstOrThrow();
    assert.equal(Number(audits.n), 500);
  });

  it('more than 500 entries are refused before anything is applied', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/primary-care/sync', headers: { cookie }, payload: { entries: queuedEntries(ids).concat(queuedEntries(ids.slice(0, 1))) } });
    assert.equal(r.statusCode, 400);
  });
});
