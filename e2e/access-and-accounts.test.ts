/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { vietnamToday } from '@openhssk/core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { totpCode } from '../packages/server/src/staff/index.ts';
import { assertAccessible, citizenLogin, DEMO_STAFF_PASSWORD, idpLogin, launchBrowser, nav, type RunningServer, screenshotBoth, staffLogin, startServer } from './harness.ts';

// Issue 20, items 1, 5, 9 and 11: the citizen's access log in plain words, session expiry, child
// mode wording, the not-found page, consent "Để sau", the shared view and the staff accounts screen.

const REASON = 'Người bệnh ngất tại khoa, cần tiền sử dùng thuốc';

describe('access log, session expiry and staff accounts in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let citizenCtx: BrowserContext;
  let citizen: Page;
  let personalId: string;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('consent offers “Để sau”, then the book opens', async () => {
    citizenCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    citizen = await citizenCtx.newPage();
    // The demo parent of young children is the last level-2 account the development login page lists.
    personalId = await citizenLogin(citizen, server.url, '(mức 2)', 'last');
    await citizen.getByRole('heading', { name: 'Đồng ý sử dụng' }).waitFor();
    const later = citizen.getByRole('button', { name: 'Để sau' });
    const agree = citizen.getByRole('button', { name: 'Tôi đồng ý sử dụng Sổ sức khỏe' });
    assert.equal(await later.isVisible(), true);
    assert.equal(await agree.isVisible(), true);
    await assertAccessible(citizen, 'consent', { moderate: true });
    await screenshotBoth(citizen, 'ux-consent');
    await later.click();
    await citizen.getByRole('heading', { name: 'Sổ sức khỏe chưa được mở' }).waitFor();
    await assertAccessible(citizen, 'consent later', { moderate: true });
    await screenshotBoth(citizen, 'ux-consent-later');
    await citizen.getByRole('button', { name: 'Xem lại lựa chọn' }).click();
    await agree.click();
    await citizen.getByRole('heading', { name: 'Sổ sức khỏe của tôi' }).waitFor();
  });

  it('the access log says who, where, what and when in plain Vietnamese, others first, the emergency reason only when sensitive visits are shown', async () => {
    // A doctor checks the citizen in and opens emergency access.
    const doctorCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const doctor = await doctorCtx.newPage();
    await staffLogin(doctor, server.url, 'bacsi');
    await doctor.getByLabel(/Số CCCD \(12 số\)/).fill(personalId);
    await doctor.getByRole('button', { name: 'Tiếp nhận' }).click();
    await doctor.getByRole('heading', { name: 'Tóm tắt hồ sơ' }).waitFor();
    await doctor.getByRole('button', { name: 'Truy cập khẩn cấp' }).click();
    await doctor.getByLabel('Lý do (ít nhất 10 ký tự)').fill(REASON);
    await doctor.getByRole('button', { name: 'Xác nhận truy cập' }).click();
    await doctor.getByText('Truy cập khẩn cấp (đã ghi nhận)').waitFor();
    await doctorCtx.close();

    // Enough of the citizen's own views for a second page under "Tất cả".
    await citizen.evaluate(async () => {
      for (let i = 0; i < 22; i++) await fetch('/api/v1/book/summary');
    });
    await nav(citizen, 'Ai đã xem');
    await citizen.getByRole('heading', { name: 'Ai đã xem hồ sơ của tôi' }).waitFor();
    const log = citizen.getByTestId('access-log');
    // The doctor's reason is free text that may name a sensitive condition: held back until the
    // citizen chooses to show sensitive visits.
    await log.getByText(/Lý do bác sĩ ghi có thể nhắc đến bệnh nhạy cảm nên được ẩn/).waitFor();
    assert.equal(await log.getByText(REASON).count(), 0, 'the emergency reason is not shown while sensitive visits are hidden');
    await screenshotBoth(citizen, 'ux-access-log-reason-hidden');
    await citizen.getByRole('checkbox', { name: /lý do bác sĩ ghi khi truy cập khẩn cấp/ }).check();
    await log.getByText(REASON).waitFor();
    await citizen.getByRole('checkbox', { name: /lý do bác sĩ ghi khi truy cập khẩn cấp/ }).uncheck();
    await log.getByText(/Lý do bác sĩ ghi có thể nhắc đến bệnh nhạy cảm nên được ẩn/).waitFor();
    assert.equal(await citizen.getByRole('radio', { name: /^Người khác xem/ }).isChecked(), true, 'others first');
    const text = (await log.textContent()) ?? '';
    assert.match(text, /BS\. Nguyễn Văn Minh, [^,]+ xem tóm tắt hồ sơ \(truy cập khẩn cấp khi cấp cứu\) lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
    assert.match(text, /tiếp nhận lượt khám ngày \d{2}\/\d{2}\/\d{4} tại /);
    assert.match(text, /Truy cập khẩn cấp khi cấp cứu/);
    assert.doesNotMatch(text, /phá kính|clinician|receptionist|clinic\.|book\.|[a-z-]+\/\d+|\bBạn\b/);
    await assertAccessible(citizen, 'access log', { moderate: true });
    await screenshotBoth(citizen, 'ux-access-log-others');

    await citizen.getByRole('radio', { name: /^Tất cả/ }).check();
    await log.getByText(/^Bạn xem trang tổng quan sổ sức khỏe lúc/).first().waitFor();
    const before = await log.locator('li').count();
    assert.equal(before, 20, 'one page of 20');
    await citizen.getByRole('button', { name: 'Xem thêm các lượt cũ hơn' }).click();
    await citizen.waitForFunction((n) => document.querySelectorAll('[data-testid=access-log] li').length > n, before);
    await assertAccessible(citizen, 'access log, all', { moderate: true });
    await screenshotBoth(citizen, 'ux-access-log-all');
  });

  it('child mode: the access log and settings say whose book they concern', async () => {
    // The demo only guesses the parent from household ages, which opens no child's book: a
    // receptionist confirms the relation from the birth certificate, as at the front desk.
    const deskCtx = await browser.newContext();
    const desk = await deskCtx.newPage();
    await staffLogin(desk, server.url, 'letan');
    await desk.getByRole('heading', { name: /Tiếp đón|Tiếp nhận/ }).first().waitFor();
    const confirmed = await desk.evaluate(async (parent) => {
      const family = await (await fetch(`/api/v1/family/persons/${parent}`)).json();
      const child = (family.children as Array<{ child_id: string }>)[0];
      if (!child) return { status: 0, body: family };
      const r = await fetch('/api/v1/family/relations', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ child: child.child_id, guardian: parent, relation: 'parent', proof_type: 'birth_certificate', proof_number: 'KS-2020-0815' }),
      });
      return { status: r.status, body: await r.json() };
    }, personalId);
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    await deskCtx.close();

    await nav(citizen, 'Tổng quan');
    const open = citizen.getByRole('button', { name: /^Xem sổ của / });
    await open.first().waitFor();
    await open.first().click();
    const child = ((await citizen.getByTestId('child-name').textContent()) ?? '').trim();
    assert.ok(child.length > 0);
    await nav(citizen, 'Ai đã xem');
    await citizen.getByRole('heading', { name: `Ai đã xem sổ sức khỏe của con: ${child}` }).waitFor();
    await assertAccessible(citizen, 'child access log', { moderate: true });
    await screenshotBoth(citizen, 'ux-child-access-log');
    await nav(citizen, 'Cài đặt');
    await citizen.getByRole('heading', { name: 'Rút lại sự đồng ý sử dụng Sổ sức khỏe của bạn' }).waitFor();
    assert.match((await citizen.getByTestId('settings-own-book').textContent()) ?? '', /Sổ sức khỏe của chính bạn/);
    await assertAccessible(citizen, 'child settings', { moderate: true });
    await screenshotBoth(citizen, 'ux-child-settings');
    // Lịch hẹn follows the child's book; Thông báo stays the parent's, where a child's reminders arrive.
    await nav(citizen, 'Lịch hẹn');
    await citizen.getByRole('heading', { name: `Lịch hẹn của ${child}`, level: 1 }).waitFor();
    await citizen.getByText(/Nhắc lịch của con được gửi đến bạn/).waitFor();
    await assertAccessible(citizen, 'child appointments', { moderate: true });
    await nav(citizen, 'Thông báo');
    await citizen.getByText('Thông báo của bạn, gồm cả nhắc lịch hẹn của con.').waitFor();
    await assertAccessible(citizen, 'child mode notifications', { moderate: true });
    await citizen.getByRole('button', { name: 'Về sổ của tôi' }).click();
    await citizen.getByRole('heading', { name: 'Sổ sức khỏe của tôi' }).waitFor();
  });

  it('an unknown address answers 404 and shows a not-found page with its h1, not the summary; known addresses answer 200', async () => {
    const r = await citizen.goto(`${server.url}/khong-co-trang-nay`);
    assert.equal(r?.status(), 404);
    await citizen.getByRole('heading', { level: 1, name: 'Không tìm thấy trang' }).waitFor();
    assert.equal(await citizen.getByRole('heading', { name: 'Sổ sức khỏe của tôi' }).count(), 0);
    await assertAccessible(citizen, 'not found', { moderate: true });
    await screenshotBoth(citizen, 'ux-not-found');
    await citizen.getByRole('link', { name: 'Về trang tổng quan' }).click();
    await citizen.getByRole('heading', { name: 'Sổ sức khỏe của tôi' }).waitFor();
    // A visit that is not there (an old or mistyped link) still has its page heading and says so.
    await citizen.goto(`${server.url}/luot-kham/999999999`);
    await citizen.getByRole('heading', { level: 1, name: 'Không mở được lượt khám' }).waitFor();
    await citizen.getByRole('alert').first().waitFor();
    await assertAccessible(citizen, 'unknown visit', { moderate: true });
    await screenshotBoth(citizen, 'ux-unknown-visit');
    for (const known of ['/ai-da-xem', '/luot-kham', '/tram-y-te/tim-kiem', '/nhan-vien/bao-cao']) assert.equal((await fetch(`${server.url}${known}`)).status, 200, known);
    for (const unknown of ['/luot-kham/abc', '/tram-y-te/khong-co', '/nhan-vien/khong-co']) assert.equal((await fetch(`${server.url}${unknown}`)).status, 404, unknown);
  });

  it('the shared view opens the chosen visit at the top', async () => {
    await nav(citizen, 'Chia sẻ');
    await citizen.getByRole('radio', { name: /Đầy đủ/ }).check();
    await citizen.getByRole('button', { name: 'Tạo mã chia sẻ' }).click();
    const shareUrl = (await citizen.getByTestId('share-url').textContent()) ?? '';
    const doctor = await (await browser.newContext({ viewport: { width: 360, height: 800 } })).newPage();
    await doctor.goto(shareUrl);
    // The card says whether it is valid today, as the citizen's own summary does (expired: "không còn hiệu lực").
    const card = ((await doctor.locator('dt', { hasText: 'Thẻ BHYT' }).locator('xpath=following-sibling::dd[1]').textContent()) ?? '').trim();
    const validity = /\((còn hiệu lực|không còn hiệu lực|chưa rõ)\)$/.exec(card);
    assert.ok(validity || card === '—', `BHYT card line "${card}"`);
    const until = /– (\d{2})\/(\d{2})\/(\d{4})\)/.exec(card);
    if (validity && until && `${until[3]}-${until[2]}-${until[1]}` < vietnamToday()) assert.equal(validity[1], 'không còn hiệu lực', card);
    const visits = doctor.getByTestId('shared-episodes').locator('button');
    await visits.last().scrollIntoViewIfNeeded();
    await visits.last().click();
    const opened = doctor.locator('#shared-episode');
    await opened.getByRole('heading', { name: 'Chẩn đoán', exact: true }).waitFor();
    const [episodeTop, listTop] = await Promise.all([opened.evaluate((e) => e.getBoundingClientRect().top), doctor.getByTestId('shared-episodes').evaluate((e) => e.getBoundingClientRect().top)]);
    assert.ok(episodeTop < listTop, 'the visit is above the list');
    assert.ok(episodeTop >= 0 && episodeTop < 800, 'the visit is on screen');
    await assertAccessible(doctor, 'shared view with a visit open', { moderate: true });
    await screenshotBoth(doctor, 'ux-shared-visit');
    await doctor.context().close();
  });

  it('an expired citizen session leads to the login page and back to the same page', async () => {
    await nav(citizen, 'Tiêm chủng');
    await citizen.getByRole('heading', { name: 'Tiêm chủng' }).first().waitFor();
    // The server no longer knows the session (the browser's cookie is what carried it).
    await citizenCtx.clearCookies();
    await nav(citizen, 'Lượt khám');
    await citizen.getByRole('heading', { name: 'Phiên đăng nhập đã hết hạn' }).waitFor();
    assert.equal(await citizen.getByRole('button', { name: 'Đăng xuất' }).count(), 0, 'no logged-in header left');
    assert.equal(await citizen.getByText('Vui lòng đăng nhập.').count(), 0);
    assert.equal(new URL(citizen.url()).pathname, '/luot-kham');
    await assertAccessible(citizen, 'session expired', { moderate: true });
    await screenshotBoth(citizen, 'ux-session-expired');
    await citizen.getByRole('link', { name: 'Đăng nhập bằng VNeID' }).click();
    await idpLogin(citizen, '(mức 2)', 'last');
    await citizen.getByRole('heading', { name: 'Lịch sử khám chữa bệnh' }).waitFor();
    assert.equal(new URL(citizen.url()).pathname, '/luot-kham', 'back where the citizen was');
    await citizenCtx.close();
  });

  it('system admin creates, resets, disables and enables a staff account; the new doctor enrols TOTP', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const admin = await ctx.newPage();
    await staffLogin(admin, server.url, 'quantri');
    await admin.getByRole('link', { name: 'Tài khoản nhân viên' }).click();
    await admin.getByRole('heading', { name: 'Tài khoản nhân viên' }).waitFor();
    await admin.getByTestId('staff-accounts').locator('[data-username="bacsi"]').waitFor();
    await admin.getByLabel('Họ và tên').fill('Phan Thị Mai');
    await admin.getByLabel('Tên đăng nhập', { exact: true }).fill('bs.mai');
    await admin.getByLabel('Vai trò', { exact: true }).selectOption('clinician');
    await admin.getByLabel('Cơ sở y tế', { exact: true }).selectOption('51001');
    await admin.getByRole('button', { name: 'Tạo tài khoản' }).click();
    const issued = admin.getByTestId('one-time-password');
    const first = ((await issued.locator('code').textContent()) ?? '').trim();
    assert.ok(first.length >= 10);
    const row = admin.getByTestId('staff-accounts').locator('[data-username="bs.mai"]');
    await row.getByText('Chờ đổi mật khẩu').waitFor();
    await assertAccessible(admin, 'staff accounts', { moderate: true });
    await screenshotBoth(admin, 'ux-staff-accounts');

    // A health officer's area is picked from a search by name, typed without diacritics, not typed as a code.
    await admin.getByLabel('Họ và tên').fill('Lê Văn Quản');
    await admin.getByLabel('Tên đăng nhập', { exact: true }).fill('cb.nghiason');
    await admin.getByLabel('Vai trò', { exact: true }).selectOption('health_officer');
    await admin.getByLabel(/^Đơn vị hành chính/).fill('nghia son');
    const option = admin.getByRole('list', { name: 'Đơn vị tìm thấy' }).getByRole('button').first();
    await option.waitFor();
    assert.match((await option.textContent()) ?? '', /Nghĩa Sơn.*\(xã\/phường, mã \d+\)/);
    await screenshotBoth(admin, 'ux-staff-unit-picker');
    await option.click();
    await admin.getByTestId('chosen-unit').getByText(/Nghĩa Sơn/).waitFor();
    await admin.getByRole('button', { name: 'Tạo tài khoản' }).click();
    await admin.getByTestId('staff-accounts').locator('[data-username="cb.nghiason"]').getByText(/Cán bộ quản lý y tế · .*Nghĩa Sơn/).waitFor();
    await admin.getByRole('button', { name: 'Đã ghi lại, ẩn mật khẩu' }).click();
    // The list is paged by the server and searched in any word order without diacritics.
    const pager = admin.getByTestId('accounts-page');
    assert.match((await pager.textContent()) ?? '', /^Trang 1\/\d+ · \d+ tài khoản$/);
    await admin.getByLabel('Tìm theo tên, tên đăng nhập, vai trò hoặc cơ sở').fill('quan le van nghia son');
    await admin.waitForFunction(() => document.querySelectorAll('[data-testid=staff-accounts] li').length === 1);
    assert.match((await pager.textContent()) ?? '', /^Trang 1\/1 · 1 \/ \d+ tài khoản phù hợp$/);
    await admin.getByLabel('Tìm theo tên, tên đăng nhập, vai trò hoặc cơ sở').fill('');
    await admin.getByTestId('staff-accounts').locator('[data-username="bs.mai"]').waitFor();

    await row.getByRole('button', { name: 'Cấp lại mật khẩu cho bs.mai' }).click();
    await admin.getByRole('button', { name: 'Cấp mật khẩu mới' }).click();
    await admin.waitForFunction((old) => document.querySelector('[data-testid=one-time-password] code')?.textContent?.trim() !== old, first);
    const password = ((await issued.locator('code').textContent()) ?? '').trim();

    await row.getByRole('button', { name: 'Khóa tài khoản bs.mai' }).click();
    await admin.getByLabel('Lý do (không bắt buộc, ghi vào nhật ký)').fill('Nghỉ phép dài ngày');
    await assertAccessible(admin, 'disable dialog', { moderate: true });
    await admin.getByRole('button', { name: 'Khóa tài khoản', exact: true }).click();
    await row.getByText('Đã khóa').waitFor();
    await row.getByRole('button', { name: 'Mở khóa bs.mai' }).click();
    await row.getByText('Đang hoạt động').waitFor();

    // The new doctor logs in with the one-time password, sets their own, then turns TOTP on.
    const doctorCtx = await browser.newContext({ viewport: { width: 360, height: 800 } });
    const doctor = await doctorCtx.newPage();
    await staffLogin(doctor, server.url, 'bs.mai', password);
    await doctor.getByRole('heading', { name: 'Đổi mật khẩu' }).waitFor();
    await doctor.getByLabel('Mật khẩu hiện tại').fill(password);
    await doctor.getByLabel('Mật khẩu mới').fill('Mai-bac-si-2026');
    await doctor.getByRole('button', { name: 'Lưu mật khẩu mới' }).click();
    await doctor.getByRole('link', { name: 'Tài khoản', exact: true }).click();
    await doctor.getByRole('heading', { name: 'Bảo mật tài khoản' }).waitFor();
    await doctor.getByRole('button', { name: 'Tạo mã QR' }).click();
    const secret = ((await doctor.locator('.totp-secret').textContent()) ?? '').replace(/\s+/g, '');
    assert.match(secret, /^[A-Z2-7]+=*$/);
    await assertAccessible(doctor, 'TOTP enrolment', { moderate: true });
    await screenshotBoth(doctor, 'ux-totp-enrol');
    await doctor.getByLabel('Mã xác thực 6 số').fill(totpCode(secret));
    await doctor.getByRole('button', { name: 'Xác nhận và bật' }).click();
    await doctor.getByText('Đã bật xác thực hai lớp').waitFor();
    await doctorCtx.close();

    // Staff session expiry: the login form in place, then the same screen again.
    await admin.getByRole('button', { name: 'Đã ghi lại, ẩn mật khẩu' }).click();
    await ctx.clearCookies();
    await admin.getByLabel('Họ và tên').fill('Người thử phiên');
    await admin.getByLabel('Tên đăng nhập', { exact: true }).fill('thu.phien');
    await admin.getByRole('button', { name: 'Tạo tài khoản' }).click();
    await admin.getByRole('heading', { name: 'Phiên làm việc đã hết hạn' }).waitFor();
    assert.equal(await admin.getByRole('button', { name: 'Đăng xuất' }).count(), 0);
    await assertAccessible(admin, 'staff session expired', { moderate: true });
    await screenshotBoth(admin, 'ux-staff-session-expired');
    await admin.getByLabel('Tên đăng nhập').fill('quantri');
    await admin.getByLabel('Mật khẩu').fill(DEMO_STAFF_PASSWORD);
    await admin.getByRole('button', { name: 'Đăng nhập' }).click();
    await admin.getByRole('heading', { name: 'Tài khoản nhân viên' }).waitFor();
    assert.equal(new URL(admin.url()).pathname, '/nhan-vien/nhan-su');

    assert.equal((await admin.goto(`${server.url}/nhan-vien/khong-co-trang-nay`))?.status(), 404);
    await admin.getByRole('heading', { level: 1, name: 'Không tìm thấy trang' }).waitFor();
    await assertAccessible(admin, 'staff not found', { moderate: true });
    await screenshotBoth(admin, 'ux-staff-not-found');
    await ctx.close();
  });
});
