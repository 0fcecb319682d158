/**
 * The sync worker thread's entry. It opens its own connection to the register's database (the
 * same pragmas as the main one), runs the sync engine for one location, and reports status to
 * the main thread. Bundled as dist/main/trace-worker.{mjs,cjs}; run from source through tsx.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { applyPragmas } from '../store/db.js';
import { DEFAULT_TRACE_ADVANCED, type EffectiveTraceConfig } from './config.js';
import { createProvider } from './providers.js';
import { SyncEngine, type EngineStatus } from './sync.js';

export interface SyncWorkerData {
  databaseFile: string;
  config: EffectiveTraceConfig;
  timeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  reconcileDelayMs?: number;
  probeIntervalMs?: number;
  idlePollMs?: number;
}

export type WorkerToMain = { type: 'status'; status: EngineStatus } | { type: 'stopped' } | { type: 'error'; message: string };
export type MainToWorker = { type: 'wake' } | { type: 'stop' };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('worker.ts runs only as a worker thread');
  const data = workerData as SyncWorkerData;
  const sqlite = new Database(data.databaseFile, { fileMustExist: true });
  applyPragmas(sqlite);
  const engine = new SyncEngine({
    sqlite,
    provider: createProvider(data.config, { timeoutMs: data.timeoutMs }),
    location: data.config.location,
    backoffBaseMs: data.backoffBaseMs,
    backoffMaxMs: data.backoffMaxMs,
    reconcileDelayMs: data.reconcileDelayMs ?? (data.config.advanced ?? DEFAULT_TRACE_ADVANCED).reconcileDelaySeconds * 1000,
    noncePolicy: data.config.advanced?.noncePolicy,
    probeIntervalMs: data.probeIntervalMs,
    onStatus: (status) => port.postMessage({ type: 'status', status } satisfies WorkerToMain),
  });
  port.on('message', (message: MainToWorker) => {
    if (message.type === 'wake') engine.wake();
    if (message.type === 'stop') engine.stop();
  });
  try {
    await engine.run(data.idlePollMs ?? 500);
  } catch (error) {
    port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) } satisfies WorkerToMain);
  } finally {
    sqlite.close();
    port.postMessage({ type: 'stopped' } satisfies WorkerToMain);
    port.close();
  }
}

void main();
