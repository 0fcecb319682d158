import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What a figure that could not be measured prints: `--strict` turns it into a failing run. */
export const NOT_MEASURED = 'not measured';

/** One printed figure: `name: value (target ...)`. */
export interface BenchLine {
  name: string;
  value: number | string;
  /** Human-readable target, e.g. "< 1500" or ">= 2". */
  target: string;
  /** Optional extra context printed after the target (the reference figure, units). */
  note?: string;
}

export interface BenchSuite {
  /** Prefix of every line this suite prints, e.g. "core" or "licenses". */
  prefix: string;
  run(): Promise<BenchLine[]>;
}

export function formatLine(line: BenchLine): string {
  const value = typeof line.value === 'number' ? (Number.isFinite(line.value) ? formatNumber(line.value) : NOT_MEASURED) : line.value;
  const note = line.note ? ` [${line.note}]` : '';
  return `${line.name}: ${value} (target ${line.target})${note}`;
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(1) : n.toFixed(3);
}

/** Percentile of a sample (nearest-rank). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** A line for a figure this machine cannot measure, with why (printed in the note). */
export function notMeasured(name: string, target: string, why: string): BenchLine {
  return { name, value: NOT_MEASURED, target, note: why };
}

/**
 * Runs the suites (those whose prefix matches `only`), printing each figure's line; returns the
 * exit code: 1 when a suite failed, nothing was printed, or, with `strict`, a figure was not
 * measured (CI's smoke step: a bench that cannot measure must not pass quietly).
 */
export async function runSuites(
  suites: BenchSuite[],
  options: { only?: string; strict: boolean; print(line: string): void; error(line: string): void },
): Promise<number> {
  const { only, strict } = options;
  let failed = false;
  let printed = 0;
  for (const suite of suites) {
    if (only && !suite.prefix.startsWith(only) && !only.startsWith(suite.prefix)) continue;
    try {
      const lines = await suite.run();
      for (const line of lines) {
        if (only && !line.name.startsWith(only)) continue;
        printed++;
        const text = formatLine(line);
        options.print(text);
        if (strict && text.startsWith(`${line.name}: ${NOT_MEASURED}`)) failed = true;
      }
    } catch (error) {
      failed = true;
      options.error(`${suite.prefix}: bench failed: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }
  if (printed === 0) {
    options.error(only ? `No bench figure starts with "${only}".` : 'No bench figure was printed.');
    failed = true;
  }
  return failed ? 1 : 0;
}

/** Where benches keep fixtures they build once: shared between runs, so guarded by fixtureLock. */
export function benchCacheRoot(): string {
  return process.env.BENCH_CACHE_DIR ?? join(tmpdir(), 'dispensary-register-bench');
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `use` holding the fixture's lock (a folder made atomically, holding the owner's pid): two
 * runs never build or use one fixture at the same time. A lock whose process is gone is taken
 * over. The fixture is built by `build` into a folder of this run's own and renamed into place
 * only when whole, so a killed build never leaves a fixture that looks complete.
 */
export async function withFixture<T>(name: string, build: (dir: string) => Promise<void>, use: (dir: string) => Promise<T>, waitMs = 30 * 60_000): Promise<T> {
  const root = benchCacheRoot();
  mkdirSync(root, { recursive: true });
  const dir = join(root, name);
  const lock = `${dir}.lock`;
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // being written: wait
      }
      if (Number.isInteger(owner) && !pidAlive(owner)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - started > waitMs) throw new Error(`the fixture ${dir} is held by another bench run (pid ${owner}): try again when it ends`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    if (!existsSync(join(dir, 'complete'))) {
      const building = `${dir}.building-${process.pid}`;
      rmSync(building, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(building, { recursive: true });
      await build(building);
      closeSync(openSync(join(building, 'complete'), 'w'));
      renameSync(building, dir);
    }
    return await use(dir);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
