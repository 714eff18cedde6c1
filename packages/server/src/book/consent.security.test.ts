import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope } from '@openhssk/core/xml130';
import type { FastifyInstance } from 'fastify';
import { facilityWithToken, startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { citizenCookie, json } from '../../test-support/book-fixture.ts';
import { upsertPersons } from '../person/index.ts';

// Consent that says what it does, and shares that never hint at sensitive episodes or carry contact
// details the citizen did not include (issue 13).

const FAC = '51003';
const N = { id: 'SN', name: 'Phạm Văn Nam', cccd: '051090000031', phone: '0905111222', address: 'Số 12 đường Lê Lợi, phường Nghĩa Chánh' };
const S = { id: 'SS', name: 'Phạm Văn Sơn', cccd: '051090000032', phone: '0905333444', address: 'Số 34 đường Hùng Vương, phường Trần Phú' };

/** Every key path of a JSON value, array positions folded: two answers of the same shape give the same set. */
function keyPaths(v: unknown, p = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) for (const x of v) keyPaths(x, `${p}[]`, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.add(`${p}.${k}`);
      keyPaths(x, `${p}.${k}`, out);
    }
  }
  return out;
}

let seq = 0;
function episode(p: typeof N, patch: Record<string, string> = {}) {
  const t = sampleEpisode(++seq, FAC);
  Object.assign(
    t.XML1![0]!,
    {
      SO_CCCD: p.cccd, HO_TEN: p.name, NGAY_SINH: '199001010000', MA_BN: `BN-${p.id}-${seq}`, MA_THE_BHYT: '', MA_DKBD: '', GT_THE_TU: '',
      GT_THE_DEN: '', DIA_CHI: p.address, DIEN_THOAI: p.phone,
    },
    patch,
  );
  // A phone number typed into a clinical note must not travel through a share either.
  t.XML5![0]!.DIEN_BIEN_LS = `Bệnh nhân tỉnh; đã gọi người nhà theo số ${p.phone}`;
  return t;
}
const outpatient = (p: typeof N, code: string, day: string, text: string) =>
  episode(p, { MA_BENH_CHINH: code, MA_BENH_KT: '', CHAN_DOAN_VAO: text, CHAN_DOAN_RV: text, NGAY_VAO: `${day}1000`, NGAY_VAO_NOI_TRU: '', NGAY_RA: `${day}1100`, MA_LOAI_KCB: '01', SO_NGAY_DTRI: '0', NAM_QT: day.slice(0, 4), THANG_QT: day.slice(4, 6) });

