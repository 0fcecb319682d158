import { chmodSync, writeFileSync, existsSync, readdirSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, ensureDataFolder, databaseFileIn } from '../../../main/store/db.js';
import { DataFolderError, StoreDamagedError } from '../../../main/store/errors.js';
import { createBackup, isIntact, listBackups, restoreBackup } from '../../../main/store/backup.js';
import { newId, isUlid } from '../../../main/store/ids.js';
import { createFileLogger } from '../../../main/log/logger.js';
import { migrationsFolder, tempDir } from '../../support/paths.js';

const STORE_A = '01JAAAAAAAAAAAAAAAAAAAAAAA';
const STORE_B = '01JBBBBBBBBBBBBBBBBBBBBBBB';

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});
function temp(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('openStore', () => {
  it('applies the durability pragmas and the migrations', () => {
    const store = openStore({ file: join(temp(), 'r.sqlite'), migrationsFolder });
    expect(store.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.sqlite.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(store.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    const tables = (store.sqlite.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as Array<{ name: string }>).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['employees', 'customers', 'products', 'inventory_movements', 'audit_events', 'applied_commands', 'settings']));
    store.close();
  });

  it('reopens an existing database without losing rows', () => {
    const file = join(temp(), 'r.sqlite');
    const first = openStore({ file, migrationsFolder });
    first.sqlite.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('k', '\"v\"', 1)").run();
    first.close();
    const second = openStore({ file, migrationsFolder });
    expect(second.sqlite.prepare("SELECT value FROM settings WHERE key='k'").get()).toEqual({ value: '"v"' });
    second.close();
  });

  it('refuses a file that is not a database with a clear message, and leaves it in place', () => {
    const file = join(temp(), 'r.sqlite');
    writeFileSync(file, 'this is not sqlite '.repeat(500));
    expect(() => openStore({ file, migrationsFolder })).toThrow(StoreDamagedError);
    try {
      openStore({ file, migrationsFolder });
    } catch (error) {
      expect((error as Error).message).toMatch(/damaged.*Restore the newest good backup/);
    }
    expect(existsSync(file)).toBe(true);
  });

  it('detects a damaged page with integrity_check', () => {
    const file = join(temp(), 'r.sqlite');
    const store = openStore({ file, migrationsFolder });
    const insert = store.sqlite.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)');
    store.sqlite.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`key-${i}`, 'x'.repeat(200), i);
    })();
    store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    // Overwrite the middle of the file: pages of the settings table and its index.
    const bytes = readFileSync(file);
    bytes.fill(0x41, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 8192);
    writeFileSync(file, bytes);
    expect(() => openStore({ file, migrationsFolder })).toThrow(StoreDamagedError);
  });

  it('says what to do when the data folder cannot be used', () => {
    const dir = temp();
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    expect(() => ensureDataFolder(join(blocker, 'data'))).toThrow(DataFolderError);
    expect(() => ensureDataFolder(join(blocker, 'data'))).toThrow(/--data-dir or REGISTER_DATA_DIR/);
  });
});

