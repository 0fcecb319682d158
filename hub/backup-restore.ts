/**
 * Restoring a hub from a backup (format: backup-format.ts). The whole backup is checked first —
 * its manifest, every table's row count and hash, every document file's sha256 — and a damaged or
 * unfinished one is refused before any database is touched, saying what to do. Then the tables go
 * into an empty (migrated) hub database in one transaction, a batch of rows at a time, the hub
 * gets a new epoch (every register forgets its version, pulls everything again and pushes every
 * command the backup does not hold), and the TLS files and document files are written.
 *
 * Backups of formatVersion 1 (one gzipped JSON file) still restore.
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, gunzipSync } from 'node:zlib';
import type pg from 'pg';
import { ulid } from 'ulid';
import { appendHubAudit, inTransaction } from './changes.js';
import {
  finishedBackups,
  HUB_TABLES,
  legacyBackupSchema,
  MANIFEST,
  manifestSchema,
  PART_SUFFIX,
  type BackupManifest,
  type LegacyBackup,
} from './backup-format.js';

/** A backup that must not be restored: the message says why and what to do. */
export class BackupRefusedError extends Error {}

/** A backup checked whole (verifyBackup): the only kind restore accepts. */
export interface VerifiedBackup {
  path: string;
  formatVersion: 1 | 2;
  hubId: string;
  hubEpoch: string;
  takenAt: number;
  tls: { key: string; cert: string } | null;
  /** Rows per table. */
  rows: Record<string, number>;
  /** Document files. */
  files: number;
  readonly body: { kind: 'folder'; manifest: BackupManifest } | { kind: 'legacy'; file: LegacyBackup };
}

const RESTORE_BATCH_ROWS = 1000;
const WHAT_TO_DO = 'Nothing was restored and no database was touched: restore from another copy of this backup (the disk given with --backup-copy) or from an older backup.';

function refused(path: string, what: string): BackupRefusedError {
  return new BackupRefusedError(`The backup ${path} cannot be restored: ${what}. ${WHAT_TO_DO}`);
}

/** Reads and checks the whole backup at `path` (a backup folder, or a formatVersion 1 file). Throws BackupRefusedError. */
export async function verifyBackup(path: string): Promise<VerifiedBackup> {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new BackupRefusedError(`There is no backup at ${path}: give the path of a backup folder (hub-backup-…) from the hub's backups folder or a backup disk.`);
  }
  return isFile ? verifyLegacy(path) : verifyFolder(path);
}

async function verifyFolder(path: string): Promise<VerifiedBackup> {
  if (path.replace(/[\\/]+$/, '').endsWith(PART_SUFFIX) || !existsSync(join(path, MANIFEST))) {
    throw refused(path, 'it is unfinished (the hub stopped while writing or copying it, so it has no manifest)');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(path, MANIFEST), 'utf8'));
  } catch {
    throw refused(path, 'its manifest is damaged');
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const version = typeof raw === 'object' && raw !== null && 'formatVersion' in raw ? Number(raw.formatVersion) : 0;
    if (version > 2) throw new BackupRefusedError(`The backup ${path} was made by a newer version of the hub: update this hub first, then restore it.`);
    throw refused(path, 'its manifest is damaged');
  }
  const manifest = parsed.data;
  const known = new Set<string>(HUB_TABLES);
  const unknown = manifest.tables.find((t) => !known.has(t.name));
  if (unknown) throw new BackupRefusedError(`The backup ${path} holds a table this hub does not know (${unknown.name}): it was made by a newer version of the hub; update this hub first, then restore it.`);
  const problems: string[] = [];
  for (const table of manifest.tables) {
    const problem = await checkTable(join(path, table.file), table);
    if (problem) problems.push(`the table ${table.name} ${problem}`);
  }
  for (const file of manifest.files) {
    const problem = await checkFile(join(path, 'files', file.sha256), file);
    if (problem) problems.push(`document file ${file.sha256.slice(0, 12)}… ${problem}`);
  }
  if (problems.length > 0) throw refused(path, `${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''}`);
  return {
    path,
    formatVersion: 2,
    hubId: manifest.hubId,
    hubEpoch: manifest.hubEpoch,
    takenAt: manifest.takenAt,
    tls: manifest.tls,
    rows: Object.fromEntries(manifest.tables.map((t) => [t.name, t.rows])),
    files: manifest.files.length,
    body: { kind: 'folder', manifest },
  };
}

function sha256Sink(): { sink: Writable; digest: () => { sha256: string; bytes: number; lines: number } } {
  const hash = createHash('sha256');
  let bytes = 0;
  let lines = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
      callback();
    },
  });
  return { sink, digest: () => ({ sha256: hash.digest('hex'), bytes, lines }) };
}

