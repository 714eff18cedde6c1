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
