/**
 * The hub killed mid-rush (issue 15): the hub runs as its own process (hub/cli.ts, as `npm run hub`)
 * and is SIGKILLed while three registers ring sales. The registers keep selling on their SQLite
 * (their banner says the hub is offline since the kill), the hub is started again on its folder,
 * and then every sale every register made is on the hub's PostgreSQL exactly once (by sale id,
 * by sale.record command, by stock movement) and every register's outbox is empty.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { tempDir } from '../support/paths.js';
import { compareSales, customerIdByName, fastSync, HUB_SALES_SQL, localSaleIds, makeTemplate, ringAdultUse, startStation, synced, until, type Station, type StoreTemplate } from '../support/stations.js';
import { startChildHub, type ChildHub } from '../support/child-hub.js';

let hub: ChildHub;
let template: StoreTemplate;
let registers: Station[] = [];
const folder = tempDir('hub-killed-');

beforeAll(async () => {
  fastSync();
  hub = await startChildHub(join(folder.dir, 'hub'));
  template = await makeTemplate();
  registers = [];
  for (const name of ['Register 1', 'Register 2', 'Register 3']) registers.push(await startStation(hub, template, name, 'register'));
  for (const station of registers) await synced(station, 60_000);
}, 300_000);

afterAll(async () => {
  for (const station of registers) await station.stop();
  await hub?.stop();
  template?.cleanup();
  folder.cleanup();
}, 90_000);

/** Light adult-use products (one per sale stays far inside every purchase limit). */
const CODES = ['7194220405500988', '7194220405500840', '7194220405500877', '7194220405501099'];
const ADULTS = [
  ['Olivia', 'Hart'],
  ['Marcus', 'Bell'],
  ['Dana', 'Kowalski'],
] as const;

describe('the hub killed mid-rush', () => {
  it('registers keep selling while it is gone; started again, every sale lands on it exactly once', async () => {
    const customers = ADULTS.map(([first, last]) => customerIdByName(registers[0]!, first, last));
    const sold: string[][] = registers.map(() => []);
    const refused: string[] = [];
    let total = 0;
    let killed = false;
    let killing: Promise<void> | null = null;
    const ring = async (index: number, count: number): Promise<void> => {
      const station = registers[index]!;
      for (let i = 0; i < count; i++) {
        const result = await ringAdultUse(station, customers[(index + i) % customers.length]!, CODES[i % CODES.length]!);
        if ('refused' in result) refused.push(`${station.name}: ${result.refused}`);
        else sold[index]!.push(result.saleId);
        total += 1;
        // Mid-rush: the hub process is killed outright once a third of the rush is rung.
        if (!killed && total >= 15) {
          killed = true;
          killing = hub.kill();
        }
      }
    };
    await Promise.all(registers.map((_, index) => ring(index, 15)));
    await killing;
    expect(killed).toBe(true);
    // Every register knows the hub is gone (the banner's "offline since"), and still sells.
    for (const station of registers) await until(`${station.name} shows the hub offline`, async () => (await station.status()).offlineSince !== null, 30_000);
    await Promise.all(registers.map((_, index) => ring(index, 5)));
    expect(refused).toEqual([]);
    for (const station of registers) {
      const status = await station.status();
      expect(status.connected).toBe(false);
      expect(status.pending).toBeGreaterThan(0);
    }

    await hub.restart();
    for (const station of registers) await synced(station, 90_000);

    const mine = sold.flat();
    expect(mine).toHaveLength(60);
    // What the registers hold is what they rang (nothing half-written by the kill).
    expect(registers.flatMap((station) => localSaleIds(station)).sort()).toEqual([...mine].sort());
    const onHub = await hub.query<{ id: string; n: number }>(HUB_SALES_SQL);
    expect(compareSales(mine, onHub)).toEqual({ lost: [], duplicates: [], extra: [] });
    // One sale.record command applied per sale, and one stock movement per sale line.
    const commands = await hub.query<{ sale_id: string; n: number }>("SELECT payload->>'saleId' AS sale_id, count(*)::int AS n FROM commands WHERE kind = 'sale.record' GROUP BY 1");
    expect(commands).toHaveLength(60);
    expect(commands.filter((row) => row.n !== 1)).toEqual([]);
    const movements = await hub.query<{ n: number }>("SELECT count(*)::int AS n FROM stock_movements WHERE reason = 'sale'");
    expect(movements[0]?.n).toBe(60);
    for (const station of registers) {
      expect(station.db.prepare("SELECT count(*) AS n FROM hub_outbox WHERE state <> 'applied'").get()).toEqual({ n: 0 });
      const status = await station.status();
      expect(status).toMatchObject({ connected: true, pending: 0, offlineSince: null });
    }
  }, 300_000);
});