describe(`consent choices and shares (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let cookieN: string;
  let cookieS: string;
  let sensitiveIds: number[];

  before(async () => {
    ({ app, db, close } = await startTestApp());
    const { token } = await facilityWithToken(app, db, FAC, { testMode: true });
    await upsertPersons(db.db, [
      { id: N.id, ho_ten: N.name, so_cccd: N.cccd, ngay_sinh: '1990-01-01', birth_year: 1990, gioi_tinh: 1, so_dien_thoai: N.phone, dia_chi: N.address },
      { id: S.id, ho_ten: S.name, so_cccd: S.cccd, ngay_sinh: '1990-01-01', birth_year: 1990, gioi_tinh: 1, so_dien_thoai: S.phone, dia_chi: S.address },
    ]);
    // The same history for both; S also has a mental-health and a TB episode, the newest ones, sent
    // between the others so their ids would leave gaps.
    const episodes = [
      episode(N),
      episode(S),
      outpatient(S, 'F32.9', '20240601', 'Giai đoạn trầm cảm'),
      outpatient(N, 'I10', '20240510', 'Tăng huyết áp'),
      outpatient(S, 'A15.0', '20240701', 'Lao phổi'),
      outpatient(S, 'I10', '20240510', 'Tăng huyết áp'),
    ];
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/xml130/submissions',
      headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` },
      payload: buildEnvelope({ facilityCode: FAC, createdDate: '20240705', episodes }),
    });
    assert.equal(r.statusCode, 201, r.body);
    const rows = await db.db.selectFrom('episode').select(['id', 'person_id', 'sensitivity']).where('person_id', 'in', [N.id, S.id]).execute();
    assert.equal(rows.filter((e) => e.person_id === N.id).length, 2);
    sensitiveIds = rows.filter((e) => e.sensitivity.length > 0).map((e) => e.id);
    assert.equal(sensitiveIds.length, 2, 'S has two sensitive episodes');
    cookieN = await citizenCookie(db, N.cccd, N.id, false);
    cookieS = await citizenCookie(db, S.cccd, S.id, true);
  });
  after(async () => close());

  const me = async (cookie: string) => (await json<{ consented: boolean; cross_facility_consent: boolean }>(app, 'GET', '/api/v1/me', cookie)).json();
  const choices = async (cookie: string) =>
    (await json<{ book: { given: boolean; given_at: string | null }; cross_facility: { given: boolean; given_at: string | null; withdrawn_at: string | null } }>(app, 'GET', '/api/v1/me/consent', cookie)).json();
  const crossFacility = (cookie: string, given: boolean) => json<{ code?: string }>(app, 'PUT', '/api/v1/me/consent/cross-facility', cookie, { given });
  const auditedActions = async (personId: string) =>
    (await db.db.selectFrom('audit_event').select('action').where('person_id', '=', personId).where('action', 'like', 'consent.%').orderBy('id').execute()).map((a) => a.action);

  it('using the book and cross-facility viewing are two choices, stored apart with their times and audited', async () => {
    const before = await me(cookieN);
    assert.deepEqual([before.consented, before.cross_facility_consent], [false, false]);
    const early = await crossFacility(cookieN, true);
    assert.equal(early.status, 403, 'cross-facility viewing cannot be given before the book consent');
    assert.equal(early.json().code, 'CONSENT_REQUIRED');
    assert.equal((await json(app, 'POST', '/api/v1/me/consent', cookieN)).status, 200);
    const afterBook = await me(cookieN);
    assert.equal(afterBook.consented, true);
    assert.equal(afterBook.cross_facility_consent, false, 'the book consent does not give cross-facility viewing');
    assert.equal((await choices(cookieN)).cross_facility.given_at, null);
    assert.equal((await crossFacility(cookieN, true)).status, 200);
    const both = await choices(cookieN);
    assert.equal(both.cross_facility.given, true);
    assert.ok(both.book.given_at && both.cross_facility.given_at, 'each choice has its own time');
    assert.equal((await me(cookieN)).cross_facility_consent, true);
    assert.equal((await crossFacility(cookieN, false)).status, 200);
    const alone = await me(cookieN);
    assert.deepEqual([alone.consented, alone.cross_facility_consent], [true, false], 'withdrawn on its own, the book stays open');
    assert.deepEqual(await auditedActions(N.id), ['consent.give', 'consent.cross_facility.give', 'consent.cross_facility.withdraw']);
  });

  it('withdrawing the book consent withdraws cross-facility viewing; consenting again does not restore it', async () => {
    assert.equal((await crossFacility(cookieN, true)).status, 200);
    assert.equal((await json(app, 'DELETE', '/api/v1/me/consent', cookieN)).status, 200);
    const gone = await choices(cookieN);
    assert.equal(gone.cross_facility.given, false);
    assert.ok(gone.cross_facility.withdrawn_at);
    const row = await db.db.selectFrom('citizen_account').selectAll().where('subject', '=', N.cccd).executeTakeFirstOrThrow();
    assert.ok((row as Record<string, unknown>).cross_facility_withdrawn_at, 'withdrawal stored, not only computed');
    assert.deepEqual((await auditedActions(N.id)).slice(-2), ['consent.withdraw', 'consent.cross_facility.withdraw']);
    assert.equal((await json(app, 'POST', '/api/v1/me/consent', cookieN)).status, 200);
    assert.equal((await me(cookieN)).cross_facility_consent, false);
  });

  async function share(cookie: string, body: Record<string, unknown>) {
    const c = await json<{ url: string }>(app, 'POST', '/api/v1/book/shares', cookie, body);
    assert.equal(c.status, 201, c.body);
    const token = c.json().url.split('/chia-se/')[1]!;
    const v = await json<{ summary: Record<string, unknown>; episodes: Array<Record<string, unknown> & { ref: string }> }>(app, 'GET', `/api/v1/shared/${token}`, undefined);
    assert.equal(v.status, 200, v.body);
    const details = [];
    for (const e of v.json().episodes) {
      const d = await json(app, 'GET', `/api/v1/shared/${token}/episodes/${e.ref}`, undefined);
      assert.equal(d.status, 200, d.body);
      details.push({ text: d.body, json: d.json() });
    }
    return { token, text: v.body, view: v.json(), details };
  }

  it('a share of any kind answers the same for a person with and without sensitive episodes', async () => {
    for (const scope of ['summary', 'full'] as const) {
      const n = await share(cookieN, { scope });
      const s = await share(cookieS, { scope });
      assert.deepEqual([...keyPaths(s.view)].sort(), [...keyPaths(n.view)].sort(), `${scope}: same fields`);
      assert.equal(s.view.summary.episode_count, n.view.summary.episode_count, `${scope}: same totals`);
      assert.equal(s.view.episodes.length, n.view.episodes.length);
      assert.equal((s.view.summary.chronic as unknown[]).length, (n.view.summary.chronic as unknown[]).length);
      assert.deepEqual(s.details.map((d) => [...keyPaths(d.json)].sort()), n.details.map((d) => [...keyPaths(d.json)].sort()));
      const all = [s.text, ...s.details.map((d) => d.text)].join('\n');
      assert.doesNotMatch(all, /F32|A15|trầm cảm|Lao phổi|hidden|sensitive_count/i, `${scope}: no trace of the sensitive episodes`);
      assert.ok(!('hidden_sensitive' in s.view.summary));
      for (const e of s.view.episodes) assert.ok(!('id' in e), 'episodes are named by reference, never by id');
      for (const id of sensitiveIds) assert.doesNotMatch(all, new RegExp(`"(id|episode_id)":${id}\\b`));
    }
  });

  it('a sensitive episode’s id answers exactly like a non-existent episode', async () => {
    const { token, view } = await share(cookieS, { scope: 'full' });
    const probe = async (ref: string) => {
      const r = await json<{ code: string; message_vi: string; message_en: string; status: number }>(app, 'GET', `/api/v1/shared/${token}/episodes/${ref}`, undefined);
      const { code, message_vi, message_en, status } = r.json();
      return { http: r.status, code, message_vi, message_en, status };
    };
    const missing = await probe('99999999');
    assert.equal(missing.http, 404);
    for (const id of sensitiveIds) assert.deepEqual(await probe(String(id)), missing);
    assert.deepEqual(await probe('AAAAAAAAAAAAAAAAAAAAAA'), missing, 'a made-up reference');
    // The listed references do open, and only with include_sensitive does a sensitive one appear.
    assert.equal(view.episodes.length, 2);
    const withSensitive = await share(cookieS, { scope: 'full', include_sensitive: true });
    assert.equal(withSensitive.view.episodes.length, 4);
  });

  it('a full share without the contact option carries the phone and address in no field, raw XML 130 included', async () => {
    const n = await share(cookieN, { scope: 'full' });
    assert.ok(n.details.length > 0);
    const all = [n.text, ...n.details.map((d) => d.text)].join('\n');
    for (const secret of [N.phone, N.address]) assert.ok(!all.includes(secret), `found ${secret}`);
    assert.doesNotMatch(all, /"(DIA_CHI|DIEN_THOAI|MATINH_CU_TRU|MAHUYEN_CU_TRU|MAXA_CU_TRU|so_dien_thoai|dia_chi)"/);
    // The clinical content is still there (the note was cut, not dropped).
    assert.match(all, /Bệnh nhân tỉnh; đã gọi người nhà theo số/);
    // Ticked by the citizen, the contact details are shown.
    const withContact = await share(cookieN, { scope: 'full', include_contact: true });
    assert.ok(withContact.text.includes(N.phone) && withContact.text.includes(N.address));
    assert.ok(withContact.details.some((d) => d.text.includes('"DIA_CHI"')));
  });
});
