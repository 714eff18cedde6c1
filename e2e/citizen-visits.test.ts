/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { ARTIFACTS, assertAccessible, assertNoSidewaysScroll, citizenLogin, useDemoServer } from './harness.ts';

// Issue 20, items 6–8: finding a visit on a phone, numbers and words on the visit, PDFs that carry
// what the screen shows. The first demo account is a regular: monthly check-ups and one hospital stay.

const pdfText = (path: string) => execFileSync('pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
/** A number written the English way next to a unit ("65.12 kg", "5.73 T/L"). */
const DOT_DECIMAL = /\b\d+\.\d+\s?(kg|mmol\/L|µmol\/L|T\/L|G\/L|g\/L|U\/L|%|mg\/dL)/;

/** The harness refuses serious and critical axe violations; these screens must have no moderate one either. */
async function accessible(page: Page, name: string) {
  await assertAccessible(page, name);
  const r = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: Document, o: unknown) => Promise<unknown> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
  })) as { violations: Array<{ id: string; impact: string | null }> };
  assert.deepEqual(r.violations.filter((v) => v.impact === 'moderate').map((v) => v.id), [], `moderate axe violations on ${name}`);
}

interface VisitFacts {
  id: number;
  care: string;
  flagged: boolean;
  repeated: boolean;
  weight: boolean;
}

