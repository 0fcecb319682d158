/**
 * The store hub as one object: PostgreSQL (embedded or DATABASE_URL), identity, the HTTPS + WSS
 * server, the mDNS advertisement and scheduled backups. `npm run hub` (hub/cli.ts) runs it; tests
 * start it in-process.
 */
import type pg from 'pg';
import { openDatabase, type HubDatabase } from './postgres.js';
import { ensureAdminToken, ensureMeta, ensureTls, readMeta, type HubMeta, type HubTls } from './identity.js';
import { startServer, type HubServer } from './server.js';
import { createAdmin, type AdminApi } from './admin.js';
import { takeBackup, type BackupResult } from './backup.js';
import { newPairingCode } from './pairing.js';
import { advertise } from './advertise.js';
import { LEASE_MS } from './protocol.js';
import { expireLeases } from './claims.js';
import { retryConflicts } from './log.js';

export interface HubOptions {
  dataDir: string;
  databaseUrl?: string;
  /** HTTPS port (default 47900; 0: any free one). */
  port?: number;
  host?: string;
  pgPort?: number;
  storeName?: string;
  /** Announce on mDNS (default true). */
  advertise?: boolean;
  /** Scheduled backups (default hourly; 0: none). */
  backupIntervalMs?: number;
  /** Folders on other disks each backup is copied to. */
  backupCopyDirs?: string[];
  log?: (line: string) => void;
  /** The hub's clock (leases, change rows, pairing codes); tests inject their own. */
  now?: () => number;
  /** A queue claim's lease (default LEASE_MS, 90 s; tests shorten it). */
  leaseMs?: number;
}

export interface Hub {
  url: string;
  port: number;
  fingerprint256: string;
  meta(): HubMeta;
  pool: pg.Pool;
  db: HubDatabase;
  tls: HubTls;
  admin: AdminApi;
  newPairingCode(): Promise<{ code: string; expiresAt: number }>;
  backup(): Promise<BackupResult>;
  /** Clears queue claims whose lease ran out (what the sweep timer runs); the entries cleared. */
  sweepLeases(): Promise<string[]>;
  connectedDevices(): string[];
  stop(): Promise<void>;
}

export const DEFAULT_HUB_PORT = 47900;

export async function startHub(options: HubOptions): Promise<Hub> {
  const log = options.log ?? ((line: string) => console.log(line));
  const now = options.now ?? Date.now;
  const db = await openDatabase({ dataDir: options.dataDir, databaseUrl: options.databaseUrl, pgPort: options.pgPort, onLog: (line) => { if (/FATAL|PANIC|ERROR/.test(line)) log(`[postgres] ${line}`); } });
  let server: HubServer | undefined;
  let stopAdvert: (() => Promise<void>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  try {
    let meta = await ensureMeta(db.pool, options.storeName ?? 'Store', now());
    const tls = await ensureTls(options.dataDir);
    const adminToken = ensureAdminToken(options.dataDir);
    const leaseMs = options.leaseMs ?? LEASE_MS;
    const ctx = { pool: db.pool, meta: () => meta, now, log, leaseMs };
    const ref: { server?: HubServer } = {};
    const admin = createAdmin({
      pool: db.pool,
      dataDir: options.dataDir,
      backupCopyDirs: options.backupCopyDirs ?? [],
      tls,
      meta: () => meta,
      connected: () => ref.server?.connectedDevices() ?? [],
      disconnect: (id) => ref.server?.disconnect(id),
      log,
    });
    server = await startServer({ ctx, tls, dataDir: options.dataDir, adminToken, admin, connection: db.connection, host: options.host, port: options.port ?? DEFAULT_HUB_PORT });
    ref.server = server;
    meta = await readMeta(db.pool);
    if (options.advertise !== false) stopAdvert = advertise({ port: server.port, hubId: meta.hubId, storeName: meta.storeName, fingerprint256: tls.fingerprint256, log });
    const interval = options.backupIntervalMs ?? 3600_000;
    if (interval > 0) {
      timer = setInterval(() => {
        takeBackup(db.pool, options.dataDir, { copyDirs: options.backupCopyDirs }).then(
          (b) => {
            log(`backup ${b.path} (${b.rows} rows, ${b.files} document files)`);
            if (b.damagedOnHub.length > 0) log(`backup: ${b.damagedOnHub.length} document files on this hub's disk are damaged and were left out (${b.damagedOnHub.map((sha) => sha.slice(0, 12)).join(', ')}); earlier backups may still hold them): check this PC's disk`);
          },
          (error: unknown) => log(`backup failed: ${error instanceof Error ? error.message : String(error)}`),
        );
      }, interval);
      timer.unref();
    }
    // Leases that ran out (a register died or lost its link while serving) are cleared, so other
    // stations stop showing the customer as served there; checked three times per lease.
    const sweepLeases = () => retryConflicts(() => expireLeases(db.pool, now()));
    let sweeping = false;
    sweepTimer = setInterval(() => {
      if (sweeping) return;
      sweeping = true;
      sweepLeases()
        .then((cleared) => { if (cleared.length > 0) log(`queue: ${cleared.length} claim(s) whose lease ran out were cleared`); })
        .catch((error: unknown) => log(`lease sweep failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => { sweeping = false; });
    }, Math.max(100, Math.floor(leaseMs / 3)));
    sweepTimer.unref();
    const running = server;
    let stopped = false;
    return {
      url: `https://127.0.0.1:${running.port}`,
      port: running.port,
      fingerprint256: tls.fingerprint256,
      meta: () => meta,
      pool: db.pool,
      db,
      tls,
      admin,
      newPairingCode: () => newPairingCode(db.pool, now()),
      backup: () => takeBackup(db.pool, options.dataDir, { copyDirs: options.backupCopyDirs }),
      sweepLeases,
      connectedDevices: () => running.connectedDevices(),
      async stop() {
        if (stopped) return;
        stopped = true;
        if (timer) clearInterval(timer);
        if (sweepTimer) clearInterval(sweepTimer);
        await stopAdvert?.().catch(() => undefined);
        await running.close();
        await db.close();
      },
    };
  } catch (error) {
    if (timer) clearInterval(timer);
    if (sweepTimer) clearInterval(sweepTimer);
    await stopAdvert?.().catch(() => undefined);
    await server?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw error;
  }
}
