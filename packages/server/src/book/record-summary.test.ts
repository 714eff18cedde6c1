import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BookFixture, bookFixture, FAC, FAC2, json } from '../../test-support/book-fixture.ts';
import { insertEpisode } from '../../test-support/staff.ts';
import type { getEpisodeForPerson } from './queries.ts';

type Detail = NonNullable<Awaited<ReturnType<typeof getEpisodeForPerson>>>;

const pdfText = (buf: Buffer) => {
  const f = join(mkdtempSync(join(tmpdir(), 'hssk-pdf-')), 'x.pdf');
  writeFileSync(f, buf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
};

describe(`record summary (XML8) in the book (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let f: BookFixture;
  let withSummary: number;
  let maLk: string;
  before(async () => {
    f = await bookFixture();
    // B's visit with the doctor's summary, a referral to FAC2 and a re-exam (stored directly: ingest has its own tests).
    maLk = 'unset';
    withSummary = await insertEpisode(f.db.db, {
      facility: FAC,
      personId: 'PB',
      ngayVao: '2024-06-01 10:00:00',
      ngayRa: '2024-06-05 10:00:00',
      benh: 'J18.9',
      rows: {
        XML8: [{
          MA_LOAI_KCB: '03', CHAN_DOAN_VAO: 'Sốt', CHAN_DOAN_RV: 'Viêm phổi', QT_BENHLY: 'Sốt 3 ngày, ho đờm; đáp ứng tốt với kháng sinh.', TOMTAT_KQ: 'X-quang: đám mờ đáy phổi phải; bạch cầu tăng.',
          PP_DIEUTRI: 'Kháng sinh đường tĩnh mạch 5 ngày', KET_QUA_DTRI: '2', GHI_CHU: '', MA_TTDV: '000123/HNO', NGAY_CT: '20240605',
        }],
        XML13: [{ GIAY_CHUYEN_TUYEN: '00040/2024/GCT', MA_NOI_DI: FAC, MA_NOI_DEN: FAC2, HUONG_DIEU_TRI: 'Chuyển tuyến trên chụp cắt lớp ngực' }],
        XML14: [{ SO_GIAYHEN_KL: '000040/GH', NGAY_HEN_KL: '20240619' }],
        XML5: [1, 2, 3].map((d) => ({ STT: String(d), DIEN_BIEN_LS: `Ngày ${d}: sốt giảm dần`, THOI_DIEM_DBLS: `2024060${d}0800` })),
      },
    });
    maLk = (await f.db.db.selectFrom('episode').select('ma_lk').where('id', '=', withSummary).executeTakeFirstOrThrow()).ma_lk;
    await f.db.db.updateTable('facility').set({ name: 'Bệnh viện Tuyến Trên' }).where('code', '=', FAC2).execute();
  });
  after(async () => f?.close());

  it('the episode carries the doctor’s summary, the plan, the next appointment and the destination by name', async () => {
    const r = await json<Detail>(f.app, 'GET', `/api/v1/book/episodes/${withSummary}`, f.cookies.B);
    assert.equal(r.status, 200, r.body);
    const d = r.json();
    assert.deepEqual(d.record_summary, {
      course: 'Sốt 3 ngày, ho đờm; đáp ứng tốt với kháng sinh.',
      key_results: 'X-quang: đám mờ đáy phổi phải; bạch cầu tăng.',
      treatment: 'Kháng sinh đường tĩnh mạch 5 ngày',
      condition_at_discharge: 'Đỡ',
      plan: 'Chuyển tuyến trên chụp cắt lớp ngực',
      written_on: '2024-06-05',
    });
    assert.deepEqual(d.next_appointment, { date: '2024-06-19', number: '000040/GH' });
    assert.deepEqual(d.referral, { number: '00040/2024/GCT', destination: `Bệnh viện Tuyến Trên (${FAC2})`, direction: 'Chuyển tuyến trên chụp cắt lớp ngực' });
    const without = (await json<Detail>(f.app, 'GET', `/api/v1/book/episodes/${f.episodes.A[0]}`, f.cookies.A)).json();
    assert.equal(without.record_summary, null, 'no XML8: nothing is presented as the doctor’s summary');
  });

  it('the episode PDF and the whole-book PDF print the summary as the doctor’s words, essentials before the long lists', async () => {
    const e = pdfText((await f.app.inject({ method: 'GET', url: `/api/v1/book/episodes/${withSummary}/pdf`, headers: { cookie: f.cookies.B } })).rawPayload);
    for (const s of ['Tóm tắt hồ sơ bệnh án', 'Tóm tắt do bác sĩ ghi (ngày 05/06/2024)', 'Quá trình bệnh lý, diễn biến: Sốt 3 ngày', 'Kết quả cận lâm sàng chính: X-quang', 'Tình trạng khi ra viện: Đỡ', 'Nơi chuyển đến: Bệnh viện Tuyến Trên (51002)', 'Hẹn khám lại ngày 19/06/2024']) {
      assert.ok(e.includes(s), `${s} in episode PDF:\n${e}`);
    }
    const order = ['Chẩn đoán', 'Thuốc', 'Tóm tắt hồ sơ bệnh án', 'Hẹn khám lại, chuyển tuyến', 'Tất cả kết quả cận lâm sàng', 'Dịch vụ kỹ thuật, ngày giường, vật tư', 'Diễn biến lâm sàng hằng ngày'].map((h) => e.indexOf(h));
    assert.ok(order.every((i) => i >= 0) && order.every((i, k) => k === 0 || i > order[k - 1]!), `PDF order ${order}`);
    const b = pdfText((await f.app.inject({ method: 'GET', url: '/api/v1/book/pdf', headers: { cookie: f.cookies.B } })).rawPayload);
    for (const s of ['Tóm tắt do bác sĩ ghi', 'Phương pháp điều trị: Kháng sinh đường tĩnh mạch 5 ngày', 'Hẹn khám lại: 19/06/2024']) assert.ok(b.includes(s), `${s} in book PDF:\n${b}`);
  });

  it('a doctor with a full share sees the same summary', async () => {
    const share = (await json<{ url: string }>(f.app, 'POST', '/api/v1/book/shares', f.cookies.B, { scope: 'full' })).json();
    const token = share.url.split('/chia-se/')[1]!;
    const view = (await json<{ episodes: Array<{ ref: string; ma_lk: string }> }>(f.app, 'GET', `/api/v1/shared/${token}`, undefined)).json();
    const ref = view.episodes.find((x) => x.ma_lk === maLk)!.ref;
    const d = (await json<Detail>(f.app, 'GET', `/api/v1/shared/${token}/episodes/${ref}`, undefined)).json();
    assert.equal(d.record_summary?.treatment, 'Kháng sinh đường tĩnh mạch 5 ngày');
  });
});
