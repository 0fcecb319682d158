/**
 * The drawer through a real register: a session opened with a counted float; a cash sale lands in
 * it and a card sale does not; a cash return comes out of it; "No sale" needs a manager, is audited
 * and sends one pulse; a blind close hides expected cash from a budtender until the count is in.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { tillOptions } from '../../../main/core/modules.js';
import type { Receipt } from '../../../preload/contract/checkout.js';
import type { DrawerSessionView } from '../../../preload/contract/till.js';
import { FakePrinter } from '../../support/fake-printer.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';
import { FLOWER, managerGrant, ringSale, sql, usePrinter, value } from '../../support/till.js';

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

describe('drawer sessions through the register', () => {
  it('cash sales and cash returns land in the open session; card sales do not; No sale needs a manager, is audited and pulses once', async () => {
    const printer = await new FakePrinter().start();
    const r = await startTestRegister();
    open.push(printer, r);
    value(await r.call('session.login', { pin: '1111' }));
    // The budtender cannot set printers up: the admin does.
    expect((await r.call('till.printers.save', { printer: { id: 'x', name: 'x', transport: { kind: 'tcp', host: '127.0.0.1', port: printer.port } } })).ok).toBe(false);
    value(await r.call('session.login', { pin: '3333' }));
    await usePrinter(r, printer.port);
    value(await r.call('session.login', { pin: '1111' }));

    expect(value(await r.call('till.session.get', {}))).toBeNull();
    const opened = value<DrawerSessionView>(await r.call('till.session.open', { commandId: ulid(), counts: { '2000': 5, '100': 20 } }));
    expect(opened).toMatchObject({ status: 'open', floatCents: 12_000, totals: null }); // blind for a budtender

    const cash = await ringSale(r, [FLOWER], { kind: 'cash', extraCents: 1_000 });
    await ringSale(r, [FLOWER], { kind: 'debit' });
    const movements = () => sql<Array<{ kind: string; amount_cents: number }>>(r, 'SELECT kind, amount_cents FROM cash_movements ORDER BY id');
    expect(movements()).toEqual([
      { kind: 'float', amount_cents: 12_000 },
      { kind: 'sale', amount_cents: cash.totalCents },
    ]);

    // A cash return (manager approves) pays back out of the drawer.
    const line = cash.lines[0]!;
    const returned = value<Receipt>(
      await r.call('checkout.sale.return', {
        commandId: ulid(),
        saleId: cash.saleId,
        reason: 'Wrong strain',
        refundTender: 'cash',
        lines: [{ saleLineId: line.saleLineId, quantity: 1 }],
        grantId: await managerGrant(r, 'checkout.return'),
      }),
    );
    const refund = returned.returns[0]!.refundCents;
    expect(movements().at(-1)).toEqual({ kind: 'refund', amount_cents: -refund });

    // No sale: refused without a manager's grant, then accepted, audited, one pulse.
    await printer.waitForJobs(2);
    const before = printer.jobs.length;
    expect((await r.call('till.drawer.noSale', { commandId: ulid(), reason: 'Change for the float', grantId: 'nothing' })).ok).toBe(false);
    value(await r.call('till.drawer.noSale', { commandId: ulid(), reason: 'Change for the float', grantId: await managerGrant(r, 'till.noSale') }));
    await printer.waitForJobs(before + 1);
    const kick = printer.jobs[before]!.decoded;
    expect(kick.pulses).toHaveLength(1);
    expect(kick.lines.join('')).toBe('');
    expect(sql<Array<{ action: string }>>(r, `SELECT action FROM audit_events WHERE action = 'till.no_sale'`)).toHaveLength(1);

    // Pulses: one for the cash sale, one for No sale; none for the card sale.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(printer.jobs.reduce((n, job) => n + job.decoded.pulses.length, 0)).toBe(2);

    // A drop, then the blind close: the count goes in, then the figures show.
    value(await r.call('till.session.move', { commandId: ulid(), kind: 'drop', amountCents: 5_000, reason: 'To the safe' }));
    const expected = 12_000 + cash.totalCents - refund - 5_000;
    const closed = value<DrawerSessionView>(await r.call('till.session.close', { commandId: ulid(), counts: { '1': expected } }));
    expect(closed).toMatchObject({ status: 'closed', countedCents: expected, overShortCents: 0, totals: { expectedCents: expected, dropsCents: 5_000, noSales: 1 } });
  });
});
