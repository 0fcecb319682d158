/**
 * Hub backups of a store with many document files (hub/backup-format.ts): the backup is a folder
 * of gzipped JSON-lines tables, the files copied as files by sha256 and a manifest written last —
 * never one file holding everything — and the next backup links the files it already holds. A
 * damaged, unfinished or tampered backup is refused before any database is touched; an old
 * single-file backup (formatVersion 1) still restores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { openDatabase, type HubDatabase } from '../../hub/postgres.js';
import { HUB_TABLES, manifestSchema } from '../../hub/backup-format.js';
import { backupRows, restoreHub, verifyBackup } from '../../hub/backup-restore.js';
import { takeBackup, type BackupResult } from '../../hub/backup.js';
import { pairedStation, startTestHub, type TestHub } from '../support/hub-server.js';
import { repoRoot } from '../support/paths.js';

const FILES = 200;
const FILE_BYTES = 256 * 1024;

const root = mkdtempSync(join(tmpdir(), 'hub-backup-format-'));
let t: TestHub;
const shas: string[] = [];
let first: BackupResult;
let second: BackupResult;
const copyDir = join(root, 'usb-disk');
const opened: HubDatabase[] = [];

beforeAll(async () => {
  t = await startTestHub({ dataDir: join(root, 'pc1', 'hub') });
  const station = await pairedStation(t.hub, 'Register 1');
  station.close();
  // Years of scanned documents, in the hub's own store of files (files/<sha256>).
  const files = join(t.dataDir, 'files');
  mkdirSync(files, { recursive: true });
  for (let i = 0; i < FILES; i++) {
    const bytes = randomBytes(FILE_BYTES);
    const sha = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(files, sha), bytes);
    shas.push(sha);
  }
  shas.sort();
  first = await takeBackup(t.hub.pool, t.dataDir, { copyDirs: [copyDir], keep: 2, now: Date.UTC(2026, 11, 7, 12) });
  second = await takeBackup(t.hub.pool, t.dataDir, { copyDirs: [copyDir], keep: 2, now: Date.UTC(2026, 11, 7, 13) });
}, 240_000);

afterAll(async () => {
  for (const db of opened) await db.close().catch(() => undefined);
  await t?.stop().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
}, 60_000);

/** An empty hub database beside the test hub's (same PostgreSQL, its own database). */
async function emptyHubDatabase(name: string): Promise<HubDatabase> {
  await t.hub.pool.query(`CREATE DATABASE ${name}`);
  const c = t.hub.db.connection;
  const url = `postgres://${String(c.user)}:${encodeURIComponent(String(c.password))}@127.0.0.1:${String(c.port)}/${name}`;
  const db = await openDatabase({ dataDir: join(root, name), databaseUrl: url });
  opened.push(db);
  return db;
}

async function rowCounts(db: HubDatabase['pool']): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of HUB_TABLES) counts[table] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
  return counts;
}

function everyFile(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? everyFile(join(dir, entry.name)) : [join(dir, entry.name)]));
}

