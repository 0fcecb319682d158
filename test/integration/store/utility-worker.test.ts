/**
 * The store's backup and integrity workers as the Electron host runs them (issue 21: RunAsNode
 * off): in a utility process started from dist/main/store-worker.cjs, the program in its
 * environment, the stop request over the parent port. Electron cannot be installed here, so
 * utilityProcess.fork is stood in for by child_process.fork with a parent port made of its IPC
 * channel; the runner, the worker program, the launcher and better-sqlite3 are the real ones.
 */
import Database from 'better-sqlite3';
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { utilityWorkerLauncher, type UtilityChild, type UtilityFork } from '../../../main/electron/utility-worker.js';
import { backupFileInWorker } from '../../../main/store/backup.js';
import { openStore } from '../../../main/store/db.js';
import { startIntegrityCheck } from '../../../main/store/integrity.js';
import { nodeWorkerLauncher, startSqliteWorker, useWorkerLauncher } from '../../../main/store/worker.js';
import { migrationsFolder, repoRoot, tempDir } from '../../support/paths.js';

const RUNNER = join(repoRoot, 'main', 'store', 'worker-runner.cjs');
const SHIM = join(repoRoot, 'test', 'support', 'parent-port-shim.cjs');

/** What the stand-in saw: each fork's arguments, stop messages, kills. */
const seen = { forks: [] as Array<{ modulePath: string; env: Record<string, string>; stdio: string }>, messages: [] as unknown[], kills: 0 };

const standInFork: UtilityFork = (modulePath, args, options) => {
  seen.forks.push({ modulePath, env: options.env, stdio: options.stdio });
  // Like a utility process: no stdin, stdout and stderr piped, and a parent port.
  const child = fork(modulePath, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: ['--require', SHIM] });
  const utility: UtilityChild = {
    get pid() {
      return child.pid;
    },
    stdout: child.stdout,
    stderr: child.stderr,
    postMessage(message) {
      seen.messages.push(message);
      if (child.connected) child.send(message as string);
    },
    kill() {
      seen.kills += 1;
      return child.kill();
    },
    once(event: 'spawn' | 'exit', listener: ((code: number) => void) | (() => void)) {
      if (event === 'spawn') child.once('spawn', listener as () => void);
      else child.once('exit', (code) => (listener as (code: number) => void)(code ?? 1));
      return utility;
    },
  };
  return utility;
};

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  useWorkerLauncher(nodeWorkerLauncher);
  seen.forks.length = 0;
  seen.messages.length = 0;
  seen.kills = 0;
});

function storeWithRows(rows: number): { file: string; close(): void } {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const file = join(t.dir, 'register.sqlite');
  const store = openStore({ file, migrationsFolder });
  const insert = store.sqlite.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)');
  store.sqlite.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`row-${i}`, 'x'.repeat(100), i);
  })();
  return { file, close: () => store.close() };
}

describe('database workers in a utility process', () => {
  it('checks a sound file, started from the runner with the program in its environment and no ELECTRON_RUN_AS_NODE', async () => {
    useWorkerLauncher(utilityWorkerLauncher(RUNNER, standInFork));
    const store = storeWithRows(100);
    expect(await startIntegrityCheck(store.file, { restFactor: 0 }).result).toBeNull();
    store.close();
    expect(seen.forks).toHaveLength(1);
    expect(seen.forks[0]).toMatchObject({ modulePath: RUNNER, stdio: 'pipe' });
    expect(seen.forks[0]!.env.REGISTER_STORE_WORKER_PROGRAM).toContain('stopRequested');
    expect(seen.forks[0]!.env.ELECTRON_RUN_AS_NODE).toBeUndefined();
  });

  it('stops between slices when asked over the parent port, closing its connection itself (not killed)', async () => {
    useWorkerLauncher(utilityWorkerLauncher(RUNNER, standInFork));
    const store = storeWithRows(2000);
    // Resting 5 s after each slice: without the stop message it would take minutes.
    const check = startIntegrityCheck(store.file, { restFactor: 1e6, maxRestMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await check.stop(10_000);
    expect(await check.result).toBe('stopped');
    expect(seen.messages).toEqual(['stop']);
    expect(seen.kills).toBe(0);
    store.close();
    expect(existsSync(`${store.file}-wal`)).toBe(false);
  });

  it('makes a backup that opens and holds every row; a deadline already passed ends it and leaves no file', async () => {
    useWorkerLauncher(utilityWorkerLauncher(RUNNER, standInFork));
    const store = storeWithRows(2000);
    const t = tempDir();
    cleanups.push(t.cleanup);
    const target = join(t.dir, 'copy.sqlite');
    expect(await backupFileInWorker(store.file, target)).toBe(true);
    const copy = new Database(target, { readonly: true });
    expect(copy.prepare("SELECT COUNT(*) AS n FROM settings WHERE key LIKE 'row-%'").get()).toEqual({ n: 2000 });
    copy.close();

    const late = join(t.dir, 'late.sqlite');
    expect(await backupFileInWorker(store.file, late, { deadline: Date.now() })).toBe(false);
    expect(seen.kills).toBe(1);
    expect(existsSync(late)).toBe(false);
    store.close();
  });

  it("under Electron with no launcher chosen, a worker refuses to start instead of running the register's executable again", async () => {
    Object.defineProperty(process.versions, 'electron', { value: '45.4.1', configurable: true });
    try {
      const worker = startSqliteWorker('answer(1);', {});
      await expect(worker.result).rejects.toThrow(/could not start its background database check or backup/);
    } finally {
      delete (process.versions as Record<string, string | undefined>).electron;
    }
  });
});
