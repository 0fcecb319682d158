/**
 * Hub disk lost, with real stations (issue 15): three registers sell before and after the hub's
 * last backup; the hub's data folder is deleted; the registers keep selling; the backup (its copy
 * on another disk) is restored on "another PC" (a new folder, its own PostgreSQL, the same address)
 * with a new epoch. Each register resyncs, pushes again what the backup lacks, and every sale is
 * on the hub exactly once; a customer document's file the restored hub lacks (its record is in
 * the backup, so no command goes again) is sent again by the register that added it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { DEMO_PINS } from '../../main/demo/seed.js';
import { newId } from '../../main/store/ids.js';
import { signaturePng } from '../support/png.js';
import { join } from 'node:path';
import { openDatabase } from '../../hub/postgres.js';
import { backupRows, restoreBackup, restoreTls, verifyBackup } from '../../hub/backup-restore.js';
import { startTestHub, type TestHub } from '../support/hub-server.js';
import { tempDir } from '../support/paths.js';
import {
  compareSales,
  customerIdByName,
  fastSync,
  HUB_SALES_SQL,
  localSaleIds,
  makeTemplate,
  ringAdultUse,
  startStation,
  stopHub,
  synced,
  until,
  type Station,
  type StoreTemplate,
} from '../support/stations.js';

const folder = tempDir('hub-restore-stations-');
let hub: TestHub | undefined;
let template: StoreTemplate;
let registers: Station[] = [];

beforeAll(async () => {
  fastSync();
  hub = await startTestHub({ dataDir: join(folder.dir, 'pc1', 'hub'), backupCopyDirs: [join(folder.dir, 'register-share')] });
  template = await makeTemplate();
  registers = [];
  for (const name of ['Register 1', 'Register 2', 'Register 3']) registers.push(await startStation(hub.hub, template, name, 'register'));
  for (const station of registers) await synced(station, 60_000);
}, 300_000);

afterAll(async () => {
  for (const station of registers) await station.stop();
  await stopHub(hub);
  template?.cleanup();
  folder.cleanup();
}, 90_000);

const CODES = ['7194220405500988', '7194220405500840', '7194220405500877'];

async function sellEverywhere(count: number, customers: string[]): Promise<string[]> {
  const sold: string[] = [];
  await Promise.all(
    registers.map(async (station, index) => {
      for (let i = 0; i < count; i++) {
        const result = await ringAdultUse(station, customers[(index + i) % customers.length]!, CODES[i % CODES.length]!);
        if ('refused' in result) throw new Error(`${station.name} refused a sale: ${result.refused}`);
        sold.push(result.saleId);
      }
    }),
  );
  return sold;
}

describe('hub data folder lost', () => {
  it('restored from its last backup with a new epoch, the registers push again what it lacks: every sale once', async () => {
    const first = hub!;
    const customers = [['Olivia', 'Hart'], ['Marcus', 'Bell'], ['Dana', 'Kowalski']].map(([f, l]) => customerIdByName(registers[0]!, f!, l!));
    const beforeBackup = await sellEverywhere(4, customers);
    // A document added at Register 1 (by a manager), its record and file on the hub before the backup.
    const adder = registers[0]!;
    await adder.call('session.logout');
    await adder.call('session.login', { pin: DEMO_PINS.manager });
    const documentBytes = signaturePng(401, 120);
    const documentSha = createHash('sha256').update(documentBytes).digest('hex');
    const uploadId = newId();
    await adder.call('customers.uploadPart', { uploadId, index: 0, dataBase64: documentBytes.toString('base64') });
    const document = await adder.call<{ id: string; sha256: string }>('customers.addDocument', { commandId: newId(), customerId: customers[0], kind: 'other', mime: 'image/png', source: { from: 'upload', uploadId }, useAsPhoto: false });
    expect(document.sha256).toBe(documentSha);
    for (const station of registers) await synced(station);
    expect(existsSync(join(first.dataDir, 'files', documentSha))).toBe(true);
    const backup = await first.hub.backup();
    expect(backup.copies).toHaveLength(1);
    const oldEpoch = first.hub.meta().hubEpoch;
    // Acknowledged by the hub but not in any backup: only the registers still hold these.
    const afterBackup = await sellEverywhere(3, customers);
    for (const station of registers) await synced(station);
    expect(Number((await first.hub.pool.query<{ n: string }>('SELECT count(*) AS n FROM sales')).rows[0]!.n)).toBe(21);

    // The hub PC's disk is lost (its data folder, its backups folder with it).
    const port = first.hub.port;
    await stopHub(first);
    hub = undefined;
    rmSync(first.dataDir, { recursive: true, force: true });
    for (const station of registers) await until(`${station.name} shows the hub offline`, async () => (await station.status()).offlineSince !== null, 30_000);
    const duringOutage = await sellEverywhere(2, customers);

    // Another PC: the backup's copy restored into a new folder, started on the same address.
    const pc2 = join(folder.dir, 'pc2', 'hub');
    const copy = backup.copies[0]!;
    expect(existsSync(backup.path)).toBe(false);
    const file = await verifyBackup(copy);
    // The backup holds only the sales made before it: the rest must come from the registers.
    const backedUpSales: string[] = [];
    await backupRows(file, 'sales', (rows) => {
      for (const row of rows) backedUpSales.push(String(row.id));
    });
    expect(backedUpSales.sort()).toEqual([...beforeBackup].sort());
    const db = await openDatabase({ dataDir: pc2 });
    let epoch: string;
    try {
      epoch = await restoreBackup(db.pool, file, copy);
      restoreTls(file, pc2);
    } finally {
      await db.close();
    }
    expect(epoch).not.toBe(oldEpoch);
    // Rows and TLS only: the restored hub holds no document file (as when its backup lacked one).
    expect(existsSync(join(pc2, 'files', documentSha))).toBe(false);
    hub = await startTestHub({ dataDir: pc2, port });
    const second = hub;
    for (const station of registers) await synced(station, 90_000);
    for (const station of registers) {
      expect(station.db.prepare('SELECT hub_epoch FROM hub_sync').get()).toEqual({ hub_epoch: epoch });
    }
    // The document's command was in the backup (nothing pushed again for it): Register 1 checked its
    // own files on the new epoch's hub and sent the missing one.
    expect((await second.hub.pool.query('SELECT 1 FROM customer_documents WHERE id = $1', [document.id])).rowCount).toBe(1);
    await until('Register 1 sent its document file to the restored hub', () => existsSync(join(pc2, 'files', documentSha)), 30_000);
    expect(readFileSync(join(pc2, 'files', documentSha)).equals(documentBytes)).toBe(true);

    const mine = [...beforeBackup, ...afterBackup, ...duringOutage];
    expect(mine).toHaveLength(27);
    expect(registers.flatMap((station) => localSaleIds(station)).sort()).toEqual([...mine].sort());
    const onHub = (await second.hub.pool.query<{ id: string; n: number }>(HUB_SALES_SQL)).rows;
    expect(compareSales(mine, onHub)).toEqual({ lost: [], duplicates: [], extra: [] });
    const commands = (await second.hub.pool.query<{ sale_id: string; n: number }>("SELECT payload->>'saleId' AS sale_id, count(*)::int AS n FROM commands WHERE kind = 'sale.record' GROUP BY 1")).rows;
    expect(commands).toHaveLength(27);
    expect(commands.filter((row) => row.n !== 1)).toEqual([]);
    const movements = (await second.hub.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM stock_movements WHERE reason = 'sale'")).rows;
    expect(movements[0]?.n).toBe(27);
    for (const station of registers) {
      expect(await station.status()).toMatchObject({ connected: true, pending: 0, offlineSince: null });
      expect(station.db.prepare("SELECT count(*) AS n FROM hub_outbox WHERE state = 'rejected'").get()).toEqual({ n: 0 });
      // Pulled again from version 0 under the new epoch, and every change taken.
      expect(station.db.prepare("SELECT id, data FROM hub_records WHERE entity = 'apply_failed'").all()).toEqual([]);
    }
  }, 300_000);
});
