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
 * and may watch `stopRequested()` (the parent asked it to stop: "stop" on its stdin, or the
 * message "stop" on Electron's parent port).
 *
 * Which process runs it is the host's choice (`useWorkerLauncher`): under plain Node (the
 * browser host, tests) a child of this same Node; under Electron a utility process
 * (main/electron/utility-worker.ts), so the packaged app never runs Electron as Node and its
 * RunAsNode fuse stays off. Under Electron with no launcher chosen a worker refuses to start
 * rather than run the register's own executable a second time.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';

/** A started worker process, as the worker code needs to see it. */
export interface WorkerChild {
  /** Known once the process runs (the launcher may learn it late: see onSpawn). */
  readonly pid: number | undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  /** Called once the process exists (at once when it already does). */
  onSpawn(listener: (pid: number) => void): void;
  /** Called once, after the process ended and its output was read. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  /** Called when the process could not be started. */
  onError(listener: (error: Error) => void): void;
  /** Ask the program to stop at its next chance. */
  requestStop(): void;
  /** End the process now. */
  kill(): void;
  /** Whether it keeps the register's process alive (a background check does not). */
  hold(keep: boolean): void;
}

/** Starts `program` (PRELUDE included) with `env` as its environment. */
export type WorkerLauncher = (program: string, env: Record<string, string>) => WorkerChild;

/** Under plain Node: a child of the same Node, the program given with -e, the stop on its stdin. */
export const nodeWorkerLauncher: WorkerLauncher = (program, env) => {
  if (process.versions.electron !== undefined) {
    // A host that forgot useWorkerLauncher: never start the register's own executable a second time.
    throw new Error('The register could not start its background database check or backup: restart the register, and reinstall it if this happens again.');
  }
  const child = spawn(process.execPath, ['-e', program], { env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  child.stdin.on('error', () => {});
  return {
    get pid() {
      return child.pid;
    },
    stdout: child.stdout,
    stderr: child.stderr,
    onSpawn(listener) {
      if (child.pid !== undefined) listener(child.pid);
    },
    onExit(listener) {
      child.once('close', (code, signal) => listener(code, signal));
    },
    onError(listener) {
      child.once('error', listener);
    },
    requestStop() {
      child.stdin.write('stop\n');
    },
    kill() {
      child.kill('SIGKILL');
    },
    hold(keep) {
      if (keep) child.ref();
      else child.unref();
      for (const stream of [child.stdin, child.stdout, child.stderr]) {
        const handle = stream as unknown as { ref?: () => void; unref?: () => void } | null;
        if (keep) handle?.ref?.();
        else handle?.unref?.();
      }
    },
  };
};

let launcher: WorkerLauncher = nodeWorkerLauncher;

/** The host says how database workers run (the Electron host: in utility processes). */
export function useWorkerLauncher(chosen: WorkerLauncher): void {
  launcher = chosen;
}

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
const stopNow = () => {
  stopFlag = true;
  for (const listener of stopListeners.splice(0)) listener();
};
if (process.parentPort) {
  // Electron's utility process: the parent's messages come through its port.
  process.parentPort.on('message', (event) => {
    if (event.data === 'stop') stopNow();
  });
} else {
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    if (chunk.includes('stop')) stopNow();
  });
  process.stdin.on('error', () => {});
}
const stopRequested = () => stopFlag;
const onStop = (listener) => (stopFlag ? listener() : stopListeners.push(listener));
const answer = (value) => {
  process.stdout.write(JSON.stringify(value) + '\\n', () => process.exit(0));
};
`;

export function startSqliteWorker<T>(source: string, data: Record<string, unknown>, options: SqliteWorkerOptions = {}): SqliteWorker<T> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  env.REGISTER_STORE_WORKER_DATA = JSON.stringify({ ...data, driver });
  let child: WorkerChild;
  try {
    child = launcher(PRELUDE + source, env);
  } catch (error) {
    const failed = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    return { result: failed, exited: Promise.resolve(), stop: () => {}, requestStop: () => {} };
  }
  child.onSpawn((pid) => {
    try {
      setPriority(pid, 19);
    } catch {
      // Not allowed here: it still runs beside the register, at normal priority.
    }
  });
  const hold = (keep: boolean) => child.hold(keep);
  if (!options.keepAlive) hold(false);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
  let onExited: (code: number | null, signal: string | null) => void = () => {};
  const exitedWith = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    onExited = (code, signal) => resolve({ code, signal });
  });
  child.onExit((code, signal) => onExited(code, signal));
  const exited = exitedWith.then(() => undefined);

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
      child.kill();
      // Answered once the process is gone: its file locks are released by then.
      void exited.then(() => finish(why));
    });
  if (options.deadline !== undefined) {
    timer = setTimeout(() => end('timeout'), Math.max(0, options.deadline - Date.now()));
    if (!options.keepAlive) timer.unref();
  }
  child.onError((error) => settle(() => fail(error)));
  void exitedWith.then(({ code, signal }) =>
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
      child.requestStop();
    },
  };
}
