/** drizzle/0019_till runs on a database of the previous version, keeps its data, and its indexes hold the till's rules. */
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPragmas, checkIntegrity } from '../../../main/store/db.js';
import { migrationsFolder, tempDir } from '../../support/paths.js';

const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ idx: number; tag: string }> };
const work = tempDir('register-till-migration-');
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

describe('0019_till', () => {
  it('adds the print queue and the drawer ledger to a store of the previous version', () => {
    const at = journal.entries.findIndex((entry) => entry.tag.endsWith('_till'));
    expect(at).toBeGreaterThan(0);
    const file = join(work.dir, 'till.sqlite');
    const before = openAt(file, at);
    before.exec(`INSERT INTO settings (key, value, updated_at) VALUES ('store.name', '"Before"', 1);
                 INSERT INTO employees (id, name, role, pin_hash, created_at) VALUES ('E1', 'Ed', 'manager', 'x', 1);`);
    before.close();

    const after = openAt(file, at + 1);
    expect(after.prepare(`SELECT value FROM settings WHERE key = 'store.name'`).get()).toEqual({ value: '"Before"' });
    // One open session per drawer; a closed one does not count.
    after.exec(`INSERT INTO drawer_sessions (id, drawer_id, status, opened_by, opened_at, float_cents) VALUES ('A', 'drawer-1', 'open', 'E1', 1, 10000)`);
    expect(() => after.exec(`INSERT INTO drawer_sessions (id, drawer_id, status, opened_by, opened_at, float_cents) VALUES ('B', 'drawer-1', 'open', 'E1', 2, 0)`)).toThrow(/UNIQUE/);
    after.exec(`UPDATE drawer_sessions SET status = 'closed' WHERE id = 'A';
                INSERT INTO drawer_sessions (id, drawer_id, status, opened_by, opened_at, float_cents) VALUES ('B', 'drawer-1', 'open', 'E1', 2, 0)`);
    // One receipt and one kick per sale; reprints as often as asked.
    const job = after.prepare(`INSERT INTO print_jobs (kind, sale_id, state, created_at, updated_at) VALUES (?, 'S1', 'pending', 1, 1)`);
    job.run('receipt');
    job.run('kick');
    expect(() => job.run('receipt')).toThrow(/UNIQUE/);
    expect(() => job.run('kick')).toThrow(/UNIQUE/);
    job.run('reprint');
    job.run('reprint');
    expect(checkIntegrity(after)).toBeNull();
    expect(after.pragma('foreign_key_check')).toEqual([]);
    after.close();
  });
});
