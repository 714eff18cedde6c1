/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { ARTIFACTS, assertAccessible, assertNoSidewaysScroll, citizenLogin, nav, useDemoServer } from './harness.ts';

/** Collects the page's Content-Security-Policy violations (the console reports each one). */
function watchCsp(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.push(m.text());
  });
  return seen;
}

describe('citizen health book in Chromium', () => {
  const demo = useDemoServer();

  it('log in, consent, episode + PDF, share opened by a doctor, access log, accessible and mobile-first', async () => {
    const ctx = await demo.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await ctx.newPage();
    const cspViolations = watchCsp(page);
    await citizenLogin(page, demo.server.url, '(mức 2)');
    await page.getByRole('heading', { name: 'Đồng ý sử dụng' }).waitFor();
    await assertAccessible(page, 'consent');
    // Cross-facility viewing is a separate choice, offered unticked.
    const crossFacility = page.getByRole('checkbox', { name: /xem tiền sử khám chữa bệnh của tôi tại các cơ sở khác/ });
    assert.equal(await crossFacility.isChecked(), false);
    await page.setViewportSize({ width: 360, height: 800 });
    await assertNoSidewaysScroll(page, 'consent at 360 px');
    await page.screenshot({ path: join(ARTIFACTS, 'book-consent-360.png'), fullPage: true });
    await page.getByRole('button', { name: 'Để sau' }).click();
    await page.getByRole('heading', { name: 'Sổ sức khỏe chưa được mở' }).waitFor();
    await assertAccessible(page, 'consent later');
    await page.getByRole('button', { name: 'Xem lại lựa chọn' }).click();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('button', { name: 'Tôi đồng ý sử dụng Sổ sức khỏe' }).click();
    await page.getByRole('heading', { name: 'Sổ sức khỏe của tôi' }).waitFor();
    await page.getByRole('heading', { name: 'Thẻ bảo hiểm y tế' }).waitFor();
    await assertAccessible(page, 'summary');
    await page.screenshot({ path: join(ARTIFACTS, 'book-summary-1280.png'), fullPage: true });

    // Keyboard: on a fresh load the first Tab reaches the skip link, and focus is visible.
    await page.reload();
    await page.getByRole('heading', { name: 'Thẻ bảo hiểm y tế' }).waitFor();
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      return { text: el.textContent, outline: getComputedStyle(el).outlineStyle };
    });
    assert.equal(focused.text, 'Bỏ qua đến nội dung chính');
    assert.notEqual(focused.outline, 'none');

    await nav(page, 'Lượt khám');
    await page.getByRole('heading', { name: 'Lịch sử khám chữa bệnh' }).waitFor();
    const items = page.getByTestId('episode-list').locator('li');
    await items.first().waitFor();
    const total = await items.count();
    assert.ok(total > 0, 'the demo citizen has episodes');
    await assertAccessible(page, 'episode list');
    await page.screenshot({ path: join(ARTIFACTS, 'book-episodes-1280.png'), fullPage: true });

    // Search works without diacritics: the first visit's facility name typed plain.
    const facility = (await items.first().locator('.facility').textContent()) ?? '';
    const plain = facility.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
    await page.getByLabel(/Tìm theo bệnh/).fill(plain.toLowerCase());
    await page.getByRole('button', { name: 'Tìm', exact: true }).click();
    await page.getByText(/lượt khám phù hợp|lượt khám$/).first().waitFor();
    await page.waitForFunction((f) => Array.from(document.querySelectorAll('[data-testid=episode-list] .facility')).every((e) => e.textContent === f), facility);
    assert.ok((await items.count()) > 0);

    await items.first().locator('a').click();
    await page.getByRole('heading', { name: 'Chẩn đoán', exact: true }).waitFor();
    await page.getByText('sơ bộ').first().waitFor();
    await assertAccessible(page, 'episode detail');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải PDF lượt khám' }).click()]);
    const pdfPath = join(ARTIFACTS, 'episode.pdf');
    await download.saveAs(pdfPath);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', pdfPath, '-'], { encoding: 'utf8' });
    assert.ok(text.includes('Chẩn đoán'), 'PDF has "Chẩn đoán"');
    assert.ok(text.replace(/\s+/g, ' ').includes(facility.trim()), `PDF names the facility ${facility}`);

    for (const width of [360, 320]) {
      await page.setViewportSize({ width, height: 800 });
      await assertNoSidewaysScroll(page, `episode at ${width} px`);
    }
    await page.setViewportSize({ width: 360, height: 800 });
    await page.screenshot({ path: join(ARTIFACTS, 'book-episode-360.png'), fullPage: true });

    // Self-declared allergy.
    await nav(page, 'Tự khai báo');
    await page.getByLabel(/^Nội dung/).fill('Penicilin');
    await page.getByRole('button', { name: 'Thêm', exact: true }).click();
    await page.getByRole('button', { name: 'Sửa Penicilin' }).waitFor();
    await assertAccessible(page, 'declarations');
    await assertNoSidewaysScroll(page, 'declarations at 360 px');

    await nav(page, 'Tiêm chủng');
    await page.getByText('Chưa có dữ liệu tiêm chủng.').waitFor();
    await assertAccessible(page, 'vaccinations');

    // Share, full scope, opened by a doctor in a separate browser context (no login).
    await nav(page, 'Chia sẻ');
    await page.getByRole('radio', { name: /Đầy đủ/ }).check();
    await page.getByRole('button', { name: 'Tạo mã chia sẻ' }).click();
    const shareUrl = (await page.getByTestId('share-url').textContent()) ?? '';
    assert.match(shareUrl, /\/chia-se\/[A-Za-z0-9_-]{40,}$/);
    await page.getByRole('img', { name: 'Mã QR của đường dẫn chia sẻ' }).waitFor();
    await assertAccessible(page, 'shares');
    await assertNoSidewaysScroll(page, 'shares at 360 px');
    await page.screenshot({ path: join(ARTIFACTS, 'book-share-360.png'), fullPage: true });

    const doctorCtx = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const doctor = await doctorCtx.newPage();
    const doctorCspViolations = watchCsp(doctor);
    await doctor.goto(shareUrl);
    await doctor.getByRole('heading', { name: /Hồ sơ sức khỏe được chia sẻ/ }).waitFor();
    await doctor.getByTestId('shared-episodes').locator('button').first().click();
    await doctor.getByRole('heading', { name: 'Chẩn đoán', exact: true }).waitFor();
    await assertAccessible(doctor, 'shared view');
    await doctor.screenshot({ path: join(ARTIFACTS, 'share-doctor-1280.png'), fullPage: true });

    await nav(page, 'Ai đã xem');
    await page.getByTestId('access-log').getByText(/^Bác sĩ có mã chia sẻ mở hồ sơ lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/).first().waitFor();
    await page.getByTestId('access-log').getByText(/^Bác sĩ có mã chia sẻ xem chi tiết lượt khám ngày \d{2}\/\d{2}\/\d{4} tại .+ lúc/).first().waitFor();
    await assertAccessible(page, 'access log');
    await page.screenshot({ path: join(ARTIFACTS, 'book-access-log-360.png'), fullPage: true });

    // Revoking ends the doctor's access with a plain message.
    await nav(page, 'Chia sẻ');
    await page.getByRole('button', { name: /^Thu hồi/ }).first().click();
    await page.getByText('đã thu hồi').first().waitFor();
    await doctor.reload();
    await doctor.getByRole('alert').waitFor();
    assert.match((await doctor.getByRole('alert').textContent()) ?? '', /thu hồi/);
    await assertAccessible(doctor, 'revoked share');

    // 200 % zoom on a 1280 px window leaves a 640 px wide layout.
    await page.setViewportSize({ width: 640, height: 450 });
    await nav(page, 'Tổng quan');
    await page.getByRole('heading', { name: 'Sổ sức khỏe của tôi' }).waitFor();
    await assertNoSidewaysScroll(page, 'summary at 200 % zoom');
    await page.setViewportSize({ width: 360, height: 800 });
    await assertNoSidewaysScroll(page, 'summary at 360 px');
    await page.screenshot({ path: join(ARTIFACTS, 'book-summary-360.png'), fullPage: true });

    // A parent sees a child's book with a banner naming the child on every page.
    const childButton = page.getByRole('button', { name: /^Xem sổ của / });
    if ((await childButton.count()) > 0) {
      await childButton.first().click();
      const name = (await page.getByTestId('child-name').textContent()) ?? '';
      assert.ok(name.length > 0);
      await nav(page, 'Lượt khám');
      await page.getByRole('heading', { name: 'Lịch sử khám chữa bệnh' }).waitFor();
      assert.equal(await page.getByTestId('child-name').textContent(), name);
      await assertAccessible(page, 'child book');
      await page.getByRole('button', { name: 'Về sổ của tôi' }).click();
    }

    await nav(page, 'Cài đặt');
    await page.getByRole('button', { name: 'Rút lại sự đồng ý' }).waitFor();
    // The cross-facility choice is switched on and off on its own.
    await page.getByTestId('cross-facility-state').getByText('Đang tắt').waitFor();
    await page.getByRole('button', { name: /^Bật: cho bác sĩ nơi tôi đang khám/ }).click();
    await page.getByTestId('cross-facility-state').getByText('Đang bật').waitFor();
    await assertAccessible(page, 'settings');
    await assertNoSidewaysScroll(page, 'settings at 360 px');
    await page.getByRole('button', { name: /^Tắt: chỉ cơ sở đang khám/ }).click();
    await page.getByTestId('cross-facility-state').getByText('Đang tắt').waitFor();
    await page.getByRole('button', { name: 'Đăng xuất khỏi thiết bị này' }).click();
    await page.getByRole('link', { name: 'Đăng nhập bằng VNeID' }).waitFor();
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    assert.equal(me, 401, 'logged out');
    // The identity provider's session ended with ours: on a shared phone the next login asks for the password.
    await page.getByRole('link', { name: 'Đăng nhập bằng VNeID' }).click();
    await page.getByLabel('Mật khẩu').waitFor();
    assert.deepEqual([...cspViolations, ...doctorCspViolations], [], 'no Content-Security-Policy violation');
    await doctorCtx.close();
    await ctx.close();
    assert.ok(readFileSync(pdfPath).length > 1000);
  });

  it('refuses an identity-level-1 account with an explanation', async () => {
    const page = await demo.browser.newPage();
    await page.goto(`${demo.server.url}/auth/login`);
    const level1 = page.locator('li', { hasText: '(mức 1)' }).first().locator('code');
    const personalId = (await level1.getAttribute('data-personal-id')) ?? '';
    await page.getByLabel('Số định danh cá nhân').fill(personalId);
    await page.getByLabel('Mật khẩu').fill('demo');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /mức 2/);
    await assertAccessible(page, 'login refused');
    await page.close();
  });
});
