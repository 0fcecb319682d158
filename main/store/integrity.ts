/**
 * The full `PRAGMA integrity_check` reads every page and cross-checks every index: seconds on a
 * large store. It runs in a worker thread on its own read-only connection, so the register can
 * answer while it runs; start-up itself runs the cheaper `quick_check` first.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Plain CommonJS evaluated in the worker: no bundling or TypeScript loader needed there.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
try {
  const Database = require(workerData.driver);
  const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const rows = db.pragma('integrity_check');
  db.close();
  const problems = rows.map((row) => Object.values(row)[0]).filter((message) => message !== 'ok');
  parentPort.postMessage({ problems });
} catch (error) {
  parentPort.postMessage({ problems: [String((error && error.message) || error)] });
}
`;

/** Resolves with null when the file is sound, or a short description of the damage. */
export function integrityCheckInWorker(file: string): Promise<string | null> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver } });
    worker.unref();
    let settled = false;
    worker.once('message', (message: { problems: string[] }) => {
      settled = true;
      resolve(message.problems.length === 0 ? null : message.problems.slice(0, 5).join('; '));
      void worker.terminate();
    });
    worker.once('error', (error) => {
      if (!settled) resolve(`the check could not run (${error.message})`);
    });
    worker.once('exit', (code) => {
      if (!settled) resolve(`the check stopped early (exit ${code})`);
    });
  });
}
