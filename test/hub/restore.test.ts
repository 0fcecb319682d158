/**
 * Hub disk lost: a backup restored on "another PC" (a new data folder, its own PostgreSQL) gets a
 * new epoch; a register that comes back resyncs, pushes again what the backup lacks, and every sale
 * lands exactly once. Also: a hub starts over a stale postmaster.pid left by a crash.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { openDatabase } from '../../hub/postgres.js';
import { HUB_TABLES } from '../../hub/backup.js';
import { restoreBackup, restoreTls, verifyBackup } from '../../hub/backup-restore.js';
import { HubRequestError, pairedStation, startTestHub, TestStation, type TestHub } from '../support/hub-server.js';
import type { CommandBody, CommandEnvelope } from '../../hub/protocol.js';

const root = mkdtempSync(join(tmpdir(), 'hub-restore-'));
const running: TestHub[] = [];
afterAll(async () => {
  for (const t of running) await t.stop().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
}, 60_000);

function sale(receiptNumber: number): CommandBody {
  return {
    kind: 'sale.record',
    payload: {
      saleId: ulid(),
      receiptNumber,
      customerId: null,
      patientCustomerId: null,
      channel: 'adult_use',
      employeeId: ulid(),
      totalCents: 2000,
      taxCents: 200,
      completedAt: Date.now(),
      businessDate: '2026-12-07',
      queueEntryId: null,
      grantId: null,
      outagePolicy: 'none',
      allotmentUsed: [],
      lines: [{ lineNo: 1, productId: ulid(), name: 'Pre-roll', category: 'flower', quantity: 1, netCents: 1800, taxCents: 200, allotmentCounts: null }],
    },
  };
}

describe('backup and restore', () => {
  it('restores a backup on another PC with a new epoch; the register re-pushes and every sale lands once', async () => {
    const offDisk = join(root, 'register-share');
    const first = await startTestHub({ dataDir: join(root, 'pc1'), backupCopyDirs: [offDisk] });
    running.push(first);
    const station = await pairedStation(first.hub, 'Register 1');
    const oldEpoch = station.hubEpoch;
    const outbox: CommandEnvelope[] = [];
    for (let i = 1; i <= 3; i++) outbox.push(station.command(sale(i)));
    expect((await station.push(outbox)).acks.map((a) => a.status)).toEqual(['applied', 'applied', 'applied']);
    const backup = await first.hub.backup();
    expect(backup.rows).toBeGreaterThan(0);
    expect(backup.copies).toHaveLength(1);
    const hello = await new TestStation(first.hub, station.token).connect(oldEpoch);
    expect(hello.backedUpSeq).toBe(3);
    for (let i = 4; i <= 5; i++) outbox.push(station.command(sale(i)));
    await station.push(outbox.slice(3));
    station.close();
    const fingerprint = first.hub.fingerprint256;

    // The hub PC's disk is lost.
    await first.stop();
    running.splice(running.indexOf(first), 1);
    rmSync(first.dataDir, { recursive: true, force: true });

    const pc2 = join(root, 'pc2');
    const copy = backup.copies[0] ?? '';
    expect(existsSync(backup.path)).toBe(false);
    const file = await verifyBackup(copy);
    const db = await openDatabase({ dataDir: pc2 });
    let epoch: string;
    try {
      epoch = await restoreBackup(db.pool, file, copy);
      restoreTls(file, pc2);
      // A second restore into the same hub is refused.
      await expect(restoreBackup(db.pool, file, copy)).rejects.toThrow(/already holds a store/);
    } finally {
      await db.close();
    }
    expect(epoch).not.toBe(oldEpoch);

    const second = await startTestHub({ dataDir: pc2 });
    running.push(second);
    expect(second.hub.fingerprint256).toBe(fingerprint);
    const back = new TestStation(second.hub, station.token);
    const again = await back.connect(oldEpoch);
    expect(again).toMatchObject({ resync: true, hubEpoch: epoch, lastSeq: 3 });
    // A request under the old epoch is refused with the new one.
    await expect(back.request({ type: 'pull', hubEpoch: oldEpoch, since: 0 })).rejects.toSatisfy((e: unknown) => e instanceof HubRequestError && e.frame.code === 'wrong_epoch' && e.frame.hubEpoch === epoch);
    // The register pushes its whole kept outbox again: what the backup holds is a duplicate, the rest applies.
    const acks = (await back.push(outbox)).acks.map((a) => a.status);
    expect(acks).toEqual(['duplicate', 'duplicate', 'duplicate', 'applied', 'applied']);
    const sales = await second.hub.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sales');
    expect(sales.rows[0]?.n).toBe(5);
    const changes = await back.pullAll(0);
    expect(changes.filter((c) => c.entity === 'sale')).toHaveLength(5);
    const audit = await second.hub.pool.query("SELECT 1 FROM hub_audit WHERE action = 'hub.restored'");
    expect(audit.rowCount).toBe(1);
    back.close();
  }, 180_000);

  it('starts over a stale postmaster.pid left by a crash', async () => {
    const dir = join(root, 'crash');
    const t = await startTestHub({ dataDir: dir });
    await t.stop();
    // A crash leaves the lock file naming a process that is gone.
    const gone = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    const pidFile = join(dir, 'pg', 'postmaster.pid');
    writeFileSync(pidFile, `${gone}\n${join(dir, 'pg')}\n0\n5432\n\n127.0.0.1\n`);
    const again = await startTestHub({ dataDir: dir });
    running.push(again);
    const station = await pairedStation(again.hub, 'After crash');
    expect(station.deviceId).toMatch(/^[0-9A-Z]{26}$/);
    expect(existsSync(pidFile)).toBe(true);
    station.close();
  }, 120_000);
});

describe('what a backup holds', () => {
  it('every hub table, caregiver links included: a restore brings each link back as it was (linked or removed)', async () => {
    const t = await startTestHub({ dataDir: join(root, 'links-pc1') });
    running.push(t);
    // Every table the migrations make is in the backup's list (a table left out would be lost by a restore).
    const made = await t.hub.pool.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name");
    expect(made.rows.map((r) => r.table_name).sort()).toEqual([...HUB_TABLES].sort());

    const station = await pairedStation(t.hub, 'Intake');
    const [patient, caregiver, other] = [ulid(), ulid(), ulid()];
    const acks = await station.push([
      station.command({ kind: 'customer_caregiver.add', payload: { patientId: patient, caregiverId: caregiver, addedAt: 1_000 } }, 1_000),
      station.command({ kind: 'customer_caregiver.add', payload: { patientId: patient, caregiverId: other, addedAt: 1_001 } }, 1_001),
      station.command({ kind: 'customer_caregiver.remove', payload: { patientId: patient, caregiverId: other, removedAt: 2_000 } }, 2_000),
    ]);
    expect(acks.acks.map((a) => a.status)).toEqual(['applied', 'applied', 'applied']);
    station.close();
    const backup = await t.hub.backup();
    await t.stop();
    running.splice(running.indexOf(t), 1);

    const db = await openDatabase({ dataDir: join(root, 'links-pc2') });
    try {
      await restoreBackup(db.pool, await verifyBackup(backup.path), backup.path);
      const links = await db.pool.query<{ caregiver_id: string; added_at: number; removed_at: number | null }>(
        'SELECT caregiver_id, added_at, removed_at FROM customer_caregivers WHERE patient_id = $1 ORDER BY added_at',
        [patient],
      );
      expect(links.rows).toEqual([
        { caregiver_id: caregiver, added_at: 1_000, removed_at: null },
        { caregiver_id: other, added_at: 1_001, removed_at: 2_000 },
      ]);
    } finally {
      await db.close();
    }
  }, 180_000);
});

describe('a hub killed outright', () => {
  it('starts again on its folder: the PostgreSQL it left running is shut down first', async () => {
    const { spawn } = await import('node:child_process');
    const { readFileSync } = await import('node:fs');
    const { repoRoot } = await import('../support/paths.js');
    const dir = join(root, 'killed');
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'hub', 'cli.ts'), '--data-dir', dir, '--port', '0', '--no-mdns'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the hub did not start:\n${out}`)), 90_000);
      const onData = (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (/running on port \d+/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
    });
    const postmaster = Number(readFileSync(join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    // The hub is gone; its PostgreSQL is still running on the folder.
    expect(() => process.kill(postmaster, 0)).not.toThrow();
    const again = await startTestHub({ dataDir: dir });
    running.push(again);
    expect(() => process.kill(postmaster, 0)).toThrow();
    const station = await pairedStation(again.hub, 'After kill');
    expect((await station.request({ type: 'pull', hubEpoch: station.hubEpoch, since: 0, limit: 10 })).hubEpoch).toBe(station.hubEpoch);
    station.close();
  }, 180_000);
});

describe('hub migrations', () => {
  it('0001 makes the audit append-only on a hub database of the previous version, keeping its rows', async () => {
    const t = await startTestHub({ dataDir: join(root, 'migrations') });
    running.push(t);
    await t.hub.pool.query('CREATE DATABASE previous');
    const { default: pg } = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const { migrate } = await import('drizzle-orm/node-postgres/migrator');
    const { hubMigrationsFolder } = await import('../../hub/postgres.js');
    const { copyFileSync, mkdirSync, readFileSync } = await import('node:fs');
    // drizzle/hub as it was at 0000: the first migration and a journal naming only it.
    const old = join(root, 'migrations-0000');
    mkdirSync(join(old, 'meta'), { recursive: true });
    copyFileSync(join(hubMigrationsFolder(), '0000_hub_init.sql'), join(old, '0000_hub_init.sql'));
    const journal = JSON.parse(readFileSync(join(hubMigrationsFolder(), 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> };
    writeFileSync(join(old, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.filter((e) => e.tag === '0000_hub_init') }));
    const pool = new pg.Pool({ ...t.hub.db.connection, database: 'previous', max: 2 });
    pool.on('error', () => undefined);
    try {
      await migrate(drizzle(pool), { migrationsFolder: old });
      await pool.query("INSERT INTO hub_audit (at, action, details, prev_hash, hash) VALUES (1, 'device.paired', '{}'::jsonb, 'a', 'b')");
      await pool.query("UPDATE hub_audit SET action = 'edited'"); // allowed before 0001
      await migrate(drizzle(pool), { migrationsFolder: hubMigrationsFolder() });
      await expect(pool.query("UPDATE hub_audit SET action = 'again'")).rejects.toThrow(/append-only/);
      await expect(pool.query('DELETE FROM hub_audit')).rejects.toThrow(/append-only/);
      const rows = await pool.query<{ action: string }>('SELECT action FROM hub_audit');
      expect(rows.rows).toEqual([{ action: 'edited' }]);
    } finally {
      await pool.end();
    }
  }, 120_000);
});
