/**
 * Child process for the open-ticket restart test: a real register on the data folder given,
 * where a budtender builds a medical ticket (the customer, three lines, a line discount and a
 * limit override, each approved by the manager's single-use grant). It prints one JSON line
 * (the ticket as the screen sees it, and the grant ids it used) after the last change returned,
 * then "ready", and waits to be killed with SIGKILL.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ulid } from 'ulid';
import type { ResponseEnvelope } from '../../../preload/api.js';
import type { TicketChange, TicketView } from '../../../preload/contract/checkout.js';
import { startTestRegister } from '../../support/register.js';

const [dataDir] = process.argv.slice(2) as [string];

function value<T>(response: ResponseEnvelope): T {
  if (!response.ok) throw new Error(`call failed: ${response.error.code} ${response.error.message}`);
  return response.value as T;
}

const r = await startTestRegister({}, dataDir);
const look = new Database(join(dataDir, 'register.sqlite'), { readonly: true });
const customerId = (look.prepare(`SELECT id FROM customers WHERE first_name = 'Samuel' AND last_name = 'Okafor'`).get() as { id: string }).id;
const managerId = (look.prepare(`SELECT id FROM employees WHERE role = 'manager'`).get() as { id: string }).id;
look.close();

const grant = async (action: string) =>
  value<{ grantId: string }>(await r.call('staff.override', { approverId: managerId, pin: '2222', permission: 'manager_override', action })).grantId;

value(await r.call('session.login', { pin: '1111' }));
const opened = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId }));
const ticketId = opened.ticketId;
const scan = async (code: string, quantity: number, limitOverrideGrantId?: string) =>
  value<TicketChange>(await r.call('checkout.ticket.scan', { ticketId, code, quantity, ...(limitOverrideGrantId ? { limitOverrideGrantId } : {}) }));

// Sour Diesel 28 g (medical only) twice: 56 g of the 70.873 g in 14 days.
await scan('7194220405500359', 2);
await scan('7194220405500100', 1); // Prairie Sunset 3.5 g
// A third 28 g goes over the limit: the manager's grant lets this line exceed it.
const refused = await scan('7194220405500359', 1);
if (refused.refusal?.code !== 'over_limit') throw new Error(`expected an over-limit refusal, got ${JSON.stringify(refused.refusal)}`);
const overrideGrant = await grant('checkout.limitOverride');
const overridden = await scan('7194220405500359', 1, overrideGrant);
if (overridden.refusal) throw new Error(`the override did not take: ${overridden.refusal.message}`);
// A line discount approved by the manager's grant.
const discountGrant = await grant('checkout.discount');
const flowerLine = overridden.ticket.lines.find((line) => line.traceBarcode === '7194220405500100')!;
const ticket = value<TicketView>(
  await r.call('checkout.ticket.discountLine', { ticketId, lineId: flowerLine.lineId, discount: { kind: 'percent', basisPoints: 1500 }, reason: 'damaged box', grantId: discountGrant }),
);

process.stdout.write(`${JSON.stringify({ ticket, grants: [overrideGrant, discountGrant], managerId })}\n`);
process.stdout.write('ready\n');
setInterval(() => {}, 60_000);
