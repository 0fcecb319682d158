/**
 * Open tickets survive the register being killed (issue 13 item 7). A real register in a child
 * process builds a medical ticket (customer, lines, the state's allotment figure, a discount and a
 * limit override approved with single-use grants) and is killed with SIGKILL; the register started
 * again on the same data folder shows the same ticket, the grants used before the kill approve
 * nothing more, and the ticket completes once. A saved ticket that does not parse is logged and
 * shown to staff, never a failed start; a change that cannot be saved is refused and not made.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResponseEnvelope } from '../../../preload/api.js';
import type { Receipt, TicketChange, TicketView, UnrestoredTicketView } from '../../../preload/contract/checkout.js';
import { runWriterAndKill } from '../../support/kill.js';
import { migrationsFolder, repoRoot, resourcesDir, tempDir } from '../../support/paths.js';
import { openStore } from '../../../main/store/db.js';
import { seedDemoStore } from '../../../main/demo/seed.js';
import { hashPin } from '../../../main/staff/pins.js';
import { toEmployee } from '../../../main/staff/service.js';
import { CheckoutService } from '../../../main/checkout/service.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function folder(): string {
  const work = tempDir('checkout-tickets-');
  cleanups.push(work.cleanup);
  return work.dir;
}

async function start(dataDir: string, logged: string[] = []): Promise<TestRegister> {
  const r = await startTestRegister({ logger: { log: (level, message, fields) => logged.push(JSON.stringify({ level, message, ...fields })) } }, dataDir);
  let closed = false;
  const close = r.close.bind(r);
  r.close = async () => {
    if (closed) return;
    closed = true;
    await close();
  };
  cleanups.push(() => r.close());
  return r;
}

function value<T>(response: ResponseEnvelope): T {
  if (!response.ok) throw new Error(`call failed: ${response.error.code} ${response.error.message}`);
  return response.value as T;
}

function sql<T>(dataDir: string, text: string, ...params: unknown[]): T {
  const handle = new Database(join(dataDir, 'register.sqlite'));
  try {
    const statement = handle.prepare(text);
    return (statement.reader ? statement.all(...params) : statement.run(...params)) as T;
  } finally {
    handle.close();
  }
}

describe('open tickets across a restart', () => {
  it('a ticket built before a SIGKILL comes back identical, its grants stay used, and it completes once', async () => {
    const dataDir = folder();
    const printed = await runWriterAndKill(join(repoRoot, 'test/integration/checkout/ticket-writer.ts'), [dataDir], 50, 90_000);
    expect(printed).toHaveLength(1);
    const before = JSON.parse(printed[0]!) as { ticket: TicketView; grants: string[]; managerId: string };
    expect(before.ticket.lines).toHaveLength(2);
    expect(before.ticket.allotment.state).toBe('state_system');
    expect(before.ticket.restoredAt).toBeNull();

    const r = await start(dataDir);
    value(await r.call('session.login', { pin: '1111' }));
    const tickets = value<TicketView[]>(await r.call('checkout.ticket.list', {}));
    expect(tickets).toHaveLength(1);
    const [after] = tickets as [TicketView];
    expect(after.restoredAt).toEqual(expect.any(Number));
    // The same customer, lines, discount, override, state figure, meter and totals.
    expect({ ...after, restoredAt: null }).toEqual(before.ticket);
    expect(value<UnrestoredTicketView[]>(await r.call('checkout.ticket.unrestored', {}))).toEqual([]);

    // The grants used before the kill approve nothing now: each worked once.
    const overLine = after.lines.find((line) => line.overriddenLimits.length > 0)!;
    const flowerLine = after.lines.find((line) => line.discountReason !== null)!;
    const reused = await r.call('checkout.ticket.discountLine', {
      ticketId: after.ticketId,
      lineId: overLine.lineId,
      discount: { kind: 'percent', basisPoints: 5000 },
      reason: 'reused approval',
      grantId: before.grants[1],
    });
    expect(!reused.ok && reused.error.code).toBe('forbidden');
    const another = await r.call('checkout.ticket.scan', { ticketId: after.ticketId, code: '7194220405500100', quantity: 1, limitOverrideGrantId: before.grants[0] });
    expect(!another.ok && another.error.code).toBe('forbidden');
    expect(value<TicketView>(await r.call('checkout.ticket.get', { ticketId: after.ticketId }))).toEqual(after);

    // The customer takes two of the 28 g after all (the rules refuse paying for a ticket whose other
    // line rides over the limit); the line keeps its approval. Paid once: a retried completion
    // returns the same sale, and the saved ticket went with the sale.
    const changed = value<TicketChange>(await r.call('checkout.ticket.setQuantity', { ticketId: after.ticketId, lineId: overLine.lineId, quantity: 2 }));
    expect(changed.refusal).toBeNull();
    expect(changed.ticket.lines.map((line) => [line.quantity, line.overriddenLimits, line.discountReason])).toEqual([
      [2, overLine.overriddenLimits, null],
      [1, [], 'damaged box'],
    ]);
    const complete = () => r.call('checkout.sale.complete', { commandId: after.saleCommandId, ticketId: after.ticketId, tenders: [{ kind: 'cash', amountCents: changed.ticket.totals.totalCents }] });
    const receipt = value<Receipt>(await complete());
    expect(receipt.totalCents).toBe(changed.ticket.totals.totalCents);
    expect(value<Receipt>(await complete()).saleId).toBe(receipt.saleId);
    await r.close();

    expect(sql<Array<{ n: number }>>(dataDir, 'SELECT COUNT(*) AS n FROM sales WHERE command_id = ?', after.saleCommandId)[0]!.n).toBe(1);
    expect(sql<unknown[]>(dataDir, 'SELECT id FROM open_tickets')).toEqual([]);
    const lines = sql<Array<{ discount_approved_by: string | null; limit_override_approved_by: string | null; limit_override: string | null }>>(
      dataDir,
      'SELECT l.discount_approved_by, l.limit_override_approved_by, l.limit_override FROM sale_lines l JOIN sales s ON s.receipt_number = l.sale_no WHERE s.command_id = ? ORDER BY l.line_no',
      after.saleCommandId,
    );
    expect(lines).toEqual([
      { discount_approved_by: null, limit_override_approved_by: before.managerId, limit_override: JSON.stringify(overLine.overriddenLimits) },
      { discount_approved_by: before.managerId, limit_override_approved_by: null, limit_override: null },
    ]);
    expect(flowerLine.lineDiscountCents).toBeGreaterThan(0);

    // Started again: the sold ticket does not come back.
    const again = await start(dataDir);
    value(await again.call('session.login', { pin: '1111' }));
    expect(value<TicketView[]>(await again.call('checkout.ticket.list', {}))).toEqual([]);
  }, 180_000);

  it('a saved ticket that does not parse, or was left open since an earlier day, is shown to staff, and start-up goes on', async () => {
    const dataDir = folder();
    const first = await start(dataDir);
    value(await first.call('session.login', { pin: '1111' }));
    const customerId = sql<Array<{ id: string }>>(dataDir, `SELECT id FROM customers WHERE first_name = 'Olivia' AND last_name = 'Hart'`)[0]!.id;
    const kept = value<TicketView>(await first.call('checkout.ticket.open', { saleCommandId: ulid(), customerId }));
    value(await first.call('checkout.ticket.scan', { ticketId: kept.ticketId, code: '7194220405500100', quantity: 1 }));
    const discarded = value<TicketView>(await first.call('checkout.ticket.open', { saleCommandId: ulid(), customerId }));
    value(await first.call('checkout.ticket.discard', { ticketId: discarded.ticketId }));
    const marcusId = sql<Array<{ id: string }>>(dataDir, `SELECT id FROM customers WHERE first_name = 'Marcus' AND last_name = 'Bell'`)[0]!.id;
    const stale = value<TicketView>(await first.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: marcusId }));
    await first.close();
    expect(sql<Array<{ id: string }>>(dataDir, 'SELECT id FROM open_tickets ORDER BY opened_at')).toEqual([{ id: kept.ticketId }, { id: stale.ticketId }]);
    // Marcus's ticket was last changed two days ago: its customer has long left.
    const twoDaysAgo = Date.now() - 2 * 86_400_000;
    sql(dataDir, 'UPDATE open_tickets SET saved_at = ? WHERE id = ?', twoDaysAgo, stale.ticketId);

    // Two damaged rows beside the good one: one not JSON, one with a line missing its product.
    sql(dataDir, `INSERT INTO open_tickets (id, sale_command_id, customer_id, opened_at, saved_at, state) VALUES ('BROKEN1', 'CMD1', ?, 1, 2, '{"version":1,"tick')`, customerId);
    const state = JSON.parse(sql<Array<{ state: string }>>(dataDir, 'SELECT state FROM open_tickets WHERE id = ?', kept.ticketId)[0]!.state) as {
      ticket: { id: string; saleCommandId: string; lines: Array<Record<string, unknown>> };
    };
    state.ticket.id = 'BROKEN2';
    state.ticket.saleCommandId = 'CMD2';
    delete state.ticket.lines[0]!.product;
    sql(dataDir, `INSERT INTO open_tickets (id, sale_command_id, customer_id, opened_at, saved_at, state) VALUES ('BROKEN2', 'CMD2', ?, 3, 4, ?)`, customerId, JSON.stringify(state));

    const logged: string[] = [];
    const r = await start(dataDir, logged);
    expect(value<{ state: string }>(await r.call('app.status', {})).state).toBe('ready');
    value(await r.call('session.login', { pin: '1111' }));
    expect(value<TicketView[]>(await r.call('checkout.ticket.list', {})).map((ticket) => ticket.ticketId)).toEqual([kept.ticketId]);
    const unrestored = value<UnrestoredTicketView[]>(await r.call('checkout.ticket.unrestored', {}));
    expect(unrestored).toEqual([
      { ticketId: 'BROKEN1', reason: 'unreadable', openedAt: 1, savedAt: 2, customerName: 'Olivia Hart' },
      { ticketId: 'BROKEN2', reason: 'unreadable', openedAt: 3, savedAt: 4, customerName: 'Olivia Hart' },
      { ticketId: stale.ticketId, reason: 'left_open', openedAt: stale.openedAt, savedAt: twoDaysAgo, customerName: 'Marcus Bell' },
    ]);
    const log = logged.join('\n');
    expect(log).toMatch(/"ticketId":"BROKEN1".*not JSON/);
    expect(log).toMatch(/"ticketId":"BROKEN2".*lines\.0\.product/);

    // Staff dismiss the notice: the row goes, in the audit log.
    value(await r.call('checkout.ticket.dismissUnrestored', { ticketId: 'BROKEN1' }));
    expect(value<UnrestoredTicketView[]>(await r.call('checkout.ticket.unrestored', {})).map((entry) => entry.ticketId)).toEqual(['BROKEN2', stale.ticketId]);
    expect(sql<Array<{ id: string }>>(dataDir, 'SELECT id FROM open_tickets ORDER BY id').map((row) => row.id)).toEqual(['BROKEN2', kept.ticketId, stale.ticketId].sort());
    expect(sql<Array<{ n: number }>>(dataDir, `SELECT COUNT(*) AS n FROM audit_events WHERE action = 'checkout.ticket.unrestored_dismissed'`)[0]!.n).toBe(1);
  }, 120_000);

  it('a ticket saved while its allotment lookup was under way looks it up again when it comes back', async () => {
    const dataDir = folder();
    const first = await start(dataDir);
    value(await first.call('session.login', { pin: '1111' }));
    const customerId = sql<Array<{ id: string }>>(dataDir, `SELECT id FROM customers WHERE first_name = 'Samuel' AND last_name = 'Okafor'`)[0]!.id;
    const ticket = value<TicketView>(await first.call('checkout.ticket.open', { saleCommandId: ulid(), customerId }));
    expect(ticket.allotment.state).toBe('state_system');
    await first.close();
    // As if the register died between opening the ticket and the state system's answer.
    const row = sql<Array<{ state: string }>>(dataDir, 'SELECT state FROM open_tickets WHERE id = ?', ticket.ticketId)[0]!;
    const saved = JSON.parse(row.state) as { ticket: { allotment: unknown; stateFigure: unknown } };
    saved.ticket.allotment = { state: 'checking', message: 'Looking up the allotment in the state system…', fetchedAt: null };
    saved.ticket.stateFigure = null;
    sql(dataDir, 'UPDATE open_tickets SET state = ? WHERE id = ?', JSON.stringify(saved), ticket.ticketId);

    const r = await start(dataDir);
    value(await r.call('session.login', { pin: '1111' }));
    await expect
      .poll(async () => value<TicketView>(await r.call('checkout.ticket.get', { ticketId: ticket.ticketId })).allotment.state, { timeout: 20_000 })
      .toBe('state_system');
  }, 60_000);

  it('a change that cannot be saved is refused and not made', async () => {
    const dataDir = folder();
    const r = await start(dataDir);
    value(await r.call('session.login', { pin: '1111' }));
    const customerId = sql<Array<{ id: string }>>(dataDir, `SELECT id FROM customers WHERE first_name = 'Olivia' AND last_name = 'Hart'`)[0]!.id;
    const ticket = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId }));
    const one = value<TicketChange>(await r.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code: '7194220405500100', quantity: 1 })).ticket;
    // As if the disk refused the write.
    sql(dataDir, `CREATE TRIGGER refuse_ticket_save BEFORE UPDATE ON open_tickets BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`);
    const refused = await r.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code: '7194220405500100', quantity: 1 });
    expect(!refused.ok && refused.error).toMatchObject({ code: 'internal', message: expect.stringMatching(/could not save this change to the ticket, so it was not made/) });
    expect(value<TicketView>(await r.call('checkout.ticket.get', { ticketId: ticket.ticketId }))).toEqual(one);
    sql(dataDir, 'DROP TRIGGER refuse_ticket_save');
    const two = value<TicketChange>(await r.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code: '7194220405500100', quantity: 1 })).ticket;
    expect(two.lines[0]!.quantity).toBe(2);
  }, 60_000);

  it('a full disk refuses the change with what to do, and the ticket stays as it was', async () => {
    const dir = folder();
    const store = openStore({ file: join(dir, 'register.sqlite'), migrationsFolder });
    cleanups.push(() => store.close());
    const sqlite = store.sqlite;
    await seedDemoStore(sqlite, resourcesDir, (pin) => hashPin(pin, { N: 1024, r: 8, p: 1 }), Date.now());
    const service = new CheckoutService({
      sqlite: () => sqlite,
      clock: () => Date.now(),
      resourcesDir,
      allotments: null,
      trace: null,
      queue: null,
      consumeGrant: () => {
        throw new Error('no grants here');
      },
    });
    const actor = toEmployee(sqlite.prepare(`SELECT id, name, role, active FROM employees WHERE role = 'budtender'`).get() as { id: string; name: string; role: 'budtender'; active: number });
    const customerId = (sqlite.prepare(`SELECT id FROM customers WHERE first_name = 'Olivia' AND last_name = 'Hart'`).get() as { id: string }).id;
    const ticket = service.openTicket(actor, { saleCommandId: ulid(), customerId });
    // SQLite's max_page_count stands in for a full disk: the WAL emptied, no page more may be taken
    // (VACUUM first: the migrations' rebuilt tables leave free pages a change could still take).
    sqlite.exec('VACUUM');
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    sqlite.pragma(`max_page_count = ${sqlite.pragma('page_count', { simple: true }) as number}`);
    const products = (sqlite.prepare('SELECT id FROM products ORDER BY name').all() as Array<{ id: string }>).map((row) => service.productById(row.id)!);
    let refusedWith: unknown = null;
    let lastGood = service.view(ticket);
    for (const product of products) {
      try {
        const { refusal } = service.addProduct(actor, ticket.id, product, 1);
        if (!refusal) lastGood = service.view(ticket);
      } catch (error) {
        refusedWith = error;
        break;
      }
    }
    expect(refusedWith).toMatchObject({ code: 'cannot_save', message: expect.stringMatching(/could not save this change to the ticket: the disk is full\. Free space.*The ticket is as it was before the change\./) });
    expect(service.view(ticket)).toEqual(lastGood);
    const saved = JSON.parse((sqlite.prepare('SELECT state FROM open_tickets WHERE id = ?').get(ticket.id) as { state: string }).state) as { ticket: { lines: unknown[] } };
    expect(saved.ticket.lines).toHaveLength(lastGood.lines.length);
  }, 60_000);
});
