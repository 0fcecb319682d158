/**
 * Lean storage (issue 12): every index is written on every insert, so each must have a query that
 * needs it. The register's SQL is read from its own source (every SQL string in main/, with a
 * `${NAME}` that names a string constant of the same file filled in) and each statement is put
 * through EXPLAIN QUERY PLAN on a freshly migrated database: every index (unique ones are needed
 * by their constraint) must be used by one of them, by one of the queries the code builds from
 * parts (listed below with where they are built), or be on the list of indexes no query needs
 * (empty since drizzle/0026).
 */
import Database from 'better-sqlite3';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '../../../main/store/db.js';
import { migrationsFolder, repoRoot, tempDir } from '../../support/paths.js';

/** Queries the code builds from parts (a column or a clause chosen at run time), as they run. */
const BUILT: Record<string, { where: string; sql: string }> = {
  customers_search_first: { where: 'main/customers/search.ts byPrefix (search by name)', sql: 'SELECT id FROM customers WHERE search_first >= ? AND search_first < ? ORDER BY search_first, search_last LIMIT 25' },
  customers_search_nickname: { where: 'main/customers/search.ts byPrefix (search by name)', sql: 'SELECT id FROM customers WHERE search_nickname >= ? AND search_nickname < ? ORDER BY search_nickname LIMIT 25' },
  customers_search_phone: { where: 'main/customers/search.ts byPrefix (search by phone)', sql: 'SELECT id FROM customers WHERE search_phone >= ? AND search_phone < ? ORDER BY search_phone LIMIT 25' },
  customers_search_email: { where: 'main/customers/search.ts byPrefix (search by email)', sql: 'SELECT id FROM customers WHERE search_email >= ? AND search_email < ? ORDER BY search_email LIMIT 25' },
  customers_search_licence: { where: 'main/customers/search.ts byPrefix (search by licence)', sql: 'SELECT id FROM customers WHERE search_licence >= ? AND search_licence < ? ORDER BY search_licence LIMIT 25' },
  customers_search_caregiver_id: { where: 'main/customers/search.ts byPrefix (search by medical id)', sql: 'SELECT id FROM customers WHERE search_caregiver_id >= ? AND search_caregiver_id < ? ORDER BY search_caregiver_id LIMIT 25' },
};

/**
 * Indexes no query needs: none. drizzle/0026 dropped customer_group_members_group (nothing reads a
 * group's members; groups are never deleted), customers_medical_id (medical ids are matched through
 * search_medical_id, the caregiver check included) and trace_packages_product (packages are found
 * by label; products are archived, never deleted).
 */
const NOT_NEEDED: string[] = [];

const work = tempDir('register-indexes-');
afterAll(() => work.cleanup());

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    // The sandboxes stand in for the state's systems: they are not the register's SQL.
    if (statSync(path).isDirectory()) return name === 'sandbox' ? [] : sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every SQL string of a source file, with `${NAME}` filled in where NAME is a string constant of the file. */
function statementsIn(source: string): string[] {
  const constants = new Map<string, string>();
  for (const match of source.matchAll(/\bconst ([A-Z_a-z]\w*) = (?:"([^"]*)"|'([^']*)'|`([^`$]*)`);/g)) constants.set(match[1]!, match[2] ?? match[3] ?? match[4]!);
  const statements: string[] = [];
  for (const match of source.matchAll(/(`|'|")(\s*(?:SELECT|UPDATE|DELETE|INSERT|WITH)\b[\s\S]*?)\1/g)) {
    statements.push(match[2]!.replace(/\$\{\s*([A-Za-z_]\w*)\s*\}/g, (whole, name: string) => constants.get(name) ?? whole).replace(/\$\{[^}]*\}/g, 'NULL'));
  }
  return statements;
}

function indexesUsed(db: Database.Database, sql: string): string[] {
  const named = [...sql.matchAll(/@(\w+)/g)].map((match) => match[1]!);
  const args = named.length > 0 ? [Object.fromEntries(named.map((name) => [name, null]))] : Array((sql.match(/\?/g) ?? []).length).fill(null);
  const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>;
  return plan.flatMap((row) => [...row.detail.matchAll(/\bINDEX (\w+)/g)].map((match) => match[1]!));
}

it('every index has a query in the register that needs it', () => {
  const store = openStore({ file: join(work.dir, 'register.sqlite'), migrationsFolder });
  const db = store.sqlite;
  try {
    const indexes = (
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE INDEX%'`).all() as Array<{ name: string }>
    ).map((row) => row.name);
    expect(indexes.length).toBeGreaterThan(40);

    const neededBy = new Map<string, string>();
    let planned = 0;
    for (const file of sourceFiles(join(repoRoot, 'main'))) {
      for (const sql of statementsIn(readFileSync(file, 'utf8'))) {
        let used: string[];
        try {
          used = indexesUsed(db, sql);
        } catch {
          continue; // a fragment of a statement built from parts
        }
        planned++;
        for (const index of used) if (!neededBy.has(index)) neededBy.set(index, relative(repoRoot, file));
      }
    }
    expect(planned).toBeGreaterThan(300);
    for (const [index, built] of Object.entries(BUILT)) {
      expect(indexesUsed(db, built.sql), `${index}: ${built.where}`).toContain(index);
      if (!neededBy.has(index)) neededBy.set(index, built.where);
    }
    // The check can fail: an index on a column nothing filters or sorts by is not needed.
    db.exec('CREATE INDEX probe_unused ON customers (created_at)');
    expect(indexesUsed(db, 'SELECT id FROM customers WHERE search_last >= ? AND search_last < ?')).not.toContain('probe_unused');
    db.exec('DROP INDEX probe_unused');

    const unneeded = indexes.filter((index) => !neededBy.has(index)).sort();
    expect(unneeded).toEqual([...NOT_NEEDED].sort());
  } finally {
    store.close();
  }
});
