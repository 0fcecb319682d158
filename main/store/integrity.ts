/**
 * The full integrity check, run so that it never blocks selling and never holds a core for long.
 *
 * `PRAGMA integrity_check` reads every page and cross-checks every index: tens of seconds of one
 * core on a multi-GB store. Here it runs in a worker process at the lowest CPU priority (nice 19),
 * on its own read-only connection, one table (with its indexes) at a time,
 * `integrity_check(<table>)`, each slice its own short read transaction (so WAL checkpoints go on
 * between slices), and after each slice the worker rests for `restFactor` times as long as the
 * slice took: with the default of 1 it uses at most half a core on average. Start-up itself runs no full check (see db.ts: quick_check only while it is cheap).
 *
 * Limits, said plainly: one slice is one whole table, so the largest table is checked in one go
 * (seconds on a 1M-sale store, in the worker); and the per-table form does not look for pages
 * that belong to no table (the free-list accounting the whole-file check also does).
 */
import { startSqliteWorker } from './worker.js';

// CommonJS run in the worker process (see worker.ts for workerData, answer and onStop).
const WORKER_SOURCE = `
const Database = require(workerData.driver);
let wake = () => {};
onStop(() => wake());
const rest = (ms) => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms);
  wake = () => {
    clearTimeout(timer);
    resolve();
  };
});
(async () => {
  const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  const problems = [];
  let slices = 0;
  try {
    db.pragma('busy_timeout = 5000');
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")
      .pluck()
      .all();
    for (const table of ['sqlite_schema', ...tables]) {
      if (stopRequested()) break;
      const started = Date.now();
      const rows = db.pragma('integrity_check("' + table.replace(/"/g, '""') + '")');
      slices += 1;
      for (const row of rows) {
        const message = Object.values(row)[0];
        if (message !== 'ok') problems.push(message);
      }
      if (problems.length >= 5) break;
      await rest(Math.min(workerData.maxRestMs, (Date.now() - started) * workerData.restFactor));
    }
  } catch (error) {
    problems.push(String((error && error.message) || error));
  } finally {
    db.close();
  }
  answer({ problems, slices, stopped: stopRequested() });
})();
`;

export interface IntegrityCheckOptions {
  /** Rest this many times as long as each slice took (default 1: at most half a core on average). */
  restFactor?: number;
  /** Never rest longer than this between slices (default 5 s). */
  maxRestMs?: number;
}

export interface RunningIntegrityCheck {
  /** null when the file is sound, a short description of the damage otherwise, 'stopped' if stop() came first. */
  readonly result: Promise<string | null | 'stopped'>;
  /**
   * Ask the check to stop at the end of its current slice (it closes its connection first);
   * resolves when it has, or after `graceMs`, when its process is ended outright.
   */
  stop(graceMs?: number): Promise<void>;
}

export function startIntegrityCheck(file: string, options: IntegrityCheckOptions = {}): RunningIntegrityCheck {
  const worker = startSqliteWorker<{ problems: string[]; slices: number; stopped: boolean }>(WORKER_SOURCE, {
    file,
    restFactor: options.restFactor ?? 1,
    maxRestMs: options.maxRestMs ?? 5000,
  });
  const result = worker.result.then(
    (answer) => {
      if (answer === 'stopped' || answer === 'timeout' || answer.stopped) return 'stopped' as const;
      return answer.problems.length === 0 ? null : answer.problems.slice(0, 5).join('; ');
    },
    (error: unknown) => `the check could not run (${error instanceof Error ? error.message : String(error)})`,
  );
  return {
    result,
    async stop(graceMs = 1000) {
      worker.requestStop();
      const graceful = await Promise.race([
        result.then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), graceMs)),
      ]);
      if (!graceful) worker.stop();
    },
  };
}

/** The whole check, awaited: null when the file is sound, or a short description of the damage. */
export async function integrityCheckInWorker(file: string, options: IntegrityCheckOptions = {}): Promise<string | null> {
  const answer = await startIntegrityCheck(file, options).result;
  return answer === 'stopped' ? 'the check was stopped' : answer;
}