/** Null when the table's file has the manifest's size, hash and row count; else what is wrong. */
async function checkTable(file: string, expected: { rows: number; bytes: number; sha256: string }): Promise<string | null> {
  if (!existsSync(file)) return 'is missing';
  if (statSync(file).size !== expected.bytes) return 'is damaged (its size is not the one recorded)';
  const raw = sha256Sink();
  const rows = sha256Sink();
  try {
    await Promise.all([pipeline(createReadStream(file), raw.sink), pipeline(createReadStream(file), createGunzip(), rows.sink)]);
  } catch {
    return 'is damaged (it cannot be read)';
  }
  if (raw.digest().sha256 !== expected.sha256) return 'is damaged (its contents do not match)';
  const counted = rows.digest().lines;
  if (counted !== expected.rows) return `is damaged (${counted} rows, ${expected.rows} recorded)`;
  return null;
}

/** Null when the file is there with the recorded size and bytes matching its sha256 name; else what is wrong. */
async function checkFile(file: string, expected: { sha256: string; bytes: number }): Promise<string | null> {
  if (!existsSync(file)) return 'is missing';
  if (statSync(file).size !== expected.bytes) return 'is damaged (its size is not the one recorded)';
  const { sink, digest } = sha256Sink();
  try {
    await pipeline(createReadStream(file), sink);
  } catch {
    return 'cannot be read';
  }
  return digest().sha256 === expected.sha256 ? null : 'is damaged (its contents do not match)';
}

/** A formatVersion 1 backup: one gzipped JSON, read whole (as it was written). */
function verifyLegacy(path: string): VerifiedBackup {
  let raw: unknown;
  try {
    raw = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8'));
  } catch {
    throw refused(path, 'it could not be read as a hub backup (a damaged or unfinished file, or not a backup)');
  }
  const parsed = legacyBackupSchema.safeParse(raw);
  if (!parsed.success) throw refused(path, 'it is not a hub backup this hub can restore');
  const file = parsed.data;
  const known = new Set<string>(HUB_TABLES);
  const unknown = Object.keys(file.tables).find((t) => !known.has(t));
  if (unknown) throw new BackupRefusedError(`The backup ${path} holds a table this hub does not know (${unknown}): update this hub first, then restore it.`);
  for (const [sha, base64] of Object.entries(file.files ?? {})) {
    if (createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex') !== sha) throw refused(path, `document file ${sha.slice(0, 12)}… is damaged (its contents do not match)`);
  }
  return {
    path,
    formatVersion: 1,
    hubId: file.hubId,
    hubEpoch: file.hubEpoch,
    takenAt: file.takenAt,
    tls: file.tls,
    rows: Object.fromEntries(Object.entries(file.tables).map(([name, rows]) => [name, rows.length])),
    files: Object.keys(file.files ?? {}).length,
    body: { kind: 'legacy', file },
  };
}

/** Each batch of one table's rows, in the backup's order (a batch at a time in memory). */
export async function backupRows(backup: VerifiedBackup, table: string, each: (rows: Array<Record<string, unknown>>) => Promise<void> | void): Promise<void> {
  if (backup.body.kind === 'legacy') {
    const rows = backup.body.file.tables[table] ?? [];
    for (let i = 0; i < rows.length; i += RESTORE_BATCH_ROWS) await each(rows.slice(i, i + RESTORE_BATCH_ROWS));
    return;
  }
  const entry = backup.body.manifest.tables.find((t) => t.name === table);
  if (!entry) return;
  await pipeline(createReadStream(join(backup.path, entry.file)), createGunzip(), async (source: AsyncIterable<Buffer>) => {
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let batch: Array<Record<string, unknown>> = [];
    for await (const chunk of source) {
      const lines = (rest + decoder.write(chunk)).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        batch.push(JSON.parse(line) as Record<string, unknown>);
        if (batch.length >= RESTORE_BATCH_ROWS) {
          await each(batch);
          batch = [];
        }
      }
    }
    rest += decoder.end();
    if (rest.trim() !== '') batch.push(JSON.parse(rest) as Record<string, unknown>);
    if (batch.length > 0) await each(batch);
  });
}

