/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { execFileSync, } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addDays, vietnamToday } from '@openhssk/core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, assertAccessible, type Call, ensureWebBuilt, launchBrowser, outbox, pendingIs, type RunningServer, staffLogin, staffSession, startServer, unaccented } from './harness.ts';

// Issue 16 in the browser: a station nurse records a baby's doses (offline, then synced), the parent
// sees them in the child's book with what is due next, downloads the certificate, reports a reaction
// and asks for a slot; the certificate's QR link verifies on /verify and fails once a character is
// changed; the station handles the reaction report and the slot request.

const NURSE = 'tiemchung.nghiason';
const NURSE_PASSWORD = 'Tiem-chung-Nghia-Son-2026';
const STATION = '51245'; // Trạm Y tế xã Nghĩa Sơn, the demo parent's commune
const BABY = 'Vũ Minh Khôi';

const daysFrom = (n: number) => addDays(vietnamToday(), n);
const dmy = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
const BORN = daysFrom(-75);

/** axe (serious, critical and moderate), no sideways scrolling, a screenshot at the width in use. */
async function checkScreen(page: Page, name: string) {
  const width = page.viewportSize()?.width ?? 0;
  await assertAccessible(page, `${name} at ${width} px`, { moderate: true });
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner, `${name}: page is ${scroll} px wide in a ${inner} px viewport`);
  await page.screenshot({ path: join(ARTIFACTS, `imm-${name}-${width}.png`), fullPage: true });
}

/** The same screen at 360 and at 1280 px. */
async function bothWidths(page: Page, name: string) {
  for (const [width, height] of [
    [360, 800],
    [1280, 900],
  ] as const) {
    await page.setViewportSize({ width, height });
    await checkScreen(page, name);
  }
}

async function stationLogin(page: Page, url: string) {
  await staffLogin(page, url, NURSE, NURSE_PASSWORD, '/tram-y-te/');
  await page.getByRole('heading', { name: /^Việc hôm nay/ }).waitFor();
  await page.getByTestId('snapshot-status').getByText(/Sổ hộ gia đình: \d+ hộ, \d+ người/).waitFor({ timeout: 60_000 });
  await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state);
}

async function recordDose(page: Page, vaccine: string, givenOn: string, doseNo: string) {
  await page.getByLabel('Ngày tiêm').fill(givenOn);
  await page.getByLabel('Vắc xin').selectOption(vaccine);
  await page.getByLabel('Mũi số').fill(doseNo);
  await page.getByLabel('Số lô').fill('LOT-2026-01');
  await page.getByRole('button', { name: 'Lưu mũi tiêm' }).click();
  await page.getByText('Đã lưu mũi tiêm trên máy.').waitFor();
}

