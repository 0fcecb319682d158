/**
 * The scripted rush behind the partition figures (issue 15), small enough for CI: 60 sales across
 * three registers with patients shared between them, the links cut part-way (one black-holed,
 * one reset), the hub process SIGKILLed and started again, the links healed. Nothing is lost,
 * nothing lands twice, and no patient's visit is sold past the allotment agreed at check-in.
 * The bench (test/bench/hub-stations.bench.ts) runs the same rush with 500 sales and prints the
 * figures. See runRush in test/support/stations.ts for what each figure counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { tempDir } from '../support/paths.js';
import { fastSync, makeTemplate, startStation, synced, type Station, type StoreTemplate } from '../support/stations.js';
import { startChildHub, type ChildHub } from '../support/child-hub.js';
import { runRush } from '../support/rush.js';

let hub: ChildHub;
let template: StoreTemplate;
let intake: Station;
let registers: Station[] = [];
const folder = tempDir('hub-rush-');

beforeAll(async () => {
  fastSync();
  hub = await startChildHub(join(folder.dir, 'hub'));
  template = await makeTemplate();
  intake = await startStation(hub, template, 'Intake', 'intake');
  registers = [];
  for (const name of ['Register 1', 'Register 2', 'Register 3']) registers.push(await startStation(hub, template, name, 'register'));
  for (const station of [intake, ...registers]) await synced(station, 60_000);
}, 300_000);

afterAll(async () => {
  for (const station of [intake, ...registers]) await station?.stop();
  await hub?.stop();
  template?.cleanup();
  folder.cleanup();
}, 90_000);

describe('a rush through a partition', () => {
  it('loses no sale, lands none twice and oversells no allotment', async () => {
    const result = await runRush({ hub, intake, registers, sales: 60, timeoutMs: 240_000 });
    // The script ran as written: every fault happened, and there were medical visits to get wrong.
    expect(result.events.map((e) => e.replace(/^[\d.]+ s, \d+ sales: /, ''))).toEqual([
      'links cut: Register 2 black-holed, Register 3 reset',
      'hub SIGKILLed',
      'hub started again on its folder',
      'hub running again',
      'links healed',
      'rush over; waiting for every station to push everything',
      'every station synced',
    ]);
    expect(result.sold).toBeGreaterThanOrEqual(60);
    expect(result.medicalSold).toBeGreaterThan(0);
    expect(result.medicalRefused).toBeGreaterThan(0);
    expect({ lost: result.lostSales, duplicates: result.duplicateSales, oversoldMg: result.oversoldMg }).toEqual({ lost: 0, duplicates: 0, oversoldMg: 0 });
  }, 400_000);
});
