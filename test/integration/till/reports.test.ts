/**
 * X and Z reports through a real register: the X during the shift (no counts), the Z once every
 * drawer is closed (counts and over/short, made once, reprinted as made), printed on the fake
 * printer, as a PDF and as CSV; returns, voids, discounts, medical vs adult use and the sales the state
 * system has not taken yet (a store on Metrc during an outage).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { PDFDocument } from 'pdf-lib';
import { tillOptions } from '../../../main/core/modules.js';
import type { TillReport } from '../../../preload/contract/till.js';
import { FakePrinter } from '../../support/fake-printer.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';
import { FLOWER, GUMMIES_UPC, ringSale, sql, usePrinter, value } from '../../support/till.js';
import type { Receipt, TicketView } from '../../../preload/contract/checkout.js';
import { IL, IL_PATIENT } from '../../support/metrc.js';

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

  it('returns and voids, discounts, medical and adult use, and the sales the state system has not taken yet', async () => {
    const r = await startTestRegister();
    open.push(r);
    // The store reports to Metrc (the demo's embedded sandbox), where every sale is reported.
    value(await r.call('session.login', { pin: '3333' }));
    const sandbox = value<{ demoMetrcSandboxUrl: string }>(await r.call('trace.settings.get')).demoMetrcSandboxUrl;
    value(
      await r.call('trace.settings.save', {
        commandId: ulid(), provider: 'metrc_v2', useDemoSandbox: true, endpoint: '', licenseNumber: IL.licenseNumber, username: '', location: '',
        terminalId: '1', training: false, nosession: false, vendorKey: IL.vendorKey, userKey: IL.userKey,
      }),
    );
    value(await r.call('session.login', { pin: '2222' }));
    // Rosa's figure comes from Metrc, then Metrc goes down for hours: nothing posts today.
    const rosa = sql<Array<{ id: string }>>(r, 'SELECT id FROM customers WHERE medical_id = ?', IL_PATIENT)[0]!.id;
    const medical = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: rosa }));
    for (let i = 0; i < 200 && value<TicketView>(await r.call('checkout.ticket.get', { ticketId: medical.ticketId })).allotment.state !== 'state_system'; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const clock = (await (await fetch(`${sandbox}/__clock`, { method: 'POST', body: '{}' })).json()) as { now: number };
    await fetch(`${sandbox}/__faults`, { method: 'POST', body: JSON.stringify({ outageUntil: clock.now + 10 * 3600_000 }) });
    const rung = value<{ ticket: TicketView }>(await r.call('checkout.ticket.scan', { ticketId: medical.ticketId, code: FLOWER, quantity: 1 })).ticket;
    const med = value<Receipt>(await r.call('checkout.sale.complete', { commandId: medical.saleCommandId, ticketId: medical.ticketId, tenders: [{ kind: 'cash', amountCents: rung.totals.totalCents }] }));

    // An adult-use sale with a 10% line discount.
    const olivia = sql<Array<{ id: string }>>(r, `SELECT id FROM customers WHERE first_name = 'Olivia' AND last_name = 'Hart'`)[0]!.id;
    const ticket = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: olivia }));
    const line = value<{ ticket: TicketView }>(await r.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code: FLOWER, quantity: 1 })).ticket.lines[0]!;
    const discounted = value<TicketView>(await r.call('checkout.ticket.discountLine', { ticketId: ticket.ticketId, lineId: line.lineId, discount: { kind: 'percent', basisPoints: 1000 }, reason: 'damaged box' }));
    const withDiscount = value<Receipt>(await r.call('checkout.sale.complete', { commandId: ticket.saleCommandId, ticketId: ticket.ticketId, tenders: [{ kind: 'cash', amountCents: discounted.totals.totalCents }] }));
    // One voided, one with one of two returned.
    const voided = await ringSale(r, [FLOWER], { kind: 'cash', extraCents: 0 });
    value(await r.call('checkout.sale.void', { commandId: ulid(), saleId: voided.saleId, reason: 'wrong customer' }));
    const two = await ringSale(r, [FLOWER, FLOWER], { kind: 'cash', extraCents: 0 });
    const returned = value<Receipt>(
      await r.call('checkout.sale.return', { commandId: ulid(), saleId: two.saleId, lines: [{ saleLineId: two.lines[0]!.saleLineId, quantity: 1 }], reason: 'changed mind', refundTender: 'cash' }),
    );

    const x = value<View>(await r.call('till.report.get', { kind: 'x' }));
    expect(x.report.sales.count).toBe(4);
    // Olivia's 10% ($4.50) and whatever the store gives medical patients on Rosa's line.
    const discounts = [med, withDiscount].flatMap((receipt) => receipt.lines).reduce((sum, entry) => sum + entry.discountCents, 0);
    expect(withDiscount.lines[0]!.discountCents).toBe(450);
    expect(x.report.sales.discountCents).toBe(discounts);
    expect(x.report.byChannel).toEqual([
      { channel: 'medical', count: 1, totalCents: med.totalCents },
      { channel: 'adult_use', count: 3, totalCents: withDiscount.totalCents + voided.totalCents + two.totalCents },
    ]);
    expect(x.report.returns).toEqual([
      { kind: 'return', count: 1, refundCents: returned.returns[0]!.refundCents, taxCents: expect.any(Number) },
      { kind: 'void', count: 1, refundCents: voided.totalCents, taxCents: voided.taxCents },
    ]);
    expect(x.report.traceUnposted).toBe(4);
    const text = x.lines.join('\n');
    expect(text).toMatch(new RegExp(`Discounts\\s+-\\$${(discounts / 100).toFixed(2).replace('.', '\\.')}`));
    expect(text).toMatch(/Voids \(1\)\s+-\$/);
    expect(text).toMatch(/Returns \(1\)\s+-\$/);
    expect(text).toMatch(/Sales not yet posted\s+4/);
    const csv = value<{ text: string }>(await r.call('till.report.csv', { kind: 'x' })).text.split('\r\n');
    expect(csv).toContain('trace,sales_not_posted,4');
    expect(csv).toContain(`sales,discounts,${(discounts / 100).toFixed(2)}`);
  });
});
