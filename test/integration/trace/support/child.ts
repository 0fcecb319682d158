/**
 * Start the sync engine in a child process (engine-child.ts) for kill and chaos tests. The child
 * is bundled once with esbuild, so a restart costs tens of milliseconds rather than a TypeScript
 * compile, and the chaos run spends its time sending, not starting.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { repoRoot } from '../../../support/paths.js';

const SOURCE = join(repoRoot, 'test', 'integration', 'trace', 'support', 'engine-child.ts');
let bundled: string | null = null;

function childBundle(): string {
  if (bundled) return bundled;
  const outdir = join(repoRoot, 'node_modules', '.cache', 'trace-tests');
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, `engine-child-${process.pid}.mjs`);
  buildSync({ entryPoints: [SOURCE], bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', outfile, logLevel: 'error' });
  bundled = outfile;
  return outfile;
}

/**
 * `ready` resolves once the child has opened the database and built its engine (it prints
 * "ready"), or once it exits, whichever comes first: a test measures a worker's life from there,
 * so a loaded machine that is slow to start processes does not kill every worker before it works.
 */
export function startChild(env: Record<string, string>): {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  const child = spawn(process.execPath, [childBundle()], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      if (code !== 0 && signal === null && stderr) console.error(stderr);
      resolve({ code, signal });
    }),
  );
  let stdout = '';
  const ready = new Promise<void>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('ready\n')) resolve();
    });
    void exited.then(() => resolve());
  });
  return { child, ready, exited };
}
