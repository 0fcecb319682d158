/**
 * Restoring a hub from a backup (format: backup-format.ts). The whole backup is checked first —
 * its manifest, every table's row count and hash, every document file's sha256 — and a damaged or
 * unfinished one is refused before any database is touched, saying what to do. Then the tables go
 * into an empty (migrated) hub database in one transaction, a batch of rows at a time, the hub
 * gets a new epoch (every register forgets its version, pulls everything again and pushes every
 * command the backup does not hold), and the TLS files and document files are written and flushed
 * before that transaction commits: a file that cannot be written rolls the database back.
 * `withoutDamagedFiles` restores a backup whose only damage is in document files, leaving those out.
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
  fsyncPath,
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
  /** Document files the restore writes. */
  files: number;
  /** Document files damaged in the backup and left out (only with `withoutDamagedFiles`). */
  damagedFiles: string[];
  readonly body: { kind: 'folder'; manifest: BackupManifest } | { kind: 'legacy'; file: LegacyBackup };
}

const RESTORE_BATCH_ROWS = 1000;
const WHAT_TO_DO = 'Nothing was restored and no database was touched: restore from another copy of this backup (the disk given with --backup-copy) or from an older backup.';

function refused(path: string, what: string): BackupRefusedError {
  return new BackupRefusedError(`The backup ${path} cannot be restored: ${what}. ${WHAT_TO_DO}`);
}

/**
 * Damaged document files only. An unchanged file is hard-linked from one backup to the next, so the
 * older backups in the same folder hold the same damaged bytes: "restore an older backup" would
 * fail the same way. The ways forward are the copy on another disk, or a restore without them.
 */
function refusedForFiles(path: string, what: string): BackupRefusedError {
  return new BackupRefusedError(
    `The backup ${path} cannot be restored: ${what}. Nothing was restored and no database was touched. ` +
      'The older backups in the same folder share this file (an unchanged file is not copied again), so they are damaged the same way. ' +
      'Restore from the copy of this backup on another disk (the folder given with --backup-copy), ' +
      `or restore without the damaged files: npm run hub -- restore "${path}" --data-dir NEW_DIR --without-damaged-files ` +
      '(every table and every good file is restored, and the damaged files are listed with their customers).',
  );
}

function problemList(problems: string[]): string {
  return `${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''}`;
}

export interface VerifyOptions {
  /** Damaged document files are left out (and listed) instead of refusing the backup; damaged tables still refuse it. */
  withoutDamagedFiles?: boolean;
}

/** Reads and checks the whole backup at `path` (a backup folder, or a formatVersion 1 file). Throws BackupRefusedError. */
export async function verifyBackup(path: string, options: VerifyOptions = {}): Promise<VerifiedBackup> {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new BackupRefusedError(`There is no backup at ${path}: give the path of a backup folder (hub-backup-…) from the hub's backups folder or a backup disk.`);
  }
  return isFile ? verifyLegacy(path, options) : verifyFolder(path, options);
}

