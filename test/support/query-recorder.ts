/**
 * Records the SQL a piece of the register really runs: every better-sqlite3 statement executed
 * (run/get/all/iterate) in this process while recording, with its arguments and the caller's
 * stack, so a test can EXPLAIN QUERY PLAN exactly what ran (never a hand-copied list).
 */
import Database from 'better-sqlite3';

export interface RecordedQuery {
  sql: string;
  args: unknown[];
  stack: string;
  phase: string;
}

type StatementMethod = (this: Database.Statement, ...args: unknown[]) => unknown;

let phase: string | null = null;
const recorded: RecordedQuery[] = [];
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, StatementMethod>;
  probe.close();
  for (const name of ['run', 'get', 'all', 'iterate'] as const) {
    const original = proto[name]!;
    proto[name] = function (this: Database.Statement, ...args: unknown[]) {
      if (phase !== null) recorded.push({ sql: this.source, args, stack: new Error().stack ?? '', phase });
      return original.apply(this, args);
    };
  }
}

/** Runs `work` with every statement it executes recorded under `name`. */
export async function recordQueries<T>(name: string, work: () => Promise<T>): Promise<T> {
  install();
  phase = name;
  try {
    return await work();
  } finally {
    phase = null;
  }
}

export function recordedQueries(): RecordedQuery[] {
  return [...recorded];
}
