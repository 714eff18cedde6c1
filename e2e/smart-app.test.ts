/**
 * A SMART on FHIR app (fhirclient, the SMART JS client, in a small app server of its own) launched from
 * Chromium: the citizen already logged in to the book sees the consent screen (360 px, axe), allows the
 * app, the app reads the citizen's own record, and the citizen revokes it from the book's settings.
 * The choice on sensitive episodes is on the screen for everyone, unticked; ticked, the settings say so.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Patient } from '@medplum/fhirtypes';
import type { Browser } from 'playwright-core';
import { startSmartApp } from '../packages/server/test-support/index.ts';
import { assertAccessible, launchBrowser, loginCitizenAndConsent, type RunningServer, screenshotBoth, staffSession, startServer } from './harness.ts';

const CLIENT_ID = 'so-tay-gia-dinh';
const APP_NAME = 'Sổ tay sức khỏe gia đình';

describe('SMART app launch in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let app: Awaited<ReturnType<typeof startSmartApp>>;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    app = await startSmartApp(`${server.url}/fhir/R4`, CLIENT_ID);
    const admin = await staffSession(server.url, 'quantri');
    const r = await admin('POST', '/api/v1/smart/apps', { client_id: CLIENT_ID, name: APP_NAME, redirect_uris: [`${app.base}/callback`], confidential: false, scopes: ['launch/patient', 'patient/*.rs'] });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });
  after(async () => {
    await app?.close();
    await browser?.close();
    await server?.stop();
  });

  it('consent screen at 360 px, the app reads the citizen’s own record, revoked from the settings', async () => {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 800 } });
    const page = await ctx.newPage();
    await loginCitizenAndConsent(page, server.url);
    await page.goto(`${app.base}/launch`);
    await page.getByRole('heading', { name: 'Cho phép ứng dụng đọc hồ sơ?' }).waitFor();
    assert.match((await page.locator('main').textContent()) ?? '', new RegExp(`Ứng dụng ${APP_NAME} muốn đọc toàn bộ hồ sơ sức khỏe`));
    const sensitive = page.getByRole('checkbox', { name: 'Cho phép ứng dụng xem cả các lượt khám thuộc nhóm nhạy cảm (HIV, lao, sức khỏe tâm thần)' });
    assert.ok(await sensitive.isVisible(), 'the choice on sensitive episodes is shown');
    assert.equal(await sensitive.isChecked(), false, 'and starts unticked');
    await assertAccessible(page, 'SMART consent screen');
    await screenshotBoth(page, 'smart-consent');
    await page.getByRole('button', { name: 'Đồng ý' }).click();
    await page.waitForURL(`${app.base}/callback**`);
    assert.equal(await page.locator('body').textContent(), 'ok');
    const client = await app.client();
    const me = (await client.patient.read()) as Patient;
    assert.equal(me.id, client.patient.id);
    const token = client.state.tokenResponse?.access_token ?? '';

    await page.goto(`${server.url}/cai-dat`);
    const apps = page.getByTestId('connected-apps');
    await apps.getByText(APP_NAME, { exact: false }).first().waitFor();
    assert.match((await apps.getByTestId('app-scope').textContent()) ?? '', /trừ các lượt khám nhạy cảm/);
    await assertAccessible(page, 'settings with a connected app');
    await apps.getByRole('button', { name: `Thu hồi quyền của ${APP_NAME}` }).click();
    await apps.getByText('Chưa có ứng dụng nào.').waitFor();
    const after = await fetch(`${server.url}/fhir/R4/Patient/${me.id}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(after.status, 401, 'the revoked app reads nothing more');

    await page.goto(`${server.url}/ai-da-xem`);
    await page.getByText(`Ứng dụng ${APP_NAME} đọc hồ sơ qua giao diện kết nối FHIR`, { exact: false }).first().waitFor();

    // Granted again with the box ticked (by its label, as a thumb would): the settings name the choice.
    await page.goto(`${app.base}/launch`);
    await page.getByRole('heading', { name: 'Cho phép ứng dụng đọc hồ sơ?' }).waitFor();
    await page.getByText('Cho phép ứng dụng xem cả các lượt khám thuộc nhóm nhạy cảm', { exact: false }).click();
    assert.equal(await sensitive.isChecked(), true);
    await page.getByRole('button', { name: 'Đồng ý' }).click();
    await page.waitForURL(`${app.base}/callback**`);
    await page.goto(`${server.url}/cai-dat`);
    await apps.getByText(APP_NAME, { exact: false }).first().waitFor();
    assert.match((await apps.getByTestId('app-scope').textContent()) ?? '', /gồm cả lượt khám nhạy cảm/);
    await apps.getByRole('button', { name: `Thu hồi quyền của ${APP_NAME}` }).click();
    await apps.getByText('Chưa có ứng dụng nào.').waitFor();
    await ctx.close();
  });
});
