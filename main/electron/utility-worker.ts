/**
 * Database workers (main/store/worker.ts) in Electron's utility processes: a Node child that
 * Chromium's service machinery starts from the app's own executable without
 * ELECTRON_RUN_AS_NODE, so the packaged app keeps its RunAsNode fuse off. The program reaches
 * the child through its environment and is run by dist/main/store-worker.cjs
 * (main/store/worker-runner.cjs); the stop request goes over the parent port (a utility
 * process has no stdin). Electron itself is passed in (`fork`), so this file is tested without it.
 */
import type { WorkerChild, WorkerLauncher } from '../store/worker.js';

/** What the worker code uses of Electron's UtilityProcess. */
export interface UtilityChild {
  readonly pid: number | undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  postMessage(message: unknown): void;
  kill(): boolean;
  once(event: 'spawn', listener: () => void): unknown;
  once(event: 'exit', listener: (code: number) => void): unknown;
}

/** Electron's utilityProcess.fork, as far as the worker code uses it. */
export type UtilityFork = (
  modulePath: string,
  args: string[],
  options: { env: Record<string, string>; stdio: 'pipe'; serviceName: string },
) => UtilityChild;

/** The environment variable that carries the program to the runner. */
export const WORKER_PROGRAM_ENV = 'REGISTER_STORE_WORKER_PROGRAM';

/** How long to wait, after the process ended, for the last of its output. */
const OUTPUT_GRACE_MS = 2000;

function ended(stream: NodeJS.ReadableStream | null): Promise<void> {
  if (stream === null) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
    stream.once('error', () => resolve());
  });
}

export function utilityWorkerLauncher(runnerPath: string, fork: UtilityFork): WorkerLauncher {
  return (program, env) => {
    const child = fork(runnerPath, [], { env: { ...env, [WORKER_PROGRAM_ENV]: program }, stdio: 'pipe', serviceName: 'Dispensary Register database worker' });
    const output = Promise.all([ended(child.stdout), ended(child.stderr)]);
    let spawned = child.pid !== undefined;
    child.once('spawn', () => (spawned = true));
    const worker: WorkerChild = {
      get pid() {
        return child.pid;
      },
      stdout: child.stdout,
      stderr: child.stderr,
      onSpawn(listener) {
        if (child.pid !== undefined) listener(child.pid);
        else
          child.once('spawn', () => {
            if (child.pid !== undefined) listener(child.pid);
          });
      },
      onExit(listener) {
        child.once('exit', (code) => {
          // The output pipes close after the process; wait for them (briefly) so the answer line is read.
          let timer: NodeJS.Timeout | undefined;
          const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, OUTPUT_GRACE_MS)));
          void Promise.race([output, grace]).then(() => {
            clearTimeout(timer);
            listener(code, null);
          });
        });
      },
      // A utility process that cannot start ends with a non-zero exit: the worker then fails
      // with what it wrote on stderr.
      onError() {},
      requestStop() {
        if (spawned || child.pid !== undefined) child.postMessage('stop');
        else child.once('spawn', () => child.postMessage('stop'));
      },
      kill() {
        child.kill();
      },
      // Electron's lifetime is the app's, not the event loop's: nothing to hold.
      hold() {},
    };
    return worker;
  };
}
