/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope } from '@openhssk/core/xml130';
import { createTestCertificate, signEnvelope } from '@openhssk/core/xmldsig';
import type { Browser, } from 'playwright-core';
import QRCode from 'qrcode';
import { launchBrowser, pageCall, ROOT, type RunningServer, screenshotBoth, seedDemoDataDir, staffLogin, startServer } from './harness.ts';

const NEW_FACILITY = '51999';

describe('staff portal in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => {
    // PGlite serves one process at a time: seed demo data and demo staff through the CLI first,
    // then start the server on the same data directory (its demo seeding sees the marker and skips).
    server = await startServer({ HSSK_DATA_DIR: seedDemoDataDir('hssk-e2e-staff-').dataDir });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('receptionist checks in by CCCD; clinician uses break-glass; the citizen sees it in the access log', async () => {
    // The citizen signs in once (no consent yet) so we know a demo patient's personal ID.
    const citizen = await (await browser.newContext()).newPage();
    await citizen.goto(server.url);
    await citizen.getByRole('link', { name: 'Đăng nhập bằng VNeID' }).click();
    await citizen.waitForURL(/\/idp\/interaction\//);
    const personalId = (await citizen.locator('li', { hasText: '(mức 2)' }).first().locator('code').getAttribute('data-personal-id')) ?? '';
    assert.match(personalId, /^\d{12}$/);
    await citizen.getByLabel('Số định danh cá nhân').fill(personalId);
    await citizen.getByLabel('Mật khẩu').fill('demo');
    await citizen.getByRole('button', { name: 'Đăng nhập' }).click();
    await citizen.getByRole('heading', { name: 'Đồng ý sử dụng' }).waitFor();

    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const reception = await ctx.newPage();
    await staffLogin(reception, server.url, 'letan');
    await reception.getByRole('heading', { name: 'Tiếp đón người bệnh' }).waitFor();
    await reception.getByLabel('CCCD gắn chip').check();
    await reception.getByLabel(/Số CCCD \(12 số\)/).fill(personalId);
    await reception.getByRole('button', { name: 'Tiếp nhận' }).click();
    await reception.getByTestId('cccd').getByText(personalId).waitFor();
    await reception.getByText(/Đã tiếp nhận lúc/).waitFor();
    // A typed number with the chip box ticked is recorded, and shown, as typed.
    await reception.getByText(/\(Nhập số\)\. Không có dữ liệu đọc từ mã QR\/chip/).waitFor();
    await screenshotBoth(reception, 'staff-checkin');
    // A photo of the chip-card QR (CCCD|CMND|name|birth|sex|address|issue date) is decoded in the browser.
    const qrDir = mkdtempSync(join(tmpdir(), 'hssk-qr-'));
    const qrPhoto = join(qrDir, 'qr.png');
    await QRCode.toFile(qrPhoto, `${personalId}|123456789|Người bệnh|01011980|Nam|Tư Nghĩa|01012022`, { width: 360, margin: 4 });
    await reception.getByLabel('Hoặc chụp / tải ảnh mã QR').setInputFiles(qrPhoto);
    await reception.waitForFunction((id) => (document.getElementById('lookup') as HTMLInputElement | null)?.value.startsWith(id), personalId);
    assert.equal(await reception.getByLabel('Mã QR VNeID').isChecked(), true);
    await reception.getByRole('button', { name: 'Tiếp nhận' }).click();
    await reception.getByText(/Đã tiếp nhận/).waitFor();
    // Keyboard: on a fresh load the first Tab reaches the skip link, with a visible focus ring.
    await reception.reload();
    await reception.getByRole('heading', { name: 'Tiếp đón người bệnh' }).waitFor();
    await reception.keyboard.press('Tab');
    const focused = await reception.evaluate(() => ({ text: document.activeElement?.textContent, outline: getComputedStyle(document.activeElement as HTMLElement).outlineStyle }));
    assert.equal(focused.text, 'Bỏ qua đến nội dung chính');
    assert.notEqual(focused.outline, 'none');
    await ctx.close();

    const doctor = await (await browser.newContext()).newPage();
    await staffLogin(doctor, server.url, 'bacsi');
    await doctor.getByLabel(/Số CCCD \(12 số\)/).fill(personalId);
    await doctor.getByRole('button', { name: 'Tiếp nhận' }).click();
    await doctor.getByRole('heading', { name: 'Tóm tắt hồ sơ' }).waitFor();
    await doctor.getByRole('button', { name: 'Truy cập khẩn cấp' }).click();
    await doctor.getByLabel('Lý do (ít nhất 10 ký tự)').fill('Người bệnh cấp cứu, cần tiền sử dùng thuốc');
    await doctor.getByRole('button', { name: 'Xác nhận truy cập' }).click();
    await doctor.getByText('Truy cập khẩn cấp (đã ghi nhận)').waitFor();
    await screenshotBoth(doctor, 'staff-break-glass');

    await citizen.getByRole('button', { name: 'Tôi đồng ý sử dụng Sổ sức khỏe' }).click();
    await citizen.getByRole('heading', { name: 'Sổ sức khỏe của tôi' }).waitFor();
    const log = await pageCall(citizen, 'GET', '/api/v1/book/access-log');
    assert.equal(log.status, 200);
    const events = (log.body as { events: Array<{ actor_type: string; break_glass: boolean; action: string }> }).events;
    assert.ok(events.some((e) => e.actor_type === 'staff' && e.break_glass && e.action === 'clinic.break_glass'), 'break-glass listed to the citizen');
    assert.ok(events.some((e) => e.actor_type === 'staff' && e.action === 'clinic.checkin'), 'check-in listed to the citizen');
  });

  it('facility admin uploads a certificate and the checklist turns green', async () => {
    // The system admin registers a new facility, issues its credential and its admin account.
    const root = await (await browser.newContext()).newPage();
    await staffLogin(root, server.url, 'quantri');
    await root.getByRole('heading', { name: /Bệnh viện|Trung tâm|Trạm|Phòng khám/ }).first().waitFor();
    assert.equal((await pageCall(root, 'POST', '/api/v1/facilities', { code: NEW_FACILITY, name: 'Phòng khám Đa khoa Thử nghiệm', test_mode: true })).status, 201);
    const cred = await pageCall(root, 'POST', `/api/v1/facilities/${NEW_FACILITY}/credentials/rotate`, {});
    const { client_id, client_secret } = cred.body as { client_id: string; client_secret: string };
    const acc = await pageCall(root, 'POST', '/api/v1/staff/accounts', { username: 'qt.moi', full_name: 'Quản trị phòng khám', role: 'facility_admin', facility_code: NEW_FACILITY });
    const oneTime = (acc.body as { one_time_password: string }).one_time_password;

    const page = await (await browser.newContext()).newPage();
    await staffLogin(page, server.url, 'qt.moi', oneTime);
    await page.getByRole('heading', { name: 'Đổi mật khẩu' }).waitFor();
    await page.getByLabel('Mật khẩu hiện tại').fill(oneTime);
    await page.getByLabel('Mật khẩu mới').fill('Moi-Passw0rd-2026');
    await page.getByRole('button', { name: 'Lưu mật khẩu mới' }).click();
    await page.getByRole('heading', { name: 'Danh mục kết nối' }).waitFor();
    assert.equal(await page.getByTestId('badge').textContent(), 'đang tích hợp');
    assert.equal(await page.locator('[data-key="certificate"]').getAttribute('data-state'), 'missing');

    const signer = createTestCertificate({ commonName: 'Phòng khám Thử nghiệm', organization: NEW_FACILITY });
    const certFile = join(mkdtempSync(join(tmpdir(), 'hssk-cert-')), 'chung-thu.pem');
    writeFileSync(certFile, signer.certPem);
    await page.getByLabel(/Tệp chứng thư số/).setInputFiles(certFile);
    await page.getByRole('button', { name: 'Tải lên' }).click();
    await page.getByText(/Đã tải lên chứng thư số/).waitFor();
    await page.locator('[data-key="certificate"][data-state="ok"]').waitFor();

    // The HIS sends its first signed envelope with the issued credential.
    const token = (await (await fetch(`${server.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', client_id, client_secret }) })).json()) as { access_token: string };
    const xml = signEnvelope(buildEnvelope({ facilityCode: NEW_FACILITY, createdDate: '20260105', episodes: [sampleEpisode(1, NEW_FACILITY)] }), signer.privateKeyPem, signer.certPem);
    const sent = await fetch(`${server.url}/api/v1/xml130/submissions`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token.access_token}` }, body: xml });
    assert.equal(sent.status, 201, await sent.clone().text());
    await page.reload();
    await page.getByRole('heading', { name: 'Danh mục kết nối' }).waitFor();
    // Going live asks first and names the consequence: unsigned envelopes are refused from then on.
    await page.locator('[data-key="configuration"][data-state="missing"]').waitFor();
    const goLive = page.getByRole('button', { name: 'Tắt chế độ thử nghiệm…' });
    await goLive.click();
    const live = page.getByRole('dialog', { name: 'Tắt chế độ thử nghiệm?' });
    await live.getByText(/không có chữ ký số hợp lệ của cơ sở bị từ chối/).waitFor();
    await screenshotBoth(page, 'staff-facility-go-live-confirm');
    await live.getByRole('button', { name: 'Hủy' }).click();
    await live.waitFor({ state: 'hidden' });
    assert.equal(await page.locator('[data-key="configuration"]').getAttribute('data-state'), 'missing', 'still in test mode after cancelling');
    await goLive.click();
    await live.getByRole('button', { name: 'Tắt chế độ thử nghiệm', exact: true }).click();
    await page.locator('[data-key="configuration"][data-state="ok"]').waitFor();
    assert.equal(await page.getByTestId('badge').textContent(), 'đã kết nối');
    assert.equal(await page.locator('.checklist li.ok').count(), 5);
    await page.getByRole('heading', { name: 'Theo dõi gửi dữ liệu (30 ngày)' }).waitFor();
    await screenshotBoth(page, 'staff-facility');

    // A new API password cuts the HIS off once the grace period ends: the dialog says so, and cancelling changes nothing.
    assert.equal(await page.getByLabel('Giữ mật khẩu cũ thêm (giờ) để kịp cấu hình HIS').inputValue(), '24', 'a day of grace by default');
    const rotate = page.getByRole('button', { name: 'Cấp mật khẩu ứng dụng mới…' });
    assert.match((await rotate.getAttribute('class')) ?? '', /\bsecondary\b/, 'not styled as the default action');
    await rotate.click();
    const dialog = page.getByRole('dialog', { name: 'Cấp mật khẩu ứng dụng mới?' });
    await dialog.getByText(/hết hiệu lực sau 24 giờ/).waitFor();
    assert.match((await dialog.textContent()) ?? '', /HIS không gửi được hồ sơ XML/, 'the dialog names the consequence');
    await screenshotBoth(page, 'staff-facility-rotate-confirm');
    await dialog.getByRole('button', { name: 'Hủy' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.locator('.secret').count(), 0, 'nothing rotated on cancel');
    const still = await fetch(`${server.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', client_id, client_secret }) });
    assert.equal(still.status, 200, 'the HIS password still works after cancelling');
    await page.getByRole('button', { name: 'Cấp mật khẩu ứng dụng mới…' }).click();
    await dialog.getByRole('button', { name: 'Cấp mật khẩu mới' }).click();
    await page.locator('.secret').getByText('client_secret').waitFor();
  });
});
