/**
 * Power loss, as near as a test can stage it: a register completes real 5-line medical sales
 * (checkout's crash writer, synchronous=FULL, WAL) while the test freezes it (SIGSTOP) at random
 * moments, most of them in the middle of a write, and copies the database and its WAL as they
 * are on disk at that instant, without the SHM (shared memory does not survive a power cut).
 * Each copy is then opened as a register would after the power came back: SQLite recovers the
 * WAL, the file passes integrity_check, every sale acknowledged before the freeze is there, and
 * no sale is half-written.
 *
 * Freezing rather than copying a running writer: a copy taken while the writer runs is not a
 * state any disk was ever in (the database could be copied before a checkpoint and the WAL
 * after it); a frozen process leaves exactly what its completed write() calls put there.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkIntegrity } from '../../../main/store/db.js';
import { migrationsFolder, repoRoot, resourcesDir, tempDir } from '../../support/paths.js';

const SNAPSHOTS = 12;
const work = tempDir('register-power-');
afterAll(() => work.cleanup());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('power loss', () => {
  it(`a copy of the files taken at ${SNAPSHOTS} random instants mid-write opens whole, with every acknowledged sale`, async () => {
    const file = join(work.dir, 'register.sqlite');
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/integration/checkout/crash-writer.ts'), file, migrationsFolder, resourcesDir], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acknowledged: string[] = [];
    let ready = false;
    let stderr = '';
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') ready = true;
        else if (line) acknowledged.push(line);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const snapshots: Array<{ dir: string; acknowledged: string[] }> = [];
    try {
      for (let waited = 0; !ready; waited += 50) {
        if (waited > 60_000 || child.exitCode !== null) throw new Error(`the writer did not start: ${stderr}`);
        await sleep(50);
      }
      for (let i = 0; i < SNAPSHOTS; i++) {
        await sleep(30 + Math.floor(Math.random() * 250));
        child.kill('SIGSTOP');
        // Let every id the writer printed before the freeze arrive through the pipe.
        await sleep(60);
        const dir = join(work.dir, `cut-${i}`);
        mkdirSync(dir);
        copyFileSync(file, join(dir, 'register.sqlite'));
        if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, join(dir, 'register.sqlite-wal'));
        snapshots.push({ dir, acknowledged: [...acknowledged] });
        child.kill('SIGCONT');
      }
    } finally {
      child.kill('SIGKILL');
    }
    expect(snapshots.at(-1)!.acknowledged.length, 'sales were made while the test ran').toBeGreaterThan(SNAPSHOTS);

    for (const { dir, acknowledged: promised } of snapshots) {
      const sqlite = new Database(join(dir, 'register.sqlite'));
      try {
        expect(checkIntegrity(sqlite), dir).toBeNull();
        const stored = new Set((sqlite.prepare('SELECT id FROM sales').all() as Array<{ id: string }>).map((row) => row.id));
        expect(promised.filter((id) => !stored.has(id)), dir).toEqual([]);
        // Whole sales only: the writer's sales all have 5 lines, and nothing else writes lines.
        const { sales, lines } = sqlite.prepare('SELECT (SELECT COUNT(*) FROM sales) AS sales, (SELECT COUNT(*) FROM sale_lines) AS lines').get() as {
          sales: number;
          lines: number;
        };
        expect(lines, dir).toBe(5 * sales);
      } finally {
        sqlite.close();
      }
    }
  }, 180_000);
});
