/**
 * The slow work on the database runs beside selling, not in its way (issue 12): the full
 * integrity check goes table by table in a worker and stops at close without leaving a
 * connection open; backups are one consistent snapshot made in a worker while writers go on;
 * a backup that runs out of time leaves no file; start-up skips quick_check on a big store and
 * the background check still finds the damage.
 */
import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBackup, listBackups } from '../../../main/store/backup.js';
import { databaseFileIn, openStore } from '../../../main/store/db.js';
import { startIntegrityCheck } from '../../../main/store/integrity.js';
import { migrationsFolder, tempDir } from '../../support/paths.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';

const STORE = '01JAAAAAAAAAAAAAAAAAAAAAAA';
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
function temp(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

function storeWithRows(rows: number): { file: string; sqlite: Database.Database; close(): void } {
  const file = join(temp(), 'register.sqlite');
  const store = openStore({ file, migrationsFolder });
  const insert = store.sqlite.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)');
  store.sqlite.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`row-${i}`, 'x'.repeat(100), i);
  })();
  return { file, sqlite: store.sqlite, close: () => store.close() };
}

describe('the background integrity check', () => {
  it('checks a sound file table by table and passes it', async () => {
    const store = storeWithRows(100);
    const check = startIntegrityCheck(store.file, { restFactor: 0 });
    expect(await check.result).toBeNull();
    store.close();
  });

  it('stops between slices when asked, closing its connection: the WAL goes away at close', async () => {
    const store = storeWithRows(2000);
    // Resting 5 s after each slice: without stop() it would take minutes.
    const check = startIntegrityCheck(store.file, { restFactor: 1e6, maxRestMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await check.stop(5000);
    expect(await check.result).toBe('stopped');
    store.close();
    // Only the last connection to close removes the WAL: the worker's was closed first.
    expect(existsSync(`${store.file}-wal`)).toBe(false);
  });
});

describe('backups in a worker', () => {
  it.each([
    ['in a worker process (a big store)', 0],
    ["in the register's process (a small store)", undefined],
  ])('is one consistent snapshot while another connection keeps writing: %s', async (_where, inProcessMaxBytes) => {
    const store = storeWithRows(20_000);
    const backupDir = join(temp(), 'backups');
    const writer = store.sqlite.prepare("UPDATE settings SET updated_at = updated_at + 1 WHERE key LIKE 'row-%'");
    let writes = 0;
    const busy = setInterval(() => {
      store.sqlite.transaction(() => writer.run())();
      writes += 1;
    }, 1);
    let target: string | null;
    try {
      target = await createBackup(store.file, backupDir, {
        keep: 3,
        now: 1_700_000_000_000,
        storeIdentity: STORE,
        ...(inProcessMaxBytes === undefined ? {} : { inProcessMaxBytes }),
      });
    } finally {
      clearInterval(busy);
    }
    store.close();
    expect(target).not.toBeNull();
    expect(writes).toBeGreaterThan(0);
    const copy = new Database(target!, { readonly: true });
    // Every row was moved together in each transaction: a snapshot has them all at one value.
    const spread = copy.prepare("SELECT COUNT(*) AS n, COUNT(DISTINCT updated_at - CAST(substr(key, 5) AS INTEGER)) AS versions FROM settings WHERE key LIKE 'row-%'").get();
    expect(spread).toEqual({ n: 20_000, versions: 1 });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
    expect(listBackups(backupDir)[0]).toMatchObject({ intact: true, storeIdentity: STORE });
  });

  it('leaves no file when it runs out of time or is stopped', async () => {
    const store = storeWithRows(2000);
    const backupDir = join(temp(), 'backups');
    const worker = { keep: 3, storeIdentity: STORE, inProcessMaxBytes: 0 };
    // The deadline passes while the worker process is starting: it is ended, its file removed.
    expect(await createBackup(store.file, backupDir, { ...worker, now: 1, deadline: Date.now() + 5 })).toBeNull();
    const abort = new AbortController();
    const stopped = createBackup(store.file, backupDir, { ...worker, now: 2, signal: abort.signal });
    setTimeout(() => abort.abort(), 5);
    expect(await stopped).toBeNull();
    // The worker finishes its one step on its own, then its file is removed.
    await vi.waitFor(() => expect(readdirSync(backupDir)).toEqual([]), { timeout: 10_000, interval: 50 });
    store.close();
  });
});

describe('start-up on a big store', () => {
  it('skips quick_check above the size limit and the background check still finds the damage', async () => {
    const dir = temp();
    const first = await startTestRegister({}, dir);
    await first.close();
    // Damage a customers page (start-up itself does not read customers): a bad page type.
    const file = databaseFileIn(dir);
    const sqlite = new Database(file);
    const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
    const { rootpage } = sqlite.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'customers'").get() as { rootpage: number };
    sqlite.close();
    const bytes = readFileSync(file);
    bytes[(rootpage - 1) * pageSize] = 0x07;
    writeFileSync(file, bytes);

    // Within the limit (the default): caught before anything runs.
    const small = await startTestRegister({}, dir);
    cleanups.push(() => small.close());
    expect(await small.call('app.status')).toMatchObject({ ok: true, value: { state: 'damaged' } });
    await small.close();

    // Over the limit: ready at once, then the background check stops the register.
    const big: TestRegister = await startTestRegister({ startupCheckMaxBytes: 0, integrityRestFactor: 0 }, dir);
    cleanups.push(() => big.close());
    expect(await big.call('app.status')).toMatchObject({ ok: true, value: { state: 'ready', databaseCheck: 'checking' } });
    await big.register.whenDatabaseChecked();
    expect(await big.call('app.status')).toMatchObject({ ok: true, value: { state: 'damaged' } });
  });
});
