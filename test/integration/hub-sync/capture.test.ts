/**
 * The hub outbox through a real register: each capability's change writes its command for the hub
 * in the change's own transaction (a refused change writes none), with sequence numbers 1, 2, 3…;
 * an edit sends only the fields it changed; an unpaired register writes nothing.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyFileSecretBox } from '../../../main/core/secret-box.js';
import { DEMO_PINS } from '../../../main/demo/seed.js';
import { savePairing } from '../../../main/hub-sync/state.js';
import { applyPragmas } from '../../../main/store/db.js';
import { newId } from '../../../main/store/ids.js';
import { toEmployee } from '../../../main/staff/service.js';
import type { ResponseEnvelope } from '../../../preload/api.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';
import { commandBody } from '../../../hub/protocol.js';
import { prepareStore, salesDriver } from '../../support/sales-driver.js';
import { resourcesDir } from '../../support/paths.js';
import { modernPayload } from '../../unit/licenses/build.js';

let running: TestRegister[] = [];
let handles: Database.Database[] = [];
afterEach(async () => {
  for (const handle of handles) handle.close();
  handles = [];
  for (const r of running) await r.close();
  running = [];
});

function value<T>(response: ResponseEnvelope): T {
  if (!response.ok) throw new Error(`${response.error.code}: ${response.error.message}`);
  return response.value as T;
}

async function start(): Promise<{ r: TestRegister; db: Database.Database }> {
  const r = await startTestRegister();
  running.push(r);
  const db = new Database(join(r.dataDir, 'register.sqlite'));
  applyPragmas(db);
  handles.push(db);
  return { r, db };
}

function pair(r: TestRegister, db: Database.Database): void {
  savePairing(
    db,
    new KeyFileSecretBox(r.dataDir),
    {
      address: '127.0.0.1:1',
      hubId: newId(),
      hubEpoch: newId(),
      fingerprint: 'AA:'.repeat(31) + 'AA',
      deviceId: newId(),
      deviceName: 'Register 1',
      role: 'register',
      deviceToken: 'x'.repeat(50),
      clockOffsetMs: 0,
    },
    Date.now(),
  );
}

interface Row {
  device_seq: number;
  kind: string;
  payload: string;
  state: string;
}
/** The outbox in order; every command must be one the hub's protocol accepts. */
function outbox(db: Database.Database): Array<{ seq: number; kind: string; payload: Record<string, unknown> }> {
  const rows = (db.prepare('SELECT device_seq, kind, payload, state FROM hub_outbox ORDER BY device_seq').all() as Row[]).map((row) => ({
    seq: row.device_seq,
    kind: row.kind,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
  }));
  for (const row of rows) {
    const parsed = commandBody.safeParse({ kind: row.kind, payload: row.payload });
    if (!parsed.success) throw new Error(`${row.kind} does not fit the protocol: ${parsed.error.message}`);
  }
  return rows;
}

async function hartId(r: TestRegister): Promise<string> {
  return value<{ results: Array<{ id: string }> }>(await r.call('customers.search', { field: 'name', query: 'hart' })).results[0]!.id;
}

