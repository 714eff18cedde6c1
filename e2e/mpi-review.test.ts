/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stripDiacritics as unaccented } from '@openhssk/core';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, assertAccessible, launchBrowser, ROOT, type RunningServer, seedDemoDataDir, staffLogin, startServer } from './harness.ts';

/** District officer of the demo district Tư Nghĩa (528); the pairs below live in its commune La Hà. */
const OFFICER = 'canbo.huyen';
const LA_HA = '21550';

interface Listed {
  total: number;
  reviews: Array<{ id: number; reasons: string[]; explanation: { summary_vi: string } }>;
}

/**
 * The demo district links cleanly (no pair for review), so a second source brings near-duplicates
 * of the kinds reviewers meet: unaccented name and a birth date a day off, swapped day/month, a
 * year-only date, a sex that disagrees. Enough of them that the queue has more than one page (the engine
 * decides most of them itself).
 */
function nearDuplicatesCsv(pairs: number): string {
  const family = ['Hồ', 'Đinh', 'Lưu', 'Tạ', 'Kiều', 'Lâm'];
  const given = ['Khải', 'Xuân', 'Tâm', 'Quyết', 'Nhạn', 'Tuyết', 'Khánh', 'Thắng', 'Luyến', 'Sương'];
  const two = (n: number) => String(n).padStart(2, '0');
  const lines = ['source_system,source_id,ho_ten,ngay_sinh,gioi_tinh,so_cccd,so_bhyt,so_dien_thoai,dia_chi,ma_xa,ma_ho_gia_dinh'];
  for (let i = 0; i < pairs; i++) {
    const name = `${family[i % 6]} ${i % 2 ? 'Thị' : 'Văn'} ${given[Math.floor(i / 3) % 10]}`;
    // Names repeat every 30 pairs; their years stay decades apart, so repeats are different people.
    const [d, m, y] = [1 + (i % 12), 1 + ((i * 7) % 12), 1940 + (i % 80)];
    const sex = i % 2 ? 'Nữ' : 'Nam';
    const other = i % 2 ? 'Nam' : 'Nữ';
    const dates = [`${y}-${two(m)}-${two(d + 1)}`, `${two(m)}/${two(d)}/${y}`, `${y}`, `${two(d)}/${two(m)}/${y}`];
    lines.push(`BHXH,E2E-B${i},${name},${two(d)}/${two(m)}/${y},${sex},,,,"Thôn ${1 + (i % 5)}, thị trấn La Hà",${LA_HA},`);
    lines.push(`TIEMCHUNG,E2E-T${i},${i % 4 === 0 ? unaccented(name) : name},${dates[i % 4]},${i % 4 === 0 ? sex : other},,,,,${LA_HA},`);
  }
  return `${lines.join('\n')}\n`;
}

/** Words of the review page that the layout split across two lines ("Trư / ờng"). */
const brokenWords = (page: Page) =>
  page.evaluate(() => {
    const out: string[] = [];
    const root = document.querySelector('.review-queue');
    if (!root) return ['(no review page)'];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const host = n.parentElement;
      // Visually hidden text (table headers at narrow widths, captions) is laid out in 1 px on purpose.
      if (!host || host.closest('.sr-only, thead')?.getBoundingClientRect().width === 1 || host.getClientRects().length === 0) continue;
      for (const m of (n.textContent ?? '').matchAll(/\S+/g)) {
        const range = document.createRange();
        range.setStart(n, m.index);
        range.setEnd(n, m.index + m[0].length);
        const lines = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (lines.size > 1) out.push(m[0]);
      }
    }
    return out;
  });

const listed = (page: Page, qs = '') =>
  page.evaluate(async (q) => (await (await fetch(`/api/v1/mpi/reviews?status=pending&limit=20${q}`)).json()) as Listed, qs);

async function openReview(page: Page, url: string) {
  await staffLogin(page, url, OFFICER);
  await page.getByRole('navigation', { name: 'Chức năng' }).getByRole('link', { name: 'Rà soát hồ sơ trùng' }).click();
  await page.getByRole('heading', { name: 'Rà soát hồ sơ trùng' }).waitFor();
  await page.getByTestId('review-total').waitFor();
}

