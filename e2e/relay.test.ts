/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sampleCheckinRow } from '@openhssk/core/testing';
import { buildCheckin } from '@openhssk/core/xml130';
import { createTestCertificate } from '@openhssk/core/xmldsig';
import { type PortalChild, startPortalChild } from '@openhssk/server/test-support';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, assertAccessible, launchBrowser, ROOT, type RunningServer, startServer } from './harness.ts';

/**
 * The facility admin's "send once" screen on a phone: turning the relay on, a message the portal refuses
 * (a wrong portal password) shown with the portal's own words, the password corrected and "Gửi lại", then
 * the message delivered. The portal is a second OpenHSSK process (test-support/portal-child.ts); the
 * delivery under an outage is relay/relay.test.ts.
 */
describe('relay to the insurance portal in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let dataDir: string;
  let his: { clientId: string; clientSecret: string };
  let portal: PortalChild;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hssk-e2e-relay-'));
    const env = { ...process.env, HSSK_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    const cli = join(ROOT, 'packages/server/bin/hssk.mjs');
    execFileSync(process.execPath, [cli, 'demo', '--persons', '300', '--episodes', '800'], { env, stdio: 'pipe' });
    execFileSync(process.execPath, [cli, 'staff', 'demo'], { env, stdio: 'pipe' });
    // The facility's HIS account (PGlite serves one process at a time: issued before the server starts).
    const out = execFileSync(process.execPath, [cli, 'facility', 'credential', '--code', '51001'], { env, encoding: 'utf8' });
    his = { clientId: /client_id=(\S+)/.exec(out)![1]!, clientSecret: /client_secret=(\S+)/.exec(out)![1]! };
    portal = await startPortalChild({ facility: '51001', certPem: createTestCertificate({ commonName: 'Cổng thử', organization: '51001' }).certPem });
    server = await startServer({ HSSK_DATA_DIR: dataDir, HSSK_RELAY_POLL_SECONDS: '1' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await portal?.close();
  });

  it('facility admin turns the relay on, sees a refused check-in with the portal message and re-sends it (360 px)', async () => {
    const page = await (await browser.newContext({ viewport: { width: 360, height: 780 } })).newPage();
    await page.goto(`${server.url}/nhan-vien/`);
    await page.getByLabel('Tên đăng nhập').fill('quantri.coso');
    await page.getByLabel('Mật khẩu').fill('demo-Staff1');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('heading', { name: 'Danh mục kết nối' }).waitFor();
    await page.getByRole('heading', { name: /Gửi cổng giám định BHYT/ }).waitFor();
    await page.getByLabel('Bật chuyển tiếp lên cổng giám định').check();
    await page.getByLabel('Địa chỉ cổng tiếp nhận').fill(portal.url);
    await page.getByLabel('Tên đăng nhập cổng').fill(portal.username);
    await page.getByLabel(/Mật khẩu cổng/).fill('sai-mat-khau');
    await page.getByRole('button', { name: 'Lưu cấu hình' }).click();
    await page.getByText('Đã lưu. Chuyển tiếp đang bật.').waitFor();

    // The facility's HIS sends a check-in to OpenHSSK only.
    const { clientId, clientSecret } = his;
    const tok = await fetch(`${server.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }) });
    const { access_token } = (await tok.json()) as { access_token: string };
    const row = { ...sampleCheckinRow('51001'), MA_LK: '51001E2ERELAY1' };
    const sent = await fetch(`${server.url}/api/v1/xml130/checkins`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${access_token}` }, body: buildCheckin([row]) });
    assert.ok(sent.status < 300, await sent.text());

    // The relay tries, the portal refuses the login: the error list shows the portal's message.
    const deadline = Date.now() + 90_000;
    for (;;) {
      await page.reload();
      await page.getByRole('heading', { name: /Gửi cổng giám định BHYT/ }).waitFor();
      if ((await page.getByTestId('relay-error').count()) > 0) break;
      assert.ok(Date.now() < deadline, 'the refusal appears');
      await page.waitForTimeout(1000);
    }
    await page.getByTestId('relay-error').first().getByText(/mật khẩu không đúng/).waitFor();
    await page.getByTestId('relay-error').first().scrollIntoViewIfNeeded();
    await assertAccessible(page, 'relay (facility admin, 360 px)');
    await page.screenshot({ path: join(ARTIFACTS, 'staff-relay-error.png'), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no sideways scrolling at 360 px (${overflow})`);
    // The admin corrects the password and re-sends: the check-in reaches the portal.
    await page.getByLabel(/Mật khẩu cổng/).fill(portal.password);
    await page.getByRole('button', { name: 'Lưu cấu hình' }).click();
    await page.getByText('Đã lưu. Chuyển tiếp đang bật.').waitFor();
    await page.getByTestId('relay-error').first().getByRole('button', { name: 'Gửi lại' }).click();
    await page.getByText('Đã đưa bản tin vào hàng đợi gửi lại.').waitFor();
    for (;;) {
      await page.reload();
      await page.getByRole('heading', { name: /Gửi cổng giám định BHYT/ }).waitFor();
      if ((await page.getByTestId('relay-counts').textContent())?.includes('Đã gửi: 1')) break;
      assert.ok(Date.now() < deadline + 90_000, 'the re-sent check-in is delivered');
      await page.waitForTimeout(1000);
    }
    assert.equal(await page.getByTestId('relay-error').count(), 0);
  });
});
