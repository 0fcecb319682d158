/**
 * The store hub with real stations: a real PostgreSQL, the hub, an intake desk and three registers
 * (each its own SQLite file, each through its own fault proxy), paired through Settings › Store hub.
 *
 * A check-in at intake shows in every register's queue; a customer edit at one register reaches the
 * others; a command pushed again after its reply was lost has one effect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../main/store/ids.js';
import type { TestHub } from '../support/hub-server.js';
import { customerIdByName, fastSync, openQueue, startStore, type Station, type StoreOnHub, synced, until } from '../support/stations.js';

let store: StoreOnHub | undefined;
let hub: TestHub;
let intake: Station;
let registers: Station[] = [];

beforeAll(async () => {
  fastSync();
  store = await startStore({ registers: 3 });
  ({ hub, intake } = store);
  registers = store.registers;
}, 240_000);

afterAll(() => store?.stop(), 60_000);

describe('stations through the hub', () => {
  it('pairs every station: connected, nothing left to push', async () => {
    for (const station of [intake, ...registers]) {
      const status = await station.status();
      expect(status).toMatchObject({ paired: true, connected: true, pending: 0, offlineSince: null, role: station.role, deviceName: station.name });
    }
    expect(hub.hub.connectedDevices()).toHaveLength(4);
  });

  it('a check-in at intake shows in every register queue', async () => {
    const olivia = customerIdByName(intake, 'Olivia', 'Hart');
    const entry = await intake.call<{ id: string }>('queue.checkIn', { commandId: newId(), customerId: olivia, as: 'adult_use', allotments: [] });
    for (const register of registers) {
      await until(`${register.name} shows Olivia in its queue`, () => openQueue(register).some((row) => row.id === entry.id));
      // The screen hears of it too (queue.changed with the entry).
      await until(`${register.name}'s screen hears of the check-in`, () =>
        register.events.some((event) => event.event === 'queue.changed' && JSON.stringify(event.payload).includes(entry.id)),
      );
    }
    // Removed at one register: gone everywhere, the intake desk included.
    await registers[0]!.call('queue.remove', { commandId: newId(), entryId: entry.id });
    for (const station of [intake, ...registers]) {
      await until(`${station.name} no longer shows Olivia`, () => !openQueue(station).some((row) => row.id === entry.id));
    }
  });

  it('a customer edit at one register reaches the others (only the field changed)', async () => {
    const marcus = customerIdByName(registers[0]!, 'Marcus', 'Bell');
    await registers[0]!.call('session.logout');
    await registers[0]!.call('session.login', { pin: '2222' });
    const detail = await registers[0]!.call<{ form: Record<string, unknown> }>('customers.get', { id: marcus });
    await registers[0]!.call('customers.update', { commandId: newId(), id: marcus, form: { ...detail.form, notes: 'Likes sativa' } });
    for (const station of [intake, registers[1]!, registers[2]!]) {
      await until(`${station.name} has Marcus's note`, () => (station.db.prepare('SELECT notes FROM customers WHERE id = ?').get(marcus) as { notes: string | null }).notes === 'Likes sativa');
    }
  });

  it('a push whose reply was lost is sent again and applied once', async () => {
    const register = registers[1]!;
    const dana = customerIdByName(register, 'Dana', 'Kowalski');
    const before = (await hub.hub.pool.query<{ n: string }>("SELECT COUNT(*) AS n FROM queue_entries WHERE customer_id = $1", [dana])).rows[0]!.n;
    register.proxy.set('drop_down');
    const entry = await register.call<{ id: string }>('queue.checkIn', { commandId: newId(), customerId: dana, as: 'adult_use', allotments: [] });
    // The hub got it (its change log has the entry) while the register heard nothing back.
    await until('the hub holds the check-in', async () => (await hub.hub.pool.query('SELECT 1 FROM queue_entries WHERE id = $1', [entry.id])).rowCount === 1);
    expect((await register.status()).pending).toBeGreaterThan(0);
    register.proxy.set('pass');
    register.proxy.resetOpen();
    await synced(register);
    const after = (await hub.hub.pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM queue_entries WHERE customer_id = $1', [dana])).rows[0]!.n;
    expect(Number(after) - Number(before)).toBe(1);
    const commands = await hub.hub.pool.query<{ n: string }>("SELECT COUNT(*) AS n FROM commands WHERE payload->>'entryId' = $1", [entry.id]);
    expect(Number(commands.rows[0]!.n)).toBe(1);
    await until('the other registers show Dana once', () => registers.every((station) => openQueue(station).filter((row) => row.id === entry.id).length === 1));
  });

  it('every station took every change the hub sent (nothing set aside for a person)', () => {
    for (const station of [intake, ...registers]) {
      expect(station.db.prepare("SELECT id, data FROM hub_records WHERE entity = 'apply_failed'").all()).toEqual([]);
      expect(station.db.prepare("SELECT command_id, kind, result FROM hub_outbox WHERE state = 'rejected'").all()).toEqual([]);
    }
  });
});
