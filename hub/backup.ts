/**
 * Logical backups of the hub (research/hub.md §3.1, §6.4). The embedded PostgreSQL ships no
 * pg_dump, so a backup is every table read in one REPEATABLE READ snapshot and written as gzipped
 * JSON, with the hub's TLS key and certificate (so a hub restored on another PC is the same hub
 * to the registers that pinned it) and the customer documents' files. After a backup is safely on disk, each device's backed-up
 * sequence number is raised: registers may prune outbox rows up to it.
 *
 * Restore goes into an empty hub database and gives the hub a new epoch: every register forgets
 * its version, pulls everything again and pushes every command the backup does not hold.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type pg from 'pg';
import { ulid } from 'ulid';
import { z } from 'zod';
import { appendHubAudit, inTransaction } from './changes.js';

/** Every hub table, in restore order (there are no foreign keys). */
export const HUB_TABLES = [
  'hub_meta',
  'devices',
  'pairing_codes',
  'commands',
  'change_log',
  'customers',
  'customer_merges',
  'customer_conflicts',
  'caregiver_patients',
  'customer_caregivers',
  'customer_documents',
  'queue_entries',
  'employees',
  'products',
  'stock_movements',
  'stock_levels',
  'rewards_ledger',
  'rewards_balances',
  'rewards_cards',
  'sales',
  'allotment_balances',
  'allotment_grants',
  'hub_audit',
] as const;

const backupFile = z.object({
  format: z.literal('dispensary-register-hub-backup'),
  formatVersion: z.literal(1),
  hubId: z.string(),
  hubEpoch: z.string(),
  takenAt: z.number(),
  tls: z.object({ key: z.string(), cert: z.string() }).nullable(),
  tables: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))),
  /** Customer documents' files (base64 by sha256): a backup without them restores a hub with records whose files are gone. */
  files: z.record(z.string().regex(/^[0-9a-f]{64}$/), z.string()).optional(),
});
export type BackupFile = z.infer<typeof backupFile>;

export interface BackupResult {
  path: string;
  /** The same file on the other disks it was copied to. */
  copies: string[];
  takenAt: number;
  rows: number;
  bytes: number;
}

/**
 * `copyDirs`: other disks to copy each backup to (a register's share, a USB disk): a backup only on
 * the hub's own disk does not survive that disk. Devices' backed-up seqs are raised only after the
 * copies too (a copy that fails is logged by the caller and the seqs stay).
 */
