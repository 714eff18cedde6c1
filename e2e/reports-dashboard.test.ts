/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, assertAccessible, launchBrowser, pageCall, type RunningServer, staffLogin, startServer } from './harness.ts';

/** District officer of the demo district (packages/server/src/staff/demo.ts). */
const OFFICER = 'canbo.huyen';
const ROUTE = process.env.REPORTS_ROUTE ?? '/nhan-vien/bao-cao';

interface KpiBody {
  unit: { code: string; name: string };
  kpis: { residents: number | null; episodes: number };
  children: Array<{ unit: { code: string; name: string }; kpis: { residents: number | null } }>;
}

const fetchJson = (page: Page, path: string) => pageCall(page, 'GET', path);

describe('reports dashboard in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => {
    // The demo seeds the district, its episodes and the demo staff; the summaries are refreshed
    // every 2 s without hold-back (PGlite runs one transaction at a time).
    server = await startServer({ HSSK_REPORT_REFRESH_SECONDS: '2', HSSK_REPORT_HOLDBACK_SECONDS: '0' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a district officer drills down to a commune and downloads the KPI table as XLSX', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await ctx.newPage();
    await staffLogin(page, server.url, OFFICER);
    await page.getByRole('button', { name: 'Đăng xuất' }).waitFor();

    // Wait until the background refresher has folded the demo data in.
    const me = (await fetchJson(page, '/api/v1/staff/me')).body as { admin_unit_code: string };
    let district: KpiBody | undefined;
    for (let i = 0; i < 60; i++) {
      const r = await fetchJson(page, `/api/v1/reports/kpis?unit=${me.admin_unit_code}`);
      assert.equal(r.status, 200);
      district = r.body as KpiBody;
      if ((district.kpis.residents ?? 0) > 0 && district.kpis.episodes > 0) break;
      await page.waitForTimeout(1000);
    }
    assert.ok(district && (district.kpis.residents ?? 0) > 0, 'summaries refreshed');
    // Another district's figures are out of scope.
    assert.equal((await fetchJson(page, '/api/v1/reports/kpis?unit=51')).status, 403);

    await page.goto(`${server.url}${ROUTE}`);
    await page.getByTestId('report-unit').filter({ hasText: district.unit.name }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'reports-district.png'), fullPage: true });

    const commune = district.children.find((c) => (c.kpis.residents ?? 0) > 0);
    assert.ok(commune, 'a commune with residents');
    await page.getByRole('table', { name: 'Chỉ số theo địa bàn trực thuộc' }).getByRole('button', { name: commune.unit.name }).click();
    await page.getByTestId('report-unit').filter({ hasText: commune.unit.name }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'reports-commune.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('kpi-xlsx').click()]);
    const file = join(ARTIFACTS, 'reports-commune.xlsx');
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const row = wb.getWorksheet('Chỉ số')!.getRow(4);
    assert.equal(row.getCell(1).value, commune.unit.code);
    assert.equal(row.getCell(4).value, commune.kpis.residents);
    await ctx.close();
  });

  it('a system admin sets a target on a 360 px phone and the dashboard colours against it (axe clean)', async () => {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 800 } });
    const page = await ctx.newPage();
    await staffLogin(page, server.url, 'quantri');
    await page.getByRole('button', { name: 'Đăng xuất' }).waitFor();
    await page.goto(`${server.url}${ROUTE}`);
    await page.getByTestId('report-unit').waitFor();
    // The admin starts on the first province of the reference list; the demo district lies in 51.
    const roots = (await fetchJson(page, '/api/v1/reports/units')).body as { units: Array<{ code: string; name: string }> };
    const province = roots.units.find((u) => u.code === '51');
    assert.ok(province, 'demo province listed');
    // Run alone, this test may come before the background refresher has folded the demo in.
    for (let i = 0; i < 60; i++) {
      const k = (await fetchJson(page, '/api/v1/reports/kpis?unit=51')).body as KpiBody;
      if ((k.kpis.residents ?? 0) > 0) break;
      await page.waitForTimeout(1000);
    }
    await page.locator('.unit-tree button.link', { hasText: province.name }).first().click();
    await page.getByTestId('report-unit').filter({ hasText: province.name }).waitFor();
    const input = page.getByLabel('Người dân thường trú có hồ sơ sức khỏe điện tử');
    await input.waitFor();
    // 0 % is met by any figure, so the card must say "Đạt" once the dashboard has re-read it.
    await input.fill('0');
    await page.locator('.target-list li').first().getByRole('button', { name: 'Lưu' }).click();
    await page.getByRole('status').filter({ hasText: 'Đã lưu mục tiêu' }).waitFor();
    const line = page.locator('.kpi-target').filter({ hasText: 'Mục tiêu ≥ 0 % · Đạt' });
    await line.waitFor({ timeout: 15_000 }).catch(async () => {
      assert.fail(`card target lines: ${JSON.stringify(await page.locator('.kpi-target').allTextContents())}; unit: ${await page.getByTestId('report-unit').textContent()}`);
    });
    await page.getByText('Đơn vị đặt').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
    await assertAccessible(page, 'reports-targets-phone');
    await page.screenshot({ path: join(ARTIFACTS, 'reports-targets-phone.png'), fullPage: true });
    // Back to the plan's value for the other tests.
    await page.getByRole('button', { name: 'Bỏ mục tiêu riêng' }).first().click();
    await page.getByRole('status').filter({ hasText: 'Đã bỏ mục tiêu riêng' }).waitFor();
    await ctx.close();
  });

  for (const [label, width] of [['phone', 360], ['desktop', 1280]] as const) {
    it(`the dashboard fits a ${label} (${width} px): one <main>, no sideways scrolling, numbers and headers unbroken`, async () => {
      const ctx = await browser.newContext({ viewport: { width, height: 800 } });
      const page = await ctx.newPage();
      await staffLogin(page, server.url, OFFICER);
      await page.getByRole('button', { name: 'Đăng xuất' }).waitFor();
      await page.goto(`${server.url}${ROUTE}`);
      await page.getByTestId('report-unit').waitFor();
      await page.locator('.kpi-value').first().waitFor();
      assert.equal(await page.locator('main').count(), 1, 'one main landmark');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
      // A figure or a header that wraps inside a word or number lays its text out on two lines.
      const tall = await page.evaluate(() =>
        Array.from(document.querySelectorAll('.kpi-value, .reports thead th, .reports tbody td'))
          .filter((el) => {
            const text = (el.textContent ?? '').trim();
            if (text === '' || text.split(/\s+/).length !== 1) return false;
            const range = document.createRange();
            range.selectNodeContents(el);
            const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
            return tops.size > 1;
          })
          .map((el) => el.textContent),
      );
      assert.deepEqual(tall, [], 'single words and numbers stay on one line');
      await assertAccessible(page, `reports-${label}`);
      await page.screenshot({ path: join(ARTIFACTS, `reports-dashboard-${label}.png`), fullPage: true });
      await ctx.close();
    });
  }
});
