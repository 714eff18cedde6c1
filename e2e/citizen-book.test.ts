/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, launchBrowser, type RunningServer, startServer } from './harness.ts';

describe('citizen health book in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('logs in through the VNeID stand-in, consents and sees the episode list', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(server.url);
    await page.getByRole('link', { name: 'Đăng nhập bằng VNeID' }).click();
    await page.waitForURL(/\/idp\/interaction\//);
    const level2 = page.locator('li', { hasText: '(mức 2)' }).first().locator('code');
    const personalId = (await level2.getAttribute('data-personal-id')) ?? '';
    assert.match(personalId, /^\d{12}$/);
    await page.getByLabel('Số định danh cá nhân').fill(personalId);
    await page.getByLabel('Mật khẩu').fill('demo');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('heading', { name: 'Đồng ý sử dụng' }).waitFor();
    await page.getByRole('button', { name: 'Tôi đồng ý' }).click();
    await page.getByRole('heading', { name: 'Lịch sử khám chữa bệnh' }).waitFor();
    const items = page.getByTestId('episode-list').locator('li');
    assert.ok((await items.count()) > 0, 'the demo citizen has episodes');
    await page.screenshot({ path: join(ARTIFACTS, 'book-episodes-1280.png'), fullPage: true });

    await items.first().locator('a').click();
    await page.getByRole('heading', { name: 'Thuốc' }).waitFor();
    await page.setViewportSize({ width: 360, height: 800 });
    await page.screenshot({ path: join(ARTIFACTS, 'book-episode-360.png'), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, 'no sideways scrolling at 360 px');
    await page.close();
  });

  it('refuses an identity-level-1 account with an explanation', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/auth/login`);
    const level1 = page.locator('li', { hasText: '(mức 1)' }).first().locator('code');
    const personalId = (await level1.getAttribute('data-personal-id')) ?? '';
    await page.getByLabel('Số định danh cá nhân').fill(personalId);
    await page.getByLabel('Mật khẩu').fill('demo');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').textContent() ?? '', /mức 2/);
    await page.close();
  });
});
