/**
 * The signed membership agreement as a PDF (pdf-lib): the agreement text as the customer read it,
 * the signature image, the customer's name, the date, the store, and the SHA-256 of that content.
 *
 * The content hash covers exactly what the customer agreed to and drew, in this order, as UTF-8:
 * "store\nname\ndate\n" + text + "\n", then the signature PNG's bytes. It is printed on the PDF
 * (a PDF cannot hold its own hash) and kept with the request and in the audit event, beside the
 * SHA-256 of the PDF file itself (the name of its file in Document Uploads).
 */
import { createHash } from 'node:crypto';
import type { PDFFont } from 'pdf-lib';
import { loadLater } from '../core/load-later.js';

export interface AgreementContent {
  storeName: string;
  customerName: string;
  /** As printed: the date in the store's time zone. */
  date: string;
  text: string;
  signaturePng: Buffer;
  /** When it was signed: the PDF's creation date, so the same content gives the same file. */
  signedAt: number;
  signedOn: string;
}

export function contentSha256(content: Pick<AgreementContent, 'storeName' | 'customerName' | 'date' | 'text' | 'signaturePng'>): string {
  return createHash('sha256')
    .update(`${content.storeName}\n${content.customerName}\n${content.date}\n${content.text}\n`, 'utf8')
    .update(content.signaturePng)
    .digest('hex');
}

const PAGE = { width: 612, height: 792, margin: 56 };

/** Helvetica speaks WinAnsi only: anything else becomes '?', never an exception. */
function printable(text: string): string {
  return text
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\t/g, '    ')
    .replace(/[^\x20-\x7e\xa0-\xff\n]/g, '?');
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of printable(text).split('\n')) {
    if (paragraph.trim() === '') {
      lines.push('');
      continue;
    }
    let line = '';
    for (const word of paragraph.split(/ +/)) {
      const candidate = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(candidate, size) <= width) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      // A single word wider than the line is cut.
      let rest = word;
      while (font.widthOfTextAtSize(rest, size) > width && rest.length > 1) {
        let cut = rest.length - 1;
        while (cut > 1 && font.widthOfTextAtSize(rest.slice(0, cut), size) > width) cut--;
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
    lines.push(line);
  }
  return lines;
}

export async function renderAgreementPdf(content: AgreementContent): Promise<{ pdf: Buffer; contentSha256: string }> {
  const hash = contentSha256(content);
  // Loaded when a PDF is made, not at start (issue 12: pdf-lib takes most of a second to load).
  const { PDFDocument, StandardFonts, rgb } = loadLater<typeof import('pdf-lib')>('pdf-lib');
  const doc = await PDFDocument.create();
  const when = new Date(content.signedAt);
  doc.setTitle(`Membership Agreement - ${printable(content.customerName)}`);
  doc.setAuthor(printable(content.storeName));
  doc.setSubject(`Content SHA-256 ${hash}`);
  doc.setProducer('Dispensary Register');
  doc.setCreator('Dispensary Register');
  doc.setCreationDate(when);
  doc.setModificationDate(when);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const signature = await doc.embedPng(content.signaturePng);

  const width = PAGE.width - 2 * PAGE.margin;
  let page = doc.addPage([PAGE.width, PAGE.height]);
  let y = PAGE.height - PAGE.margin;
  const newPageIfBelow = (needed: number) => {
    if (y - needed < PAGE.margin) {
      page = doc.addPage([PAGE.width, PAGE.height]);
      y = PAGE.height - PAGE.margin;
    }
  };
  const draw = (text: string, size: number, f: PDFFont = font, gap = 4) => {
    for (const line of wrap(text, f, size, width)) {
      newPageIfBelow(size + gap);
      y -= size;
      page.drawText(line, { x: PAGE.margin, y, size, font: f, color: rgb(0.1, 0.1, 0.1) });
      y -= gap;
    }
  };

  draw(content.storeName, 16, bold);
  draw('Membership Agreement', 14, bold, 12);
  draw(content.text, 11);
  y -= 18;
  const scale = Math.min(1, 240 / signature.width, 90 / signature.height);
  const sig = { width: signature.width * scale, height: signature.height * scale };
  newPageIfBelow(sig.height + 90);
  y -= sig.height;
  page.drawImage(signature, { x: PAGE.margin, y, width: sig.width, height: sig.height });
  y -= 4;
  page.drawLine({ start: { x: PAGE.margin, y }, end: { x: PAGE.margin + 260, y }, thickness: 0.8, color: rgb(0.3, 0.3, 0.3) });
  y -= 6;
  draw(`Signed by ${content.customerName}`, 11, bold);
  draw(`Date: ${content.date}`, 11);
  draw(`Store: ${content.storeName}`, 11);
  draw(`Signed on: ${content.signedOn}`, 9);
  draw(`Content SHA-256: ${hash}`, 8);
  const bytes = await doc.save({ useObjectStreams: false });
  return { pdf: Buffer.from(bytes), contentSha256: hash };
}
