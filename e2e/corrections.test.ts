/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope } from '@openhssk/core/xml130';
import { createTestCertificate, signEnvelope } from '@openhssk/core/xmldsig';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, assertAccessible, launchBrowser, loginCitizenAndConsent, pageCall, type RunningServer, seedDemoDataDir, startServer } from './harness.ts';

// Issue 18 item 4 acceptance, on a phone (360 px): the citizen reports a visit that is not theirs;
// the facility admin sees the request and resolves it by re-sending the corrected episode (a real
// signed submission through the ingest API); the citizen sees the outcome in the book.

const PHONE = { width: 360, height: 800 };

describe('correction requests ("Báo thông tin sai") in Chromium at 360 px', () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => {
    server = await startServer({ HSSK_DATA_DIR: seedDemoDataDir('hssk-e2e-corr-').dataDir });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the citizen reports a visit that is not theirs; the facility re-sends it and resolves; the citizen sees the outcome', async () => {
    const citizen = await (await browser.newContext({ viewport: PHONE })).newPage();
    await loginCitizenAndConsent(citizen, server.url);

    // A visit of the demo hospital whose admin account the demo has (quantri.coso at 51001), not sensitive.
    const list = (await pageCall(citizen, 'GET', '/api/v1/book/episodes?per_page=100')).body as { episodes: Array<{ id: number; facility_code: string; sensitivity: string[] }> };
    const visit = list.episodes.find((e) => e.facility_code === '51001' && e.sensitivity.length === 0);
    assert.ok(visit, 'the demo citizen has a visit at 51001');

    await citizen.goto(`${server.url}/luot-kham/${visit.id}`);
    await citizen.getByRole('button', { name: 'Báo thông tin sai' }).click();
    const form = citizen.getByRole('form', { name: 'Báo thông tin sai' });
    await form.getByLabel('Không phải lượt khám của tôi').check();
    // A note too short is refused with a clear message before anything is sent.
    await form.getByLabel(/Ghi chú/).fill('sai');
    await form.getByRole('button', { name: 'Gửi yêu cầu' }).click();
    await form.getByRole('alert').getByText(/ít nhất 10 ký tự/).waitFor();
    await assertAccessible(citizen, 'correction form at 360 px');
    await citizen.screenshot({ path: join(ARTIFACTS, 'correction-form-360.png'), fullPage: true });
    await form.getByLabel(/Ghi chú/).fill('Tôi không đến khám ở bệnh viện này vào ngày đó.');
    await form.getByRole('button', { name: 'Gửi yêu cầu' }).click();
    await citizen.getByRole('heading', { name: 'Đã gửi yêu cầu sửa thông tin' }).waitFor();
    await citizen.getByText(/10 ngày làm việc/).first().waitFor();
    await assertAccessible(citizen, 'correction sent at 360 px');
    await citizen.screenshot({ path: join(ARTIFACTS, 'correction-sent-360.png'), fullPage: true });

    // The facility admin sees it in the queue.
    const admin = await (await browser.newContext({ viewport: PHONE })).newPage();
    await admin.goto(`${server.url}/nhan-vien/`);
    await admin.getByLabel('Tên đăng nhập').fill('quantri.coso');
    await admin.getByLabel('Mật khẩu').fill('demo-Staff1');
    await admin.getByRole('button', { name: 'Đăng nhập' }).click();
    await admin.getByRole('navigation', { name: 'Chức năng' }).getByRole('link', { name: 'Yêu cầu sửa thông tin' }).click();
    await admin.getByRole('heading', { name: 'Yêu cầu sửa thông tin' }).waitFor();
    const item = admin.getByTestId('correction-queue').locator('li', { hasText: 'Không phải lượt khám của tôi' }).first();
    await item.waitFor();
    await item.getByRole('button', { name: 'Xem và xử lý' }).click();
    const detail = item.getByTestId('correction-detail');
    await detail.getByText('Tôi không đến khám ở bệnh viện này vào ngày đó.').waitFor();
    await detail.getByTestId('newer-version').getByText(/Chưa nhận phiên bản mới/).waitFor();
    await detail.getByRole('button', { name: 'Nhận xử lý' }).click();
    await admin.getByTestId('correction-notice').getByText(/^Đã nhận xử lý: /).waitFor();
    await assertAccessible(admin, 'correction queue at 360 px');
    await admin.screenshot({ path: join(ARTIFACTS, 'correction-queue-360.png'), fullPage: true });

    // The HIS corrects the patient of this visit (same MA_LK) and re-sends it, signed, through the ingest API.
    const queue = (await pageCall(admin, 'GET', '/api/v1/corrections?status=open')).body as { requests: Array<{ episode: { ma_lk: string } | null }> };
    const maLk = queue.requests.find((r) => r.episode)!.episode!.ma_lk;
    const signer = createTestCertificate({ commonName: 'HIS Bệnh viện 51001', organization: '51001' });
    assert.equal((await pageCall(admin, 'POST', '/api/v1/facilities/51001/certificates', { pem: signer.certPem })).status, 201);
    const cred = (await pageCall(admin, 'POST', '/api/v1/facilities/51001/credentials/rotate', { grace_hours: 0 })).body as { client_id: string; client_secret: string };
    const token = (await (
      await fetch(`${server.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', ...cred }) })
    ).json()) as { access_token: string };
    const corrected = sampleEpisode(1, '51001');
    for (const rows of Object.values(corrected)) for (const row of rows ?? []) row.MA_LK = maLk;
    Object.assign(corrected.XML1![0]!, {
      MA_BN: 'BN-SUA-0001', HO_TEN: 'Đặng Thị Khác', SO_CCCD: '051190007771', NGAY_SINH: '197002030000', GIOI_TINH: '2', MA_THE_BHYT: '', MA_DKBD: '', GT_THE_TU: '', GT_THE_DEN: '',
    });
    const xml = signEnvelope(buildEnvelope({ facilityCode: '51001', createdDate: '20261129', episodes: [corrected] }), signer.privateKeyPem, signer.certPem);
    const sent = await fetch(`${server.url}/api/v1/xml130/submissions`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token.access_token}` }, body: xml });
    assert.equal(sent.status, 201, await sent.clone().text());

    // The queue detects the new version; the admin resolves by it.
    await admin.reload();
    const again = admin.getByTestId('correction-queue').locator('li', { hasText: 'Không phải lượt khám của tôi' }).first();
    await again.getByRole('button', { name: 'Xem và xử lý' }).click();
    await again.getByTestId('newer-version').getByText(/Đã nhận phiên bản 2/).waitFor();
    await again.getByLabel('Ghi chú gửi người dân (không bắt buộc)').fill('Bệnh viện đã sửa thông tin người bệnh của lượt khám và gửi lại.');
    await again.getByRole('button', { name: 'Đánh dấu đã giải quyết: đã gửi lại dữ liệu' }).click();
    await admin.getByTestId('correction-notice').getByText(/^Đã đánh dấu đã giải quyết: /).waitFor();
    await assertAccessible(admin, 'correction resolved at 360 px');
    await admin.screenshot({ path: join(ARTIFACTS, 'correction-resolved-staff-360.png'), fullPage: true });

    // The citizen: the book's front page marks the answer, the request page shows the outcome.
    await citizen.goto(server.url);
    await citizen.getByTestId('corrections-unread').getByText('1 cập nhật mới').waitFor();
    await assertAccessible(citizen, 'book home with an answered request at 360 px');
    await citizen.screenshot({ path: join(ARTIFACTS, 'correction-book-home-360.png'), fullPage: true });
    await citizen.getByRole('link', { name: 'Yêu cầu sửa thông tin của tôi' }).click();
    await citizen.getByRole('heading', { name: 'Yêu cầu sửa thông tin của tôi', level: 1 }).waitFor();
    const mine = citizen.getByTestId('correction').first();
    await mine.getByText('Đã giải quyết', { exact: true }).waitFor();
    assert.match((await mine.getByTestId('correction-outcome').textContent()) ?? '', /gửi lại dữ liệu đã sửa.*Bệnh viện đã sửa thông tin người bệnh/);
    assert.equal(await citizen.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false, 'no sideways scrolling at 360 px');
    await assertAccessible(citizen, 'my correction requests at 360 px');
    await citizen.screenshot({ path: join(ARTIFACTS, 'correction-outcome-360.png'), fullPage: true });
    // The visit left the book with the corrected version; the marker clears once the answer was read.
    const after = (await pageCall(citizen, 'GET', '/api/v1/book/episodes?per_page=100')).body as { episodes: Array<{ facility_code: string; ma_lk: string }> };
    assert.ok(!after.episodes.some((e) => e.facility_code === '51001' && e.ma_lk === maLk), 'the corrected visit is no longer in the book');
    await citizen.goto(server.url);
    await citizen.getByRole('heading', { name: /Yêu cầu sửa thông tin/ }).waitFor();
    assert.equal(await citizen.getByTestId('corrections-unread').count(), 0);
  });
});