export async function takeBackup(pool: pg.Pool, dataDir: string, options: { keep?: number; now?: number; copyDirs?: string[] } = {}): Promise<BackupResult> {
  const takenAt = options.now ?? Date.now();
  const client = await pool.connect();
  let file: BackupFile;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const tables: BackupFile['tables'] = {};
    for (const table of HUB_TABLES) {
      const { rows } = await client.query<Record<string, unknown>>(`SELECT * FROM ${table}`);
      tables[table] = rows;
    }
    await client.query('COMMIT');
    const meta = tables.hub_meta?.[0];
    if (!meta) throw new Error('hub_meta is missing');
    file = { format: 'dispensary-register-hub-backup', formatVersion: 1, hubId: String(meta.hub_id), hubEpoch: String(meta.hub_epoch), takenAt, tls: readTls(dataDir), tables, files: readFiles(dataDir) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  const dir = join(dataDir, 'backups');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const name = `hub-backup-${new Date(takenAt).toISOString().replace(/[:.]/g, '-')}.json.gz`;
  const body = gzipSync(JSON.stringify(file));
  const path = join(dir, name);
  writeFileSync(`${path}.part`, body, { mode: 0o600, flush: true });
  renameSync(`${path}.part`, path);
  const copies: string[] = [];
  for (const copyDir of options.copyDirs ?? []) {
    mkdirSync(copyDir, { recursive: true });
    copyFileSync(path, join(copyDir, name));
    copies.push(join(copyDir, name));
  }
  // Only now is it safe to tell registers they may prune what this backup holds.
  for (const device of file.tables.devices ?? []) {
    await pool.query('UPDATE devices SET backed_up_seq = GREATEST(backed_up_seq, $2) WHERE device_id = $1', [device.device_id, device.last_seq]);
  }
  pruneBackups(dir, options.keep ?? 48);
  const rows = Object.values(file.tables).reduce((n, t) => n + t.length, 0);
  return { path, copies, takenAt, rows, bytes: body.length };
}

function readTls(dataDir: string): BackupFile['tls'] {
  const keyPath = join(dataDir, 'tls', 'hub-key.pem');
  const certPath = join(dataDir, 'tls', 'hub-cert.pem');
  if (!existsSync(keyPath) || !existsSync(certPath)) return null;
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
}

const SHA_NAME = /^[0-9a-f]{64}$/;

/** Every document file the hub holds (files/<sha256>), base64. */
function readFiles(dataDir: string): Record<string, string> {
  const dir = join(dataDir, 'files');
  const files: Record<string, string> = {};
  if (!existsSync(dir)) return files;
  for (const name of readdirSync(dir).filter((n) => SHA_NAME.test(n)).sort()) files[name] = readFileSync(join(dir, name)).toString('base64');
  return files;
}

/** The document files a restored hub serves: each written under its name only when its bytes match it. Returns how many. */
export function restoreFiles(file: BackupFile, dataDir: string): number {
  const dir = join(dataDir, 'files');
  mkdirSync(dir, { recursive: true });
  let n = 0;
  for (const [sha, base64] of Object.entries(file.files ?? {})) {
    const bytes = Buffer.from(base64, 'base64');
    if (createHash('sha256').update(bytes).digest('hex') !== sha) throw new Error(`The backup's copy of document file ${sha.slice(0, 12)}… is damaged: restore from another backup copy.`);
    writeFileSync(`${join(dir, sha)}.part`, bytes);
    renameSync(`${join(dir, sha)}.part`, join(dir, sha));
    n += 1;
  }
  return n;
}

function pruneBackups(dir: string, keep: number): void {
  const files = readdirSync(dir).filter((f) => f.startsWith('hub-backup-') && f.endsWith('.json.gz')).sort();
  for (const old of files.slice(0, Math.max(0, files.length - keep))) rmSync(join(dir, old), { force: true });
}

export function readBackup(path: string): BackupFile {
  let raw: unknown;
  try {
    raw = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8'));
  } catch {
    throw new Error(`${path} is not a hub backup (it could not be read as one).`);
  }
  const parsed = backupFile.safeParse(raw);
  if (!parsed.success) throw new Error(`${path} is not a hub backup this hub can restore.`);
  return parsed.data;
}

/** The TLS files a restored hub presents: the backed-up ones, written before the server starts. */
export function restoreTls(file: BackupFile, dataDir: string): void {
  if (!file.tls) return;
  const dir = join(dataDir, 'tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'hub-key.pem'), file.tls.key, { mode: 0o600 });
  writeFileSync(join(dir, 'hub-cert.pem'), file.tls.cert, { mode: 0o644 });
}

/** Loads a backup into an empty (migrated) hub database and gives it a new epoch. Returns the new epoch. */
export async function restoreBackup(pool: pg.Pool, file: BackupFile, source: string, now = Date.now()): Promise<string> {
  const epoch = ulid();
  await inTransaction(pool, async (client) => {
    const existing = await client.query('SELECT 1 FROM hub_meta');
    if (existing.rowCount) throw new Error('This hub already holds a store: restore into a new data folder (--data-dir) instead.');
    for (const table of HUB_TABLES) {
      const rows = file.tables[table] ?? [];
      for (let i = 0; i < rows.length; i += 2000) {
        const chunk = rows.slice(i, i + 2000);
        const overriding = table === 'hub_audit' ? 'OVERRIDING SYSTEM VALUE' : '';
        await client.query(`INSERT INTO ${table} ${overriding} SELECT * FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`, [JSON.stringify(chunk)]);
      }
    }
    await client.query("SELECT setval(pg_get_serial_sequence('hub_audit', 'seq'), GREATEST(1, (SELECT COALESCE(MAX(seq), 0) FROM hub_audit)))");
    // Leases belonged to the old hub's clock and connections: the queue starts unclaimed.
    await client.query('UPDATE queue_entries SET claimed_by = NULL, lease_until = NULL');
    await client.query('UPDATE hub_meta SET hub_epoch = $1, restored_from = $2, restored_at = $3 WHERE id = 1', [epoch, source, now]);
    await client.query('UPDATE devices SET backed_up_seq = last_seq');
    await appendHubAudit(client, { deviceId: null, employeeId: null, action: 'hub.restored', details: { source, takenAt: file.takenAt, previousEpoch: file.hubEpoch, epoch }, at: now });
  });
  return epoch;
}

export function latestBackup(dataDir: string): string | undefined {
  const dir = join(dataDir, 'backups');
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir).filter((f) => f.startsWith('hub-backup-') && f.endsWith('.json.gz')).sort();
  const last = files.at(-1);
  return last ? join(dir, last) : undefined;
}