describe('a backup of a hub with many document files', () => {
  it('is a folder: tables as gzipped JSON lines with counts and hashes in a manifest, each file by its sha256, none holding everything', async () => {
    expect(first.files).toBe(FILES);
    const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(second.path, 'manifest.json'), 'utf8')));
    expect(manifest.formatVersion).toBe(2);
    expect(manifest.files.map((f) => f.sha256)).toEqual(shas);
    expect(manifest.tables.map((table) => table.name)).toEqual([...HUB_TABLES]);
    const counts = await rowCounts(t.hub.pool);
    for (const table of manifest.tables) {
      const gz = readFileSync(join(second.path, table.file));
      expect(createHash('sha256').update(gz).digest('hex'), table.name).toBe(table.sha256);
      const lines = gunzipSync(gz).toString('utf8').split('\n').filter((line) => line !== '');
      expect(lines.length, table.name).toBe(table.rows);
      expect(table.rows, table.name).toBe(counts[table.name]);
      for (const line of lines) expect(typeof JSON.parse(line)).toBe('object');
    }
    expect(counts.devices).toBe(1);
    for (const sha of shas) {
      const bytes = readFileSync(join(second.path, 'files', sha));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha);
    }
    // Bounded memory: no file in the backup is bigger than one document (the old format put ~70 MB in one JSON).
    const sizes = everyFile(second.path).map((file) => statSync(file).size);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(FILE_BYTES);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(FILES * FILE_BYTES);
    expect(everyFile(second.path).some((file) => file.endsWith('.part'))).toBe(false);
  });

  it('the next backup links the files the last one holds instead of copying them again; copies and pruning keep working', () => {
    // Only the tables and the manifest were written the second time.
    expect(first.bytes).toBeGreaterThan(FILES * FILE_BYTES);
    expect(second.bytes).toBeLessThan(FILE_BYTES);
    const sha = shas[0]!;
    expect(statSync(join(second.path, 'files', sha)).ino).toBe(statSync(join(first.path, 'files', sha)).ino);
    // The copy on the other disk is whole and links its own previous copy.
    expect(second.copies).toHaveLength(1);
    expect(statSync(join(second.copies[0]!, 'files', sha)).ino).toBe(statSync(join(first.copies[0]!, 'files', sha)).ino);
    expect(statSync(join(second.copies[0]!, 'files', sha)).ino).not.toBe(statSync(join(second.path, 'files', sha)).ino);
    expect(readFileSync(join(second.copies[0]!, 'manifest.json'), 'utf8')).toBe(readFileSync(join(second.path, 'manifest.json'), 'utf8'));
  });

  it.skipIf(process.platform === 'win32')('keeps the TLS private key to the hub user: backup folders 0700 and the manifest 0600, on the hub and on the copy disk, whatever the umask', async () => {
    const umask = process.umask(0o000);
    let loose: BackupResult;
    try {
      loose = await takeBackup(t.hub.pool, t.dataDir, { copyDirs: [copyDir], keep: 3, now: Date.UTC(2026, 11, 7, 13, 30) });
    } finally {
      process.umask(umask);
    }
    const manifest = JSON.parse(readFileSync(join(loose.path, 'manifest.json'), 'utf8')) as { tls: { key: string } | null };
    expect(manifest.tls?.key).toContain('PRIVATE KEY');
    for (const backup of [second.path, second.copies[0]!, loose.path, loose.copies[0]!]) {
      for (const folder of [backup, join(backup, 'tables'), join(backup, 'files')]) expect(statSync(folder).mode & 0o777, folder).toBe(0o700);
      expect(statSync(join(backup, 'manifest.json')).mode & 0o777, backup).toBe(0o600);
    }
    rmSync(loose.path, { recursive: true });
    rmSync(loose.copies[0]!, { recursive: true });
  }, 120_000);

  it('keeps the newest backups (folders and old files alike) on the hub and on the copy disk, and clears an unfinished one', async () => {
    const backups = join(t.dataDir, 'backups');
    // An old single-file backup, and one cut off by a stopped hub.
    writeFileSync(join(backups, 'hub-backup-2026-01-01T00-00-00-000Z.json.gz'), gzipSync('{}'));
    mkdirSync(join(backups, 'hub-backup-2026-12-07T12-30-00-000Z.part', 'files'), { recursive: true });
    // A document file the hub's own disk damaged: left out and named, not backed up as if whole.
    const rotten = createHash('sha256').update('a scan that was').digest('hex');
    writeFileSync(join(t.dataDir, 'files', rotten), 'a scan that rotted');
    const third = await takeBackup(t.hub.pool, t.dataDir, { copyDirs: [copyDir], keep: 2, now: Date.UTC(2026, 11, 7, 14) });
    rmSync(join(t.dataDir, 'files', rotten));
    expect(third.damagedOnHub).toEqual([rotten]);
    expect(third.files).toBe(FILES);
    expect(readdirSync(backups).sort()).toEqual([second.path, third.path].map((p) => basename(p)).sort());
    expect(readdirSync(copyDir).sort()).toEqual([second.copies[0]!, third.copies[0]!].map((p) => basename(p)).sort());
    // The pruned backup's links are gone; the files stay in the ones kept.
    expect(statSync(join(third.path, 'files', shas[0]!)).nlink).toBe(2);
    expect((await verifyBackup(third.path)).files).toBe(FILES);
  }, 120_000);
});

