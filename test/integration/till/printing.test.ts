/**
 * Receipts on a fake ESC/POS network printer (127.0.0.1, a random port), through a real register:
 * the receipt's lines, one drawer pulse per cash sale, a printer that is off or out of paper (the
 * sale completes, the receipt waits, the status says why, it prints once when the printer is back),
 * a job caught mid-send by a restart is not sent again, and a reprint is marked.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tillOptions } from '../../../main/core/modules.js';
import { ulid } from 'ulid';
import type { TicketView } from '../../../preload/contract/checkout.js';
import type { PrinterStatusView } from '../../../preload/contract/till.js';
import { FakePrinter } from '../../support/fake-printer.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';
import { FLOWER, GUMMIES_UPC, ringSale, sql, usePrinter, value } from '../../support/till.js';

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
  tillOptions.idlePollMs = 100;
  tillOptions.drawerPollMs = 50;
});

async function setUp(): Promise<{ r: TestRegister; printer: FakePrinter }> {
  const printer = await new FakePrinter().start();
  const r = await startTestRegister();
  open.push(printer, r);
  value(await r.call('session.login', { pin: '3333' }));
  await usePrinter(r, printer.port);
  return { r, printer };
}

/** The last printer status the register broadcast. */
function lastStatus(r: TestRegister): PrinterStatusView | null {
  const event = r.events.filter((e) => e.event === 'till.printerChanged').at(-1);
  return (event?.payload as PrinterStatusView | undefined) ?? null;
}