describe('citizen visits: paging by year, Vietnamese numbers, PDFs as on screen', () => {
  const demo = useDemoServer();

  it('a phone pages the visits under their years; the visit and its PDFs read in Vietnamese', async () => {
    const ctx = await demo.browser.newContext({ viewport: { width: 360, height: 800 }, acceptDownloads: true });
    const page = await ctx.newPage();
    await citizenLogin(page, demo.server.url);
    await page.getByRole('button', { name: 'Tôi đồng ý sử dụng Sổ sức khỏe' }).click();
    await page.getByRole('heading', { name: 'Sổ sức khỏe của tôi' }).waitFor();
    const nav = (name: string) => page.getByRole('navigation', { name: 'Mục chính' }).getByRole('link', { name, exact: true }).click();

    // The summary's latest visit has ended: nothing in the demo lies in the future.
    const latest = (await page.getByText(/^.*Gần nhất: /).first().textContent()) ?? '';
    const m = /Gần nhất: (\d{2})\/(\d{2})\/(\d{4})/.exec(latest);
    assert.ok(m, latest);
    assert.ok(new Date(`${m[3]}-${m[2]}-${m[1]}T00:00:00+07:00`).getTime() <= Date.now(), `latest visit ${latest}`);

    // Visits: one page at a time under year headings, the pager moves on and back.
    await nav('Lượt khám');
    await page.getByRole('heading', { name: 'Lịch sử khám chữa bệnh' }).waitFor();
    const list = page.getByTestId('episode-list');
    await list.locator('li').first().waitFor();
    const count = (await page.getByTestId('episode-count').textContent()) ?? '';
    assert.match(count, /lượt khám · trang 1\/\d+$/, 'a regular has more than one page of visits');
    assert.ok((await list.locator('li').count()) <= 10);
    const years = await list.getByRole('heading', { level: 2 }).allTextContents();
    assert.ok(years.length >= 1 && years.every((y) => /^Năm \d{4} · \d+ lượt$/.test(y)), years.join(' | '));
    const firstPage = await list.locator('.facility').allTextContents();
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(height < 4000, `a page of visits is ${height} px tall at 360 px`);
    await assertNoSidewaysScroll(page, 'visits at 360 px');
    await accessible(page, 'visits page 1 at 360 px');
    await page.screenshot({ path: join(ARTIFACTS, 'book-visits-paged-360.png'), fullPage: true });
    const pager = page.getByRole('navigation', { name: 'Chuyển trang lịch sử khám chữa bệnh' });
    assert.equal(await pager.getByRole('button', { name: '← Trang trước' }).isDisabled(), true);
    await pager.getByRole('button', { name: 'Trang sau →' }).click();
    await page.getByTestId('episode-count').getByText(/trang 2\//).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'episode-count', 'the new page is read from its top');
    assert.notDeepEqual(await list.locator('.facility').allTextContents(), firstPage);
    await accessible(page, 'visits page 2 at 360 px');
    await pager.getByRole('button', { name: '← Trang trước' }).click();
    await page.getByTestId('episode-count').getByText(/trang 1\//).waitFor();

    // Search: every word in any order, without diacritics, e.g. "ha noi tinh vien benh" for "Bệnh viện … Tỉnh …".
    const facility = firstPage[0]!;
    const words = facility.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase().split(/\s+/).reverse();
    await page.getByLabel(/Tìm theo bệnh/).fill(words.join(' '));
    await page.getByRole('button', { name: 'Tìm', exact: true }).click();
    await page.getByText(/lượt khám phù hợp/).waitFor();
    assert.ok((await list.locator('.facility').allTextContents()).every((f) => f === facility));
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByLabel(/Tìm theo bệnh/).fill('');
    await page.getByRole('button', { name: 'Tìm', exact: true }).click();
    await page.getByTestId('episode-count').getByText(/trang 1\//).waitFor();
    await accessible(page, 'visits at 1280 px');
    await page.screenshot({ path: join(ARTIFACTS, 'book-visits-paged-1280.png'), fullPage: true });

    // Which visits show what: read once through the API the screens use.
    const visits: VisitFacts[] = await page.evaluate(async () => {
      const all = (await (await fetch('/api/v1/book/episodes?per_page=100')).json()) as { episodes: Array<{ id: number }> };
      const out: VisitFacts[] = [];
      for (const e of all.episodes) {
        const d = await (await fetch(`/api/v1/book/episodes/${e.id}`)).json();
        const x1 = d.episode.xml1.fields ?? d.episode.xml1;
        out.push({
          id: e.id,
          care: d.episode.care_group,
          flagged: d.labs.some((l: { flag: string | null }) => l.flag === 'high' || l.flag === 'low'),
          repeated: d.services.some((s: { times: number }) => s.times > 1),
          weight: Boolean(x1.CAN_NANG),
        });
      }
      return out;
    });
    const stay = visits.find((v) => v.care === 'inpatient' && v.repeated);
    const outpatient = visits.find((v) => v.care === 'outpatient' && v.weight);
    const flagged = visits.find((v) => v.flagged);
    assert.ok(stay && outpatient && flagged, JSON.stringify(visits));

    const open = async (id: number) => {
      await page.goto(`${demo.server.url}/luot-kham/${id}`);
      await page.getByRole('heading', { name: 'Chẩn đoán', exact: true }).waitFor();
      return (await page.locator('main').textContent()) ?? '';
    };

    // An outpatient visit: "Chẩn đoán", not "Chẩn đoán ra viện"; weight with a decimal comma.
    let text = await open(outpatient.id);
    assert.ok(!text.includes('Chẩn đoán ra viện'), 'an outpatient visit has no discharge diagnosis');
    assert.match(text, /Cân nặng\s*\d+,\d{2} kg/);
    assert.doesNotMatch(text, DOT_DECIMAL);

    // A result out of range says which way, in words a screen reader reads.
    text = await open(flagged.id);
    assert.doesNotMatch(text, DOT_DECIMAL);
    const tag = page.locator('[data-flag=high], [data-flag=low]').first();
    const word = (await tag.textContent()) ?? '';
    assert.match(word, /^(↑ Cao|↓ Thấp)$/);
    assert.equal(await tag.locator('[aria-hidden=true]').count(), 1, 'the arrow is hidden from screen readers, the word is not');
    assert.match(text, /: \d+(\.\d{3})*(,\d+)? [^\s(]+ \(tham chiếu \d+(,\d+)?–\d+(,\d+)?\)/, 'value, unit and range in Vietnamese notation');

    // A hospital stay: the discharge diagnosis, bed-days once with their count, strengths once.
    text = await open(stay.id);
    assert.ok(text.includes('Chẩn đoán ra viện'));
    assert.match(text, /Ngày giường[^–]*– [\d,]+ [^\s×]+ × \d+/);
    assert.doesNotMatch(text, /(\d+\s?(mg|g|ml|mcg|IU))\s+\1/i, 'no strength printed twice');
    assert.doesNotMatch(text, DOT_DECIMAL);
    await accessible(page, 'hospital stay at 1280 px');
    await page.screenshot({ path: join(ARTIFACTS, 'book-visit-stay-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 360, height: 800 });
    await assertNoSidewaysScroll(page, 'hospital stay at 360 px');
    await accessible(page, 'hospital stay at 360 px');
    await page.screenshot({ path: join(ARTIFACTS, 'book-visit-stay-360.png'), fullPage: true });

    // Its PDF prints what the screen shows: numbers, results, counted bed-days, the discharge note.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải PDF lượt khám' }).click()]);
    const stayPdf = join(ARTIFACTS, 'visit-stay.pdf');
    await download.saveAs(stayPdf);
    const pdf = pdfText(stayPdf);
    const note = ((await page.locator('section[data-section="discharge"] dd').last().textContent()) ?? '').trim();
    assert.ok(note.length > 0 && pdf.includes(note), `discharge note "${note}" in the PDF`);
    assert.ok(pdf.includes('Chẩn đoán ra viện (xác định)'));
    assert.match(pdf, /Ngày giường[^–]*– [\d,]+ [^\s×]+ × \d+/);
    assert.doesNotMatch(pdf, DOT_DECIMAL);
    assert.doesNotMatch(pdf, /: \.|: — \./, 'no empty result ("Điện tim thường: .")');
    for (const line of await page.locator('section[data-section="labs"] li strong').allTextContents()) {
      assert.ok(pdf.includes(line.trim()), `result ${line} in the PDF`);
    }

    // The whole book: each visit's diagnoses, medicines and results, not only the list of visits.
    await page.goto(demo.server.url);
    await page.getByRole('heading', { name: 'Sổ sức khỏe của tôi' }).waitFor();
    const [bookDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải PDF toàn bộ sổ' }).click()]);
    const bookPdf = join(ARTIFACTS, 'book.pdf');
    await bookDownload.saveAs(bookPdf);
    const book = pdfText(bookPdf);
    assert.ok(book.includes('Lịch sử khám chữa bệnh'));
    assert.ok((book.match(/Chẩn đoán ra viện: |Chẩn đoán: /g) ?? []).length >= visits.length, 'a diagnosis line per visit');
    assert.ok((book.match(/Thuốc: /g) ?? []).length >= 5, 'medicines per visit');
    assert.ok((book.match(/Kết quả: /g) ?? []).length >= 5, 'results per visit');
    assert.doesNotMatch(book, DOT_DECIMAL);
    await ctx.close();
  });
});
