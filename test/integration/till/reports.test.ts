/**
 * X and Z reports through a real register: the X during the shift (no counts), the Z once every
 * drawer is closed (counts and over/short, made once, reprinted as made), printed on the fake
 * printer, as a PDF and as CSV.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { PDFDocument } from 'pdf-lib';
import { tillOptions } from '../../../main/core/modules.js';
import type { TillReport } from '../../../preload/contract/till.js';
import { FakePrinter } from '../../support/fake-printer.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';
import { FLOWER, GUMMIES_UPC, ringSale, usePrinter, value } from '../../support/till.js';

const open: Array<TestRegister | FakePrinter> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) {
    if (item instanceof FakePrinter) await item.stop();
    else await item.close();
  }
});
beforeAll(() => {
  tillOptions.retryMinMs = 50;
  tillOptions.retryMaxMs = 200;
});

type View = { report: TillReport; lines: string[] };

describe('X and Z reports', () => {
  it('X mid-shift, then Z after the close: figures from the day, printed, PDF and CSV', async () => {
    const printer = await new FakePrinter().start();
    const r = await startTestRegister();
    open.push(printer, r);
    value(await r.call('session.login', { pin: '3333' }));
    await usePrinter(r, printer.port);
    value(await r.call('session.login', { pin: '2222' })); // a manager runs the day here
    value(await r.call('till.session.open', { commandId: ulid(), counts: { '10000': 1 } }));
    const cash = await ringSale(r, [FLOWER], { kind: 'cash', extraCents: 0 });
    const card = await ringSale(r, [GUMMIES_UPC], { kind: 'debit' });
    value(await r.call('till.session.move', { commandId: ulid(), kind: 'paid_out', amountCents: 1_000, reason: 'Window cleaner' }));

    const x = value<View>(await r.call('till.report.get', { kind: 'x' }));
    expect(x.report.sales).toMatchObject({ count: 2, totalCents: cash.totalCents + card.totalCents });
    expect(x.report.tenders).toEqual([
      { kind: 'cash', salesCents: cash.totalCents, refundCents: 0, netCents: cash.totalCents },
      { kind: 'debit', salesCents: card.totalCents, refundCents: 0, netCents: card.totalCents },
    ]);
    expect(x.report.taxes.reduce((n, t) => n + t.cents, 0)).toBe(cash.taxCents + card.taxCents);
    expect(x.report.byChannel).toEqual([{ channel: 'adult_use', count: 2, totalCents: cash.totalCents + card.totalCents }]);
    expect(x.report.drawers[0]).toMatchObject({ status: 'open', countedCents: null, overShortCents: null, totals: { expectedCents: 10_000 + cash.totalCents - 1_000 } });
    expect(x.lines.join('\n')).toContain('X REPORT');
    expect(x.lines.join('\n')).not.toMatch(/Counted|Over|Short/);
    expect(x.report.points.earned).toBeGreaterThan(0);

    // No Z while the drawer is open.
    const refused = await r.call('till.report.makeZ', { commandId: ulid() });
    expect(refused.ok ? '' : refused.error.message).toContain('drawer is still open');
    const expected = 10_000 + cash.totalCents - 1_000;
    value(await r.call('till.session.close', { commandId: ulid(), counts: { '1': expected - 200 } }));

    const z = value<View>(await r.call('till.report.makeZ', { commandId: ulid() }));
    expect(z.report).toMatchObject({ kind: 'z', zNo: 1 });
    expect(z.report.drawers[0]).toMatchObject({ status: 'closed', countedCents: expected - 200, overShortCents: -200 });
    expect(z.lines.join('\n')).toMatch(/Short\s+\$2\.00/);
    // Made once; read back as made.
    const again = await r.call('till.report.makeZ', { commandId: ulid() });
    expect(again.ok ? '' : again.error.message).toContain('made already');
    expect(value<View>(await r.call('till.report.get', { kind: 'z' })).report).toEqual(z.report);

    value(await r.call('till.report.print', { kind: 'z' }));
    await printer.waitForJobs(3); // two receipts and the Z
    const printed = printer.jobs.find((job) => job.decoded.lines.some((line) => line.includes('Z REPORT')));
    expect(printed?.decoded.lines.join('\n')).toMatch(/Expected cash\s+\$/);
    expect(printed?.decoded.cuts).toBe(1);

    const pdf = value<{ fileName: string; base64: string }>(await r.call('till.report.pdf', { kind: 'z' }));
    const bytes = Buffer.from(pdf.base64, 'base64');
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const document = await PDFDocument.load(bytes);
    expect(document.getTitle()).toBe(`Z report ${z.report.businessDate}`);
    expect(document.getPageCount()).toBeGreaterThanOrEqual(1);
    const csv = value<{ fileName: string; text: string }>(await r.call('till.report.csv', { kind: 'z' }));
    expect(csv.fileName).toMatch(/^z-report-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(csv.text.split('\r\n')).toContain(`sales,total,${((cash.totalCents + card.totalCents) / 100).toFixed(2)}`);
    expect(csv.text).toMatch(/over_short,-2\.00/);
  });
});
