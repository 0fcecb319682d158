/**
 * Years of sales (issue 12): the register on its millionth sale against its first, same run.
 *   growth.checkout_commit_ratio  p50 commit of a real 5-line medical sale on the 1M-sale,
 *                                 1M-customer history ÷ p50 on an empty store (target <= 1.3)
 *   growth.add_line_p95_ms        a product scanned onto a ticket (barcode lookup, stock, rules,
 *                                 pricing, the saved ticket, the view) on the 1M history (< 5)
 *   growth.bytes_per_sale         file growth per real 5-line medical sale with its audit event,
 *                                 outbox row, taxes and points, over 10k sales (<= 3000)
 *   growth.cold_start_ms          process start to "Register ready" on the 1M store (< 2500)
 *   growth.backup_ms              the register's online backup of the 1M store (report, < 30000)
 *   growth.verify_balances        npm run verify:balances's check on the 1M store (agree)
 * The history (test/bench/growth-fixture.ts) is built once per fixture format (FIXTURE_FORMAT,
 * not the schema version) and kept under the bench cache, used by one run at a time (withFixture's
 * lock). A new register migration does not rebuild it: the fixture is opened with openStore, which
 * runs the pending migrations on it exactly as on a store that upgrades (so migrations must stay
 * quick on a 3.4 GB store). Bump FIXTURE_FORMAT only when what the builder writes changes. GROWTH_SALES / GROWTH_CUSTOMERS /
 * GROWTH_BYTES_SALES make a smaller run for a quick look; the figures say what they ran on.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore } from '../../main/store/db.js';
import { createBackup } from '../../main/store/backup.js';
import { verifyBalances } from '../../main/store/balances.js';
import { seedDemoStore } from '../../main/demo/seed.js';
import { hashPin } from '../../main/staff/pins.js';
import { newId } from '../../main/store/ids.js';
import { migrationsFolder, repoRoot, resourcesDir, tempDir } from '../support/paths.js';
import { prepareStore, salesDriver, storeBytes } from '../support/sales-driver.js';
import { buildGrowthFixture, fixtureCustomerId, HISTORY_START, medicalCustomer } from './growth-fixture.js';
import { notMeasured, percentile, withFixture, type BenchLine, type BenchSuite } from './harness.js';

const SALES = Number(process.env.GROWTH_SALES ?? 1_000_000);
const CUSTOMERS = Number(process.env.GROWTH_CUSTOMERS ?? 1_000_000);
const BYTES_SALES = Number(process.env.GROWTH_BYTES_SALES ?? 10_000);
const COMMITS = 200;
const SCANS = 300;
/** What growth-fixture.ts writes; the cache key. The schema is brought up to date by openStore. */
const FIXTURE_FORMAT = 1;

const log = (text: string) => process.stderr.write(`growth: ${text}\n`);

/** An empty store (the demo store, no history) ringing real sales beside the history's. */
async function emptyStore() {
  const temp = tempDir('growth-empty-');
  const store = openStore({ file: join(temp.dir, 'register.sqlite'), migrationsFolder });
  await seedDemoStore(store.sqlite, resourcesDir, (pin) => hashPin(pin, { N: 1024, r: 8, p: 1 }), HISTORY_START);
  prepareStore(store.sqlite);
  // Years of sales for one patient: keep their ID and card valid for the whole run.
  store.sqlite.prepare(`UPDATE customers SET identification_expires = '2999-12-31', medical_id_expires = '2999-12-31' WHERE first_name = 'Samuel'`).run();
  const driver = salesDriver(store.sqlite, resourcesDir, HISTORY_START + 86_400_000);
  const ring = async () => {
    const { commitMs } = await driver.ringSale();
    driver.advanceDays(0.25);
    return commitMs;
  };
  for (let i = 0; i < 20; i++) await ring();
  return {
    ring,
    /** File growth per real sale over BYTES_SALES more sales. */
    async bytesPerSale(): Promise<number> {
      const before = storeBytes(store.sqlite);
      for (let i = 0; i < BYTES_SALES; i++) await ring();
      return (storeBytes(store.sqlite) - before) / BYTES_SALES;
    },
    close() {
      store.close();
      temp.cleanup();
    },
  };
}

/** The browser host started on the data folder: ms from spawn to its "Register ready" line. */
async function coldStart(dataDir: string): Promise<number | string> {
  const bundle = join(repoRoot, 'dist', 'main', 'host.mjs');
  const built = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-main.mjs')], { cwd: repoRoot, encoding: 'utf8' });
  if (built.status !== 0 || !existsSync(bundle)) return `the host bundle could not be built: ${built.stderr.slice(0, 200)}`;
  return await new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [bundle, '--data-dir', dataDir, '--port', '0'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(`no "Register ready" within 120 s: ${output.slice(-200)}`);
    }, 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Register ready')) {
        const ms = performance.now() - started;
        clearTimeout(timer);
        // Killed, not closed: the close-time backup is the next figure, measured on its own.
        child.once('exit', () => resolve(ms));
        child.kill('SIGKILL');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      if (!output.includes('Register ready')) {
        clearTimeout(timer);
        resolve(`the register exited (${code}) before it was ready: ${output.slice(-200)}`);
      }
    });
  });
}