describe('immunization screens in Chromium (citizen book, /verify, station)', () => {
  let server: RunningServer;
  let browser: Browser;
  let nurse: Call;
  let babyId: string;
  let verifyUrl: string;

  before(async () => {
    ensureWebBuilt();
    server = await startServer();
    browser = await launchBrowser();
    // A vaccinator of the demo parent's commune station: created by the administrator, first password changed.
    const admin = await staffSession(server.url, 'quantri');
    const created = await admin('POST', '/api/v1/staff/accounts', { username: NURSE, full_name: 'Điều dưỡng Lê Thị Tiêm', role: 'station_nurse', facility_code: STATION });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const first = await staffSession(server.url, NURSE, created.body.one_time_password);
    assert.equal((await first('POST', '/api/v1/staff/me/password', { current: created.body.one_time_password, next: NURSE_PASSWORD })).status, 200);
    nurse = await staffSession(server.url, NURSE, NURSE_PASSWORD);
    // The demo parent (the last level-2 account) has a baby, registered at the station as a birth in his household…
    const desk = await staffSession(server.url, 'letan');
    const parent = (await desk('GET', '/api/v1/family/persons/051089953404')).body.person as { id: string; ho_ten: string; ma_xa: string; ma_ho_gia_dinh: string };
    assert.equal(parent.ma_xa, '21565', 'the demo parent lives in Nghĩa Sơn');
    const hits = (await nurse('GET', `/api/v1/station/search?q=${encodeURIComponent(unaccented(parent.ho_ten))}`)).body.hits as Array<{ person_id: string; household_id: number }>;
    const householdId = hits.find((h) => h.person_id === parent.id)!.household_id;
    const birth = await nurse('POST', '/api/v1/station/events', {
      entry_id: crypto.randomUUID(),
      kind: 'birth',
      occurred_on: BORN,
      household_id: householdId,
      child: { ho_ten: BABY, gioi_tinh: 1, relation: 'child', birth_weight_grams: 3200 },
    });
    assert.equal(birth.status, 201, JSON.stringify(birth.body));
    babyId = birth.body.result.person_id;
    // …and the front desk confirms him as the baby's father from the birth certificate: he opens the baby's book.
    const confirmed = await desk('POST', '/api/v1/family/relations', { child: babyId, guardian: parent.id, relation: 'parent', proof_type: 'birth_certificate', proof_number: 'KS-2026-0042' });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('station (360 px): the baby’s doses recorded offline, synced once; the commune plan and a session day', async () => {
    const ctx: BrowserContext = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    const page = await ctx.newPage();
    await stationLogin(page, server.url);
    await page.getByRole('navigation', { name: 'Chức năng' }).getByRole('link', { name: 'Tìm hộ' }).click();
    await page.getByLabel(/Họ tên, số CCCD/).fill(unaccented(BABY));
    await page.getByRole('button', { name: 'Tìm', exact: true }).click();
    await page.locator('li.card', { hasText: BABY }).first().getByRole('link', { name: BABY }).click();
    await page.getByRole('heading', { name: BABY, level: 1 }).waitFor();
    // The person's page says what the schedule wants now: nothing recorded, the birth doses past their window or due.
    const summary = page.getByTestId('imm-summary');
    await summary.getByText('0 mũi đã ghi nhận.').waitFor();
    await checkScreen(page, 'station-person');
    await summary.getByRole('link', { name: 'Tiêm chủng: xem và ghi mũi tiêm' }).click();
    await page.getByRole('heading', { name: `Tiêm chủng: ${BABY}` }).waitFor();
    await page.getByLabel('Vắc xin').locator('option[value="VGB"]').waitFor({ state: 'attached' });
    await page.getByTestId('imm-next-due').waitFor();
    await checkScreen(page, 'station-dose-form');

    await ctx.setOffline(true);
    await page.getByText('Mất mạng · làm việc ngoại tuyến').waitFor();
    // A date in the future is refused on the device, in Vietnamese, next to the field.
    await page.getByLabel('Ngày tiêm').fill(daysFrom(3));
    await page.getByLabel('Vắc xin').selectOption('VGB');
    await page.getByRole('button', { name: 'Lưu mũi tiêm' }).click();
    await page.getByText('Ngày tiêm ở tương lai.').waitFor();
    await recordDose(page, 'VGB', BORN, '1');
    await recordDose(page, 'BCG', daysFrom(-73), '1');
    await pendingIs(page, 2);
    await page.locator('section.st-waiting li[data-status="pending"]', { hasText: 'Vắc xin lao (BCG)' }).waitFor();
    await checkScreen(page, 'station-dose-offline');
    // Reloaded without a network, the app comes back from the service worker with both doses waiting.
    await page.reload();
    await page.getByRole('heading', { name: `Tiêm chủng: ${BABY}` }).waitFor();
    await pendingIs(page, 2);

    await ctx.setOffline(false);
    await pendingIs(page, 0, 60_000);
    const queued = (await outbox<{ entryId: string; target: string; status: string; body: Record<string, unknown>; personId: string | null }>(page)).filter((e) => e.target === 'imm' && e.personId === babyId);
    assert.deepEqual(queued.map((e) => e.status).sort(), ['applied', 'applied']);
    await page.getByTestId('imm-doses').getByText(dmy(BORN)).waitFor();
    // Sent again (a lost answer), the same entries change nothing on the server.
    const replay = await nurse('POST', '/api/v1/immunization/station/doses/batch', { entries: queued.map((e) => e.body) });
    assert.deepEqual(replay.body.results.map((r: { status: string }) => r.status), ['already_applied', 'already_applied']);
    const stored = await nurse('GET', `/api/v1/immunization/persons/${babyId}`);
    assert.equal(stored.body.vaccinations.length, 2, 'each dose stored once');
    await checkScreen(page, 'station-dose-synced');

    // The commune's month: who is due, the vaccine needs, exports, and a session day set for next week.
    await page.getByRole('navigation', { name: 'Chức năng' }).getByRole('link', { name: 'Tiêm chủng' }).click();
    await page.getByRole('heading', { name: /^Kế hoạch tiêm tháng/ }).waitFor();
    await page.getByTestId('plan-persons').getByRole('link', { name: BABY }).waitFor();
    const xlsx = await page.getByRole('link', { name: 'Tải danh sách buổi tiêm (Excel)' }).getAttribute('href');
    const res = await page.evaluate((h) => fetch(h!).then((r) => ({ status: r.status, type: r.headers.get('content-type') })), xlsx);
    assert.deepEqual(res, { status: 200, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    await page.getByLabel('Ngày', { exact: true }).fill(daysFrom(7));
    await page.getByLabel('Địa điểm').fill('Trạm Y tế xã Nghĩa Sơn');
    await page.getByRole('button', { name: 'Đặt buổi tiêm' }).click();
    await page.getByTestId('sessions').getByText(dmy(daysFrom(7))).waitFor();
    await checkScreen(page, 'station-plan');
    await ctx.close();
  });

  it('citizen: the family’s due doses, the baby’s doses by disease and schedule, certificate PDF and QR, a reaction, a slot request', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    const page = await ctx.newPage();
    await page.goto(server.url);
    await page.getByRole('link', { name: 'Đăng nhập bằng VNeID' }).click();
    await page.waitForURL(/\/idp\/interaction\//);
    await page.getByLabel('Số định danh cá nhân').fill('051089953404');
    await page.getByLabel('Mật khẩu').fill('demo');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('button', { name: 'Tôi đồng ý sử dụng Sổ sức khỏe' }).click();
    await page.getByRole('heading', { name: 'Sổ sức khỏe của tôi' }).waitFor();

    // Own page: what is due for each child.
    const nav = (name: string) => page.getByRole('navigation', { name: 'Mục chính' }).getByRole('link', { name, exact: true }).click();
    await nav('Tiêm chủng');
    const family = page.getByTestId('family-due');
    await family.locator('li', { hasText: BABY }).getByText(/DPT-VGB-Hib \(5 trong 1\) – mũi 1: Đến hạn: tiêm được ngay/).waitFor();
    await bothWidths(page, 'book-own');

    // The baby's book.
    await nav('Tổng quan');
    await page.getByRole('button', { name: `Xem sổ của ${BABY}` }).click();
    await nav('Tiêm chủng');
    await page.getByRole('heading', { name: `Tiêm chủng của ${BABY}`, level: 1 }).waitFor();
    const next = page.getByTestId('next-due');
    await next.locator('li', { hasText: 'DPT-VGB-Hib (5 trong 1) – mũi 1' }).getByText('Đến hạn tiêm').waitFor();
    const history = page.getByTestId('by-antigen');
    await history.locator('li', { hasText: 'Viêm gan B' }).getByText(`${dmy(BORN)} · VGB · mũi 1 · tại Trạm Y tế xã Nghĩa Sơn`).waitFor();
    await history.locator('li', { hasText: 'Lao' }).getByText(new RegExp(`^${dmy(daysFrom(-73))} · BCG`)).waitFor();
    const schedule = page.getByTestId('schedule');
    await schedule.getByText(`Mũi 1 Lao (BCG): đã tiêm ngày ${dmy(daysFrom(-73))}.`).waitFor();
    await bothWidths(page, 'book-child');

    // The certificate: a PDF in Vietnamese, and the QR code with its verification link.
    await page.setViewportSize({ width: 1280, height: 900 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải giấy chứng nhận (PDF)' }).click()]);
    const pdfPath = join(ARTIFACTS, 'imm-certificate.pdf');
    await download.saveAs(pdfPath);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', pdfPath, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    assert.ok(text.includes('GIẤY CHỨNG NHẬN TIÊM CHỦNG'), text);
    assert.ok(text.includes(`Họ và tên: ${BABY}`), text);
    assert.ok(text.includes(`Ngày sinh: ${dmy(BORN)}`), text);
    assert.ok(text.includes('Số mũi tiêm được chứng nhận: 2'), text);
    await page.getByRole('button', { name: 'Hiện mã QR xác minh' }).click();
    await page.getByRole('img', { name: 'Mã QR xác minh giấy chứng nhận tiêm chủng' }).waitFor();
    verifyUrl = (await page.getByTestId('verify-link').getAttribute('href')) ?? '';
    assert.match(verifyUrl, new RegExp(`^${server.url}/verify#[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));

    // A reaction after BCG: sent to the station that gave it, with advice.
    const bcg = page.getByTestId('doses').locator('li', { hasText: 'BCG' });
    await bcg.getByRole('button', { name: 'Báo phản ứng sau tiêm' }).click();
    await bcg.getByLabel('Sốt').check();
    await bcg.getByLabel('Sưng, đỏ, đau chỗ tiêm').check();
    await bcg.getByLabel('Mô tả thêm (không bắt buộc)').fill('Sốt nhẹ 38 độ buổi tối, chỗ tiêm sưng đỏ.');
    await checkScreen(page, 'book-reaction-form');
    await bcg.getByRole('button', { name: 'Gửi báo cáo' }).click();
    await bcg.getByText(/^Đã gửi báo cáo đến cơ sở đã tiêm\./).waitFor();
    await bcg.getByText(/Đã báo phản ứng ngày .* \(Nhẹ: Sốt, Sưng, đỏ, đau chỗ tiêm\) – Mới, chưa xử lý/).waitFor();

    // Đăng ký tiêm: booked into the station's next session.
    await page.getByRole('button', { name: 'Đăng ký tiêm' }).click();
    await page.getByText(`Đã gửi đăng ký tiêm đến trạm y tế xã, buổi tiêm gần nhất ngày ${dmy(daysFrom(7))}.`).waitFor();
    await page.getByTestId('slot-request').getByText(/Đã gửi, chờ trạm xếp lịch/).waitFor();
    await bothWidths(page, 'book-child-after');
    await ctx.close();
  });

  it('/verify: no login, nothing personal before the check; the QR link is valid, a changed character is not', async () => {
    assert.ok(verifyUrl, 'the citizen test found the link');
    const jws = verifyUrl.slice(verifyUrl.indexOf('#') + 1);
    // The page is the app's static HTML: no name in it; the fragment never reaches the server.
    const html = await (await fetch(`${server.url}/verify`)).text();
    assert.equal((await fetch(`${server.url}/verify`)).status, 200);
    assert.ok(!html.includes(BABY) && !html.includes('Vũ'), 'no personal data in the page');
    const ctx = await browser.newContext({ viewport: { width: 360, height: 800 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    const page = await ctx.newPage();
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    await page.goto(verifyUrl);
    const result = page.getByTestId('verify-result');
    await result.and(page.locator('[data-valid="true"]')).waitFor();
    await result.getByRole('heading', { name: 'Giấy chứng nhận hợp lệ' }).waitFor();
    assert.equal(await page.getByTestId('holder-name').textContent(), BABY);
    await result.getByText(dmy(BORN)).first().waitFor();
    assert.equal(await page.getByTestId('verified-doses').locator('li').count(), 2);
    await page.getByTestId('verified-doses').getByText(`${dmy(daysFrom(-73))}: Lao – mũi 1 – tại Trạm Y tế xã Nghĩa Sơn`).waitFor();
    assert.ok(urls.every((u) => !u.includes(jws.slice(0, 40))), 'the certificate is never in a requested URL');
    assert.equal(await page.getByRole('navigation', { name: 'Mục chính' }).count(), 0, 'no book menu');
    await bothWidths(page, 'verify-valid');

    // One character of the signed payload changed: refused, and said so.
    const dot = jws.indexOf('.');
    const at = dot + 20;
    const tampered = jws.slice(0, at) + (jws[at] === 'A' ? 'B' : 'A') + jws.slice(at + 1);
    const other = await ctx.newPage();
    await other.goto(`${server.url}/verify#${tampered}`);
    await other.getByTestId('verify-result').and(other.locator('[data-valid="false"]')).waitFor();
    await other.getByRole('heading', { name: 'Giấy chứng nhận KHÔNG hợp lệ' }).waitFor();
    assert.equal(await other.getByText(BABY).count(), 0, 'nothing of the changed certificate is shown');
    await bothWidths(other, 'verify-invalid');

    // The paste box: the link pasted, checked again.
    await other.getByLabel('Nội dung mã QR hoặc đường dẫn xác minh').fill(verifyUrl);
    await other.getByRole('button', { name: 'Kiểm tra' }).click();
    await other.getByRole('heading', { name: 'Giấy chứng nhận hợp lệ' }).waitFor();
    await ctx.close();
  });

  it('station (1280 px): the reaction report and the slot request are handled', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    const page = await ctx.newPage();
    await stationLogin(page, server.url);
    await page.getByRole('navigation', { name: 'Chức năng' }).getByRole('link', { name: 'Tiêm chủng' }).click();
    const slot = page.getByTestId('slot-requests').locator('li', { hasText: BABY });
    await slot.getByText(/Mũi cần tiêm: .*DPT-VGB-Hib \(5 trong 1\) mũi 1/).waitFor();
    const report = page.getByTestId('reactions').locator('li', { hasText: BABY });
    await report.getByText(/Sau mũi BCG mũi 1 tiêm ngày .*: Sốt, Sưng, đỏ, đau chỗ tiêm/).waitFor();
    await checkScreen(page, 'station-lists');
    await slot.getByRole('button', { name: 'Xếp lịch' }).click();
    await slot.getByText('Đã được xếp lịch').waitFor();
    await report.getByLabel('Ghi chú xử lý').fill('Đã gọi điện cho gia đình, hướng dẫn chườm mát.');
    await report.getByRole('button', { name: 'Đã tiếp nhận' }).click();
    await page.getByTestId('reactions').locator('li', { hasText: BABY }).waitFor({ state: 'detached' });
    await page.getByLabel('Cơ sở đã tiếp nhận').check();
    await page.getByTestId('reactions').locator('li', { hasText: BABY }).getByText('Ghi chú của trạm: Đã gọi điện cho gia đình, hướng dẫn chườm mát.', { exact: false }).waitFor();
    await page.setViewportSize({ width: 360, height: 800 });
    await checkScreen(page, 'station-lists');
    await ctx.close();
  });
});
