/**
 * Old audit events leave the hot table (issue 12) without breaking the hash chain: the oldest
 * events move, in seq order, to audit_events_archive, so the archive always holds the start of
 * the chain and audit_events the rest. A batch is one transaction: INSERT the rows into the
 * archive, then DELETE them from audit_events (its trigger refuses the DELETE of any row whose
 * identical copy is not already in the archive). The chain tip never moves: appendAudit links the
 * next event to it. Runs on the core's timer (main/audit/module.ts, every store, with or without
 * track-and-trace), in bounded batches, so the write lock is held briefly.
 */
import type Database from 'better-sqlite3';

const COLUMNS = 'seq, id, at, employee_id, action, customer_id, sale_id, details, prev_hash, hash';

/** Events are archived once they are this old (default 90 days). */
export const DEFAULT_AUDIT_ARCHIVE_AFTER_MS = 90 * 24 * 60 * 60 * 1000;
/** Rows moved per transaction. */
export const AUDIT_ARCHIVE_BATCH = 5000;

/**
 * Move one batch of events written before `before` (epoch ms) to the archive: the oldest events
 * in seq order, stopping at the first event that is not old enough and before the chain tip.
 * Returns how many moved.
 */
export function archiveAuditEvents(sqlite: Database.Database, options: { before: number; limit?: number }): number {
  const limit = Math.max(1, options.limit ?? AUDIT_ARCHIVE_BATCH);
  const move = sqlite.transaction(() => {
    const tip = sqlite.prepare('SELECT seq FROM audit_events ORDER BY seq DESC LIMIT 1').get() as { seq: number } | undefined;
    if (!tip) return 0;
    // The oldest hot events, by primary key: a bounded walk, however long the log.
    const oldest = sqlite.prepare('SELECT seq, at FROM audit_events WHERE seq < ? ORDER BY seq LIMIT ?').all(tip.seq, limit) as Array<{ seq: number; at: number }>;
    let last: number | null = null;
    for (const row of oldest) {
      if (row.at >= options.before) break; // keep the archive a prefix of the chain
      last = row.seq;
    }
    if (last === null) return 0;
    const first = oldest[0]!.seq;
    sqlite.prepare(`INSERT INTO audit_events_archive (${COLUMNS}) SELECT ${COLUMNS} FROM audit_events WHERE seq BETWEEN ? AND ?`).run(first, last);
    return sqlite.prepare('DELETE FROM audit_events WHERE seq BETWEEN ? AND ?').run(first, last).changes;
  });
  return move.immediate();
}
