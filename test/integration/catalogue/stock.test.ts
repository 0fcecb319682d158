/**
 * The catalogue and stock in a real register (demo store, real SQLite, the embedded BioTrack
 * sandbox on loopback): a product added on screen calls, received from a package the sandbox
 * lists, sold until the ticket refuses more than the package holds, adjusted and counted only
 * with a manager's PIN, archived out of the register's search; every change a ledger movement,
 * audited, and the balances still agree with their ledgers.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBalances } from '../../../main/store/balances.js';
import { newId } from '../../../main/store/ids.js';
import type { ResponseEnvelope } from '../../../preload/api.js';
import type { ProductInputRaw, ProductView, TracePackageView } from '../../../preload/contract/catalogue.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';

const NEW_FLOWER_PACKAGE = '7194220405502001'; // Sunset Sherbet 3.5 g: 40 in the sandbox, not in the demo catalogue
const GUMMIES_PACKAGE = '7194220405502002'; // 120 in the sandbox

function value<T>(response: ResponseEnvelope): T {
  if (!response.ok) throw new Error(`${response.error.code}: ${response.error.message}`);
  return response.value as T;
}
function refused(response: ResponseEnvelope): { code: string; message: string } {
  if (response.ok) throw new Error('expected the call to be refused');
  return response.error;
}

const flower: ProductInputRaw = {
  name: 'Sunset Sherbet Flower 3.5g',
  category: 'flower',
  upc: null,
  barcodes: ['SHELF-0042'],
  priceCents: 4200,
  unitWeightMg: 3500,
  usableWeightMg: 3500,
  thcValue: 2150,
  thcUnit: 'pct_x100',
  soldMedical: true,
  soldAdultUse: true,
};

describe('catalogue and stock through the contract', () => {
  let reg: TestRegister;
  let product: ProductView;

  const sql = <T>(text: string, ...params: unknown[]): T => {
    const handle = new Database(join(reg.dataDir, 'register.sqlite'), { readonly: true });
    try {
      return handle.prepare(text).all(...params) as T;
    } finally {
      handle.close();
    }
  };
  const grant = async (pin = '2222'): Promise<string> => {
    const approvers = value<Array<{ id: string; name: string }>>(await reg.call('staff.approvers', { permission: 'manager_override' }));
    const manager = approvers.find((a) => a.name === 'Max Manager')!;
    return value<{ grantId: string }>(await reg.call('staff.override', { approverId: manager.id, pin, permission: 'manager_override', action: 'catalogue.adjust' })).grantId;
  };

  beforeAll(async () => {
    reg = await startTestRegister();
    value(await reg.call('session.login', { pin: '3333' })); // Ada Admin
  });
  afterAll(async () => {
    await reg?.close();
  });

  it('offers the categories the state limits speak of, with the fields they read', async () => {
    const config = value<{ categories: Array<{ id: string; needsThc: boolean; thcUnit: string }>; provider: string | null }>(await reg.call('catalogue.config', {}));
    expect(config.categories.map((c) => c.id)).toEqual(expect.arrayContaining(['flower', 'edible', 'concentrate']));
    expect(config.categories.find((c) => c.id === 'edible')).toMatchObject({ needsThc: true, thcUnit: 'mg' });
    expect(config.provider).toBe('BioTrack');
  });

  it('refuses a product the rules cannot weigh, and a barcode another product has', async () => {
    const noWeight = refused(await reg.call('catalogue.save', { commandId: newId(), productId: null, product: { ...flower, usableWeightMg: 0 } }));
    expect(noWeight.message).toMatch(/usable weight/);
    const mgFlower = refused(await reg.call('catalogue.save', { commandId: newId(), productId: null, product: { ...flower, thcUnit: 'mg' } }));
    expect(mgFlower.message).toMatch(/percentage/);
    const taken = refused(await reg.call('catalogue.save', { commandId: newId(), productId: null, product: { ...flower, upc: '850012340201' } }));
    expect(taken.message).toMatch(/already on Watermelon Gummies/);
    const nobody = refused(await reg.call('catalogue.save', { commandId: newId(), productId: null, product: { ...flower, soldMedical: false, soldAdultUse: false } }));
    expect(nobody.message).toMatch(/who may buy/);
  });

  it('adds a product (applied once), finds it by name and by its extra barcode, and shows its tax class', async () => {
    const commandId = newId();
    product = value<ProductView>(await reg.call('catalogue.save', { commandId, productId: null, product: flower }));
    const again = value<ProductView>(await reg.call('catalogue.save', { commandId, productId: null, product: flower }));
    expect(again.id).toBe(product.id);
    expect(product).toMatchObject({ packageLabel: null, onHand: 0, barcodes: ['SHELF-0042'], archived: false });
    expect(product.taxes.join(' ')).toMatch(/Cannabis Purchaser Excise Tax/);
    expect(value<ProductView[]>(await reg.call('catalogue.list', { query: 'sherbet' })).map((p) => p.id)).toEqual([product.id]);
    expect(value<ProductView[]>(await reg.call('catalogue.list', { query: 'SHELF-0042' })).map((p) => p.id)).toEqual([product.id]);
    // The register's product search finds it by the extra barcode too (a keyboard scanner types it there).
    expect(value<Array<{ id: string }>>(await reg.call('checkout.products.search', { query: 'SHELF-0042', limit: 5 })).map((p) => p.id)).toEqual([product.id]);
    expect(sql<unknown[]>("SELECT 1 FROM audit_events WHERE action = 'catalogue.product_added'")).toHaveLength(1);
  });

  it('lists the packages BioTrack holds for the store and receives one onto the product, no more than it holds', async () => {
    const { provider, packages } = value<{ provider: string; packages: TracePackageView[] }>(await reg.call('catalogue.packages', {}));
    expect(provider).toBe('BioTrack');
    const pkg = packages.find((p) => p.label === NEW_FLOWER_PACKAGE)!;
    expect(pkg).toMatchObject({ quantity: 40, suggestedCategory: 'flower', usableWeightMg: 3500, productId: null });
    // A demo package is already the package of a demo product.
    expect(packages.find((p) => p.label === '7194220405500100')?.productName).toBe('Prairie Sunset Flower 3.5g');

    const tooMany = refused(await reg.call('catalogue.receive', { commandId: newId(), label: NEW_FLOWER_PACKAGE, productId: product.id, quantity: 41 }));
    expect(tooMany.message).toMatch(/holds 40/);
    const unknown = refused(await reg.call('catalogue.receive', { commandId: newId(), label: '9999999999999999', productId: product.id, quantity: 1 }));
    expect(unknown.code).toBe('not_found');

    product = value<ProductView>(await reg.call('catalogue.receive', { commandId: newId(), label: NEW_FLOWER_PACKAGE, productId: product.id, quantity: 3 }));
    expect(product).toMatchObject({ packageLabel: NEW_FLOWER_PACKAGE, onHand: 3 });
    const twice = refused(await reg.call('catalogue.receive', { commandId: newId(), label: NEW_FLOWER_PACKAGE, productId: product.id, quantity: 1 }));
    expect(twice.message).toMatch(/already received/);
    const after = value<{ packages: TracePackageView[] }>(await reg.call('catalogue.packages', {})).packages.find((p) => p.label === NEW_FLOWER_PACKAGE)!;
    expect(after).toMatchObject({ productId: product.id, receivedQuantity: 3 });
    expect(sql<unknown[]>("SELECT 1 FROM inventory_movements WHERE reason = 'receive' AND reference_id = ?", NEW_FLOWER_PACKAGE)).toHaveLength(1);
  });

  it('sells from the received package and refuses more than it holds; the extra barcode scans it', async () => {
    const customer = sql<Array<{ id: string }>>("SELECT id FROM customers WHERE first_name = 'Olivia' AND last_name = 'Hart'")[0]!.id;
    const ticket = value<{ ticketId: string; lines: Array<{ onHand: number }> }>(await reg.call('checkout.ticket.open', { saleCommandId: newId(), customerId: customer }));
    const first = value<{ refusal: null | { message: string }; ticket: { lines: Array<{ onHand: number; quantity: number }> } }>(
      await reg.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code: 'SHELF-0042', quantity: 3 }),
    );
    expect(first.refusal).toBeNull();
    expect(first.ticket.lines[0]).toMatchObject({ onHand: 3, quantity: 3 });
    const more = value<{ refusal: null | { code: string; message: string } }>(await reg.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code: NEW_FLOWER_PACKAGE, quantity: 1 }));
    expect(more.refusal?.message).toMatch(/Only 3 of Sunset Sherbet/);
    value(await reg.call('checkout.ticket.discard', { ticketId: ticket.ticketId }));
  });

  it('adjusts and counts only with a manager approval, each with its reason, audited', async () => {
    const noGrant = refused(await reg.call('catalogue.adjust', { kind: 'adjust', commandId: newId(), productId: product.id, quantityDelta: -1, reason: 'damaged', note: null, grantId: 'nope' }));
    expect(noGrant.code).toBe('forbidden');
    const tooMany = refused(
      await reg.call('catalogue.adjust', { kind: 'adjust', commandId: newId(), productId: product.id, quantityDelta: -4, reason: 'damaged', note: null, grantId: await grant() }),
    );
    expect(tooMany.message).toMatch(/take away at most 3/);
    const damaged = value<{ product: ProductView; quantityDelta: number }>(
      await reg.call('catalogue.adjust', { kind: 'adjust', commandId: newId(), productId: product.id, quantityDelta: -1, reason: 'damaged', note: 'crushed jar', grantId: await grant() }),
    );
    expect(damaged).toMatchObject({ quantityDelta: -1, product: { onHand: 2 } });
    const counted = value<{ product: ProductView; quantityDelta: number }>(
      await reg.call('catalogue.adjust', { kind: 'count', commandId: newId(), productId: product.id, counted: 1, note: null, grantId: await grant() }),
    );
    expect(counted).toMatchObject({ quantityDelta: -1, product: { onHand: 1 } });
    const history = value<Array<{ kind: string; quantityDelta: number; what: string; approvedByName: string | null }>>(await reg.call('catalogue.stockHistory', { productId: product.id }));
    expect(history.map((h) => [h.kind, h.quantityDelta])).toEqual([
      ['count', -1],
      ['adjust', -1],
      ['receive', 3],
    ]);
    expect(history[1]).toMatchObject({ what: 'Damaged (crushed jar)', approvedByName: 'Max Manager' });
    const audit = sql<Array<{ details: string }>>("SELECT details FROM audit_events WHERE action IN ('catalogue.adjust', 'catalogue.count') ORDER BY seq");
    expect(audit.map((row) => JSON.parse(row.details) as { before: number; after: number })).toMatchObject([
      { before: 3, after: 2, reason: 'damaged' },
      { before: 2, after: 1, reason: 'count' },
    ]);
  });

  it('refuses a new package while the product still has stock from its current one', async () => {
    const gummies = refused(await reg.call('catalogue.receive', { commandId: newId(), label: GUMMIES_PACKAGE, productId: product.id, quantity: 1 }));
    expect(gummies.message).toMatch(/still has 1 from package 7194220405502001/);
  });

  it('archives a product out of the register search and back, keeping its stock', async () => {
    const archived = value<ProductView>(await reg.call('catalogue.archive', { commandId: newId(), productId: product.id, archived: true }));
    expect(archived.archived).toBe(true);
    expect(value<unknown[]>(await reg.call('checkout.products.search', { query: 'sherbet', limit: 5 }))).toEqual([]);
    expect(refused(await reg.call('checkout.products.byBarcode', { code: 'SHELF-0042' })).code).toBe('not_found');
    expect(value<ProductView[]>(await reg.call('catalogue.list', { query: 'sherbet', includeArchived: true }))[0]).toMatchObject({ archived: true, onHand: 1 });
    value(await reg.call('catalogue.archive', { commandId: newId(), productId: product.id, archived: false }));
    expect(value<Array<{ id: string }>>(await reg.call('checkout.products.search', { query: 'sherbet', limit: 5 })).map((p) => p.id)).toEqual([product.id]);
  });

  it('a budtender cannot change the catalogue', async () => {
    value(await reg.call('session.logout', {}));
    value(await reg.call('session.login', { pin: '1111' })); // Bea Budtender
    const denied = refused(await reg.call('catalogue.save', { commandId: newId(), productId: null, product: { ...flower, name: 'Other' } }));
    expect(denied.code).toBe('forbidden');
    value(await reg.call('session.logout', {}));
    value(await reg.call('session.login', { pin: '3333' }));
  });

  it('keeps every balance equal to its ledger', () => {
    const handle = new Database(join(reg.dataDir, 'register.sqlite'), { readonly: true });
    try {
      expect(verifyBalances(handle)).toEqual([]);
    } finally {
      handle.close();
    }
  });
});