describe('MPI duplicate review in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => {
    // PGlite serves one process at a time: the CLI seeds the demo, its staff and the second source
    // first, then the server starts on the same data directory (its demo seeding sees the marker).
    const { dataDir, env, cli } = seedDemoDataDir('hssk-e2e-mpi-');
    const csv = join(dataDir, 'near-duplicates.csv');
    // The engine links or sets aside most kinds itself; about a quarter reach the queue.
    writeFileSync(csv, nearDuplicatesCsv(120));
    execFileSync(process.execPath, [cli, 'mpi', 'import', csv], { env, stdio: 'pipe' });
    server = await startServer({ HSSK_DATA_DIR: dataDir });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('1280 px: the total, a Vietnamese reason per pair, two equal choices, paging, no serious axe violation', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await openReview(page, server.url);
    const first = await listed(page);
    assert.ok(first.total > 20, `the queue has more than one page (${first.total} pairs)`);
    assert.equal(await page.getByTestId('review-total').innerText(), `Còn ${first.total.toLocaleString('vi-VN')} cặp cần xem xét (đang xem cặp 1–20)`);
    const top = first.reviews[0]!;
    const card = page.getByRole('article', { name: `Cặp số ${top.id}`, exact: true });
    assert.equal(await card.locator('.review-reason').innerText(), `Nhận định: ${top.explanation.summary_vi}`);
    const text = await page.locator('main').innerText();
    const codes = [...new Set(first.reviews.flatMap((r) => r.reasons))];
    assert.ok(codes.length > 0);
    assert.deepEqual(codes.filter((c) => text.includes(c)), [], 'no engine reason code reaches the page');
    assert.doesNotMatch(text, /id-conflict|birth-date-conflict|weak-evidence|name:weak/);
    assert.ok((await card.locator('.mark').allInnerTexts()).some((m) => ['khác', 'gần giống', 'thiếu'].includes(m)), 'differences are said in words');

    const keep = card.getByRole('button', { name: 'Giữ riêng – hai người khác nhau' });
    const merge = card.getByRole('button', { name: 'Gộp – cùng một người…' });
    const look = (b: typeof keep) => b.evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color, getComputedStyle(el).fontWeight, el.getBoundingClientRect().width].join(' '));
    assert.equal(await look(merge), await look(keep), 'merge and keep-separate carry equal weight');
    assert.notEqual(await merge.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(165, 14, 14)', 'merge is not the red primary button');
    await assertAccessible(page, 'review queue 1280');
    await page.screenshot({ path: join(ARTIFACTS, 'mpi-review-1280.png'), fullPage: false });

    await page.getByRole('button', { name: 'Trang sau' }).click();
    await page.getByText(/đang xem cặp 21–/).waitFor();
    const second = await listed(page, '&offset=20');
    await page.getByRole('article', { name: `Cặp số ${second.reviews[0]!.id}`, exact: true }).waitFor();
    await page.getByRole('button', { name: 'Trang trước' }).click();
    await page.getByText('(đang xem cặp 1–20)').waitFor();
  });

  it('merge asks first; cancelling (button or Escape) keeps the pair; confirming merges and offers the undo', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await openReview(page, server.url);
    const before = await listed(page);
    const top = before.reviews[0]!;
    const card = page.getByRole('article', { name: `Cặp số ${top.id}`, exact: true });
    const dialog = page.getByRole('dialog', { name: `Gộp cặp số ${top.id} thành một người?` });

    await card.getByRole('button', { name: 'Gộp – cùng một người…' }).click();
    await dialog.waitFor();
    assert.match(await dialog.innerText(), new RegExp(top.explanation.summary_vi.replace(/[()]/g, '\\$&')));
    await assertAccessible(page, 'merge confirmation');
    await page.screenshot({ path: join(ARTIFACTS, 'mpi-review-confirm.png') });
    await dialog.getByRole('button', { name: 'Hủy' }).click();
    await dialog.waitFor({ state: 'detached' });
    await card.waitFor();
    const kept = await listed(page);
    assert.equal(kept.total, before.total, 'cancelling merged nothing');
    assert.ok(kept.reviews.some((r) => r.id === top.id));

    await card.getByRole('button', { name: 'Gộp – cùng một người…' }).click();
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await listed(page)).total, before.total, 'Escape merged nothing');

    await card.getByRole('button', { name: 'Gộp – cùng một người…' }).click();
    await dialog.getByRole('button', { name: 'Gộp hai bản ghi' }).click();
    await page.getByRole('status').filter({ hasText: `Đã gộp hai bản ghi vào một người (cặp số ${top.id}).` }).getByRole('button', { name: 'Hoàn tác' }).waitFor();
    await card.waitFor({ state: 'detached' });
    assert.equal((await listed(page)).total, before.total - 1);
    await page.getByTestId('review-total').getByText(`${(before.total - 1).toLocaleString('vi-VN')}`).waitFor();
  });

  it('360 px: stacked fields, no sideways scrolling, no word broken inside, no serious axe violation', async () => {
    const page = await (await browser.newContext({ viewport: { width: 360, height: 780 } })).newPage();
    await openReview(page, server.url);
    const { total } = await listed(page);
    await page.getByText(`Còn ${total.toLocaleString('vi-VN')} cặp cần xem xét`).waitFor();
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 360, 'no horizontal scroll at 360 px');
    assert.deepEqual(await brokenWords(page), []);
    // Each field is its own block with the source named beside the value.
    const source = page.locator('.compare .cell-source').first();
    assert.equal(await source.isVisible(), true);
    await assertAccessible(page, 'review queue 360');
    await page.screenshot({ path: join(ARTIFACTS, 'mpi-review-360.png') });
    await page.locator('.compare').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'mpi-review-360-fields.png') });
  });
});
