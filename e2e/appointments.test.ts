/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { viDate, vietnamToday } from '@openhssk/core';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope } from '@openhssk/core/xml130';
import { createTestCertificate, signEnvelope } from '@openhssk/core/xmldsig';
import type { Browser, Page } from 'playwright-core';
import { type Call, ensureWebBuilt, launchBrowser, loginCitizenAndConsent, nav, pageCall, type RunningServer, screenshotBoth, seedDemoDataDir, staffLogin, staffSession, startServer } from './harness.ts';

// Issue 18 item 3 acceptance, on a phone (360 px): a hospital sends (signed XML 130 through the ingest
// API) a visit with the doctor's record summary (XML8) and a re-exam date (XML14); the citizen reads the
// summary in the visit and the re-exam on "Lịch hẹn"; the server's own reminder planner and job workers
// (jobs/ module, pg-boss) deliver the in-app reminder, which shows in "Thông báo" and is marked unread on
// the book's front page; the hospital's staff see the citizen expected that day.

const PHONE = { width: 360, height: 800 };
const COURSE = 'Sốt 3 ngày, ho có đờm; đáp ứng tốt với kháng sinh, hết sốt ngày thứ 4.';

/** Registers a signing certificate and API credentials for the facility, and answers a sender of signed episodes. */
async function hisOf(url: string, admin: Call, facility: string) {
  const signer = createTestCertificate({ commonName: `HIS ${facility}`, organization: facility });
  assert.equal((await admin('POST', `/api/v1/facilities/${facility}/certificates`, { pem: signer.certPem })).status, 201);
  const cred = (await admin('POST', `/api/v1/facilities/${facility}/credentials/rotate`, { grace_hours: 0 })).body as { client_id: string; client_secret: string };
  const token = (await (
    await fetch(`${url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', ...cred }) })
  ).json()) as { access_token: string };
  return async (episode: ReturnType<typeof sampleEpisode>) => {
    const xml = signEnvelope(buildEnvelope({ facilityCode: facility, createdDate: vietnamToday().replaceAll('-', ''), episodes: [episode] }), signer.privateKeyPem, signer.certPem);
    const r = await fetch(`${url}/api/v1/xml130/submissions`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token.access_token}` }, body: xml });
    assert.equal(r.status, 201, await r.clone().text());
  };
}

const waitFor = async (what: string, check: () => Promise<boolean>, ms = 90_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
};

