/** drizzle/*_hub_outbox runs on a database of the previous version, keeps its data, and its indexes hold the outbox's rules. */
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPragmas, checkIntegrity } from '../../../main/store/db.js';
import { migrationsFolder, tempDir } from '../../support/paths.js';

const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ idx: number; tag: string }> };
const work = tempDir('register-hub-migration-');
afterAll(() => work.cleanup());

function openAt(file: string, count: number): Database.Database {
  const folder = join(work.dir, `upto-${count}`);
  cpSync(migrationsFolder, folder, { recursive: true });
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, count) }));
  const sqlite = new Database(file);
  applyPragmas(sqlite);
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  return sqlite;
}

describe('hub_outbox migration', () => {
  it('adds the hub outbox, the paired hub and the grants to a store of the previous version', () => {
    const at = journal.entries.findIndex((entry) => entry.tag.endsWith('_hub_outbox'));
    expect(at).toBeGreaterThan(0);
    const file = join(work.dir, 'hub.sqlite');
    const before = openAt(file, at);
    before.exec(`INSERT INTO settings (key, value, updated_at) VALUES ('store.name', '"Before"', 1);
                 INSERT INTO employees (id, name, role, pin_hash, created_at) VALUES ('E1', 'Ed', 'manager', 'x', 1);`);
    before.close();

    const after = openAt(file, at + 1);
    expect(after.prepare(`SELECT value FROM settings WHERE key = 'store.name'`).get()).toEqual({ value: '"Before"' });
    expect(after.prepare('SELECT name FROM employees').all()).toEqual([{ name: 'Ed' }]);
    // One sequence number per command: the hub applies a device's commands in this order, without gaps.
    const add = after.prepare(`INSERT INTO hub_outbox (command_id, device_seq, kind, payload, state, created_at) VALUES (?, ?, 'x', '{}', 'pending', 1)`);
    add.run('C1', 1);
    expect(() => add.run('C2', 1)).toThrow(/UNIQUE/);
    expect(() => add.run('C1', 2)).toThrow(/UNIQUE/);
    after.exec(`INSERT INTO hub_sync (id, address, hub_id, fingerprint, device_id, device_name, role, token_sealed, hub_epoch, paired_at)
                VALUES (1, '127.0.0.1:1', 'H', 'F', 'D', 'Register 1', 'register', 'sealed', 'E', 1)`);
    expect(after.prepare('SELECT last_version, last_seq, offline_since FROM hub_sync').get()).toEqual({ last_version: 0, last_seq: 0, offline_since: null });
    after.exec(`INSERT INTO hub_records (entity, id, data, version, at) VALUES ('customer_conflict', 'X', '{}', 1, 1)`);
    expect(() => after.exec(`INSERT INTO hub_records (entity, id, data, version, at) VALUES ('customer_conflict', 'X', '{}', 2, 1)`)).toThrow(/UNIQUE/);
    expect(checkIntegrity(after)).toBeNull();
    expect(after.pragma('foreign_key_check')).toEqual([]);
    after.close();
  });
});
