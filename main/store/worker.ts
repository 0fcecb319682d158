/**
 * Runs a small CommonJS program in a child process with better-sqlite3 at hand
 * (`workerData.driver` is its resolved path), for the slow work on the database (backups,
 * integrity checks) that must never hold up the register: its own process, at the lowest CPU
 * priority, so selling always comes first.
 *
 * A child process rather than a worker thread, because it can be ended at any moment safely:
 * killing a process inside SQLite leaves its files as a power cut would (the WAL design copes),
 * while ending a worker thread inside better-sqlite3 can abort the whole register process.
 *
 * The program gets `workerData` (JSON), answers with `answer(value)` (one JSON line on stdout),
 * and may watch `stopRequested()` (the parent wrote "stop" on its stdin). Under Electron the
 * child is Electron's own Node (ELECTRON_RUN_AS_NODE), so the native driver's ABI matches.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';

export interface SqliteWorker<T> {
  /**
   * The worker's answer; 'timeout' when the deadline passed first, 'stopped' when stop() was
   * called first. Rejects when the worker fails without answering.
   */
  readonly result: Promise<T | 'timeout' | 'stopped'>;
  /** Resolves when the child process has ended. */
  readonly exited: Promise<void>;
  /** End the worker now (SIGKILL) and resolve `result` with 'stopped'. */
  stop(): void;
  /** Ask the program to stop at its next chance (it sees stopRequested() turn true). */
  requestStop(): void;
}

export interface SqliteWorkerOptions {
  /** Epoch ms (Date.now clock) at which the worker is ended. */
  deadline?: number;
  /** Keep the register's process alive while the worker runs (a backup at close); default false. */
  keepAlive?: boolean;
}

const PRELUDE = `
const workerData = JSON.parse(process.env.REGISTER_STORE_WORKER_DATA);
let stopFlag = false;
const stopListeners = [];
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  if (chunk.includes('stop')) {
    stopFlag = true;
    for (const listener of stopListeners.splice(0)) listener();
  }
});
process.stdin.on('error', () => {});
const stopRequested = () => stopFlag;
const onStop = (listener) => (stopFlag ? listener() : stopListeners.push(listener));
const answer = (value) => {
  process.stdout.write(JSON.stringify(value) + '\\n', () => process.exit(0));
};
`;

export function startSqliteWorker<T>(source: string, data: Record<string, unknown>, options: SqliteWorkerOptions = {}): SqliteWorker<T> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const child = spawn(process.execPath, ['-e', PRELUDE + source], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', REGISTER_STORE_WORKER_DATA: JSON.stringify({ ...data, driver }) },
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  try {
    if (child.pid !== undefined) setPriority(child.pid, 19);
  } catch {
    // Not allowed here: it still runs beside the register, at normal priority.
  }
  /** Whether this worker keeps the register's process alive (a background check does not). */
  const hold = (keep: boolean) => {
    if (keep) child.ref();
    else child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) {
      const handle = stream as unknown as { ref?: () => void; unref?: () => void } | null;
      if (keep) handle?.ref?.();
      else handle?.unref?.();
    }
  };
  if (!options.keepAlive) hold(false);
  child.stdin.on('error', () => {});
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));

  let settled = false;
  let timer: NodeJS.Timeout | null = null;
  let finish: (value: T | 'timeout' | 'stopped') => void = () => {};
  let fail: (error: Error) => void = () => {};
  const result = new Promise<T | 'timeout' | 'stopped'>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const settle = (action: () => void) => {
    if (settled) return;
    settled = true;
    if (timer) clearTimeout(timer);
    action();
  };
  const end = (why: 'timeout' | 'stopped') =>
    settle(() => {
      // Someone waits for this answer now: keep the process alive until the child is gone.
      hold(true);
      child.kill('SIGKILL');
      // Answered once the process is gone: its file locks are released by then.
      void exited.then(() => finish(why));
    });
  if (options.deadline !== undefined) {
    timer = setTimeout(() => end('timeout'), Math.max(0, options.deadline - Date.now()));
    if (!options.keepAlive) timer.unref();
  }
  child.once('error', (error) => settle(() => fail(error)));
  child.once('close', (code, signal) =>
    settle(() => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        finish(JSON.parse(line) as T);
      } catch {
        fail(new Error(`the worker stopped without answering (exit ${code ?? signal}): ${stderr.trim().split('\n').pop() ?? ''}`));
      }
    }),
  );
  return {
    result,
    exited,
    stop: () => end('stopped'),
    requestStop: () => {
      if (settled) return;
      hold(true);
      child.stdin.write('stop\n');
    },
  };
}