describe('hub outbox capture', () => {
  it('writes nothing while the register has no hub', async () => {
    const { r, db } = await start();
    value(await r.call('session.login', { pin: DEMO_PINS.manager }));
    const id = await hartId(r);
    const detail = value<{ form: Record<string, unknown> }>(await r.call('customers.get', { id }));
    value(await r.call('customers.update', { commandId: newId(), id, form: { ...detail.form, notes: 'Quiet' } }));
    expect(outbox(db)).toEqual([]);
  });

  it('captures customer edits (only what changed), employees and products, in order', async () => {
    const { r, db } = await start();
    pair(r, db);
    // Pairing sends what the register already holds: every employee, product and customer.
    const seeded = outbox(db);
    const kinds = new Set(seeded.map((row) => row.kind));
    expect([...kinds].sort()).toEqual(['customer.upsert', 'employee.upsert', 'product.upsert']);
    expect(seeded.map((row) => row.seq)).toEqual(seeded.map((_, i) => i + 1));
    value(await r.call('session.login', { pin: DEMO_PINS.admin }));
    const id = await hartId(r);
    const detail = value<{ form: Record<string, unknown> }>(await r.call('customers.get', { id }));
    const commandId = newId();
    value(await r.call('customers.update', { commandId, id, form: { ...detail.form, notes: 'Prefers pre-rolls', phone: '555 0199' } }));
    // The same command again is applied once: no second hub command.
    value(await r.call('customers.update', { commandId, id, form: { ...detail.form, notes: 'Prefers pre-rolls', phone: '555 0199' } }));
    // An edit that changes nothing sends nothing.
    const same = value<{ form: Record<string, unknown> }>(await r.call('customers.get', { id }));
    value(await r.call('customers.update', { commandId: newId(), id, form: same.form }));
    const employee = value<{ id: string }>(
      await r.call('staff.employees.add', { commandId: newId(), name: 'Nia New', role: 'budtender', permissions: ['sell'], pin: '4862' }),
    );
    const product = value<{ id: string }>(
      await r.call('catalogue.save', {
        commandId: newId(),
        productId: null,
        product: {
          name: 'Sherbet 3.5g',
          category: 'flower',
          upc: null,
          barcodes: [],
          unitWeightMg: 3500,
          usableWeightMg: 3500,
          thcValue: 2000,
          thcUnit: 'pct_x100',
          priceCents: 4000,
          soldMedical: true,
          soldAdultUse: true,
        },
      }),
    );
    const rows = outbox(db).slice(seeded.length);
    const n = seeded.length;
    expect(rows.map((row) => [row.seq, row.kind])).toEqual([
      [n + 1, 'customer.upsert'],
      [n + 2, 'employee.upsert'],
      [n + 3, 'product.upsert'],
    ]);
    expect(rows[0]!.payload).toMatchObject({ customerId: id, fields: { notes: 'Prefers pre-rolls', phone: '555 0199' } });
    // Unchanged fields stay out (the hub merges per field: a later edit of another field at another station wins there).
    expect(rows[0]!.payload.fields).not.toHaveProperty('firstName');
    expect(rows[0]!.payload.fields).not.toHaveProperty('lastName');
    expect(rows[0]!.payload.fields).not.toHaveProperty('dateOfBirth');
    expect(rows[1]!.payload).toMatchObject({ id: employee.id, name: 'Nia New', role: 'budtender', active: true, pinMustChange: true });
    expect(String(rows[1]!.payload.pinHash)).toMatch(/^scrypt\$/);
    expect(rows[2]!.payload).toMatchObject({ id: product.id, name: 'Sherbet 3.5g', priceCents: 4000, soldMedical: true });
  });

  it("captures a patient's caregiver links after the patient's own edit, and pairing sends the links the register holds", async () => {
    const { r, db } = await start();
    value(await r.call('session.login', { pin: DEMO_PINS.manager }));
    const idOf = (first: string, last: string) => (db.prepare('SELECT id FROM customers WHERE first_name = ? AND last_name = ?').get(first, last) as { id: string }).id;
    const [rosa, grace, henry] = [idOf('Rosa', 'Delgado'), idOf('Grace', 'Chen'), idOf('Henry', 'Alvarez')];
    const setCaregivers = async (first: string, others: string[]) => {
      const detail = value<{ form: Record<string, unknown> }>(await r.call('customers.get', { id: rosa }));
      value(await r.call('customers.update', { commandId: newId(), id: rosa, form: { ...detail.form, caregiverCustomerId: first, otherCaregiverIds: others } }));
    };
    await setCaregivers(grace, [henry]);
    pair(r, db);
    const seeded = outbox(db);
    const links = seeded.filter((row) => row.kind === 'customer_caregiver.add');
    expect(links.map((row) => row.payload.caregiverId)).toEqual([grace, henry]);
    expect(links.every((row) => row.payload.patientId === rosa)).toBe(true);
    // After every customer: the hub and the other stations know the patient before the link.
    const lastCustomer = Math.max(...seeded.filter((row) => row.kind === 'customer.upsert').map((row) => row.seq));
    expect(Math.min(...links.map((row) => row.seq))).toBeGreaterThan(lastCustomer);

    // Grace taken off: the profile's first caregiver changes (customer.upsert), then the removal.
    await setCaregivers(henry, []);
    const removed = outbox(db).slice(seeded.length);
    expect(removed.map((row) => row.kind)).toEqual(['customer.upsert', 'customer_caregiver.remove']);
    expect(removed[1]!.payload).toMatchObject({ patientId: rosa, caregiverId: grace });
    // Grace added back as a second caregiver: the profile is as it was, so only the link travels.
    await setCaregivers(henry, [grace]);
    const added = outbox(db).slice(seeded.length + removed.length);
    expect(added.map((row) => [row.kind, row.payload.caregiverId])).toEqual([['customer_caregiver.add', grace]]);
  });

  it('a refused change writes no hub command (same transaction)', async () => {
    const { r, db } = await start();
    pair(r, db);
    const seeded = outbox(db).length;
    value(await r.call('session.login', { pin: DEMO_PINS.admin }));
    // A PIN another employee has is refused: no employee, no command.
    const refused = await r.call('staff.employees.add', { commandId: newId(), name: 'Twin', role: 'budtender', permissions: ['sell'], pin: DEMO_PINS.budtender });
    expect(refused.ok).toBe(false);
    expect(outbox(db)).toHaveLength(seeded);
  });

  it("captures a returning customer's profile brought up to date from a rescanned licence (counter checks)", async () => {
    const { r, db } = await start();
    pair(r, db);
    const seeded = outbox(db).length;
    value(await r.call('session.login', { pin: DEMO_PINS.budtender }));
    const id = await hartId(r);
    const raw = modernPayload({ DAQ: 'H12345678', DCS: 'HART', DAC: 'OLIVIA', DBB: '04121988', DBA: '04122034' });
    const updated = value<{ changes: Array<{ field: string }> }>(await r.call('customers.updateFromScan', { commandId: newId(), customerId: id, raw }));
    expect(updated.changes.map((c) => c.field)).toContain('ID expiration');
    const rows = outbox(db).slice(seeded);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0]!.payload)).toContain('2034-04-12');
  });

  it('mirrors a sale with its lines and the allotment it used', async () => {
    const { r, db } = await start();
    pair(r, db);
    prepareStore(db);
    const driver = salesDriver(db, resourcesDir, Date.now());
    const { saleId } = await driver.ringSale();
    const rows = outbox(db);
    const sale = rows.find((row) => row.kind === 'sale.record')!;
    expect(sale.payload).toMatchObject({ saleId, channel: 'medical', grantId: null, outagePolicy: 'none' });
    expect(sale.payload.lines).toHaveLength(5);
    expect((sale.payload.allotmentUsed as Array<{ amount: number }>).reduce((sum, a) => sum + a.amount, 0)).toBeGreaterThan(0);
    // Points earned on the sale go too (rewards.entry), in the same transaction.
    expect(rows.map((row) => row.kind)).toContain('sale.record');
    expect(rows.map((row) => row.seq)).toEqual(rows.map((_, i) => i + 1));

    // A return of two lines: their line numbers and the allotment they gave back (read through the sale's rows).
    const manager = toEmployee(db.prepare(`SELECT id, name, role, active FROM employees WHERE role = 'manager' LIMIT 1`).get() as { id: string; name: string; role: 'manager'; active: number });
    const receipt = driver.service.receipt(saleId);
    const returnedLines = receipt.lines.slice(1, 3);
    driver.service.returnLines(manager, { commandId: newId(), saleId, reason: 'test', refundTender: 'cash', lines: returnedLines.map((line) => ({ saleLineId: line.saleLineId, quantity: 1 })) });
    const back = outbox(db).find((row) => row.kind === 'sale.void')!;
    expect(back.payload).toMatchObject({ saleId, employeeId: manager.id, lines: [{ lineNo: 2, quantity: 1 }, { lineNo: 3, quantity: 1 }] });
    const given = db.prepare('SELECT SUM(amount) AS n FROM allotment_uses WHERE return_id IS NOT NULL').get() as { n: number };
    expect(given.n).toBeLessThan(0);
    expect((back.payload.allotmentReturned as Array<{ amount: number }>).reduce((sum, a) => sum + a.amount, 0)).toBe(-given.n);
  });
});
