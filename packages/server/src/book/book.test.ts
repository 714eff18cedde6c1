import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BookFixture, bookFixture, FAC, json } from '../../test-support/book-fixture.ts';
import { ageOn } from './access.ts';
import type { bookSummary, getEpisodeForPerson } from './queries.ts';

type Summary = NonNullable<Awaited<ReturnType<typeof bookSummary>>>;
type Detail = NonNullable<Awaited<ReturnType<typeof getEpisodeForPerson>>>;

const pdfText = (buf: Buffer) => {
  const f = join(mkdtempSync(join(tmpdir(), 'hssk-pdf-')), 'x.pdf');
  writeFileSync(f, buf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' });
};

describe(`health book (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let f: BookFixture;
  before(async () => {
    f = await bookFixture();
  });
  after(async () => f?.close());

  it('computes ages conservatively when only the year is known', () => {
    const today = new Date('2026-06-01T00:00:00Z');
    assert.equal(ageOn('2012-12-31', null, today), 13);
    assert.equal(ageOn('2012', null, today), 14);
    assert.equal(ageOn(null, 2013, today), 13);
    assert.equal(ageOn(null, null, today), null);
  });

  it('summary: person, BHYT card, chronic conditions, sensitive visits left out unless asked', async () => {
    const r = await json<Summary>(f.app, 'GET', '/api/v1/book/summary', f.cookies.A);
    assert.equal(r.status, 200, r.body);
    const s = r.json();
    assert.equal(s.person.ho_ten, 'Nguyễn Văn An');
    assert.equal(s.bhyt?.so_bhyt, 'DN4510123456789');
    assert.equal(s.bhyt?.facility_name, 'Bệnh viện Đa khoa Tỉnh Thử');
    assert.equal(s.bhyt?.valid_now, true);
    assert.deepEqual(s.chronic.map((c: { code: string }) => c.code).sort(), ['E11.9', 'I10']);
    assert.equal(s.hidden_sensitive, 1);
    assert.equal(s.episode_count, 2);
    const all = (await json<Summary>(f.app, 'GET', '/api/v1/book/summary?include_sensitive=1', f.cookies.A)).json();
    assert.equal(all.episode_count, 3);
    assert.equal(all.hidden_sensitive, 0);
  });

  it('lists visits with filters and searches with or without diacritics', async () => {
    type L = { episodes: Array<{ id: number; care_group: string; sensitivity: string[] }>; facets: { years: number[]; facilities: unknown[] } };
    const all = (await json<L>(f.app, 'GET', '/api/v1/book/episodes', f.cookies.A)).json();
    assert.equal(all.episodes.length, 3, 'the citizen sees sensitive visits too');
    assert.deepEqual(all.facets.years, [2024, 2023]);
    assert.equal(all.facets.facilities.length, 2);
    const q = async (qs: string) => (await json<L>(f.app, 'GET', `/api/v1/book/episodes?${qs}`, f.cookies.A)).json().episodes.length;
    assert.equal(await q('year=2023'), 1);
    assert.equal(await q(`facility=${FAC}`), 2);
    assert.equal(await q('type=day_care'), 1);
    assert.equal(await q('type=inpatient'), 1);
    assert.equal(await q(`q=${encodeURIComponent('tăng huyết áp')}`), 2);
    assert.equal(await q('q=tang%20huyet%20ap'), 2);
    assert.equal(await q('q=paracetamol'), 3, 'medicine names are searched');
    assert.equal(await q('q=tram%20cam'), 1);
    assert.equal(await q(`q=${encodeURIComponent('áp huyết tăng')}`), 2, 'every word, in any order');
    assert.equal(await q('q=huyet%20paracetamol%20ap'), 2, 'words from the diagnosis and the medicines together');
    assert.equal(await q('q=huyet%20xyzw'), 0, 'a word found nowhere excludes the visit');
  });

  it('pages the visits and counts them per year over the whole match', async () => {
    type P = { episodes: Array<{ ngay_vao: string }>; matched: number; page: number; pages: number; years_matched: Array<{ year: number; count: number }> };
    const p1 = (await json<P>(f.app, 'GET', '/api/v1/book/episodes?per_page=2', f.cookies.A)).json();
    assert.deepEqual([p1.episodes.length, p1.matched, p1.page, p1.pages], [2, 3, 1, 2]);
    assert.deepEqual(p1.years_matched, [{ year: 2024, count: 2 }, { year: 2023, count: 1 }]);
    const p2 = (await json<P>(f.app, 'GET', '/api/v1/book/episodes?per_page=2&page=2', f.cookies.A)).json();
    assert.deepEqual(p2.episodes.map((e) => e.ngay_vao.slice(0, 4)), ['2023'], 'newest first, the oldest on the last page');
    const past = (await json<P>(f.app, 'GET', '/api/v1/book/episodes?per_page=2&page=9', f.cookies.A)).json();
    assert.equal(past.page, 2, 'a page past the end shows the last page');
    const filtered = (await json<P>(f.app, 'GET', '/api/v1/book/episodes?year=2023&per_page=2', f.cookies.A)).json();
    assert.deepEqual([filtered.matched, filtered.pages, filtered.years_matched.length], [1, 1, 1]);
  });

  it('a visit reads as on paper: strength once, services counted, results high or low', async () => {
    const d = (await json<Detail>(f.app, 'GET', `/api/v1/book/episodes/${f.episodes.A[0]}`, f.cookies.A)).json();
    assert.equal(d.labs.find((l) => l.code === 'GLU')?.flag, 'high');
    assert.equal(d.labs.find((l) => l.code === 'WBC')?.flag, null);
    assert.ok(d.services.length > 0 && d.services.every((l) => l.times >= 1));
    assert.equal(d.episode.care_group, 'inpatient');
  });

  it('episode detail: preliminary vs final diagnoses, medicine days, lab ranges and abnormal flags', async () => {
    const r = await json<Detail>(f.app, 'GET', `/api/v1/book/episodes/${f.episodes.A[0]}`, f.cookies.A);
    assert.equal(r.status, 200, r.body);
    const d = r.json();
    assert.equal(d.diagnoses.preliminary, 'Viêm phổi');
    assert.deepEqual(
      d.diagnoses.final.map((x: { code: string; main: boolean }) => [x.code, x.main]),
      [['J18.9', true], ['I10', false], ['E11.9', false]],
    );
    assert.ok(d.diagnoses.final[1]?.name, 'ICD-10 names in Vietnamese');
    assert.equal(d.medicines[0]?.days, 3);
    const glu = d.labs.find((l) => l.code === 'GLU');
    assert.deepEqual(glu?.range, { low: 3.9, high: 6.4 });
    assert.equal(glu?.abnormal, true);
    assert.equal(d.labs.find((l) => l.code === 'WBC')?.abnormal, false);
  });

  it('PDF of an episode and of the whole book carry Vietnamese text', async () => {
    const e = await f.app.inject({ method: 'GET', url: `/api/v1/book/episodes/${f.episodes.A[0]}/pdf`, headers: { cookie: f.cookies.A } });
    assert.equal(e.statusCode, 200);
    assert.equal(e.headers['content-type'], 'application/pdf');
    // pdftotext joins wrapped lines with a newline: compare with single spaces.
    const text = pdfText(e.rawPayload).replace(/\s+/g, ' ');
    for (const s of [
      'Bệnh viện Đa khoa Tỉnh Thử',
      'Nguyễn Văn An',
      'sơ bộ',
      'Chẩn đoán ra viện (xác định)',
      'Glucose: 8,2 mmol/L (tham chiếu 3,9–6,4) ↑ Cao',
      'Cân nặng: 60,50 kg',
      'Điện tim thường: Nhịp xoang đều, tần số 78 lần/phút – Kết luận: Điện tim trong giới hạn bình thường',
      'Diễn biến lâm sàng',
      'Ghi chú: Uống đủ nước, tái khám sau hai tuần',
    ]) {
      assert.ok(text.includes(s), `${s} in episode PDF:\n${text}`);
    }
    assert.ok(!/\d\.\d+ (kg|mmol)/.test(text), 'no decimal point in a Vietnamese number');
    const b = await f.app.inject({ method: 'GET', url: '/api/v1/book/pdf', headers: { cookie: f.cookies.A } });
    assert.equal(b.statusCode, 200);
    const bt = pdfText(b.rawPayload).replace(/\s+/g, ' ');
    for (const s of ['Sổ sức khỏe điện tử', 'Thẻ bảo hiểm y tế', 'Bệnh mạn tính', 'tăng huyết áp', 'Tỉnh Thử']) assert.ok(bt.includes(s), `${s} in book PDF`);
    // More than the visit list: each visit's diagnoses, medicines and results in summary.
    for (const s of ['Chẩn đoán ra viện: J18.9', 'bệnh kèm theo', 'Thuốc: ', 'Kết quả: Glucose: 8,2 mmol/L', 'Ghi chú ra viện: Uống đủ nước']) {
      assert.ok(bt.includes(s), `${s} in book PDF:\n${bt}`);
    }
    assert.ok(!bt.includes('trầm cảm') && !bt.includes('F32'), 'sensitive visit not printed by default');
    assert.ok(!/nhạy cảm/i.test(bt), 'nothing hints that a visit was left out');
    const withSensitive = pdfText((await f.app.inject({ method: 'GET', url: '/api/v1/book/pdf?include_sensitive=1', headers: { cookie: f.cookies.A } })).rawPayload);
    assert.ok(withSensitive.includes('F32.9'), 'printed when the citizen chose so');
  });

  it('declarations: CRUD by the citizen, marked as self-declared data', async () => {
    const c = await json<{ id: number }>(f.app, 'POST', '/api/v1/book/declarations', f.cookies.A, { kind: 'allergy', title: 'Penicilin', detail: 'Nổi mề đay' });
    assert.equal(c.status, 201, c.body);
    const id = c.json().id;
    const bad = await json(f.app, 'POST', '/api/v1/book/declarations', f.cookies.A, { kind: 'diagnosis', title: 'x' });
    assert.equal(bad.status, 400);
    const u = await json<{ title: string }>(f.app, 'PUT', `/api/v1/book/declarations/${id}`, f.cookies.A, { kind: 'allergy', title: 'Penicillin' });
    assert.equal(u.json().title, 'Penicillin');
    const list = (await json<{ declarations: unknown[] }>(f.app, 'GET', '/api/v1/book/declarations', f.cookies.A)).json();
    assert.equal(list.declarations.length, 1);
    const del = await json(f.app, 'DELETE', `/api/v1/book/declarations/${id}`, f.cookies.A);
    assert.equal(del.status, 200);
    assert.equal((await json(f.app, 'DELETE', `/api/v1/book/declarations/${id}`, f.cookies.A)).status, 404);
  });

  it('vaccinations: empty until a feed exists', async () => {
    const r = await json<{ vaccinations: unknown[] }>(f.app, 'GET', '/api/v1/book/vaccinations', f.cookies.A);
    assert.deepEqual(r.json().vaccinations, []);
  });

  it('dependents: a parent opens a child under 14, audited; not a child of 16', async () => {
    const deps = (await json<{ dependents: Array<{ id: string }> }>(f.app, 'GET', '/api/v1/book/dependents', f.cookies.A)).json();
    assert.deepEqual(deps.dependents.map((d) => d.id), ['PC']);
    const r = await json<{ episodes: Array<{ id: number }> }>(f.app, 'GET', '/api/v1/book/episodes?person=PC', f.cookies.A);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json().episodes.map((e) => e.id), f.episodes.C);
    const s = (await json<{ viewing_child: { name: string } }>(f.app, 'GET', '/api/v1/book/summary?person=PC', f.cookies.A)).json();
    assert.equal(s.viewing_child.name, 'Nguyễn Minh Châu');
    const ev = await f.db.db.selectFrom('audit_event').select(['actor_id', 'detail']).where('person_id', '=', 'PC').where('action', '=', 'book.episodes.list').execute();
    assert.equal(ev.length, 1);
    assert.equal(ev[0]?.actor_id, '051090000001');
    assert.equal((await json(f.app, 'GET', '/api/v1/book/episodes?person=PD', f.cookies.A)).status, 404);
  });

  it('shares: link + QR, doctor view audited as share, sensitive excluded, revoke and expiry say why', async () => {
    const c = await json<{ id: number; url: string; qr: string; expires_at: string }>(f.app, 'POST', '/api/v1/book/shares', f.cookies.A, { scope: 'full' });
    assert.equal(c.status, 201, c.body);
    const share = c.json();
    assert.match(share.qr, /^data:image\/svg\+xml;base64,/);
    const minutes = (new Date(share.expires_at).getTime() - Date.now()) / 60000;
    assert.ok(minutes > 28 && minutes <= 30, 'default expiry 30 minutes');
    const token = share.url.split('/chia-se/')[1]!;
    const v = await json<{ summary: Summary; episodes: Array<{ ref: string }> }>(f.app, 'GET', `/api/v1/shared/${token}`, undefined);
    assert.equal(v.status, 200, v.body);
    assert.equal(v.json().episodes.length, 2, 'sensitive visit excluded');
    assert.equal((v.json().summary.person as { dia_chi?: string }).dia_chi, undefined);
    const sensitiveId = f.episodes.A[1]!;
    assert.equal((await json(f.app, 'GET', `/api/v1/shared/${token}/episodes/${sensitiveId}`, undefined)).status, 404);
    assert.equal((await json(f.app, 'GET', `/api/v1/shared/${token}/episodes/${v.json().episodes[0]!.ref}`, undefined)).status, 200);
    assert.equal((await json(f.app, 'GET', `/api/v1/shared/${token}/episodes/${f.episodes.A[0]}`, undefined)).status, 404, 'a share names episodes by reference, not id');
    assert.equal((await json(f.app, 'GET', `/api/v1/shared/${token}/episodes/${f.episodes.B[0]}`, undefined)).status, 404);
    assert.equal(v.json().summary.bhyt?.valid_now, true);
    // An expired card reads "không còn hiệu lực" to the doctor too (issue 20 item 10), never "valid" by default.
    await f.db.db.updateTable('person').set({ bhyt_valid_to: '2025-12-31' }).where('id', '=', 'PA').execute();
    try {
      const expired = (await json<{ summary: Summary }>(f.app, 'GET', `/api/v1/shared/${token}`, undefined)).json().summary.bhyt;
      assert.equal(expired?.valid_to, '2025-12-31');
      assert.equal(expired?.valid_now, false);
    } finally {
      await f.db.db.updateTable('person').set({ bhyt_valid_to: '2099-12-31' }).where('id', '=', 'PA').execute();
    }
    const log = (await json<{ events: Array<{ actor_type: string; action: string }> }>(f.app, 'GET', '/api/v1/book/access-log?filter=all', f.cookies.A)).json();
    assert.ok(log.events.some((e) => e.actor_type === 'share' && e.action === 'share.view'));
    assert.ok(log.events.some((e) => e.actor_type === 'citizen'));

    assert.equal((await json(f.app, 'DELETE', `/api/v1/book/shares/${share.id}`, f.cookies.B)).status, 404, 'B cannot revoke A’s share');
    assert.equal((await json(f.app, 'DELETE', `/api/v1/book/shares/${share.id}`, f.cookies.A)).status, 200);
    const gone = await json<{ code: string; message_vi: string }>(f.app, 'GET', `/api/v1/shared/${token}`, undefined);
    assert.equal(gone.status, 410);
    assert.equal(gone.json().code, 'SHARE_REVOKED');

    const s2 = (await json<{ id: number; url: string }>(f.app, 'POST', '/api/v1/book/shares', f.cookies.A, {})).json();
    await f.db.db.updateTable('book_share' as never).set({ expires_at: new Date(Date.now() - 1000) } as never).where('id' as never, '=', s2.id as never).execute();
    const exp = await json<{ code: string }>(f.app, 'GET', `/api/v1/shared/${s2.url.split('/chia-se/')[1]}`, undefined);
    assert.equal(exp.json().code, 'SHARE_EXPIRED');
    assert.equal((await json<{ code: string }>(f.app, 'GET', '/api/v1/shared/not-a-real-token-at-all-000', undefined)).json().code, 'SHARE_NOT_FOUND');
  });

  it('withdrawing consent revokes live shares and hides health data', async () => {
    const s = (await json<{ url: string }>(f.app, 'POST', '/api/v1/book/shares', f.cookies.B, { scope: 'summary' })).json();
    const token = s.url.split('/chia-se/')[1];
    assert.equal((await json(f.app, 'GET', `/api/v1/shared/${token}`, undefined)).status, 200);
    const w = await json<{ shares_revoked: number }>(f.app, 'DELETE', '/api/v1/me/consent', f.cookies.B);
    assert.equal(w.json().shares_revoked, 1);
    assert.equal((await json(f.app, 'GET', `/api/v1/shared/${token}`, undefined)).status, 410);
    assert.equal((await json(f.app, 'GET', '/api/v1/book/summary', f.cookies.B)).status, 403);
    await json(f.app, 'POST', '/api/v1/me/consent', f.cookies.B);
    assert.equal((await json(f.app, 'GET', `/api/v1/shared/${token}`, undefined)).status, 410, 'consenting again does not revive old shares');
  });
});
