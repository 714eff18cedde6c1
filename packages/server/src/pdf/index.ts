import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';

// The standard 14 PDF fonts have no Vietnamese glyphs; DejaVu covers every precomposed Vietnamese
// letter and is embedded whole, so any reader shows the text.
const FONT_DIR = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');

export type PdfDoc = PDFKit.PDFDocument;

/**
 * A PDF document with the Vietnamese fonts registered as 'R' (regular) and 'B' (bold), collected
 * into one Buffer when the caller ends it.
 */
export function vietnamesePdf(options: PDFKit.PDFDocumentOptions): { doc: PdfDoc; done: Promise<Buffer> } {
  const doc = new PDFDocument(options);
  doc.registerFont('R', join(FONT_DIR, 'DejaVuSans.ttf'));
  doc.registerFont('B', join(FONT_DIR, 'DejaVuSans-Bold.ttf'));
  doc.font('R').fontSize(10);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, done };
}

/**
 * A bordered table from the current position, rows growing to fit their text and continuing on a
 * new page when one would cross the bottom margin; the header row is bold. Leaves the position
 * under the table.
 */
export function pdfTable(doc: PdfDoc, headers: readonly string[], rows: readonly (readonly string[])[], widths: readonly number[], opts: { fontSize?: number } = {}) {
  const size = opts.fontSize ?? 8;
  const x0 = doc.page.margins.left;
  let y = doc.y;
  const drawRow = (cells: readonly string[], bold: boolean) => {
    doc.font(bold ? 'B' : 'R').fontSize(size);
    const h = Math.max(...cells.map((c, i) => doc.heightOfString(c || ' ', { width: (widths[i] ?? 60) - 4 }))) + 4;
    if (y + h > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      y = doc.page.margins.top;
    }
    let x = x0;
    cells.forEach((c, i) => {
      const w = widths[i] ?? 60;
      doc.rect(x, y, w, h).stroke('#999999');
      doc.fillColor('#000000').text(c, x + 2, y + 2, { width: w - 4 });
      x += w;
    });
    y += h;
  };
  drawRow(headers, true);
  for (const r of rows) drawRow(r, false);
  doc.x = x0;
  doc.y = y + 10;
}