/** Loads a checked backup into an empty (migrated) hub database and gives it a new epoch. Returns the new epoch. */
export async function restoreBackup(pool: pg.Pool, backup: VerifiedBackup, source: string, now = Date.now()): Promise<string> {
  const epoch = ulid();
  await inTransaction(pool, async (client) => {
    const existing = await client.query('SELECT 1 FROM hub_meta');
    if (existing.rowCount) throw new Error('This hub already holds a store: restore into a new data folder (--data-dir) instead.');
    for (const table of HUB_TABLES) {
      let loaded = 0;
      const overriding = table === 'hub_audit' ? 'OVERRIDING SYSTEM VALUE' : '';
      await backupRows(backup, table, async (rows) => {
        await client.query(`INSERT INTO ${table} ${overriding} SELECT * FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`, [JSON.stringify(rows)]);
        loaded += rows.length;
      });
      // Changed on disk since it was checked: the transaction is rolled back, nothing stays.
      if (loaded !== (backup.rows[table] ?? 0)) throw refused(backup.path, `the table ${table} changed while it was being restored`);
    }
    await client.query("SELECT setval(pg_get_serial_sequence('hub_audit', 'seq'), GREATEST(1, (SELECT COALESCE(MAX(seq), 0) FROM hub_audit)))");
    // Leases belonged to the old hub's clock and connections: the queue starts unclaimed.
    await client.query('UPDATE queue_entries SET claimed_by = NULL, lease_until = NULL');
    await client.query('UPDATE hub_meta SET hub_epoch = $1, restored_from = $2, restored_at = $3 WHERE id = 1', [epoch, source, now]);
    await client.query('UPDATE devices SET backed_up_seq = last_seq');
    await appendHubAudit(client, { deviceId: null, employeeId: null, action: 'hub.restored', details: { source, takenAt: backup.takenAt, previousEpoch: backup.hubEpoch, epoch }, at: now });
  });
  return epoch;
}

/** The TLS files a restored hub presents: the backed-up ones, written before the server starts. */
export function restoreTls(backup: VerifiedBackup, dataDir: string): void {
  if (!backup.tls) return;
  const dir = join(dataDir, 'tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'hub-key.pem'), backup.tls.key, { mode: 0o600 });
  writeFileSync(join(dir, 'hub-cert.pem'), backup.tls.cert, { mode: 0o644 });
}

/** The document files a restored hub serves: each written under its name only when its bytes match it. Returns how many. */
export async function restoreFiles(backup: VerifiedBackup, dataDir: string): Promise<number> {
  const dir = join(dataDir, 'files');
  mkdirSync(dir, { recursive: true });
  const damaged = (sha: string) => refused(backup.path, `document file ${sha.slice(0, 12)}… is damaged (its contents do not match)`);
  let n = 0;
  if (backup.body.kind === 'legacy') {
    for (const [sha, base64] of Object.entries(backup.body.file.files ?? {})) {
      const bytes = Buffer.from(base64, 'base64');
      if (createHash('sha256').update(bytes).digest('hex') !== sha) throw damaged(sha);
      writeFileSync(`${join(dir, sha)}.part`, bytes);
      renameSync(`${join(dir, sha)}.part`, join(dir, sha));
      n += 1;
    }
    return n;
  }
  for (const file of backup.body.manifest.files) {
    const part = `${join(dir, file.sha256)}.part`;
    const hash = createHash('sha256');
    const out = createWriteStream(part);
    await pipeline(
      createReadStream(join(backup.path, 'files', file.sha256)),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hash.update(chunk);
          yield chunk;
        }
      },
      out,
    );
    if (hash.digest('hex') !== file.sha256) {
      rmSync(part, { force: true });
      throw damaged(file.sha256);
    }
    renameSync(part, join(dir, file.sha256));
    n += 1;
  }
  return n;
}

/** A checked backup into an empty hub: its database, then its TLS files and document files. */
export async function restoreVerified(pool: pg.Pool, backup: VerifiedBackup, dataDir: string, now = Date.now()): Promise<{ epoch: string; rows: number; files: number }> {
  const epoch = await restoreBackup(pool, backup, backup.path, now);
  restoreTls(backup, dataDir);
  const files = await restoreFiles(backup, dataDir);
  return { epoch, rows: Object.values(backup.rows).reduce((a, b) => a + b, 0), files };
}

/** Checks the whole backup at `path`, and only then restores it (refused backups leave the database as it was). */
export async function restoreHub(pool: pg.Pool, path: string, dataDir: string, now = Date.now()): Promise<{ epoch: string; rows: number; files: number }> {
  const backup = await verifyBackup(path);
  return restoreVerified(pool, backup, dataDir, now);
}

/** The newest finished backup in a hub's data folder (a folder, or a formatVersion 1 file). */
export function latestBackup(dataDir: string): string | undefined {
  const last = finishedBackups(join(dataDir, 'backups')).at(-1);
  return last ? join(dataDir, 'backups', last) : undefined;
}

