/**
 * Every migration runs on a database of the previous version holding data, and keeps that data.
 */
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPragmas, checkIntegrity } from '../../../main/store/db.js';
import { migrationsFolder, tempDir } from '../../support/paths.js';

interface Journal {
  entries: Array<{ idx: number; tag: string }>;
}
const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as Journal;
const work = tempDir('register-migrations-');
afterAll(() => work.cleanup());

/** A copy of the migrations folder holding only the first `count` migrations. */
function migrationsUpTo(count: number): string {
  const folder = join(work.dir, `upto-${count}`);
  cpSync(migrationsFolder, folder, { recursive: true });
  const truncated = { ...journal, entries: journal.entries.slice(0, count) };
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(truncated));
  return folder;
}

function openAt(file: string, count: number): Database.Database {
  const sqlite = new Database(file);
  applyPragmas(sqlite);
  migrate(drizzle(sqlite), { migrationsFolder: migrationsUpTo(count) });
  return sqlite;
}

function seedPreviousVersion(sqlite: Database.Database): void {
  sqlite.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('store.name', '\"Before\"', 1)").run();
  sqlite
    .prepare(
      `INSERT INTO customers (id, customer_type, first_name, last_name, date_of_birth, created_at, updated_at)
       VALUES ('01HZZZZZZZZZZZZZZZZZZZZZZZ', 'adult_use', 'Ann', 'Before', '1980-01-01', 1, 1)`,
    )
    .run();
}

describe('migrations', () => {
  it('has at least one migration', () => {
    expect(journal.entries.length).toBeGreaterThan(0);
  });

  for (const entry of journal.entries.slice(1)) {
    it(`${entry.tag} runs on a database of the previous version and keeps its data`, () => {
      const file = join(work.dir, `${entry.tag}.sqlite`);
      const previous = openAt(file, entry.idx);
      seedPreviousVersion(previous);
      previous.close();

      const upgraded = openAt(file, entry.idx + 1);
      expect(upgraded.prepare("SELECT value FROM settings WHERE key = 'store.name'").get()).toEqual({ value: '"Before"' });
      expect(upgraded.prepare('SELECT last_name FROM customers').all()).toEqual([{ last_name: 'Before' }]);
      expect(checkIntegrity(upgraded)).toBeNull();
      expect(upgraded.pragma('foreign_key_check')).toEqual([]);
      upgraded.close();
    });
  }

  it('0001 makes the audit log append-only', () => {
    const sqlite = openAt(join(work.dir, 'append-only.sqlite'), journal.entries.length);
    sqlite
      .prepare(
        `INSERT INTO audit_events (seq, id, at, employee_id, action, customer_id, sale_id, details, prev_hash, hash)
         VALUES (1, 'x', 1, NULL, 'a', NULL, NULL, '{}', 'p', 'h')`,
      )
      .run();
    expect(() => sqlite.prepare("UPDATE audit_events SET action = 'b'").run()).toThrow(/append-only/);
    expect(() => sqlite.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
    sqlite.close();
  });

  it('0002 adds the applied-commands table', () => {
    const sqlite = openAt(join(work.dir, 'commands.sqlite'), 3);
    sqlite.prepare("INSERT INTO applied_commands (id, name, result, applied_at) VALUES ('c', 'n', 'null', 1)").run();
    expect(() => sqlite.prepare("INSERT INTO applied_commands (id, name, result, applied_at) VALUES ('c', 'n', 'null', 1)").run()).toThrow(/UNIQUE/);
    sqlite.close();
  });
});
