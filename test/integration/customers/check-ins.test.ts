/**
 * The Customers Directory of recent check-ins (customers.recentCheckIns) and the wording of
 * check-ins and sales in a customer's event history, through a real register (demo store).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ResponseEnvelope } from '../../../preload/api.js';
import { appendAudit } from '../../../main/audit/log.js';
import { DEMO_PINS } from '../../../main/demo/seed.js';
import { newId } from '../../../main/store/ids.js';
import { tempDir } from '../../support/paths.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';

const open: TestRegister[] = [];
const folders: Array<{ cleanup: () => void }> = [];
afterEach(async () => {
  for (const register of open.splice(0)) await register.close();
  for (const folder of folders.splice(0)) folder.cleanup();
});

function value<T>(response: ResponseEnvelope, call: string): T {
  if (!response.ok) throw new Error(`${call}: ${response.error.code} ${response.error.message}`);
  return response.value as T;
}

async function start(): Promise<TestRegister> {
  const folder = tempDir('register-customers-checkins-');
  folders.push(folder);
  const register = await startTestRegister({}, folder.dir);
  open.push(register);
  return register;
}

async function ask<T>(register: TestRegister, call: string, payload: unknown): Promise<T> {
  return value<T>(await register.call(call, payload), call);
}

async function customerId(register: TestRegister, last: string, first: string): Promise<string> {
  const found = await ask<{ results: Array<{ id: string; firstName: string }> }>(register, 'customers.search', { field: 'name', query: last });
  const match = found.results.find((customer) => customer.firstName === first);
  if (!match) throw new Error(`no demo customer ${first} ${last}`);
  return match.id;
}

/** An adult-use check-in at the legal limits (no state-system lookup needed). */
async function checkIn(register: TestRegister, id: string): Promise<{ id: string }> {
  const preparation = await ask<{ as: string; refusals: unknown[] }>(register, 'queue.checkIn.prepare', { customerId: id });
  expect(preparation.refusals).toEqual([]);
  return ask<{ id: string }>(register, 'queue.checkIn', { commandId: newId(), customerId: id, as: preparation.as, allotments: [] });
}

interface DirectoryLine {
  id: string;
  displayName: string;
  checkedInAt: number;
  checkedInAs: string;
  checkedInByName: string | null;
  inQueue: boolean;
}

describe('the Directory of recent check-ins', () => {
  it('lists customers by their latest check-in, newest first, one line each, and keeps them after they leave the queue', async () => {
    const register = await start();
    expect((await register.call('customers.recentCheckIns', { limit: 5 })).ok).toBe(false); // logged in only
    await ask(register, 'session.login', { pin: DEMO_PINS.budtender });
    expect(await ask<DirectoryLine[]>(register, 'customers.recentCheckIns', { limit: 5 })).toEqual([]);

    const olivia = await customerId(register, 'hart', 'Olivia');
    const marcus = await customerId(register, 'bell', 'Marcus');
    const oliviaEntry = await checkIn(register, olivia);
    await checkIn(register, marcus);

    let lines = await ask<DirectoryLine[]>(register, 'customers.recentCheckIns', { limit: 5 });
    expect(lines.map((line) => line.displayName)).toEqual(['Marcus Bell', 'Olivia Hart']);
    expect(lines[0]).toMatchObject({ checkedInAs: 'adult_use', checkedInByName: 'Bea Budtender', inQueue: true });
    expect(lines[0]!.checkedInAt).toBeGreaterThanOrEqual(lines[1]!.checkedInAt);

    // Olivia leaves the queue and comes back: one line, first again, waiting again.
    await ask(register, 'queue.remove', { commandId: newId(), entryId: oliviaEntry.id });
    lines = await ask<DirectoryLine[]>(register, 'customers.recentCheckIns', { limit: 5 });
    expect(lines.find((line) => line.id === olivia)).toMatchObject({ inQueue: false });
    await checkIn(register, olivia);
    lines = await ask<DirectoryLine[]>(register, 'customers.recentCheckIns', { limit: 5 });
    expect(lines.map((line) => [line.displayName, line.inQueue])).toEqual([
      ['Olivia Hart', true],
      ['Marcus Bell', true],
    ]);

    expect(await ask<DirectoryLine[]>(register, 'customers.recentCheckIns', { limit: 1 })).toHaveLength(1);
    for (const limit of [0, 101, 2.5]) expect((await register.call('customers.recentCheckIns', { limit })).ok).toBe(false);
    expect((await register.call('customers.recentCheckIns', { limit: 3, extra: true })).ok).toBe(false);
  });

  it("names check-ins, queue removals and sales in the customer's history in words, with the employee", async () => {
    const register = await start();
    await ask(register, 'session.login', { pin: DEMO_PINS.budtender });
    const olivia = await customerId(register, 'hart', 'Olivia');
    const entry = await checkIn(register, olivia);
    await ask(register, 'queue.remove', { commandId: newId(), entryId: entry.id });

    // A finished sale as checkout records it (action sale.complete, the customer and its details).
    const sqlite = new Database(join(register.dataDir, 'register.sqlite'));
    try {
      appendAudit(sqlite, {
        employeeId: null,
        action: 'sale.complete',
        customerId: olivia,
        saleId: newId(),
        details: { receiptNumber: 1042, totalCents: 123456, lines: 3 },
      });
      appendAudit(sqlite, { employeeId: null, action: 'sale.void', customerId: olivia, details: { reason: 'Wrong product' } });
    } finally {
      sqlite.close();
    }

    const history = await ask<Array<{ summary: string; employeeName: string | null; action: string }>>(register, 'customers.history', { id: olivia });
    expect(history.map((event) => event.summary)).toEqual([
      'Sale voided: Wrong product',
      'Sale #1042: $1,234.56 (3 lines)',
      'Removed from the queue',
      'Checked in as adult use · allotment at the legal limits',
    ]);
    expect(history.find((event) => event.action === 'queue.check_in')?.employeeName).toBe('Bea Budtender');
    // The activity list reads the same words.
    const recent = await ask<Array<{ id: string; lastActivity: string }>>(register, 'customers.recent', { limit: 3 });
    expect(recent.find((line) => line.id === olivia)?.lastActivity).toBe('Sale voided: Wrong product');
  });
});
