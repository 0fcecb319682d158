/** A report as a PDF (pdf-lib, pure JS): its printed lines in a fixed-width font, Letter pages. */
import { loadLater } from '../core/load-later.js';

const PAGE = { width: 612, height: 792 };
const MARGIN = 54;
const SIZE = 10;
const LEADING = 13;

export async function linesToPdf(title: string, lines: string[], madeAt: number): Promise<Uint8Array> {
  // Loaded when a report is made, not at start (issue 12: pdf-lib takes most of a second to load).
  const { PDFDocument, StandardFonts } = loadLater<typeof import('pdf-lib')>('pdf-lib');
  const pdf = await PDFDocument.create();
  pdf.setTitle(title);
  pdf.setCreator('Dispensary Register');
  pdf.setCreationDate(new Date(madeAt));
  pdf.setModificationDate(new Date(madeAt));
  const font = await pdf.embedFont(StandardFonts.Courier);
  const perPage = Math.floor((PAGE.height - 2 * MARGIN) / LEADING);
  for (let first = 0; first < Math.max(lines.length, 1); first += perPage) {
    const page = pdf.addPage([PAGE.width, PAGE.height]);
    lines.slice(first, first + perPage).forEach((line, index) => {
      // Courier covers WinAnsi only: anything else is shown as '?'.
      const text = line.replace(/[^\x20-\x7e]/g, '?');
      page.drawText(text, { x: MARGIN, y: PAGE.height - MARGIN - (index + 1) * LEADING, size: SIZE, font });
    });
  }
  return pdf.save({ useObjectStreams: false });
}