async function verifyFolder(path: string, options: VerifyOptions): Promise<VerifiedBackup> {
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
  const fileProblems: string[] = [];
  const damagedFiles: string[] = [];
  for (const file of manifest.files) {
    const problem = await checkFile(join(path, 'files', file.sha256), file);
    if (!problem) continue;
    fileProblems.push(`document file ${file.sha256.slice(0, 12)}… ${problem}`);
    damagedFiles.push(file.sha256);
  }
  if (problems.length > 0) throw refused(path, problemList([...problems, ...fileProblems]));
  if (fileProblems.length > 0 && !options.withoutDamagedFiles) throw refusedForFiles(path, problemList(fileProblems));
  return {
    path,
    formatVersion: 2,
    hubId: manifest.hubId,
    hubEpoch: manifest.hubEpoch,
    takenAt: manifest.takenAt,
    tls: manifest.tls,
    rows: Object.fromEntries(manifest.tables.map((t) => [t.name, t.rows])),
    files: manifest.files.length - damagedFiles.length,
    damagedFiles,
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
function verifyLegacy(path: string, options: VerifyOptions): VerifiedBackup {
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
  const damagedFiles: string[] = [];
  for (const [sha, base64] of Object.entries(file.files ?? {})) {
    if (createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex') === sha) continue;
    if (!options.withoutDamagedFiles) throw refusedForFiles(path, `document file ${sha.slice(0, 12)}… is damaged (its contents do not match)`);
    damagedFiles.push(sha);
  }
  return {
    path,
    formatVersion: 1,
    hubId: file.hubId,
    hubEpoch: file.hubEpoch,
    takenAt: file.takenAt,
    tls: file.tls,
    rows: Object.fromEntries(Object.entries(file.tables).map(([name, rows]) => [name, rows.length])),
    files: Object.keys(file.files ?? {}).length - damagedFiles.length,
    damagedFiles,
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

/**
 * Loads a checked backup into an empty (migrated) hub database and gives it a new epoch. Returns the
 * new epoch. `beforeCommit` runs inside the transaction, last: when it throws, nothing is committed.
 */
export async function restoreBackup(pool: pg.Pool, backup: VerifiedBackup, source: string, now = Date.now(), beforeCommit?: () => Promise<void>): Promise<string> {
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
    const details: Record<string, unknown> = { source, takenAt: backup.takenAt, previousEpoch: backup.hubEpoch, epoch };
    if (backup.damagedFiles.length > 0) details.damagedFilesLeftOut = backup.damagedFiles;
    await appendHubAudit(client, { deviceId: null, employeeId: null, action: 'hub.restored', details, at: now });
    if (beforeCommit) await beforeCommit();
  });
  return epoch;
}

/** Writes `bytes` at `path` when nothing was there: `written` gets the paths it created (to remove if the restore fails). */
function writeNew(path: string, bytes: string, mode: number, written: string[]): void {
  const fresh = !existsSync(path);
  writeFileSync(path, bytes, { mode, flush: true });
  if (fresh) written.push(path);
}

/** The TLS files a restored hub presents: the backed-up ones, written before the server starts. */
export function restoreTls(backup: VerifiedBackup, dataDir: string, written: string[] = []): void {
  if (!backup.tls) return;
  const dir = join(dataDir, 'tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeNew(join(dir, 'hub-key.pem'), backup.tls.key, 0o600, written);
  writeNew(join(dir, 'hub-cert.pem'), backup.tls.cert, 0o644, written);
  fsyncPath(dir);
}

/**
 * The document files a restored hub serves: each written as `<sha>.part`, its bytes checked against
 * its name, flushed, then renamed. Damaged files the backup was checked without are left out.
 * `written` gets every path it creates. Returns how many files.
 */
export async function restoreFiles(backup: VerifiedBackup, dataDir: string, written: string[] = []): Promise<number> {
  const dir = join(dataDir, 'files');
  mkdirSync(dir, { recursive: true });
  const damaged = (sha: string) => refused(backup.path, `document file ${sha.slice(0, 12)}… is damaged (its contents do not match)`);
  const leftOut = new Set(backup.damagedFiles);
  const place = (sha: string) => {
    const part = `${join(dir, sha)}.part`;
    fsyncPath(part);
    const fresh = !existsSync(join(dir, sha));
    renameSync(part, join(dir, sha));
    if (fresh) written.push(join(dir, sha));
  };
  let n = 0;
  if (backup.body.kind === 'legacy') {
    for (const [sha, base64] of Object.entries(backup.body.file.files ?? {})) {
      if (leftOut.has(sha)) continue;
      const bytes = Buffer.from(base64, 'base64');
      if (createHash('sha256').update(bytes).digest('hex') !== sha) throw damaged(sha);
      written.push(`${join(dir, sha)}.part`);
      writeFileSync(`${join(dir, sha)}.part`, bytes);
      place(sha);
      n += 1;
    }
    fsyncPath(dir);
    return n;
  }
  for (const file of backup.body.manifest.files) {
    if (leftOut.has(file.sha256)) continue;
    const part = `${join(dir, file.sha256)}.part`;
    const hash = createHash('sha256');
    written.push(part);
    await pipeline(
      createReadStream(join(backup.path, 'files', file.sha256)),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hash.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(part),
    );
    if (hash.digest('hex') !== file.sha256) throw damaged(file.sha256);
    place(file.sha256);
    n += 1;
  }
  fsyncPath(dir);
  return n;
}

/** Words for staff on why a file could not be written, and what to do (no raw error). */
function whyNotWritten(error: unknown): { what: string; fix: string } | null {
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  if (code === 'ENOSPC' || code === 'EDQUOT') return { what: 'the disk is full', fix: 'Free space on that disk' };
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return { what: 'this user may not write there, or the disk is read-only', fix: 'Give the data folder to the user who runs the hub' };
  if (code === 'EISDIR' || code === 'ENOTDIR' || code === 'EEXIST' || code === 'ENOTEMPTY') return { what: 'something else is in the way in that folder', fix: 'Give a new, empty data folder (or empty this one)' };
  if (code === 'EIO') return { what: 'the disk could not be written (a failing disk?)', fix: 'Use another disk' };
  if (code.startsWith('E')) return { what: 'the disk refused it', fix: 'Check the disk' };
  return null;
}

/** A restore that failed while writing files: the database was rolled back and the files written were removed. */
export class RestoreWriteError extends Error {}

export interface RestoreResult {
  epoch: string;
  rows: number;
  files: number;
  /** Damaged document files left out (with `withoutDamagedFiles`), each with the customers whose documents they are. */
  damagedFiles: Array<{ sha256: string; customerIds: string[] | null }>;
}

/**
 * A checked backup into an empty hub: its tables, then its TLS files and document files, all before
 * the database transaction commits. Anything failing on the way rolls the database back and removes
 * what was written: the data folder and database are as they were, and the same restore can run again.
 */
export async function restoreVerified(pool: pg.Pool, backup: VerifiedBackup, dataDir: string, now = Date.now()): Promise<RestoreResult> {
  const written: string[] = [];
  let files = 0;
  let epoch: string;
  let writeFailed: unknown = null;
  try {
    epoch = await restoreBackup(pool, backup, backup.path, now, async () => {
      try {
        restoreTls(backup, dataDir, written);
        files = await restoreFiles(backup, dataDir, written);
      } catch (error) {
        writeFailed = error;
        throw error;
      }
    });
  } catch (error) {
    for (const path of written.reverse()) rmSync(path, { force: true });
    const why = error === writeFailed && !(error instanceof BackupRefusedError) ? whyNotWritten(error) : null;
    if (why === null) throw error;
    throw new RestoreWriteError(
      `The restore of ${backup.path} could not write its files into ${dataDir}: ${why.what}. Nothing was restored: the hub's database was left empty and the files already written were removed. ${why.fix}, then run the same restore again.`,
    );
  }
  // The restore is committed and whole: a failed look-up only leaves the customers unnamed.
  const damagedFiles = await customersOf(pool, backup.damagedFiles).catch(() => backup.damagedFiles.map((sha256) => ({ sha256, customerIds: null })));
  return { epoch, rows: Object.values(backup.rows).reduce((a, b) => a + b, 0), files, damagedFiles };
}

async function customersOf(pool: pg.Pool, shas: string[]): Promise<RestoreResult['damagedFiles']> {
  if (shas.length === 0) return [];
  const found = await pool.query<{ sha256: string; customer_id: string }>('SELECT DISTINCT sha256, customer_id FROM customer_documents WHERE sha256 = ANY($1) ORDER BY customer_id', [shas]);
  return shas.map((sha256) => ({ sha256, customerIds: found.rows.filter((r) => r.sha256 === sha256).map((r) => r.customer_id) }));
}

/** Checks the whole backup at `path`, and only then restores it (refused backups leave the database as it was). */
export async function restoreHub(pool: pg.Pool, path: string, dataDir: string, now = Date.now(), options: VerifyOptions = {}): Promise<RestoreResult> {
  const backup = await verifyBackup(path, options);
  return restoreVerified(pool, backup, dataDir, now);
}

/** The newest finished backup in a hub's data folder (a folder, or a formatVersion 1 file). */
export function latestBackup(dataDir: string): string | undefined {
  const last = finishedBackups(join(dataDir, 'backups')).at(-1);
  return last ? join(dataDir, 'backups', last) : undefined;
}

