/**
 * Starting the sync worker thread from the main process, in both ways the register runs:
 *   - from the esbuild bundle (dist/main/host.mjs or electron.cjs): the worker is its own bundle
 *     beside it, dist/main/trace-worker.mjs / .cjs (scripts/build-main.mjs);
 *   - from source (vitest, tsx): a small bootstrap loads tsx's ESM API in the thread and
 *     imports worker.ts through it.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { EngineStatus } from './sync.js';
import type { MainToWorker, SyncWorkerData, WorkerToMain } from './worker.js';

export interface SyncWorkerHandle {
  wake(): void;
  stop(): Promise<void>;
}

const SOURCE_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.__tsxApi)
  .then(({ tsImport }) => tsImport(workerData.__entry, workerData.__entry))
  .catch((error) => { console.error(error); process.exit(1); });
`;

function workerFor(data: SyncWorkerData): Worker {
  const here = import.meta.url;
  if (/\.ts($|\?)/.test(here)) {
    const entry = new URL('./worker.ts', here).href;
    // tsx's ESM API (the .mjs beside the CommonJS entry that require resolves).
    const api = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
    return new Worker(SOURCE_BOOTSTRAP, { eval: true, workerData: { ...data, __tsxApi: api, __entry: entry } });
  }
  const bundleDir = dirname(fileURLToPath(here));
  const file = join(bundleDir, here.endsWith('.cjs') ? 'trace-worker.cjs' : 'trace-worker.mjs');
  return new Worker(file, { workerData: data });
}

export function startSyncWorker(
  data: SyncWorkerData,
  handlers: { onStatus(status: EngineStatus): void; onExit(problem: string | null): void },
): SyncWorkerHandle {
  const worker = workerFor(data);
  let stopped = false;
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    worker.once('exit', (code) => {
      exited = true;
      handlers.onExit(stopped || code === 0 ? null : `the sync worker stopped (exit ${code})`);
      resolve();
    });
  });
  worker.on('message', (message: WorkerToMain) => {
    if (message.type === 'status') handlers.onStatus(message.status);
    if (message.type === 'error') handlers.onExit(message.message);
  });
  worker.on('error', (error) => handlers.onExit(`the sync worker failed: ${error.message}`));
  const post = (message: MainToWorker) => {
    if (!exited) worker.postMessage(message);
  };
  return {
    wake: () => post({ type: 'wake' }),
    async stop() {
      if (exited) return;
      stopped = true;
      post({ type: 'stop' });
      // A request in flight may take its full timeout: after 2 s, end the thread. Its row stays
      // in_flight and becomes unknown at the next start, which is exactly the crash case.
      const timer = setTimeout(() => void worker.terminate(), 2000);
      await exit;
      clearTimeout(timer);
    },
  };
}