async function onHistory(dir: string, empty: Awaited<ReturnType<typeof emptyStore>>): Promise<BenchLine[]> {
  const file = join(dir, 'register.sqlite');
  const lines: BenchLine[] = [];
  const history = `${SALES.toLocaleString('en-US')} sales, ${CUSTOMERS.toLocaleString('en-US')} customers, ${(statSync(file).size / 1e9).toFixed(2)} GB`;
  const store = openStore({ file, migrationsFolder, integrityCheck: 'quick' });
  try {
    const sqlite = store.sqlite;
    const now = HISTORY_START + SALES * 60_000 + 86_400_000;
    const driver = salesDriver(sqlite, resourcesDir, now);
    // Patients with a history of their own: every sale goes to another one, as in a store.
    const patient = (k: number) => fixtureCustomerId(medicalCustomer(k % Math.max(1, Math.floor(CUSTOMERS / 3))));
    for (let i = 0; i < 20; i++) await driver.ringSale(patient(i));
    // Interleaved with the empty store's sales: both see the same disk and the same neighbours.
    const commits: number[] = [];
    const emptyCommits: number[] = [];
    for (let i = 0; i < COMMITS; i++) {
      emptyCommits.push(await empty.ring());
      commits.push((await driver.ringSale(patient(1000 + i * 7))).commitMs);
    }
    const commitP50 = percentile(commits, 50);
    const emptyP50 = percentile(emptyCommits, 50);
    lines.push({
      name: 'growth.checkout_commit_ratio',
      value: Number((commitP50 / emptyP50).toFixed(2)),
      target: '<= 1.3',
      note: `p50 commit of a 5-line medical sale: ${commitP50.toFixed(2)} ms on ${history} vs ${emptyP50.toFixed(2)} ms on an empty store, interleaved; ${COMMITS} each, synchronous=FULL`,
    });

    const ticket = driver.service.openTicket(driver.actor, { saleCommandId: newId(now), customerId: patient(5000) });
    // A medical ticket takes lines once the state's allotment figure is in (issue 14), as at the counter.
    await driver.service.refreshAllotment(ticket.id);
    for (const code of driver.codes.slice(0, 4)) driver.service.addProduct(driver.actor, ticket.id, driver.service.findByBarcode(code)!, 1);
    const scanned = driver.codes[4]!;
    const scans: number[] = [];
    for (let i = 0; i < SCANS; i++) {
      const t0 = performance.now();
      const { refusal } = driver.service.addProduct(driver.actor, ticket.id, driver.service.findByBarcode(scanned)!, 1);
      driver.service.view(ticket);
      scans.push(performance.now() - t0);
      if (refusal) throw new Error(refusal.message);
      driver.service.removeLine(ticket.id, ticket.lines[ticket.lines.length - 1]!.lineId);
    }
    driver.service.discard(ticket.id);
    lines.push({
      name: 'growth.add_line_p95_ms',
      value: Number(percentile(scans, 95).toFixed(3)),
      target: '< 5',
      note: `a barcode scanned onto a 4-line medical ticket (lookup, stock, allotment, pricing, saved ticket, view), ${SCANS} scans on ${history}; p50 ${percentile(scans, 50).toFixed(3)} ms`,
    });

    const t0 = performance.now();
    const differences = verifyBalances(sqlite);
    lines.push({
      name: 'growth.verify_balances',
      value: differences.length === 0 ? 'agree' : `${differences.length} differ`,
      target: 'agree',
      note: `stock, allotment days, points and the trace outbox's counters rebuilt from their ledgers and compared on ${history} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    });
  } finally {
    store.close();
  }

  const start = await coldStart(dir);
  lines.push(
    typeof start === 'number'
      ? { name: 'growth.cold_start_ms', value: Math.round(start), target: '< 2500', note: `node dist/main/host.mjs on ${history}: process start to "Register ready"` }
      : notMeasured('growth.cold_start_ms', '< 2500', start),
  );

  const backupDir = join(dir, 'bench-backups');
  rmSync(backupDir, { recursive: true, force: true });
  const b0 = performance.now();
  const backup = await createBackup(file, backupDir, { keep: 1, now: Date.now(), storeIdentity: null });
  const backupMs = performance.now() - b0;
  rmSync(backupDir, { recursive: true, force: true });
  lines.push(
    backup
      ? { name: 'growth.backup_ms', value: Math.round(backupMs), target: '< 30000 (report)', note: `main/store/backup.ts createBackup of ${history}` }
      : notMeasured('growth.backup_ms', '< 30000 (report)', 'the backup gave up before it finished'),
  );
  return lines;
}

export const suites: BenchSuite[] = [
  {
    prefix: 'growth',
    async run(): Promise<BenchLine[]> {
      const empty = await emptyStore();
      try {
      const lines: BenchLine[] = [];
      const history = await withFixture(
        `growth-${SALES}-sales-${CUSTOMERS}-customers-f${FIXTURE_FORMAT}`,
        async (building) => {
          log(`building the history (${SALES} sales, ${CUSTOMERS} customers) in ${building}`);
          const summary = await buildGrowthFixture(building, CUSTOMERS, SALES, log);
          log(`built in ${(summary.buildMs / 1000).toFixed(0)} s`);
        },
        (dir) => onHistory(dir, empty),
      );
      const bytesPerSale = await empty.bytesPerSale();
      lines.push(history[0]!, history[1]!);
      lines.push({
        name: 'growth.bytes_per_sale',
        value: Math.round(bytesPerSale),
        target: '<= 3000',
        note: `page_count x page_size after a checkpoint, before and after ${BYTES_SALES} real 5-line medical sales with audit event, outbox row, taxes and points`,
      });
      lines.push(...history.slice(2));
      return lines;
      } finally {
        empty.close();
      }
    },
  },
];
