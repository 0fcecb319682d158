/**
 * Crash tests: run a writer script in a child process, let it report each committed id on
 * stdout (after its COMMIT returned), and SIGKILL it at a chosen moment after it says "ready".
 */
import { spawn } from 'node:child_process';
import { repoRoot } from './paths.js';

/**
 * Runs `script` (TypeScript, through tsx) with `args`; resolves with the ids it reported before the kill.
 * The kill clock starts at "ready", or after `afterCommits` reported ids when given: on a loaded
 * machine a clock started at "ready" may fire before any work is done, which proves nothing.
 */
export function runWriterAndKill(script: string, args: string[], killAfterMs: number, guardMs = 60_000, afterCommits = 0): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    let stderr = '';
    const committed: string[] = [];
    let timer: NodeJS.Timeout | null = null;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') {
          if (afterCommits === 0) timer ??= setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        } else if (line) {
          committed.push(line);
          if (committed.length === afterCommits) timer ??= setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Bound every run: a writer that hangs is killed too, and the test then fails on its output.
    const guard = setTimeout(() => child.kill('SIGKILL'), guardMs);
    child.on('exit', (_code, signal) => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`the writer exited by itself: ${stderr}`));
      else resolve(committed);
    });
  });
}
