/**
 * Runs a small CommonJS program in a worker thread with better-sqlite3 at hand (`workerData.driver`
 * is its resolved path), for the slow work on the database (backups, integrity checks) that must
 * never hold up the register's own thread. Plain CommonJS, evaluated: no bundling or TypeScript
 * loader is needed in the worker, in tests, under tsx or in the Electron bundle.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface SqliteWorker<T> {
  /**
   * The first message the worker posts; 'timeout' when the deadline passed first, 'stopped' when
   * stop() was called first. Rejects when the worker fails without answering.
   */
  readonly result: Promise<T | 'timeout' | 'stopped'>;
  stop(): void;
  /** Send the worker a message (e.g. 'stop': finish the current step, close, answer). */
  post(message: unknown): void;
}

export interface SqliteWorkerOptions {
  /** Epoch ms (Date.now clock) after which the worker is stopped. */
  deadline?: number;
  /** Keep the process alive while the worker runs (a backup at close); default false. */
  keepAlive?: boolean;
}

export function startSqliteWorker<T>(source: string, data: Record<string, unknown>, options: SqliteWorkerOptions = {}): SqliteWorker<T> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(source, { eval: true, workerData: { ...data, driver } });
  if (!options.keepAlive) worker.unref();
  let finish: (value: T | 'timeout' | 'stopped') => void = () => {};
  let fail: (error: Error) => void = () => {};
  let settled = false;
  let timer: NodeJS.Timeout | null = null;
  const settle = (action: () => void) => {
    if (settled) return;
    settled = true;
    if (timer) clearTimeout(timer);
    action();
  };
  const result = new Promise<T | 'timeout' | 'stopped'>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  if (options.deadline !== undefined) {
    timer = setTimeout(() => settle(() => {
      finish('timeout');
      void worker.terminate();
    }), Math.max(0, options.deadline - Date.now()));
    if (!options.keepAlive) timer.unref();
  }
  worker.once('message', (message: T) => settle(() => {
    finish(message);
    void worker.terminate();
  }));
  worker.once('error', (error) => settle(() => fail(error)));
  worker.once('exit', (code) => settle(() => fail(new Error(`the worker stopped early (exit ${code})`))));
  return {
    result,
    post: (message) => {
      if (!settled) worker.postMessage(message);
    },
    stop: () =>
      settle(() => {
        finish('stopped');
        void worker.terminate();
      }),
  };
}
