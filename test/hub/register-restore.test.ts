/**
 * A register restored from an old backup of its own SQLite (research/hub.md §6.4): the hub already
 * holds commands this register sent after that backup, so the register's sequence numbers are
 * behind the hub's. The sales it rings before it reaches the hub again get numbers the hub already
 * used: the hub says where to resume, the register numbers them again from there, and every sale
 * (before the backup, after it, and after the restore) is on the hub exactly once.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { DEMO_PINS } from '../../main/demo/seed.js';
import { applyPragmas } from '../../main/store/db.js';
import { startTestHub, type TestHub } from '../support/hub-server.js';
import { tempDir } from '../support/paths.js';
import { startTestRegister, type TestRegister } from '../support/register.js';
import {
  compareSales,
  customerIdByName,
  fastSync,
  HUB_SALES_SQL,
  makeTemplate,
  ringAdultUse,
  startStation,
  stopHub,
  synced,
  until,
  value,
  type Station,
  type StoreTemplate,
} from '../support/stations.js';

const CODE = '7194220405500988';

let hub: TestHub;
let template: StoreTemplate;
let station: Station;
let restored: TestRegister | undefined;
let restoredDb: Database.Database | undefined;
const backupDir = tempDir('register-old-backup-');

beforeAll(async () => {
  fastSync();
  hub = await startTestHub();
  template = await makeTemplate();
  station = await startStation(hub.hub, template, 'Register 1', 'register');
  await synced(station, 60_000);
}, 240_000);

afterAll(async () => {
  restoredDb?.close();
  await restored?.close();
  await station?.proxy.stop();
  await stopHub(hub);
  template?.cleanup();
  backupDir.cleanup();
}, 60_000);

async function sell(customerId: string): Promise<string> {
  const result = await ringAdultUse(station, customerId, CODE);
  if ('refused' in result) throw new Error(result.refused);
  return result.saleId;
}

function deviceSeqOnHub(deviceId: string): Promise<number> {
  return hub.hub.pool.query<{ last_seq: number }>('SELECT last_seq FROM devices WHERE device_id = $1', [deviceId]).then((r) => Number(r.rows[0]!.last_seq));
}

describe('a register restored from an old backup', () => {
  it('numbers its new commands after the hub\'s last one: no sale lost, none twice', async () => {
    const olivia = customerIdByName(station, 'Olivia', 'Hart');
    const before = await sell(olivia);
    await synced(station);
    // The register's backup (an online copy of its SQLite), taken now.
    const backupFile = join(backupDir.dir, 'register.sqlite');
    await station.db.backup(backupFile);
    const deviceId = (station.db.prepare('SELECT device_id FROM hub_sync WHERE id = 1').get() as { device_id: string }).device_id;
    const seqAtBackup = (station.db.prepare('SELECT last_seq FROM hub_sync WHERE id = 1').get() as { last_seq: number }).last_seq;

    // Two more sales reach the hub after the backup.
    const after = [await sell(olivia), await sell(olivia)];
    await synced(station);
    const hubSeq = await deviceSeqOnHub(deviceId);
    expect(hubSeq).toBeGreaterThan(seqAtBackup);

    // The register's disk is lost: its data folder comes back from the backup. It starts cut off
    // from the hub and rings a sale before the link returns.
    const dataDir = station.r.dataDir;
    station.db.close();
    await station.r.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `register.sqlite${suffix}`), { force: true });
    copyFileSync(backupFile, join(dataDir, 'register.sqlite'));
    station.proxy.set('reset');
    restored = await startTestRegister({}, dataDir);
    restoredDb = new Database(join(dataDir, 'register.sqlite'));
    applyPragmas(restoredDb);
    station = { ...station, r: restored, db: restoredDb, call: async <T>(name: string, payload: unknown = {}) => value<T>(await restored!.call(name, payload)) };
    await station.call('session.login', { pin: DEMO_PINS.budtender });
    const local = restoredDb.prepare('SELECT id FROM sales').all() as Array<{ id: string }>;
    expect(local.map((s) => s.id)).toContain(before);
    expect(local.map((s) => s.id)).not.toContain(after[0]);
    const afterRestore = await sell(olivia);
    const numbered = restoredDb.prepare("SELECT device_seq FROM hub_outbox WHERE kind = 'sale.record' AND state = 'pending'").all() as Array<{ device_seq: number }>;
    // Its number is one the hub already used for another command.
    expect(numbered.length).toBeGreaterThan(0);
    expect(Math.min(...numbered.map((n) => n.device_seq))).toBeLessThanOrEqual(hubSeq);

    // The link returns.
    station.proxy.set('pass');
    await until('the restored register has pushed everything', async () => {
      const status = await station.call<{ connected: boolean; pending: number }>('hub.status');
      return status.connected && status.pending === 0;
    }, 30_000);
    const rejected = restoredDb.prepare("SELECT command_id, result FROM hub_outbox WHERE state = 'rejected'").all();
    expect(rejected).toEqual([]);
    // The new sale went on after the hub's last number, in order.
    expect(await deviceSeqOnHub(deviceId)).toBeGreaterThan(hubSeq);
    const hubSales = (await hub.hub.pool.query<{ id: string; n: number }>(HUB_SALES_SQL)).rows;
    const every = [before, ...after, afterRestore];
    const compared = compareSales(every, hubSales);
    expect(compared).toEqual({ lost: [], duplicates: [], extra: [] });
  }, 120_000);
});
