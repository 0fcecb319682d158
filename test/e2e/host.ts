/**
 * Starts the real browser host (`node dist/main/host.mjs`) on a fresh temporary data folder, so
 * each spec file gets its own store (and its own PIN lockout state), and stops it after. A new
 * data folder becomes the Illinois demo store (`--demo IL`) unless the spec asks for the setup
 * screen (`newStore: 'setup'`) or another state's demo.
 */
import { test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const hostScript = join(repoRoot, 'dist', 'main', 'host.mjs');

/** The demo store's employees (README gives the same PINs). */
export const demo = {
  budtender: { name: 'Bea Budtender', pin: '1111' },
  manager: { name: 'Max Manager', pin: '2222' },
  admin: { name: 'Ada Admin', pin: '3333' },
} as const;

const READY = /^Register ready: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+))\s*$/m;
const START_TIMEOUT_MS = 30_000;

export interface StartOptions {
  /** REGISTER_IDLE_LOCK_MS for this host. */
  idleLockMs?: number;
  env?: Record<string, string>;
  /** Reuse this data folder (a restart); it is then left in place when the host stops. */
  dataDir?: string;
  /** What a new data folder becomes: a state's demo store (default IL), or the setup screen. */
  newStore?: 'setup' | 'IL' | 'OK' | 'CA';
}

export interface RunningHost {
  /** The printed address, token included. */
  url: string;
  /** The same address without its token. */
  origin: string;
  port: number;
  token: string;
  dataDir: string;
  stop(): Promise<void>;
  /** Ends the register at once (SIGKILL), as a crash or a power cut would; the data folder stays. */
  kill(): Promise<void>;
}

export async function startHost(options: StartOptions = {}): Promise<RunningHost> {
  if (!existsSync(hostScript)) throw new Error(`${hostScript} is missing: run \`npm run build\` first.`);
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'register-e2e-'));
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (options.idleLockMs !== undefined) env.REGISTER_IDLE_LOCK_MS = String(options.idleLockMs);
  const newStore = options.newStore ?? 'IL';
  const args = [hostScript, '--data-dir', dataDir, '--port', '0', ...(newStore === 'setup' ? [] : ['--demo', newStore])];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });

  const stop = async (): Promise<void> => {
    await killChild(child);
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`The browser host did not print "Register ready" within ${START_TIMEOUT_MS / 1000} s.`));
      }, START_TIMEOUT_MS);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const found = READY.exec(stdout);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`The browser host exited before it was ready (code ${code}, signal ${signal}).`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    const url = match[1] ?? '';
    const port = Number(match[2]);
    const kill = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    };
    return { url, origin: `http://127.0.0.1:${port}/`, port, token: match[3] ?? '', dataDir, stop, kill };
  } catch (error) {
    await stop();
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`${why}\n--- host stdout ---\n${stdout}\n--- host stderr ---\n${stderr}`);
  }
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5_000));
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * One host for the whole spec file: started before its first test, stopped after its last.
 * Returns a getter, since the host exists only once beforeAll has run.
 */
export function useHost(options: StartOptions = {}): () => RunningHost {
  let host: RunningHost | null = null;
  test.beforeAll(async () => {
    host = await startHost(options);
  });
  test.afterAll(async () => {
    await host?.stop();
    host = null;
  });
  return () => {
    if (!host) throw new Error('The host is not running: useHost() must be called at the top of a spec file.');
    return host;
  };
}