describe('backups', () => {
  it('keeps the newest N backups of this store and restores one, by name, over a damaged file', async () => {
    const dataDir = temp();
    const file = databaseFileIn(dataDir);
    const backupDir = join(dataDir, 'backups');
    const store = openStore({ file, migrationsFolder });
    store.sqlite.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('store.name', '\"Backed up\"', 1)").run();
    for (let i = 0; i < 5; i++) await createBackup(file, backupDir, { keep: 3, now: 1_700_000_000_000 + i, storeIdentity: STORE_A });
    store.close();
    const backups = listBackups(backupDir);
    expect(backups.map((b) => b.createdAt)).toEqual([1_700_000_000_004, 1_700_000_000_003, 1_700_000_000_002]);
    expect(backups.every((b) => b.intact && b.storeIdentity === STORE_A)).toBe(true);
    expect(readdirSync(backupDir).some((n) => n.endsWith('.partial'))).toBe(false);

    writeFileSync(file, 'garbage'.repeat(1000));
    expect(() => openStore({ file, migrationsFolder })).toThrow(StoreDamagedError);
    const newest = backups[0]!;
    const result = await restoreBackup(file, backupDir, newest.name, 1_800_000_000_000);
    expect(result.restoredFrom).toBe(newest.name);
    expect(existsSync(result.damagedFileKeptAs!)).toBe(true);
    const reopened = openStore({ file, migrationsFolder });
    expect(reopened.sqlite.prepare("SELECT value FROM settings WHERE key='store.name'").get()).toEqual({ value: '"Backed up"' });
    reopened.close();
  });

  it("never rotates out another store's backups, nor untagged ones from before identities", async () => {
    const dataDir = temp();
    const file = databaseFileIn(dataDir);
    const backupDir = join(dataDir, 'backups');
    const store = openStore({ file, migrationsFolder });
    await createBackup(file, backupDir, { keep: 2, now: 1_600_000_000_000, storeIdentity: null });
    await createBackup(file, backupDir, { keep: 2, now: 1_600_000_000_001, storeIdentity: STORE_A });
    // A new store in the same folder backs up many times: store A's only backup stays.
    for (let i = 0; i < 6; i++) await createBackup(file, backupDir, { keep: 2, now: 1_700_000_000_000 + i, storeIdentity: STORE_B });
    store.close();
    const left = listBackups(backupDir).map((b) => `${b.createdAt}:${b.storeIdentity ?? 'untagged'}`);
    expect(left).toEqual([`1700000000005:${STORE_B}`, `1700000000004:${STORE_B}`, `1600000000001:${STORE_A}`, '1600000000000:untagged']);
  });

  it('refuses to restore a backup that is itself damaged', async () => {
    const dataDir = temp();
    const backupDir = join(dataDir, 'backups');
    mkdirSync(backupDir);
    const bad = 'register-1700000000000.sqlite';
    writeFileSync(join(backupDir, bad), 'not a database');
    expect(listBackups(backupDir)[0]?.intact).toBe(false);
    await expect(restoreBackup(databaseFileIn(dataDir), backupDir, bad)).rejects.toThrow(/damaged too/);
  });

  it('tells a whole backup from a cut-off one without reading every page (big backups in the list)', async () => {
    const dataDir = temp();
    const file = databaseFileIn(dataDir);
    const backupDir = join(dataDir, 'backups');
    const store = openStore({ file, migrationsFolder });
    const backup = (await createBackup(file, backupDir, { keep: 3, now: 1_700_000_000_000, storeIdentity: STORE_A }))!;
    store.close();
    expect(isIntact(backup, 'header')).toBe(true);
    const cut = join(backupDir, 'register-1700000000001.sqlite');
    const bytes = readFileSync(backup);
    writeFileSync(cut, bytes.subarray(0, bytes.length - 4096));
    expect(isIntact(cut, 'header')).toBe(false);
    await expect(restoreBackup(file, backupDir, basename(cut))).rejects.toThrow(/damaged too/);
  });

  it('restores only a backup named in backups/, never a path elsewhere', async () => {
    const dataDir = temp();
    const backupDir = join(dataDir, 'backups');
    const file = databaseFileIn(dataDir);
    // A sound database file named like a backup, but outside backups/.
    const elsewhere = temp();
    const outsider = openStore({ file: join(elsewhere, 'register-1700000000000.sqlite'), migrationsFolder });
    outsider.close();
    mkdirSync(backupDir);
    for (const name of [
      join(elsewhere, 'register-1700000000000.sqlite'),
      `../${basename(elsewhere)}/register-1700000000000.sqlite`,
      'register-1700000000000.sqlite/../../x.sqlite',
      'register-1700000000000.sqlite',
    ]) {
      await expect(restoreBackup(file, backupDir, name), name).rejects.toThrow(/not the name of a backup|no backup named/);
    }
    expect(existsSync(file)).toBe(false);
  });
});

describe('file permissions', () => {
  it('keeps the data folder 0700 and the database, WAL, SHM, backups and logs 0600', async () => {
    const dataDir = join(temp(), 'data');
    ensureDataFolder(dataDir);
    const file = databaseFileIn(dataDir);
    const store = openStore({ file, migrationsFolder });
    store.sqlite.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('k', '1', 1)").run();
    const backup = await createBackup(file, join(dataDir, 'backups'), { keep: 2, now: 1_700_000_000_000, storeIdentity: STORE_A });
    const logger = createFileLogger(dataDir, () => {});
    logger.log('info', 'hello');
    const mode = (path: string) => statSync(path).mode & 0o777;
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(join(dataDir, 'backups'))).toBe(0o700);
    expect(mode(join(dataDir, 'logs'))).toBe(0o700);
    for (const path of [file, `${file}-wal`, `${file}-shm`, backup!, join(dataDir, 'logs', 'register.log')]) {
      expect(mode(path), path).toBe(0o600);
    }
    store.close();
  });

  it('makes an existing, too open, data folder and database private again', () => {
    const dataDir = join(temp(), 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const file = databaseFileIn(dataDir);
    openStore({ file, migrationsFolder }).close();
    chmodSync(file, 0o644);
    ensureDataFolder(dataDir);
    const store = openStore({ file, migrationsFolder });
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
    store.close();
  });
});

describe('ids', () => {
  it('makes sortable ULIDs on the register', () => {
    const a = newId(1000);
    const b = newId(1000);
    const c = newId(2000);
    expect(isUlid(a)).toBe(true);
    expect(a < b && b < c).toBe(true);
  });
});

