import { writeFileSync, existsSync, readdirSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, ensureDataFolder, databaseFileIn } from '../../../main/store/db.js';
import { DataFolderError, StoreDamagedError } from '../../../main/store/errors.js';
import { createBackup, listBackups, restoreBackup } from '../../../main/store/backup.js';
import { newId, isUlid } from '../../../main/store/ids.js';
import { migrationsFolder, tempDir } from '../../support/paths.js';

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
  it('keeps the newest N intact backups and restores one over a damaged file', async () => {
    const dataDir = temp();
    const file = databaseFileIn(dataDir);
    const backupDir = join(dataDir, 'backups');
    const store = openStore({ file, migrationsFolder });
    store.sqlite.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('store.name', '\"Backed up\"', 1)").run();
    for (let i = 0; i < 5; i++) await createBackup(store.sqlite, backupDir, 3, 1_700_000_000_000 + i);
    store.close();
    const backups = listBackups(backupDir);
    expect(backups.map((b) => b.createdAt)).toEqual([1_700_000_000_004, 1_700_000_000_003, 1_700_000_000_002]);
    expect(backups.every((b) => b.intact)).toBe(true);
    expect(readdirSync(backupDir).some((n) => n.endsWith('.partial'))).toBe(false);

    writeFileSync(file, 'garbage'.repeat(1000));
    expect(() => openStore({ file, migrationsFolder })).toThrow(StoreDamagedError);
    const newest = backups[0]!;
    const result = restoreBackup(file, newest.file, 1_800_000_000_000);
    expect(existsSync(result.damagedFileKeptAs)).toBe(true);
    const reopened = openStore({ file, migrationsFolder });
    expect(reopened.sqlite.prepare("SELECT value FROM settings WHERE key='store.name'").get()).toEqual({ value: '"Backed up"' });
    reopened.close();
  });

  it('refuses to restore a backup that is itself damaged', () => {
    const dataDir = temp();
    const backupDir = join(dataDir, 'backups');
    mkdirSync(backupDir);
    const bad = join(backupDir, 'register-1700000000000.sqlite');
    writeFileSync(bad, 'not a database');
    expect(listBackups(backupDir)[0]?.intact).toBe(false);
    expect(() => restoreBackup(databaseFileIn(dataDir), bad)).toThrow(/damaged too/);
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

