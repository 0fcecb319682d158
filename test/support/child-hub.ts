/**
 * The store hub as its own process (`hub/cli.ts`, as `npm run hub` runs it) on a fixed port, so a
 * test can SIGKILL it mid-rush and start it again on its folder: the stations' links (fault
 * proxies) keep pointing at the same port. Pairing codes come from the hub's admin route (as
 * `npm run hub -- code`); the test reads the hub's PostgreSQL directly for its counts.
 */
import { join } from 'node:path';
import type { HubLink } from './stations.js';

export interface ChildHub extends HubLink {
  dataDir: string;
  output(): string;
  /** Runs one query on the hub's PostgreSQL (which outlives a SIGKILLed hub until the next start). */
  query<R extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** SIGKILL: no shutdown of any kind. */
  kill(): Promise<void>;
  /** Start it again on the same folder and port. */
  restart(): Promise<void>;
  /** SIGTERM (the hub stops its PostgreSQL), or SIGKILL and the PostgreSQL by its pid when it hangs. */
  stop(): Promise<void>;
}

export async function startChildHub(dataDir: string, startTimeoutMs = 120_000): Promise<ChildHub> {
  const { spawn } = await import('node:child_process');
  const { existsSync, readFileSync } = await import('node:fs');
  const https = await import('node:https');
  const { default: pg } = await import('pg');
  const { freePort } = await import('../../hub/postgres.js');
  const { repoRoot } = await import('./paths.js');
  const port = await freePort();
  let child: import('node:child_process').ChildProcess | null = null;
  let out = '';

  const start = async (): Promise<void> => {
    const proc = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'hub', 'cli.ts'), '--data-dir', dataDir, '--port', String(port), '--no-mdns'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the hub did not start in ${startTimeoutMs} ms:\n${seen}`)), startTimeoutMs);
      const onData = (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        seen += text;
        if (out.length < 200_000) out += text;
        if (/running on port \d+/.test(seen)) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', onData);
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the hub exited (${code ?? signal}) before it was running:\n${seen}`));
      });
    });
  };

  const exited = (proc: import('node:child_process').ChildProcess, timeoutMs: number): Promise<boolean> =>
    proc.exitCode !== null || proc.signalCode !== null
      ? Promise.resolve(true)
      : new Promise((resolve) => {
          const timer = setTimeout(() => resolve(false), timeoutMs);
          proc.once('exit', () => {
            clearTimeout(timer);
            resolve(true);
          });
        });

  const postmasterPid = (): number | null => {
    const file = join(dataDir, 'pg', 'postmaster.pid');
    if (!existsSync(file)) return null;
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  };

  const admin = (path: string): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
      const req = https.request(
        { host: '127.0.0.1', port, path, method: 'POST', ca: readFileSync(join(dataDir, 'tls', 'hub-cert.pem'), 'utf8'), servername: 'localhost', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, timeout: 20_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown));
        },
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('the hub did not answer the admin call')));
      req.end('{}');
    });

  await start();
  return {
    port,
    dataDir,
    output: () => out,
    async newPairingCode() {
      return (await admin('/admin/code')) as { code: string; expiresAt: number };
    },
    async query<R extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> {
      const pidFile = readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n');
      const client = new pg.Client({ host: '127.0.0.1', port: Number(pidFile[3]), user: 'hub', password: readFileSync(join(dataDir, 'pg-password'), 'utf8').trim(), database: 'hub', connectionTimeoutMillis: 10_000 });
      client.on('error', () => undefined);
      await client.connect();
      try {
        return (await client.query<R>(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    async kill() {
      const proc = child;
      if (!proc) return;
      proc.kill('SIGKILL');
      await exited(proc, 30_000);
      child = null;
    },
    async restart() {
      if (child) throw new Error('the hub is still running');
      await start();
    },
    async stop() {
      const proc = child;
      child = null;
      if (proc && !(await exited(proc, 0))) {
        proc.kill('SIGTERM');
        if (!(await exited(proc, 30_000))) {
          proc.kill('SIGKILL');
          await exited(proc, 10_000);
        }
      }
      // A PostgreSQL left by a SIGKILLed hub that was never started again: shut it down by its pid.
      const pid = postmasterPid();
      if (pid && existsSync(`/proc/${pid}/cmdline`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres')) {
        try {
          process.kill(pid, 'SIGINT');
        } catch {
          // Already gone.
        }
      }
    },
  };
}
