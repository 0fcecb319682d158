/**
 * The bench harness keeps its figures honest (issue 12): a figure that could not be measured
 * prints `not measured` and fails a `--strict` run, as does a suite that throws; a fixture built
 * once is used by one run at a time (a lock folder holding the owner's pid, taken over when that
 * process is gone) and only a whole build is ever used.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLine, notMeasured, runSuites, withFixture, type BenchLine, type BenchSuite } from '../../bench/harness.js';

const suite = (prefix: string, lines: BenchLine[] | (() => never)): BenchSuite => ({
  prefix,
  run: async () => (Array.isArray(lines) ? lines : lines()),
});

async function run(suites: BenchSuite[], options: { only?: string; strict: boolean }) {
  const printed: string[] = [];
  const errors: string[] = [];
  const code = await runSuites(suites, { ...options, print: (line) => printed.push(line), error: (line) => errors.push(line) });
  return { code, printed, errors };
}

describe('figures', () => {
  it('a figure that is not a finite number, or could not be measured, prints "not measured"', () => {
    expect(formatLine({ name: 'x.ratio', value: Number.NaN, target: '<= 1.2' })).toBe('x.ratio: not measured (target <= 1.2)');
    expect(formatLine(notMeasured('x.ms', '< 5', 'no socat on this machine'))).toBe('x.ms: not measured (target < 5) [no socat on this machine]');
    expect(formatLine({ name: 'x.ms', value: 3.14159, target: '< 5', note: 'p95' })).toBe('x.ms: 3.142 (target < 5) [p95]');
  });

  it('--strict exits non-zero on a figure not measured; without it the run passes and says so', async () => {
    const suites = [suite('a', [{ name: 'a.ms', value: 2, target: '< 5' }]), suite('b', [notMeasured('b.ms', '< 5', 'no device')])];
    const strict = await run(suites, { strict: true });
    expect(strict.code).toBe(1);
    expect(strict.printed).toEqual(['a.ms: 2 (target < 5)', 'b.ms: not measured (target < 5) [no device]']);
    expect((await run(suites, { strict: false })).code).toBe(0);
    expect((await run(suites, { strict: true, only: 'a' })).code).toBe(0);
  });

  it('a suite that throws, or an --only that matches nothing, fails the run', async () => {
    const broken = await run([suite('a', () => { throw new Error('fixture locked'); })], { strict: false });
    expect(broken.code).toBe(1);
    expect(broken.errors[0]).toMatch(/^a: bench failed: Error: fixture locked/);
    const none = await run([suite('a', [{ name: 'a.ms', value: 1, target: '< 5' }])], { strict: false, only: 'zzz' });
    expect(none.code).toBe(1);
    expect(none.errors).toEqual(['No bench figure starts with "zzz".']);
  });
});

describe('fixtures', () => {
  let root: string;
  const previous = process.env.BENCH_CACHE_DIR;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'bench-harness-'));
    process.env.BENCH_CACHE_DIR = root;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.BENCH_CACHE_DIR;
    else process.env.BENCH_CACHE_DIR = previous;
    rmSync(root, { recursive: true, force: true });
  });

  it('two runs at once: one builds, the other waits for it and never uses the fixture at the same time', async () => {
    const events: string[] = [];
    let builds = 0;
    const build = async (dir: string) => {
      builds++;
      await new Promise((resolve) => setTimeout(resolve, 150));
      writeFileSync(join(dir, 'data'), 'whole');
    };
    const use = (who: string) => async (dir: string) => {
      events.push(`${who} in`);
      const data = readFileSync(join(dir, 'data'), 'utf8');
      await new Promise((resolve) => setTimeout(resolve, 100));
      events.push(`${who} out`);
      return data;
    };
    const [first, second] = await Promise.all([withFixture('shared', build, use('first'), 10_000), withFixture('shared', build, use('second'), 10_000)]);
    expect([first, second]).toEqual(['whole', 'whole']);
    expect(builds).toBe(1);
    expect(events).toEqual(['first in', 'first out', 'second in', 'second out']);
    expect(existsSync(join(root, 'shared.lock'))).toBe(false);
  });

  it('a build that fails leaves nothing that looks whole: the next run builds again', async () => {
    await expect(
      withFixture('broken', async (dir) => {
        writeFileSync(join(dir, 'data'), 'half');
        throw new Error('killed mid-build');
      }, async () => 'used'),
    ).rejects.toThrow('killed mid-build');
    expect(existsSync(join(root, 'broken', 'complete'))).toBe(false);
    let built = false;
    const data = await withFixture('broken', async (dir) => {
      built = true;
      writeFileSync(join(dir, 'data'), 'whole');
    }, async (dir) => readFileSync(join(dir, 'data'), 'utf8'));
    expect(built).toBe(true);
    expect(data).toBe('whole');
  });

  it("a lock whose process is gone is taken over; a live one's is waited on until the wait runs out", async () => {
    mkdirSync(join(root, 'stale.lock'));
    writeFileSync(join(root, 'stale.lock', 'pid'), '2147483646');
    expect(await withFixture('stale', async () => {}, async () => 'taken over', 5_000)).toBe('taken over');

    mkdirSync(join(root, 'held.lock'));
    writeFileSync(join(root, 'held.lock', 'pid'), String(process.pid));
    await expect(withFixture('held', async () => {}, async () => 'used', 1_500)).rejects.toThrow(/held by another bench run \(pid \d+\)/);
    rmSync(join(root, 'held.lock'), { recursive: true, force: true });
  });
});
