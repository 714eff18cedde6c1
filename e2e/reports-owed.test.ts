/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sheetRows } from '../packages/server/test-support/index.ts';
import { ARTIFACTS, assertAccessible, launchBrowser, type RunningServer, startServer } from './harness.ts';

const DEMO_PASSWORD = 'demo-Staff1';
const PROVINCE_PASSWORD = 'Tinh-Officer-2025';

const fetchJson = (page: Page, path: string, init?: { method: string; body: unknown }) =>
  page.evaluate(
    async ([p, i]) => {
      const r = await fetch(p, { credentials: 'same-origin', ...(i ? { method: i.method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(i.body) } : {}) });
      return { status: r.status, body: await r.json().catch(() => null) };
    },
    [path, init] as const,
  );

async function login(browser: Browser, url: string, username: string, password: string, width = 360): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width, height: 800 }, acceptDownloads: true });
  const page = await ctx.newPage();
  await page.goto(`${url}/nhan-vien/`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByRole('button', { name: 'Đăng xuất' }).waitFor();
  return { ctx, page };
}

async function noSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
}

/** Clicks a download link, keeps the file in artifacts/ and reads it back as a workbook. */
async function downloadXlsx(page: Page, testId: string, name: string): Promise<ExcelJS.Workbook> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const file = join(ARTIFACTS, name);
  await dl.saveAs(file);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  return wb;
}