describe('appointments and reminders in Chromium at 360 px', () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => {
    ensureWebBuilt();
    // The reminder planner looks for new appointments every 2 s (default 60 s); the job workers run as in production.
    server = await startServer({ HSSK_DATA_DIR: seedDemoDataDir('hssk-e2e-appt-').dataDir, HSSK_REMINDER_PLAN_SECONDS: '2' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the citizen sees the doctor’s summary, the re-exam and its reminder; the hospital sees who is expected', async () => {
    const citizen: Page = await (await browser.newContext({ viewport: PHONE })).newPage();
    await loginCitizenAndConsent(citizen, server.url);
    const me = (await pageCall(citizen, 'GET', '/api/v1/book/summary')).body as { person: { ho_ten: string; so_cccd: string; ngay_sinh: string; gioi_tinh: number } };

    // The hospital (51001, whose admin the demo has) sends a visit of this citizen with XML8 and a re-exam today.
    const today = vietnamToday();
    const day8 = today.replaceAll('-', '');
    const send = await hisOf(server.url, await staffSession(server.url, 'quantri.coso'), '51001');
    const ep = sampleEpisode(9101, '51001');
    const maLk = ep.XML1![0]!.MA_LK!;
    const birth = `${me.person.ngay_sinh.replaceAll('-', '').slice(0, 8)}0000`;
    Object.assign(ep.XML1![0]!, { HO_TEN: me.person.ho_ten, SO_CCCD: me.person.so_cccd, NGAY_SINH: birth, GIOI_TINH: String(me.person.gioi_tinh ?? 3), MA_THE_BHYT: '', MA_DKBD: '', GT_THE_TU: '', GT_THE_DEN: '' });
    const x1 = ep.XML1![0]!;
    ep.XML8 = [
      {
        MA_LK: maLk, MA_LOAI_KCB: '03', NGAY_VAO: x1.NGAY_VAO!, NGAY_RA: x1.NGAY_RA!, CHAN_DOAN_VAO: 'Viêm phổi', CHAN_DOAN_RV: 'Viêm phổi; tăng huyết áp', QT_BENHLY: COURSE,
        TOMTAT_KQ: 'X-quang: đám mờ đáy phổi phải; bạch cầu tăng.', PP_DIEUTRI: 'Kháng sinh đường tĩnh mạch 5 ngày', KET_QUA_DTRI: '2', GHI_CHU: 'Tái khám đúng hẹn, mang kết quả X-quang.',
        MA_TTDV: '000123/HNO', NGAY_CT: x1.NGAY_RA!.slice(0, 8),
      },
    ];
    ep.XML14 = [
      {
        MA_LK: maLk, SO_GIAYHEN_KL: 'GH-E2E-9101', MA_CSKCB: '51001', HO_TEN: x1.HO_TEN!, NGAY_SINH: birth, GIOI_TINH: x1.GIOI_TINH!, DIA_CHI: x1.DIA_CHI!, NGAY_VAO: x1.NGAY_VAO!,
        NGAY_RA: x1.NGAY_RA!, NGAY_HEN_KL: day8, CHAN_DOAN_RV: 'Viêm phổi; tăng huyết áp', MA_BENH_CHINH: 'J18.9', MA_BENH_KT: 'I10', MA_DOITUONG_KCB: '1.1',
        MA_BAC_SI: '000123/HNO', MA_TTDV: '000123/HNO', NGAY_CT: x1.NGAY_RA!.slice(0, 8),
      },
    ];
    await send(ep);

    // The visit, with the doctor's own words marked as such.
    const list = (await pageCall(citizen, 'GET', '/api/v1/book/episodes?per_page=100')).body as { episodes: Array<{ id: number; facility_code: string; ma_lk: string }> };
    const visit = list.episodes.find((e) => e.facility_code === '51001' && e.ma_lk === maLk);
    assert.ok(visit, 'the sent visit is in the citizen’s book');
    await citizen.goto(`${server.url}/luot-kham/${visit.id}`);
    const summary = citizen.locator('[data-section="record-summary"]');
    await summary.getByText(/Tóm tắt do bác sĩ ghi/).waitFor();
    await summary.getByText(COURSE).waitFor();
    await citizen.locator('[data-section="next"]').getByText(viDate(today)).waitFor();
    await screenshotBoth(citizen, 'appointments-episode-summary');
    await citizen.setViewportSize(PHONE);

    // The reminder: planned by the server's planner, delivered by its job worker into the book.
    const title = `Nhắc lịch hẹn khám lại ngày ${viDate(today)}`;
    await waitFor('the in-app reminder', async () => {
      const n = (await pageCall(citizen, 'GET', '/api/v1/book/notifications')).body as { notifications: Array<{ title: string; body: string }> };
      return n.notifications.some((x) => x.title === title);
    });

    // The front page: next appointment and the unread marker.
    await citizen.goto(server.url);
    await citizen.getByTestId('notifications-unread').getByText(/chưa đọc/).waitFor();
    const next = citizen.getByTestId('next-appointment');
    await next.getByText(/Hẹn khám lại ngày/).waitFor();
    await screenshotBoth(citizen, 'appointments-home');
    await citizen.setViewportSize(PHONE);

    // "Lịch hẹn": the re-exam with its place, what to bring and the reminder sent in the book.
    await nav(citizen, 'Lịch hẹn');
    await citizen.getByRole('heading', { name: 'Lịch hẹn', level: 1 }).waitFor();
    const card = citizen.getByTestId('appointment').filter({ hasText: 'GH-E2E-9101' });
    await card.getByRole('heading', { name: `Hẹn khám lại ngày ${viDate(today)}` }).waitFor();
    await card.getByText('Giấy hẹn khám lại số GH-E2E-9101').waitFor();
    await card.getByTestId('reminders').getByText(/Trong sổ.*đã nhắc lúc/).waitFor();
    assert.match((await card.textContent()) ?? '', /Nơi đến/);
    await screenshotBoth(citizen, 'appointments-list');
    await citizen.setViewportSize(PHONE);

    // "Thông báo": the reminder, unread, then read.
    await nav(citizen, 'Thông báo');
    await citizen.getByRole('heading', { name: 'Thông báo', level: 1 }).waitFor();
    const notice = citizen.getByTestId('notification').filter({ hasText: title }).first();
    await notice.getByText('Chưa đọc').waitFor();
    assert.match((await notice.textContent()) ?? '', /khám lại/);
    await screenshotBoth(citizen, 'appointments-notifications');
    await citizen.setViewportSize(PHONE);
    await citizen.getByRole('button', { name: 'Đánh dấu tất cả đã đọc' }).click();
    await citizen.getByTestId('notifications-unread-count').waitFor({ state: 'detached' });
    assert.equal(await notice.getByText('Chưa đọc').count(), 0);
    await citizen.goto(server.url);
    await citizen.getByTestId('next-appointment').waitFor();
    assert.equal(await citizen.getByTestId('notifications-unread').count(), 0, 'the marker clears once read');

    // Reminder settings: e-mail on with the citizen's own address; SMS stays without a number.
    await nav(citizen, 'Cài đặt');
    const email = citizen.getByTestId('reminder-email');
    await email.getByLabel('Địa chỉ e-mail nhận nhắc lịch').fill('nguoi.dan@example.vn');
    await email.getByRole('button', { name: /Lưu cách nhận qua e-mail/ }).click();
    await email.getByTestId('reminder-email-state').getByText('Đang bật, gửi đến nguoi.dan@example.vn').waitFor();
    await citizen.getByTestId('reminder-sms-state').getByText(/chưa cho địa chỉ nhận/).waitFor();
    await screenshotBoth(citizen, 'appointments-settings');

    // The hospital's receptionist side: who is expected today, and the no-show figure.
    const staff = await (await browser.newContext({ viewport: PHONE })).newPage();
    await staffLogin(staff, server.url, 'quantri.coso');
    await staff.getByRole('navigation', { name: 'Chức năng' }).getByRole('link', { name: 'Lịch hẹn tái khám' }).click();
    await staff.getByRole('heading', { name: 'Lịch hẹn tái khám', level: 1 }).waitFor();
    await staff.getByTestId('no-show').waitFor();
    await staff.getByLabel('Đến ngày').fill(today);
    await staff.getByRole('button', { name: 'Xem', exact: true }).click();
    await staff.getByTestId('appt-total').getByText(`Từ ${viDate(today)} đến ${viDate(today)}`).waitFor();
    // The day may hold more people than one page: turn pages until the citizen shows.
    const expected = staff.getByTestId('appt-person').filter({ hasText: me.person.ho_ten }).filter({ hasText: 'GH-E2E-9101' });
    await staff.getByTestId('appt-person').first().waitFor();
    for (let p = 1; (await expected.count()) === 0; p++) {
      const nextPage = staff.getByRole('button', { name: 'Trang sau →' });
      assert.ok((await nextPage.count()) > 0 && (await nextPage.isEnabled()), 'the citizen is among those expected today');
      await nextPage.click();
      await staff.getByText(new RegExp(`^Trang ${p + 1}/\\d+$`)).waitFor();
    }
    await staff.getByTestId('appt-day').first().getByRole('heading', { name: new RegExp(`Ngày ${viDate(today)}`) }).waitFor();
    await screenshotBoth(staff, 'appointments-staff');
  });
});
