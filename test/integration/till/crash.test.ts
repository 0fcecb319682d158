/**
 * A register taking cash sales with a drawer open is killed with SIGKILL at random moments: every
 * sale it reported committed is there, and every sale there has exactly its cash in the drawer
 * session and its receipt and drawer kick queued (the same transaction); nothing is in the drawer
 * for a sale that is not there.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkIntegrity } from '../../../main/store/db.js';
import { runWriterAndKill } from '../../support/kill.js';
import { migrationsFolder, repoRoot, resourcesDir, tempDir } from '../../support/paths.js';

const KILLS = 8;
const work = tempDir('till-crash-');
afterAll(() => work.cleanup());

describe('till crash safety', () => {
  it(`a kill between sale and drawer write loses nothing (${KILLS} SIGKILLs)`, async () => {
    const file = join(work.dir, 'register.sqlite');
    const promised = new Set<string>();
    for (let i = 0; i < KILLS; i++) {
      const ids = await runWriterAndKill(join(repoRoot, 'test/integration/till/crash-writer.ts'), [file, migrationsFolder, resourcesDir], Math.floor(Math.random() * 300), 60_000, 1);
      for (const id of ids) promised.add(id);
    }
    expect(promised.size).toBeGreaterThanOrEqual(KILLS);
    const sqlite = new Database(file, { readonly: true });
    expect(checkIntegrity(sqlite)).toBeNull();
    const stored = new Set((sqlite.prepare('SELECT id FROM sales').all() as Array<{ id: string }>).map((row) => row.id));
    expect([...promised].filter((id) => !stored.has(id))).toEqual([]);
    const torn = sqlite
      .prepare(
        `SELECT s.id FROM sales s
          WHERE (SELECT COUNT(*) FROM cash_movements m WHERE m.ref_id = s.id AND m.kind = 'sale' AND m.session_id IS NOT NULL) != 1
             OR (SELECT m.amount_cents FROM cash_movements m WHERE m.ref_id = s.id AND m.kind = 'sale') != (SELECT SUM(applied_cents) FROM sale_tenders t WHERE t.sale_no = s.receipt_number AND t.kind = 'cash')
             OR (SELECT COUNT(*) FROM print_jobs j WHERE j.sale_id = s.id AND j.kind = 'receipt') != 1
             OR (SELECT COUNT(*) FROM print_jobs j WHERE j.sale_id = s.id AND j.kind = 'kick') != 1`,
      )
      .all();
    expect(torn).toEqual([]);
    const orphans = sqlite
      .prepare(
        `SELECT (SELECT COUNT(*) FROM cash_movements WHERE kind = 'sale' AND ref_id NOT IN (SELECT id FROM sales))
              + (SELECT COUNT(*) FROM print_jobs WHERE sale_id IS NOT NULL AND sale_id NOT IN (SELECT id FROM sales)) AS n`,
      )
      .get() as { n: number };
    expect(orphans.n).toBe(0);
    // The drawer's expected cash is the float plus every sale's cash: one session, still open.
    const sessions = sqlite.prepare(`SELECT id FROM drawer_sessions WHERE status = 'open'`).all() as Array<{ id: string }>;
    expect(sessions).toHaveLength(1);
    const expected = sqlite.prepare('SELECT SUM(amount_cents) AS n FROM cash_movements WHERE session_id = ?').get(sessions[0]!.id) as { n: number };
    const cash = sqlite.prepare(`SELECT SUM(applied_cents) AS n FROM sale_tenders WHERE kind = 'cash'`).get() as { n: number };
    expect(expected.n).toBe(10_000 + cash.n);
    sqlite.close();
  }, 300_000);
});