async function until(check: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('receipt printing', () => {
  it('prints the receipt of a cash sale with its lines, taxes, tenders and barcode, and kicks the drawer once', async () => {
    const { r, printer } = await setUp();
    const receipt = await ringSale(r, [FLOWER, GUMMIES_UPC]);
    await printer.waitForJobs(1);
    const job = printer.jobs[0]!.decoded;
    const text = job.lines.join('\n');
    expect(text).toContain(`Sale ${receipt.receiptNumber}`);
    expect(text).toMatch(/Prairie Sunset .*\$45\.00/);
    expect(text).toContain('1 x $45.00   3.5 g');
    expect(text).toMatch(/  10% Cannabis Purchaser Excise.*\$4\.50/);
    expect(text).toMatch(/TOTAL\s+\$/);
    expect(text).toMatch(/Cash\s+\$/);
    expect(text).toMatch(/Change\s+\$5\.00/);
    expect(job.barcodes).toEqual([`S${String(receipt.receiptNumber).padStart(6, '0')}`]);
    expect(job.pulses).toEqual([{ op: 'pulse', pin: 2, onMs: 100, offMs: 500 }]);
    expect(job.cuts).toBe(1);
    // Nothing more goes out: one receipt, one pulse.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(printer.jobs).toHaveLength(1);
    expect(sql<Array<{ kind: string; state: string }>>(r, 'SELECT kind, state FROM print_jobs ORDER BY id')).toEqual([
      { kind: 'kick', state: 'printed' },
      { kind: 'receipt', state: 'printed' },
    ]);
  });

  it('carries the sale time in the store time zone, a line discount and the points earned', async () => {
    const { r, printer } = await setUp();
    const customerId = sql<Array<{ id: string }>>(r, `SELECT id FROM customers WHERE first_name = 'Olivia' AND last_name = 'Hart'`)[0]!.id;
    const ticket = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId }));
    const scanned = value<{ ticket: TicketView }>(await r.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code: FLOWER, quantity: 1 })).ticket;
    const discounted = value<TicketView>(
      await r.call('checkout.ticket.discountLine', { ticketId: ticket.ticketId, lineId: scanned.lines[0]!.lineId, discount: { kind: 'percent', basisPoints: 1000 }, reason: 'damaged box' }),
    );
    const receipt = value<{ receiptNumber: number; completedAt: number }>(
      await r.call('checkout.sale.complete', { commandId: ticket.saleCommandId, ticketId: ticket.ticketId, tenders: [{ kind: 'cash', amountCents: discounted.totals.totalCents }] }),
    );
    await printer.waitForJobs(1);
    const text = printer.jobs[0]!.decoded.lines.join('\n');
    // The store's wall clock (America/Chicago), not UTC.
    const local = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Chicago', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(receipt.completedAt);
    const part = (type: string) => local.find((p) => p.type === type)!.value;
    expect(text).toMatch(new RegExp(`^Sale ${receipt.receiptNumber} +${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}$`, 'm'));
    expect(text).toMatch(/^ {2}Discount +-\$4\.50$/m);
    expect(text).toMatch(/^Discounts +-\$4\.50$/m);
    expect(text).toMatch(/^TOTAL +\$50\.53$/m);
    // $40.50 after the discount, before tax: 40 points at the demo's one a dollar.
    expect(text).toMatch(/^Points earned +40$/m);
    expect(text).toMatch(/^Points balance +40$/m);
  });

  it('prints a rate with three decimals as entered (8.625%) and charges it to the cent, half up', async () => {
    const { r, printer } = await setUp();
    const rates = [{ from: '2020-01-01', to: null, ratePpm: 86_250 }];
    sql(r, `INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES ('tax.rates.il_local_general_rot', ?, 1)`, JSON.stringify(rates));
    await ringSale(r, [FLOWER]);
    await printer.waitForJobs(1);
    const text = printer.jobs[0]!.decoded.lines.join('\n');
    // $45.00 × 8.625% = $3.88125 → $3.88.
    // A name too long for the line wraps at a space, never cut: the amount ends its last line.
    expect(text).toMatch(/^  8\.625% Local Retailers' Occupation Tax\n +\$3\.88$/m);
    expect(text).toMatch(/^  6\.25% Illinois Retailers' Occupation Tax\n +\$2\.81$/m);
    expect(text).not.toMatch(/Occupati$|Occupati /m);
  });

  it('a caregiver sale prints both licence numbers and the patient; the header carries the store licence', async () => {
    const { r, printer } = await setUp();
    sql(r, `INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES ('store.licence', '"RD-000123"', 1)`);
    const caregiverId = sql<Array<{ id: string }>>(r, `SELECT id FROM customers WHERE first_name = 'Henry' AND last_name = 'Alvarez'`)[0]!.id;
    value(
      await r.call('customers.addPatient', {
        commandId: ulid(),
        caregiverId,
        patient: { firstName: 'June', lastName: 'Alvarez', medicalLicence: 'MP2J6N4Q8B', licenceExpires: '2030-01-01', dateOfBirth: '1990-04-01' },
      }),
    );
    const ticket = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: caregiverId }));
    value(await r.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code: FLOWER, quantity: 1 }));
    value(await r.call('checkout.sale.complete', { commandId: ticket.saleCommandId, ticketId: ticket.ticketId, tenders: [{ kind: 'cash', amountCents: 10_000 }] }));
    await printer.waitForJobs(1);
    const text = printer.jobs[0]!.decoded.lines.join('\n');
    expect(text).toContain('Licence RD-000123');
    expect(text).toContain('Medical sale');
    expect(text).toContain('Caregiver licence: CG8B3N6X5R');
    expect(text).toContain('Patient: June Alvarez');
    expect(text).toContain('Patient licence: MP2J6N4Q8B');
  });

  it('a card sale prints without opening the drawer', async () => {
    const { r, printer } = await setUp();
    await ringSale(r, [FLOWER], { kind: 'debit' });
    await printer.waitForJobs(1);
    expect(printer.jobs[0]!.decoded.pulses).toEqual([]);
    expect(printer.jobs[0]!.decoded.lines.join('\n')).toMatch(/Debit\s+\$/);
  });

  it('a printer that is switched off: the sale completes, the status says why, the receipt prints once when it is back', async () => {
    const { r, printer } = await setUp();
    const port = printer.port;
    await printer.stop();
    const receipt = await ringSale(r);
    expect(receipt.status).toBe('completed');
    await until(() => lastStatus(r)?.condition === 'unreachable', 'the unreachable status');
    expect(lastStatus(r)!.message).toContain('cannot be reached');
    expect(value<PrinterStatusView>(await r.call('till.status', {})).waiting).toBe(2);
    await printer.start(port);
    await printer.waitForJobs(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(printer.jobs).toHaveLength(1);
    expect(printer.jobs[0]!.decoded.lines.join('\n')).toContain(`Sale ${receipt.receiptNumber}`);
    await until(() => lastStatus(r)?.condition === 'ready', 'the ready status');
    expect(value<PrinterStatusView>(await r.call('till.status', {})).waiting).toBe(0);
  });

  it.each([
    ['paper_out', 'out of paper'],
    ['cover_open', 'cover is open'],
  ] as const)('a printer reporting %s over DLE EOT gets nothing until it is ready, then prints once', async (state, words) => {
    const { r, printer } = await setUp();
    printer.state = state;
    await ringSale(r);
    await until(() => lastStatus(r)?.condition === state, `the ${state} status`);
    expect(lastStatus(r)!.message).toContain(words);
    expect(printer.jobs).toHaveLength(0);
    printer.state = 'ready';
    await printer.waitForJobs(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(printer.jobs).toHaveLength(1);
    expect(printer.jobs[0]!.decoded.pulses).toHaveLength(1);
  });

  it('a printer that runs out of paper while nothing prints shows in the status before the next sale', async () => {
    const { r, printer } = await setUp();
    await until(() => lastStatus(r)?.condition === 'ready', 'the first poll');
    printer.state = 'paper_out';
    await until(() => lastStatus(r)?.condition === 'paper_out', 'paper out seen by the idle poll');
    expect(lastStatus(r)!.message).toContain('out of paper');
    expect(printer.jobs).toHaveLength(0);
  });

  it('the drawer-open signal: a cash sale shows the drawer open until it is shut, read as the drawer is wired; not wired shows nothing', async () => {
    const printer = await new FakePrinter().start();
    // No idle poll here: only the looks the register takes after its kick show the drawer.
    tillOptions.idlePollMs = 0;
    const r = await startTestRegister().finally(() => (tillOptions.idlePollMs = 100));
    open.push(printer, r);
    value(await r.call('session.login', { pin: '3333' }));
    await usePrinter(r, printer.port, { drawer: { pin: 2, onMs: 100, offMs: 500, openSignal: 'high' } });
    printer.drawerFollowsPulse = true;
    await ringSale(r);
    await printer.waitForJobs(1);
    await until(() => lastStatus(r)?.drawer === 'open', 'the drawer seen open after the kick');
    printer.drawerHigh = false;
    await until(() => lastStatus(r)?.drawer === 'closed', 'the drawer seen shut');
    // The same signal on a drawer wired the other way round reads the other way.
    await usePrinter(r, printer.port, { drawer: { pin: 2, onMs: 100, offMs: 500, openSignal: 'low' } });
    expect(value<PrinterStatusView>(await r.call('till.printers.check', { printerId: 'front' })).drawer).toBe('open');
    // A drawer nobody set up shows no state, whatever the signal.
    await usePrinter(r, printer.port);
    const unset = value<PrinterStatusView>(await r.call('till.printers.check', { printerId: 'front' }));
    expect(unset.drawerSignal).toBe(false);
    expect(unset.drawer).toBeNull();
  });

  it.skipIf(process.platform !== 'linux')('Find printers lists the USB printer-class devices (not other USB nodes), and a found one is added and chosen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'register-usb-dev-'));
    try {
      for (const name of ['lp2', 'lp0', 'hiddev0', 'lpx']) writeFileSync(join(dir, name), '');
      tillOptions.usbDeviceDir = dir;
      const r = await startTestRegister();
      open.push(r);
      value(await r.call('session.login', { pin: '3333' }));
      const found = value<Array<{ label: string; transport: { kind: string; path?: string } }>>(await r.call('till.printers.find', {}));
      const usb = found.filter((entry) => entry.transport.kind === 'usb_linux');
      expect(usb).toEqual([
        { label: 'USB printer /dev/usb/lp0', transport: { kind: 'usb_linux', path: '/dev/usb/lp0' } },
        { label: 'USB printer /dev/usb/lp2', transport: { kind: 'usb_linux', path: '/dev/usb/lp2' } },
      ]);
      value(await r.call('till.printers.save', { printer: { id: 'usb', name: 'Back counter', transport: usb[0]!.transport } }));
      const config = value<{ printers: Array<{ id: string; transport: unknown }>; receiptPrinterId: string | null }>(await r.call('till.printers.choose', { printerId: 'usb' }));
      expect(config.receiptPrinterId).toBe('usb');
      expect(config.printers.find((p) => p.id === 'usb')!.transport).toEqual({ kind: 'usb_linux', path: '/dev/usb/lp0' });
    } finally {
      delete tillOptions.usbDeviceDir;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a printer that does not answer status still gets the receipt', async () => {
    const { r, printer } = await setUp();
    printer.state = 'silent';
    await ringSale(r);
    await printer.waitForJobs(1);
    expect(printer.jobs[0]!.decoded.cuts).toBe(1);
  });

  it('reprints from history, marked as a reprint, without opening the drawer', async () => {
    const { r, printer } = await setUp();
    const receipt = await ringSale(r);
    await printer.waitForJobs(1);
    value(await r.call('till.receipt.reprint', { saleId: receipt.saleId }));
    await printer.waitForJobs(2);
    const reprint = printer.jobs[1]!.decoded;
    expect(reprint.lines.join('\n')).toContain('REPRINT');
    expect(reprint.lines.join('\n')).toContain(`Sale ${receipt.receiptNumber}`);
    expect(reprint.pulses).toEqual([]);
  });

  it('a receipt caught mid-send by a restart is not sent again: it waits for a person to reprint or dismiss it', async () => {
    const printer = await new FakePrinter().start();
    open.push(printer);
    printer.state = 'paper_out';
    const first = await startTestRegister();
    value(await first.call('session.login', { pin: '3333' }));
    await usePrinter(first, printer.port);
    const receipt = await ringSale(first);
    await until(() => lastStatus(first)?.condition === 'paper_out', 'paper out');
    await first.register.close();
    // As if the register stopped between "sending" and "printed".
    sql(first, `UPDATE print_jobs SET state = 'sending' WHERE kind = 'receipt'`);
    printer.state = 'ready';
    const again = await startTestRegister({}, first.dataDir);
    open.push(again);
    value(await again.call('session.login', { pin: '3333' }));
    const status = value<PrinterStatusView>(await again.call('till.status', {}));
    expect(status.uncertain).toMatchObject([{ kind: 'receipt', saleId: receipt.saleId, receiptNumber: receipt.receiptNumber }]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // The kick expired with its receipt unsent? No: the kick was still pending and goes alone; the receipt does not.
    expect(printer.jobs.every((job) => job.decoded.lines.every((line) => !line.includes(`Sale ${receipt.receiptNumber}`)))).toBe(true);
    const after = value<PrinterStatusView>(await again.call('till.jobs.resolve', { jobId: status.uncertain[0]!.jobId, choice: 'reprint' }));
    expect(after.uncertain).toEqual([]);
    await until(() => printer.jobs.some((job) => job.decoded.lines.join('\n').includes('REPRINT')), 'the reprint');
  });
});
