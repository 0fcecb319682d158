/**
 * The hub backup's format on disk (research/hub.md §6.4). A backup is a folder, never one file in memory:
 *
 *   hub-backup-2026-12-07T12-00-00-000Z/
 *     tables/<table>.jsonl.gz   each table: one JSON row per line, gzipped, written row batch by batch
 *     files/<sha256>            each customer document file, copied as it is, named by its sha256
 *     manifest.json             written last: every table's row count, size and sha256, every file
 *                               and its size, the hub's identity and TLS key
 *
 * The folder is written as `<name>.part` and renamed when its manifest is on disk, so a backup cut
 * off half-way is recognisably unfinished (a `.part` name, or no manifest). A document file the
 * previous backup already holds is hard-linked from it, not copied again: a store with years of
 * scanned documents copies only the new ones each hour.
 *
 * formatVersion 1 (before 2026-12-07) was one gzipped JSON file (`hub-backup-….json.gz`) with the
 * files as base64 inside: such backups are still read for restore (backup-restore.ts).
 */
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

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

export const BACKUP_FORMAT = 'dispensary-register-hub-backup';
export const BACKUP_PREFIX = 'hub-backup-';
export const LEGACY_SUFFIX = '.json.gz';
export const PART_SUFFIX = '.part';
export const MANIFEST = 'manifest.json';
export const SHA_NAME = /^[0-9a-f]{64}$/;

const sha256 = z.string().regex(SHA_NAME);
const tls = z.object({ key: z.string(), cert: z.string() }).nullable();

export const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.literal(2),
  hubId: z.string(),
  hubEpoch: z.string(),
  takenAt: z.number(),
  tls,
  tables: z.array(z.object({ name: z.string(), file: z.string().regex(/^tables\/[a-z_]+\.jsonl\.gz$/), rows: z.number().int().nonnegative(), bytes: z.number().int().nonnegative(), sha256 })),
  files: z.array(z.object({ sha256, bytes: z.number().int().nonnegative() })),
  /** Files in the hub's folder whose bytes no longer match their name: left out, named here. */
  damagedOnHub: z.array(sha256).default([]),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

/** formatVersion 1: the whole backup as one gzipped JSON (read for restore only). */
export const legacyBackupSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.literal(1),
  hubId: z.string(),
  hubEpoch: z.string(),
  takenAt: z.number(),
  tls,
  tables: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))),
  files: z.record(sha256, z.string()).optional(),
});
export type LegacyBackup = z.infer<typeof legacyBackupSchema>;

export function backupName(takenAt: number): string {
  return `${BACKUP_PREFIX}${new Date(takenAt).toISOString().replace(/[:.]/g, '-')}`;
}

export function tableFile(table: string): string {
  return `tables/${table}.jsonl.gz`;
}

/** A finished backup in `dir`: a folder with its manifest, or a formatVersion 1 file. */
function isFinished(dir: string, name: string): boolean {
  if (!name.startsWith(BACKUP_PREFIX) || name.endsWith(PART_SUFFIX)) return false;
  if (name.endsWith(LEGACY_SUFFIX)) return true;
  return existsSync(join(dir, name, MANIFEST));
}

/** The finished backups in a folder, oldest first (names carry the time they were taken). */
export function finishedBackups(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => isFinished(dir, name))
    .sort();
}

/** Backups left unfinished in a folder (a hub stopped while writing or copying one). */
export function unfinishedBackups(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name.startsWith(BACKUP_PREFIX) && name.endsWith(PART_SUFFIX));
}

/** The manifest of a finished folder backup, or null (a formatVersion 1 file, or unreadable). */
export function readManifest(path: string): BackupManifest | null {
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(join(path, MANIFEST), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The hub's TLS key and certificate, kept in each backup so a restored hub is the same hub to the registers. */
export function readTls(dataDir: string): z.infer<typeof tls> {
  const keyPath = join(dataDir, 'tls', 'hub-key.pem');
  const certPath = join(dataDir, 'tls', 'hub-cert.pem');
  if (!existsSync(keyPath) || !existsSync(certPath)) return null;
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
}

/** Flushes a file (or a folder's entries) to the disk; a folder that cannot be opened is skipped (Windows). */
export function fsyncPath(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch {
    try {
      fd = openSync(path, 'r');
    } catch {
      return;
    }
  }
  try {
    fsyncSync(fd);
  } catch {
    // Folders cannot be fsynced everywhere: the files in them were.
  } finally {
    closeSync(fd);
  }
}
