/// <reference lib="dom" />
// Issue 18 (items 1, 5, 6) at 360 px: the doctor's record summary (XML8) on the visit page and in
// its PDF, the long lists folded with their counts (page height measured folded and unfolded), and the
// citizen updating their phone and address.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { ARTIFACTS, assertAccessible, loginCitizenAndConsent, useDemoServer } from './harness.ts';

const pageHeight = (page: Page) => page.evaluate(() => document.documentElement.scrollHeight);

describe('the book on a phone: record summary, folded lists, contact details (360 px)', () => {
  const demo = useDemoServer();

  it('shows the doctor’s summary first, folds the long lists, prints the same, and takes a new phone and address', async () => {
    const ctx = await demo.browser.newContext({ viewport: { width: 360, height: 800 }, acceptDownloads: true });
    const page = await ctx.newPage();
    await loginCitizenAndConsent(page, demo.server.url);

    // The citizen's visit with the longest daily log and a record summary: the page the issue measured.
    type Ep = { id: number; care_group: string };
    type Detail = { record_summary: unknown; tables: Record<string, unknown[]> };
    const chosen = await page.evaluate(async () => {
      const list = (await (await fetch('/api/v1/book/episodes?per_page=100')).json()) as { episodes: Ep[] };
      let best: { id: number; log: number; rows: number } | null = null;
      for (const e of list.episodes) {
        const d = (await (await fetch(`/api/v1/book/episodes/${e.id}`)).json()) as Detail;
        if (!d.record_summary) continue;
        const log = d.tables.XML5?.length ?? 0;
        const rows = log + (d.tables.XML3?.length ?? 0) + (d.tables.XML4?.length ?? 0);
        if (!best || log > best.log || (log === best.log && rows > best.rows)) best = { id: e.id, log, rows };
      }
      return best;
    });
    assert.ok(chosen, 'the demo citizen has a visit with a record summary');

    await page.goto(`${demo.server.url}/luot-kham/${chosen.id}`);
    const summary = page.locator('section[data-section="record-summary"]');
    await summary.getByText('Tóm tắt do bác sĩ ghi').waitFor();
    assert.ok((await summary.locator('dt').allTextContents()).includes('Quá trình bệnh lý, diễn biến'), 'course of illness shown');
    // Essentials first, the long lists after, in this order.
    const order = await page.evaluate(() => Array.from(document.querySelectorAll('main section[data-section]')).map((s) => s.getAttribute('data-section')));
    const at = (k: string) => order.indexOf(k);
    assert.ok(at('diagnoses') < at('medicines') && at('medicines') < at('record-summary') && at('record-summary') < at('labs') && at('labs') < at('services') && at('services') < at('daily-log'), `order ${order.join(', ')}`);
    // Folded with counts.
    const log = page.locator('section[data-section="daily-log"]');
    assert.match((await log.locator('h2').textContent()) ?? '', new RegExp(`\\(${chosen.log}\\)$`));
    if (chosen.log > 0) assert.equal(await log.locator('details').evaluate((d) => (d as HTMLDetailsElement).open), false, 'the daily log starts folded');
    await assertAccessible(page, 'visit at 360 px');
    const folded = await pageHeight(page);
    await page.screenshot({ path: join(ARTIFACTS, 'book-visit-phone-360.png'), fullPage: true });
    // Every list unfolded: the page as it was before the lists were folded.
    await page.evaluate(() => {
      for (const d of Array.from(document.querySelectorAll('main details'))) (d as HTMLDetailsElement).open = true;
    });
    const unfolded = await pageHeight(page);
    await assertAccessible(page, 'visit unfolded at 360 px');
    await page.screenshot({ path: join(ARTIFACTS, 'book-visit-phone-unfolded-360.png'), fullPage: true });
    assert.ok(chosen.log === 0 || folded < unfolded, `folded ${folded} px < unfolded ${unfolded} px`);
    writeFileSync(join(ARTIFACTS, 'book-visit-height-360.json'), `${JSON.stringify({ episode_rows: chosen, folded_px: folded, unfolded_px: unfolded, viewport: '360x800' }, null, 2)}\n`);
    console.log(`visit page at 360 px: ${folded} px folded, ${unfolded} px unfolded (daily log ${chosen.log} rows)`);

    // The PDF: the summary as the doctor's words, essentials before the long lists.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải PDF lượt khám' }).click()]);
    const pdfPath = join(ARTIFACTS, 'visit-summary.pdf');
    await download.saveAs(pdfPath);
    const pdf = execFileSync('pdftotext', ['-enc', 'UTF-8', pdfPath, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    assert.ok(pdf.includes('Tóm tắt do bác sĩ ghi'), 'marked as the doctor’s words in the PDF');
    assert.ok(pdf.includes('Quá trình bệnh lý, diễn biến: '));
    const p = (s: string) => pdf.indexOf(s);
    assert.ok(p('Thuốc') < p('Tóm tắt hồ sơ bệnh án') && p('Tóm tắt hồ sơ bệnh án') < p('Tất cả kết quả cận lâm sàng') && p('Tất cả kết quả cận lâm sàng') < p('Dịch vụ kỹ thuật, ngày giường, vật tư'), 'PDF order');

    // Contact details: a wrong phone is refused in Vietnamese, a good one is kept beside the registry's.
    await page.goto(demo.server.url);
    const contact = page.locator('section[data-section="contact"]');
    await contact.getByRole('button', { name: 'Cập nhật số điện thoại, địa chỉ' }).click();
    await page.getByRole('textbox', { name: /^Số điện thoại/ }).fill('12345');
    await page.getByRole('textbox', { name: /^Địa chỉ nơi ở hiện nay/ }).fill('Thôn Mới, xã Nghĩa Kỳ, tỉnh Quảng Ngãi');
    await page.getByRole('button', { name: 'Lưu', exact: true }).click();
    await contact.getByRole('alert').getByText(/Số điện thoại không hợp lệ/).waitFor();
    await assertAccessible(page, 'contact form with an error');
    await page.screenshot({ path: join(ARTIFACTS, 'book-contact-error-360.png'), fullPage: true });
    await page.getByRole('textbox', { name: /^Số điện thoại/ }).fill('0988 777 666');
    await page.getByRole('button', { name: 'Lưu', exact: true }).click();
    await contact.getByRole('status').getByText(/Đã lưu/).waitFor();
    await page.getByTestId('declared-contact').getByText('0988777666').waitFor();
    const declared = (await page.getByTestId('declared-contact').textContent()) ?? '';
    assert.ok(declared.includes('0988777666') && declared.includes('Thôn Mới, xã Nghĩa Kỳ'), declared);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false, 'no sideways scrolling');
    await assertAccessible(page, 'summary with declared contact');
    await page.screenshot({ path: join(ARTIFACTS, 'book-contact-360.png'), fullPage: true });
    await ctx.close();
  });
});