describe('reports owed by others in Chromium: province officer and facility admin', () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => {
    // Summaries every 2 s without hold-back; the weekly snapshot job looks every 2 s, so the last
    // due week (Thursday 15:00) is stored shortly after the start, as it would be on schedule.
    server = await startServer({ HSSK_REPORT_REFRESH_SECONDS: '2', HSSK_REPORT_HOLDBACK_SECONDS: '0', HSSK_WEEKLY_REPORT_CHECK_SECONDS: '2' });
    browser = await launchBrowser();
    // The demo has a district officer only: the system admin creates the province's officer.
    const { ctx, page } = await login(browser, server.url, 'quantri', DEMO_PASSWORD, 1280);
    const created = await fetchJson(page, '/api/v1/staff/accounts', {
      method: 'POST',
      body: { username: 'canbo.tinh', full_name: 'Trần Thị Sở', role: 'health_officer', admin_unit_code: '51' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await ctx.close();
    const first = await browser.newContext();
    const p = await first.newPage();
    await p.goto(`${server.url}/nhan-vien/`);
    const otp = (created.body as { one_time_password: string }).one_time_password;
    assert.equal((await fetchJson(p, '/api/v1/staff/login', { method: 'POST', body: { username: 'canbo.tinh', password: otp } })).status, 200);
    assert.equal((await fetchJson(p, '/api/v1/staff/me/password', { method: 'POST', body: { current: otp, next: PROVINCE_PASSWORD } })).status, 200);
    await first.close();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  let requestId = 0;

  it('a facility admin downloads its six-monthly report (XLSX read back, PDF text) and asks for an interop account, on a phone', async () => {
    const { ctx, page } = await login(browser, server.url, 'quantri.coso', DEMO_PASSWORD);
    const me = (await fetchJson(page, '/api/v1/staff/me')).body as { facility_code: string; facility: { name: string } };
    await page.goto(`${server.url}/nhan-vien/co-so`);
    await page.getByTestId('facility-six-xlsx').waitFor();
    const wb = await downloadXlsx(page, 'facility-six-xlsx', 'reports-owed-facility-six-monthly.xlsx');
    const row = sheetRows(wb.getWorksheet('Theo địa bàn')!, 'Mã')[0]!;
    assert.equal(row['Mã'], me.facility_code);
    assert.equal(row['Cấp'], 'Cơ sở KCB');
    // The demo's facility sent episodes all year: the last ended half-year has some, all its own.
    assert.ok(Number(row['Hồ sơ KCB nhận được']) > 0, JSON.stringify(row));
    const rate = Number(row['Tỷ lệ hồ sơ KCB có số định danh cá nhân (ước tính)']);
    assert.ok(rate >= 0 && rate <= 1);
    assert.equal(row['Dân số thường trú (danh sách MIS2022)'], undefined, 'no commune figures in a facility report');
    const [pdfDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('facility-six-pdf').click()]);
    const pdf = join(ARTIFACTS, 'reports-owed-facility-six-monthly.pdf');
    await pdfDl.saveAs(pdf);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    assert.match(text, /BÁO CÁO KẾT QUẢ TRIỂN KHAI SỔ SỨC KHỎE ĐIỆN TỬ/);
    assert.ok(text.includes(`Cơ sở KCB: ${me.facility.name} (${me.facility_code})`), text.slice(0, 400));
    assert.match(text, /Đánh giá/);

    await page.getByTestId('req-kind').selectOption('interop_account');
    await page.getByTestId('req-applicant').fill('Lê Văn Hùng, 0905 111 222');
    await page.getByLabel('Ghi chú').fill('Phần mềm HIS mới cần tài khoản riêng');
    await page.getByRole('button', { name: 'Gửi yêu cầu' }).click();
    await page.getByRole('status').filter({ hasText: 'Đã gửi yêu cầu' }).waitFor();
    const item = page.locator('[data-testid^="request-"]').first();
    await item.getByText('Chờ duyệt').waitFor();
    requestId = Number((await item.getAttribute('data-testid'))!.replace('request-', ''));
    await noSidewaysScroll(page);
    await assertAccessible(page, 'reports-owed-facility-phone');
    await page.screenshot({ path: join(ARTIFACTS, 'reports-owed-facility-phone.png'), fullPage: true });
    await ctx.close();
  });

  it('the province officer sets the 2025 target of 90 %, drills down and downloads the weekly table (XLSX read back)', async () => {
    const { ctx, page } = await login(browser, server.url, 'canbo.tinh', PROVINCE_PASSWORD);
    await page.goto(`${server.url}/nhan-vien/bao-cao`);
    await page.getByTestId('report-unit').filter({ hasText: 'Quảng Ngãi' }).waitFor();
    await page.getByLabel('Năm', { exact: true }).last().fill('2025');
    const input = page.getByLabel('Người dân thường trú có hồ sơ sức khỏe điện tử');
    await input.waitFor();
    await input.fill('90');
    await page.locator('.target-list li').first().getByRole('button', { name: 'Lưu' }).click();
    await page.getByRole('status').filter({ hasText: 'Đã lưu mục tiêu' }).waitFor();
    const t = (await fetchJson(page, '/api/v1/reports/targets?unit=51&year=2025')).body as { targets: Array<{ indicator: string; value: number; setBy: { unitCode: string } | null }> };
    const wr = t.targets.find((x) => x.indicator === 'withRecord')!;
    assert.equal(wr.value, 0.9);
    assert.equal(wr.setBy?.unitCode, '51');

    // Drill down: the province's first unit with figures, then back up through the breadcrumb.
    const k = (await fetchJson(page, '/api/v1/reports/kpis?unit=51')).body as { children: Array<{ unit: { code: string; name: string } }> };
    const child = k.children[0]!;
    await page.getByRole('table').getByRole('button', { name: child.unit.name }).first().click();
    await page.getByTestId('report-unit').filter({ hasText: child.unit.name }).waitFor();
    // The unit below inherits the province's 2025 value, named by the province's name, not its code.
    await page.getByLabel('Năm', { exact: true }).last().fill('2025');
    await page.locator('#target-withRecord-src').filter({ hasText: /^Theo mục tiêu của .*Quảng Ngãi$/ }).waitFor();
    assert.equal(await page.getByLabel('Người dân thường trú có hồ sơ sức khỏe điện tử').inputValue(), '90');
    await page.locator('.crumbs').getByRole('button', { name: /Quảng Ngãi/ }).click();
    await page.getByTestId('report-unit').filter({ hasText: 'Quảng Ngãi' }).waitFor();

    // The weekly table: stored by the scheduled job; wait for it, then download and read it back.
    let weekly: { weekEnd: string; rows: Array<{ unit: { code: string }; episodes: number; integratedFacilities: number; identifiedRate: number | null; withHealthData: number | null }> } | undefined;
    for (let i = 0; i < 60; i++) {
      weekly = (await fetchJson(page, '/api/v1/reports/weekly?unit=51')).body;
      if (weekly && weekly.rows.length > 0) break;
      await page.waitForTimeout(1000);
    }
    assert.ok(weekly && weekly.rows.length > 0, 'the weekly snapshot was taken');
    await page.reload();
    await page.getByTestId('weekly-table').waitFor();
    const wb = await downloadXlsx(page, 'weekly-xlsx', 'reports-owed-weekly.xlsx');
    const rows = sheetRows(wb.getWorksheet('Tiến độ tuần')!, 'Mã');
    assert.deepEqual(rows.map((r) => r['Mã']), weekly.rows.map((r) => r.unit.code));
    assert.equal(rows[0]!['Mã'], '51');
    for (const [i, r] of rows.entries()) {
      assert.equal(r['Hồ sơ KCB trong tuần'], weekly.rows[i]!.episodes);
      assert.equal(r['Cơ sở đã liên thông'], weekly.rows[i]!.integratedFacilities);
      assert.equal(r['Tỷ lệ hồ sơ có số định danh cá nhân'], weekly.rows[i]!.identifiedRate);
      assert.equal(r['Sổ sức khỏe có dữ liệu (người thường trú)'], weekly.rows[i]!.withHealthData);
    }
    assert.ok(Number(rows[0]!['Sổ sức khỏe có dữ liệu (người thường trú)']) > 0, 'the demo residents have health data');
    await noSidewaysScroll(page);
    await assertAccessible(page, 'reports-owed-province-phone');
    await page.getByTestId('weekly-table').screenshot({ path: join(ARTIFACTS, 'reports-owed-weekly-phone.png') });
    await page.screenshot({ path: join(ARTIFACTS, 'reports-owed-province-phone.png'), fullPage: true });
    await ctx.close();
  });

  it('the province officer sees each facility’s onboarding step and approves the facility’s request', async () => {
    assert.ok(requestId > 0);
    const { ctx, page } = await login(browser, server.url, 'canbo.tinh', PROVINCE_PASSWORD);
    await page.goto(`${server.url}/nhan-vien/ket-noi`);
    await page.getByTestId('onboarding-facilities').waitFor();
    assert.ok((await page.getByTestId('onboarding-facilities').locator('li').count()) > 0);
    const item = page.getByTestId(`request-${requestId}`);
    await item.getByText('Chờ duyệt').waitFor();
    await noSidewaysScroll(page);
    await assertAccessible(page, 'reports-owed-onboarding-phone');
    await page.screenshot({ path: join(ARTIFACTS, 'reports-owed-onboarding-phone.png'), fullPage: true });
    await item.getByRole('button', { name: 'Duyệt và cấp' }).click();
    const secret = item.getByTestId('request-secret');
    await secret.waitFor();
    assert.ok(((await secret.textContent()) ?? '').length >= 20);
    await item.getByText('Đã duyệt').waitFor();
    await item.getByText('Lịch sử xử lý').click();
    await item.getByText(/Duyệt \(Trần Thị Sở\)/).waitFor();
    await assertAccessible(page, 'reports-owed-onboarding-approved');
    await page.screenshot({ path: join(ARTIFACTS, 'reports-owed-onboarding-approved.png'), fullPage: true });
    await ctx.close();
  });
});
