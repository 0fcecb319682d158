/** Helpers for till tests: a logged-in demo register with its receipt printer at a fake printer, and cash sales rung through the contract. */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ulid } from 'ulid';
import type { Receipt, TicketChange, TicketView } from '../../preload/contract/checkout.js';
import { value, type TestRegister } from './register.js';

export { value };

export function sql<T>(r: TestRegister, text: string, ...params: unknown[]): T {
  const handle = new Database(join(r.dataDir, 'register.sqlite'));
  try {
    const statement = handle.prepare(text);
    return (statement.reader ? statement.all(...params) : statement.run(...params)) as T;
  } finally {
    handle.close();
  }
}

export const FLOWER = '7194220405500100'; // Prairie Sunset 3.5 g, $45.00
export const GUMMIES_UPC = '850012340201'; // Watermelon Gummies, $25.00

export async function usePrinter(r: TestRegister, port: number, extra: Record<string, unknown> = {}): Promise<void> {
  value(await r.call('till.printers.save', { printer: { id: 'front', name: 'Front counter', transport: { kind: 'tcp', host: '127.0.0.1', port }, ...extra } }));
  value(await r.call('till.printers.choose', { printerId: 'front' }));
}

/** An adult-use sale (Olivia Hart) of the given barcodes, paid with one tender. */
export async function ringSale(
  r: TestRegister,
  codes: string[] = [FLOWER],
  tender: { kind: 'cash' | 'debit'; extraCents?: number } = { kind: 'cash', extraCents: 500 },
): Promise<Receipt> {
  const customerId = sql<Array<{ id: string }>>(r, `SELECT id FROM customers WHERE first_name = 'Olivia' AND last_name = 'Hart'`)[0]!.id;
  const ticket = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId }));
  let view = ticket;
  for (const code of codes) view = value<TicketChange>(await r.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code, quantity: 1 })).ticket;
  return value<Receipt>(
    await r.call('checkout.sale.complete', {
      commandId: ticket.saleCommandId,
      ticketId: ticket.ticketId,
      tenders: [{ kind: tender.kind, amountCents: view.totals.totalCents + (tender.extraCents ?? 0) }],
    }),
  );
}

export async function managerGrant(r: TestRegister, action: string): Promise<string> {
  const manager = sql<Array<{ id: string }>>(r, `SELECT id FROM employees WHERE role = 'manager' LIMIT 1`)[0]!;
  return value<{ grantId: string }>(await r.call('staff.override', { approverId: manager.id, pin: '2222', permission: 'manager_override', action })).grantId;
}