describe('restoring a backup', () => {
  it('refuses a backup with one damaged document file, a tampered table or no manifest, and leaves the database untouched', async () => {
    const db = await emptyHubDatabase('restore_refused');
    const target = join(root, 'pc2', 'hub');
    // Damage a private copy (the backups' files are hard links: damaging one damages all).
    const damaged = join(root, 'damaged-file');
    cpSync(second.path, damaged, { recursive: true });
    const victim = join(damaged, 'files', shas[17]!);
    const bytes = readFileSync(victim);
    bytes[1000] = bytes[1000]! ^ 0xff;
    writeFileSync(victim, bytes);
    // The older backups share the file (hard links): the message names the copy disk and the restore without damaged files instead.
    await expect(restoreHub(db.pool, damaged, target)).rejects.toThrow(
      new RegExp(
        `document file ${shas[17]!.slice(0, 12)}… is damaged .*Nothing was restored and no database was touched\\. The older backups in the same folder share this file.*the copy of this backup on another disk \\(the folder given with --backup-copy\\).*--without-damaged-files`,
      ),
    );

    const tampered = join(root, 'tampered-table');
    cpSync(second.path, tampered, { recursive: true });
    writeFileSync(join(tampered, 'tables', 'devices.jsonl.gz'), gzipSync(''));
    await expect(restoreHub(db.pool, tampered, target)).rejects.toThrow(/the table devices is damaged/);

    const unfinished = join(root, 'unfinished');
    cpSync(second.path, unfinished, { recursive: true });
    rmSync(join(unfinished, 'manifest.json'));
    await expect(restoreHub(db.pool, unfinished, target)).rejects.toThrow(/is unfinished/);

    // Damaged tables are never left out: the option does not restore them.
    await expect(restoreHub(db.pool, tampered, target, Date.now(), { withoutDamagedFiles: true })).rejects.toThrow(/the table devices is damaged/);

    // Nothing reached the database or the data folder.
    expect(Object.values(await rowCounts(db.pool)).every((n) => n === 0)).toBe(true);
    expect(existsSync(join(target, 'files'))).toBe(false);
    expect(existsSync(join(target, 'tls'))).toBe(false);

    // The undamaged backup restores whole into that same database.
    const restored = await restoreHub(db.pool, second.path, target);
    expect(restored.files).toBe(FILES);
    const counts = await rowCounts(db.pool);
    const before = await rowCounts(t.hub.pool);
    expect(counts.devices).toBe(before.devices);
    expect(counts.hub_audit).toBe(before.hub_audit! + 1); // + hub.restored
    expect(readdirSync(join(target, 'files')).sort()).toEqual(shas);
    expect(readFileSync(join(target, 'tls', 'hub-cert.pem'), 'utf8')).toBe(t.hub.tls.cert);
  }, 120_000);

  it('a file that cannot be written rolls the database back: the message says nothing was restored, and the same restore runs again', async () => {
    const db = await emptyHubDatabase('restore_write_fails');
    const target = join(root, 'pc-write-fails', 'hub');
    // Something in the way of one file's name (a folder, with something in it): its rename fails half-way through.
    const blocked = shas[120]!;
    mkdirSync(join(target, 'files', blocked, 'in-the-way'), { recursive: true });
    await expect(restoreHub(db.pool, second.path, target)).rejects.toThrow(
      /could not write its files into .*: something else is in the way in that folder\. Nothing was restored: the hub's database was left empty and the files already written were removed\. Give a new, empty data folder \(or empty this one\), then run the same restore again\./,
    );
    expect(Object.values(await rowCounts(db.pool)).every((n) => n === 0)).toBe(true);
    expect(readdirSync(join(target, 'files'))).toEqual([blocked]);
    expect(existsSync(join(target, 'tls', 'hub-key.pem'))).toBe(false);

    // Once the way is clear, the same restore into the same database is not refused as "already holds a store".
    rmSync(join(target, 'files', blocked), { recursive: true });
    expect((await restoreHub(db.pool, second.path, target)).files).toBe(FILES);
    expect(readdirSync(join(target, 'files')).sort()).toEqual(shas);
    expect((await rowCounts(db.pool)).devices).toBe(1);
  }, 120_000);

  it('npm run hub -- restore refuses a damaged backup before it starts a database', () => {
    const damaged = join(root, 'damaged-cli');
    cpSync(second.path, damaged, { recursive: true });
    writeFileSync(join(damaged, 'files', shas[3]!), 'not the scan');
    const dataDir = join(root, 'pc-cli', 'hub');
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'hub', 'cli.ts'), 'restore', damaged, '--data-dir', dataDir], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/is damaged .*Nothing was restored and no database was touched/);
    expect(existsSync(join(dataDir, 'pg'))).toBe(false);
  }, 90_000);

  it('--without-damaged-files restores every table and every good file and lists the damaged ones with their customers; the refusal names that option', async () => {
    // A small store: three scanned documents, one of them a customer's.
    const dataDir = join(root, 'pc-docs', 'hub');
    mkdirSync(join(dataDir, 'files'), { recursive: true });
    const docs = ['licence front', 'licence back', "doctor's permit"].map((text) => Buffer.from(`%PDF-1.4 ${text}`));
    const docShas = docs.map((bytes) => createHash('sha256').update(bytes).digest('hex'));
    docs.forEach((bytes, i) => writeFileSync(join(dataDir, 'files', docShas[i]!), bytes));
    const customer = 'CUSTOMER0000000000000000001';
    await t.hub.pool.query("INSERT INTO customer_documents (id, customer_id, sha256, data) VALUES ('DOC-TEST-1', $1, $2, '{}'::jsonb)", [customer, docShas[2]]);
    let small: BackupResult;
    try {
      small = await takeBackup(t.hub.pool, dataDir, { now: Date.UTC(2026, 11, 7, 15) });
    } finally {
      await t.hub.pool.query("DELETE FROM customer_documents WHERE id = 'DOC-TEST-1'");
    }
    // The one damaged file is damaged in this backup (and, being hard-linked, in every older one beside it).
    writeFileSync(join(small.path, 'files', docShas[2]!), 'not the permit');

    const cliRestore = (target: string, ...extra: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'hub', 'cli.ts'), 'restore', small.path, '--data-dir', target, ...extra], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    const refused = cliRestore(join(root, 'pc-docs-refused', 'hub'));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/Nothing was restored and no database was touched\..*--backup-copy.*--without-damaged-files/);

    const target = join(root, 'pc-docs-restored', 'hub');
    const run = cliRestore(target, '--without-damaged-files');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/2 document files \(new epoch/);
    expect(run.stdout).toContain(`1 damaged document file was left out:\n  ${docShas[2]!}  a document of customer ${customer}`);
    expect(readdirSync(join(target, 'files')).sort()).toEqual(docShas.slice(0, 2).sort());
    // The tables are whole: the restored hub has the store's devices and the document's record.
    const db = await openDatabase({ dataDir: target });
    opened.push(db);
    expect((await rowCounts(db.pool)).devices).toBe(1);
    expect((await db.pool.query('SELECT 1 FROM customer_documents WHERE sha256 = $1', [docShas[2]])).rowCount).toBe(1);
    const audit = await db.pool.query<{ details: { damagedFilesLeftOut?: string[] } }>("SELECT details FROM hub_audit WHERE action = 'hub.restored'");
    expect(audit.rows[0]?.details.damagedFilesLeftOut).toEqual([docShas[2]]);
  }, 240_000);

  it('still restores an old single-file backup (formatVersion 1)', async () => {
    const backup = await verifyBackup(second.path);
    const tables: Record<string, unknown[]> = {};
    for (const table of HUB_TABLES) {
      tables[table] = [];
      await backupRows(backup, table, (rows) => {
        tables[table]!.push(...rows);
      });
    }
    const files = Object.fromEntries(shas.slice(0, 5).map((sha) => [sha, readFileSync(join(second.path, 'files', sha)).toString('base64')]));
    const legacy = { format: 'dispensary-register-hub-backup', formatVersion: 1, hubId: backup.hubId, hubEpoch: backup.hubEpoch, takenAt: backup.takenAt, tls: backup.tls, tables, files };
    const path = join(root, 'hub-backup-2026-11-01T00-00-00-000Z.json.gz');
    writeFileSync(path, gzipSync(JSON.stringify(legacy)));

    const db = await emptyHubDatabase('restore_legacy');
    const target = join(root, 'pc3', 'hub');
    const restored = await restoreHub(db.pool, path, target);
    expect(restored.files).toBe(5);
    expect((await rowCounts(db.pool)).devices).toBe(1);
    expect(readdirSync(join(target, 'files')).sort()).toEqual(shas.slice(0, 5));
  }, 120_000);
});
