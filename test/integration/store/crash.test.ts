/**
 * A writer is killed with SIGKILL at random moments (50 times); afterwards every sale whose
 * commit it reported is present with all of its lines, and the file passes integrity_check.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkIntegrity } from '../../../main/store/db.js';
import { runWriterAndKill } from '../../support/kill.js';
import { migrationsFolder, repoRoot, tempDir } from '../../support/paths.js';

const KILLS = 50;
const work = tempDir('register-crash-');
afterAll(() => work.cleanup());

function runAndKill(file: string, killAfterMs: number): Promise<string[]> {
  return runWriterAndKill(join(repoRoot, 'test/integration/store/crash-writer.ts'), [file, migrationsFolder], killAfterMs, 30_000, 2);
}

describe('crash safety', () => {
  it(`keeps every committed sale whole through ${KILLS} SIGKILLs`, async () => {
    const file = join(work.dir, 'crash.sqlite');
    const promised = new Set<string>();
    for (let i = 0; i < KILLS; i++) {
      const killAfterMs = Math.floor(Math.random() * 120);
      for (const id of await runAndKill(file, killAfterMs)) promised.add(id);
    }
    // Each run is killed after its second commit: at least two per run, however loaded the machine.
    expect(promised.size).toBeGreaterThanOrEqual(2 * KILLS);

    const sqlite = new Database(file);
    expect(checkIntegrity(sqlite)).toBeNull();
    const stored = new Set((sqlite.prepare('SELECT id FROM crash_sales').all() as Array<{ id: string }>).map((r) => r.id));
    const missing = [...promised].filter((id) => !stored.has(id));
    expect(missing).toEqual([]);
    // No half-written sale: each sale has exactly the lines it says, summing to its total.
    const torn = sqlite
      .prepare(
        `SELECT s.id FROM crash_sales s LEFT JOIN crash_lines l ON l.sale_id = s.id
          GROUP BY s.id HAVING COUNT(l.id) != s.line_count OR COALESCE(SUM(l.cents), 0) != s.total_cents`,
      )
      .all();
    expect(torn).toEqual([]);
    sqlite.close();
  }, 300_000);
});
