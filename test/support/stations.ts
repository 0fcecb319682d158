/**
 * A store on one machine for the hub tests: a real hub (real PostgreSQL) and stations (an intake
 * desk, registers), each a real register core on its own SQLite file, each reaching the hub through
 * its own fault proxy, paired through Settings › Store hub as staff would (the one-time code).
 *
 * Every station starts from a copy of one demo store, as registers installed for one store share
 * its customers, products and employees (their ids included).
 */
import Database from 'better-sqlite3';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { hubSyncOptions } from '../../main/core/modules.js';
import { DEMO_PINS } from '../../main/demo/seed.js';
import { applyPragmas } from '../../main/store/db.js';
import { newId } from '../../main/store/ids.js';
import type { EventEnvelope, HubStatus, ResponseEnvelope } from '../../preload/api.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { tempDir } from './paths.js';
import { startTestRegister, type TestRegister } from './register.js';
import type { Hub } from '../../hub/hub.js';
import type { Logger } from '../../main/log/logger.js';

export interface Station {
  name: string;
  role: 'register' | 'intake';
  proxy: FaultProxy;
  r: TestRegister;
  /** A second connection to the station's database, for the test's own reads. */
  db: Database.Database;
  call<T>(call: string, payload?: unknown): Promise<T>;
  status(): Promise<HubStatus>;
  events: EventEnvelope[];
  stop(): Promise<void>;
}

export function value<T>(response: ResponseEnvelope): T {
  if (!response.ok) throw new Error(`${response.error.code}: ${response.error.message}`);
  return response.value as T;
}

/** Waits (bounded) until `check` holds; the message names what never happened. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Short sync timings for tests (a doorbell still drives propagation; the pull timer is the fallback). */
export function fastSync(): void {
  hubSyncOptions.pullIntervalMs = 2000;
  hubSyncOptions.retryMs = [100, 200, 400, 800];
  hubSyncOptions.requestTimeoutMs = 2000;
}

export interface StoreTemplate {
  dir: string;
  cleanup(): void;
}

/** One demo store, closed, to copy for every station. */
export async function makeTemplate(): Promise<StoreTemplate> {
  const temp = tempDir('hub-store-template-');
  const r = await startTestRegister({}, join(temp.dir, 'store'));
  await r.close();
  return { dir: join(temp.dir, 'store'), cleanup: () => temp.cleanup() };
}

/** What a station needs of a hub: where it listens and a pairing code (an in-process Hub or a ChildHub). */
export type HubLink = Pick<Hub, 'port' | 'newPairingCode'>;

export async function startStation(
  hub: HubLink,
  template: StoreTemplate,
  name: string,
  role: 'register' | 'intake',
  options: { clock?: () => number; pair?: boolean; dataDir?: string; logger?: Logger } = {},
): Promise<Station> {
  const dataDir = options.dataDir ?? join(tempDir('hub-station-').dir, 'data');
  if (!options.dataDir) {
    mkdirSync(dataDir, { recursive: true });
    cpSync(template.dir, dataDir, { recursive: true, filter: (source) => !source.includes('backups') });
  }
  const proxy = await startFaultProxy({ targetPort: hub.port, maxConnections: 16 });
  const r = await startTestRegister({ ...(options.clock ? { clock: options.clock } : {}), ...(options.logger ? { logger: options.logger } : {}) }, dataDir);
  const db = new Database(join(dataDir, 'register.sqlite'));
  applyPragmas(db);
  const call = async <T>(name: string, payload: unknown = {}): Promise<T> => value<T>(await r.call(name, payload));
  const station: Station = {
    name,
    role,
    proxy,
    r,
    db,
    call,
    status: () => call<HubStatus>('hub.status'),
    events: r.events,
    async stop() {
      db.close();
      await r.close();
      await proxy.stop();
    },
  };
  if (options.pair !== false) {
    await call('session.login', { pin: DEMO_PINS.admin });
    const { code } = await hub.newPairingCode();
    await call('hub.pair', { commandId: newId(), address: proxy.url, code, deviceName: name, role });
    await call('session.logout');
    await call('session.login', { pin: DEMO_PINS.budtender });
  }
  return station;
}

/** Until the station has pushed everything and is connected. */
export async function synced(station: Station, timeoutMs = 20_000): Promise<void> {
  await until(`${station.name} has pushed everything`, async () => {
    const status = await station.status();
    return status.connected && status.pending === 0;
  }, timeoutMs);
}

export function openQueue(station: Station): Array<{ id: string; customer_id: string }> {
  return station.db.prepare('SELECT id, customer_id FROM queue_entries WHERE removed_at IS NULL ORDER BY position').all() as Array<{ id: string; customer_id: string }>;
}

export function customerIdByName(station: Station, first: string, last: string): string {
  return (station.db.prepare('SELECT id FROM customers WHERE first_name = ? AND last_name = ?').get(first, last) as { id: string }).id;
}

/**
 * Stop the hub after the stations: PostgreSQL's shutdown ends the pool's idle connections with
 * 57P01, which the pool reports as an 'error' event; at the end of a test that is expected.
 */
export async function stopHub(hub: { hub: Hub; stop(): Promise<void> } | undefined): Promise<void> {
  if (!hub) return;
  hub.hub.pool.on('error', () => undefined);
  await hub.stop();
}

/**
 * One adult-use sale rung through the register core as a budtender would (open a ticket for the
 * customer, scan one product, pay cash). Returns the sale id, or the refusal's words.
 */
export async function ringAdultUse(station: Station, customerId: string, code: string): Promise<{ saleId: string } | { refused: string }> {
  const commandId = newId();
  const ticket = await station.call<{ ticketId: string }>('checkout.ticket.open', { saleCommandId: commandId, customerId });
  const scanned = await station.call<{ ticket: { ticketId: string; totals: { totalCents: number } }; refusal: { message: string } | null }>('checkout.ticket.scan', { ticketId: ticket.ticketId, code });
  if (scanned.refusal) {
    await station.r.call('checkout.ticket.discard', { ticketId: ticket.ticketId });
    return { refused: scanned.refusal.message };
  }
  const paid = await station.r.call('checkout.sale.complete', { commandId, ticketId: ticket.ticketId, tenders: [{ kind: 'cash', amountCents: scanned.ticket.totals.totalCents }] });
  if (!paid.ok) {
    await station.r.call('checkout.ticket.discard', { ticketId: ticket.ticketId });
    return { refused: `${paid.error.code}: ${paid.error.message}` };
  }
  return { saleId: (paid.value as { saleId: string }).saleId };
}

/** Every sale id in the station's own database. */
export function localSaleIds(station: Station): string[] {
  return (station.db.prepare('SELECT id FROM sales ORDER BY id').all() as Array<{ id: string }>).map((row) => row.id);
}

/** Lost (on a register, not on the hub) and duplicated (on the hub more than once) sales. */
export function compareSales(registerSales: string[], hubRows: Array<{ id: string; n: number }>): { lost: string[]; duplicates: string[]; extra: string[] } {
  const onHub = new Map(hubRows.map((row) => [row.id, row.n]));
  const mine = new Set(registerSales);
  return {
    lost: registerSales.filter((id) => !onHub.has(id)),
    duplicates: hubRows.filter((row) => row.n > 1).map((row) => row.id),
    extra: hubRows.filter((row) => !mine.has(row.id)).map((row) => row.id),
  };
}

/** Sale ids on the hub's PostgreSQL with how many rows each has (the primary key says 1; counted anyway). */
export const HUB_SALES_SQL = 'SELECT id, count(*)::int AS n FROM sales GROUP BY id';

/**
 * The store hub as its own process (`hub/cli.ts`, as `npm run hub` runs it) on a fixed port, so a
 * test can SIGKILL it mid-rush and start it again on its folder: the stations' links (fault
 * proxies) keep pointing at the same port. Pairing codes come from the hub's admin route (as
 * `npm run hub -- code`); the test reads the hub's PostgreSQL directly for its counts.
 */
export interface ChildHub extends HubLink {
  dataDir: string;
  output(): string;
  /** Runs one query on the hub's PostgreSQL (which outlives a SIGKILLed hub until the next start). */
  query<R extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** SIGKILL: no shutdown of any kind. */
  kill(): Promise<void>;
  /** Start it again on the same folder and port. */
  restart(): Promise<void>;
  /** SIGTERM (the hub stops its PostgreSQL), or SIGKILL and the PostgreSQL by its pid when it hangs. */
  stop(): Promise<void>;
}

export async function startChildHub(dataDir: string, startTimeoutMs = 120_000): Promise<ChildHub> {
  const { spawn } = await import('node:child_process');
  const { existsSync, readFileSync } = await import('node:fs');
  const https = await import('node:https');
  const { default: pg } = await import('pg');
  const { freePort } = await import('../../hub/postgres.js');
  const { repoRoot } = await import('./paths.js');
  const port = await freePort();
  let child: import('node:child_process').ChildProcess | null = null;
  let out = '';

  const start = async (): Promise<void> => {
    const proc = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'hub', 'cli.ts'), '--data-dir', dataDir, '--port', String(port), '--no-mdns'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the hub did not start in ${startTimeoutMs} ms:\n${seen}`)), startTimeoutMs);
      const onData = (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        seen += text;
        if (out.length < 200_000) out += text;
        if (/running on port \d+/.test(seen)) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', onData);
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the hub exited (${code ?? signal}) before it was running:\n${seen}`));
      });
    });
  };

  const exited = (proc: import('node:child_process').ChildProcess, timeoutMs: number): Promise<boolean> =>
    proc.exitCode !== null || proc.signalCode !== null
      ? Promise.resolve(true)
      : new Promise((resolve) => {
          const timer = setTimeout(() => resolve(false), timeoutMs);
          proc.once('exit', () => {
            clearTimeout(timer);
            resolve(true);
          });
        });

  const postmasterPid = (): number | null => {
    const file = join(dataDir, 'pg', 'postmaster.pid');
    if (!existsSync(file)) return null;
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  };

  const admin = (path: string): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
      const req = https.request(
        { host: '127.0.0.1', port, path, method: 'POST', ca: readFileSync(join(dataDir, 'tls', 'hub-cert.pem'), 'utf8'), servername: 'localhost', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, timeout: 20_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown));
        },
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('the hub did not answer the admin call')));
      req.end('{}');
    });

  await start();
  return {
    port,
    dataDir,
    output: () => out,
    async newPairingCode() {
      return (await admin('/admin/code')) as { code: string; expiresAt: number };
    },
    async query<R extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> {
      const pidFile = readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n');
      const client = new pg.Client({ host: '127.0.0.1', port: Number(pidFile[3]), user: 'hub', password: readFileSync(join(dataDir, 'pg-password'), 'utf8').trim(), database: 'hub', connectionTimeoutMillis: 10_000 });
      client.on('error', () => undefined);
      await client.connect();
      try {
        return (await client.query<R>(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    async kill() {
      const proc = child;
      if (!proc) return;
      proc.kill('SIGKILL');
      await exited(proc, 30_000);
      child = null;
    },
    async restart() {
      if (child) throw new Error('the hub is still running');
      await start();
    },
    async stop() {
      const proc = child;
      child = null;
      if (proc && !(await exited(proc, 0))) {
        proc.kill('SIGTERM');
        if (!(await exited(proc, 30_000))) {
          proc.kill('SIGKILL');
          await exited(proc, 10_000);
        }
      }
      // A PostgreSQL left by a SIGKILLed hub that was never started again: shut it down by its pid.
      const pid = postmasterPid();
      if (pid && existsSync(`/proc/${pid}/cmdline`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres')) {
        try {
          process.kill(pid, 'SIGINT');
        } catch {
          // Already gone.
        }
      }
    },
  };
}

/**
 * The scripted rush for issue 15's partition figures (bench hub.partition_* and
 * hub.allotment_oversold_mg, and a smaller run in test/hub/stations-rush.test.ts).
 *
 * Three registers ring adult-use sales as fast as they can while the intake desk checks medical
 * patients in, visit after visit (the same few patients again and again); every register that
 * sees a visit in its queue tries to serve the patient and sell them three 28 g items (more than
 * their 2.5 oz allotment allows), so only the holder of the patient's grant may sell and only
 * within it. Part-way the links are cut (Register 2 black-holed, Register 3 reset), then the hub
 * is SIGKILLed, started again, and the links healed. Then, bounded:
 *   lostSales       sales on a register's SQLite that are not on the hub's PostgreSQL
 *   duplicateSales  sales on the hub more than once (rows by id, or sale.record commands applied)
 *   oversoldMg      per visit, what all registers together sold against it beyond the allotment
 *                   agreed at check-in (from each register's own allotment use rows), summed
 * The store's outage policy is "no medical sale without the hub" (Settings › Track & Trace):
 * under "sell and flag" a register cut off from the hub may sell to a patient nobody holds, and
 * such sales are flagged for a manager instead (stations-grants.test.ts).
 */
export interface RushResult {
  sold: number;
  medicalSold: number;
  medicalRefused: number;
  /** Adult-use sales refused (a product out of stock here): that product left the register's rotation. */
  adultRefused: number;
  visits: number;
  lostSales: number;
  duplicateSales: number;
  oversoldMg: number;
  flaggedOnHub: number;
  elapsedMs: number;
  events: string[];
}

/** Light adult-use products with the most stock in the demo store (a product whose stock runs out leaves the rotation). */
const RUSH_ADULT_CODES = ['0988', '0840', '0396', '0507', '0692', '0803', '0914', '0137', '0433', '0877', '0729', '0470', '0100', '1099', '1025'].map((tail) => `719422040550${tail}`);
/** 28 g items (Sour Diesel Medical, House Shake): three are more than a 2.5 oz allotment. */
const RUSH_MEDICAL_CODES = ['7194220405500359', '7194220405500322'];

export async function runRush(options: { hub: ChildHub; intake: Station; registers: Station[]; sales: number; timeoutMs: number }): Promise<RushResult> {
  const { hub, intake, registers, sales } = options;
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const events: string[] = [];
  const note = (text: string) => events.push(`${((Date.now() - started) / 1000).toFixed(1)} s, ${completed} sales: ${text}`);
  let completed = 0;
  let medicalSold = 0;
  let medicalRefused = 0;
  let adultRefused = 0;
  const agreed = new Map<string, Map<string, number>>();

  // The store sells medical only with the hub's grant (or the state's answer at hand).
  for (const station of registers) {
    await station.call('session.logout');
    await station.call('session.login', { pin: DEMO_PINS.manager });
    await station.call('compliance.traceDown.save', { commandId: newId(), allowed: false });
    await station.call('session.logout');
    await station.call('session.login', { pin: DEMO_PINS.budtender });
  }
  const adults = [['Olivia', 'Hart'], ['Marcus', 'Bell'], ['Dana', 'Kowalski']].map(([f, l]) => customerIdByName(intake, f!, l!));
  const patients = [['Samuel', 'Okafor'], ['Rosa', 'Delgado'], ['Walter', 'Briggs']].map(([f, l]) => customerIdByName(intake, f!, l!));
  const [r1, r2, r3] = registers as [Station, Station, Station];

  const plan: Array<{ at: number; what: string; act: () => void | Promise<void> }> = [
    {
      at: 0.25,
      what: 'links cut: Register 2 black-holed, Register 3 reset',
      act: () => {
        r2.proxy.set('blackhole');
        r3.proxy.set('reset');
      },
    },
    { at: 0.4, what: 'hub SIGKILLed', act: () => hub.kill() },
    { at: 0.55, what: 'hub started again on its folder', act: () => hub.restart() },
    {
      at: 0.7,
      what: 'links healed',
      act: () => {
        r2.proxy.set('pass');
        r2.proxy.resetOpen();
        r3.proxy.set('pass');
      },
    },
  ];
  // Phases: each fault waits until its share of the sales is rung AND two medical visits have been
  // through the phase before, so every phase has patients to get wrong. Adult sales pause at a
  // phase's share until the next fault is in place.
  let phase = 0;
  let visitsInPhase = 0;
  const share = (at: number) => Math.round(at * sales);
  const quota = () => (phase < plan.length ? share(plan[phase]!.at) : sales);
  const faults = (async () => {
    for (const step of plan) {
      while ((completed < share(step.at) || visitsInPhase < 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      note(step.what);
      await step.act();
      if (step.what.startsWith('hub started')) note('hub running again');
      phase += 1;
      visitsInPhase = 0;
    }
  })();

  const going = () => completed < sales && Date.now() < deadline;
  const adultLoop = async (station: Station, index: number) => {
    const codes = [...RUSH_ADULT_CODES];
    for (let i = 0; going(); i++) {
      // A sale every ~30 ms per register at most: the visits and the faults get their turn.
      await new Promise((r) => setTimeout(r, 30));
      if (completed >= quota()) continue;
      const code = codes[i % codes.length]!;
      const result = await ringAdultUse(station, adults[(index + i) % adults.length]!, code);
      if ('refused' in result) {
        // Out of stock, or a purchase limit: that product leaves this register's rotation.
        adultRefused += 1;
        codes.splice(codes.indexOf(code), 1);
        if (codes.length === 0) throw new Error(`${station.name} has nothing left to sell: ${result.refused}`);
      } else completed += 1;
    }
  };

  let medicalTry = 0;
  const attempt = async (station: Station, customerId: string, entryId: string): Promise<boolean> => {
    const commandId = newId();
    const code = RUSH_MEDICAL_CODES[medicalTry++ % RUSH_MEDICAL_CODES.length]!;
    const opened = await station.r.call('checkout.ticket.open', { saleCommandId: commandId, customerId, queueEntryId: entryId });
    if (!opened.ok) return false;
    const ticketId = (opened.value as { ticketId: string }).ticketId;
    const scanned = await station.r.call('checkout.ticket.scan', { ticketId, code });
    const change = scanned.ok ? (scanned.value as { ticket: { totals: { totalCents: number } }; refusal: unknown }) : null;
    let paid = false;
    if (change && change.refusal === null) {
      const done = await station.r.call('checkout.sale.complete', { commandId, ticketId, tenders: [{ kind: 'cash', amountCents: change.ticket.totals.totalCents }] });
      paid = done.ok;
    }
    if (!paid) await station.r.call('checkout.ticket.discard', { ticketId });
    return paid;
  };

  let visits = 0;
  const visitLoop = async () => {
    for (let v = 0; going(); v++) {
      const customerId = patients[v % patients.length]!;
      const prepared = await intake.r.call('queue.checkIn.prepare', { customerId, as: 'medical' });
      const entry = prepared.ok ? await intake.r.call('queue.checkIn', { commandId: newId(), customerId, as: 'medical', allotments: [] }) : prepared;
      if (!entry.ok) {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      visits += 1;
      const entryId = (entry.value as { id: string }).id;
      const rows = intake.db.prepare('SELECT limit_id, amount FROM queue_allotments WHERE entry_id = ?').all(entryId) as Array<{ limit_id: string; amount: number }>;
      agreed.set(entryId, new Map(rows.map((row) => [row.limit_id, row.amount])));
      // Every register that sees the patient tries to serve them (bounded: a cut-off one never sees them).
      const seenBy = async (station: Station) => {
        const until = Date.now() + 5000;
        while (Date.now() < until && going()) {
          if (openQueue(station).some((row) => row.id === entryId)) return true;
          await new Promise((r) => setTimeout(r, 50));
        }
        return false;
      };
      const sellers = await Promise.all(
        registers.map(async (station) => {
          if (!(await seenBy(station))) return false;
          let sold = false;
          for (let i = 0; i < 3; i++) {
            if (await attempt(station, customerId, entryId)) {
              sold = true;
              medicalSold += 1;
              completed += 1;
            } else medicalRefused += 1;
          }
          return sold;
        }),
      );
      // The visit ends: the register that served them, and the intake desk, take them off the queue.
      for (const [index, sold] of sellers.entries()) if (sold) await registers[index]!.r.call('queue.remove', { commandId: newId(), entryId });
      await intake.r.call('queue.remove', { commandId: newId(), entryId });
      visitsInPhase += 1;
    }
  };

  await Promise.all([adultLoop(r1, 0), adultLoop(r2, 1), adultLoop(r3, 2), visitLoop()]);
  await faults;
  note('rush over; waiting for every station to push everything');
  for (const station of [intake, ...registers]) await synced(station, Math.max(30_000, deadline - Date.now()));
  note('every station synced');

  const mine = registers.flatMap((station) => localSaleIds(station));
  const onHub = await hub.query<{ id: string; n: number }>(HUB_SALES_SQL);
  const commands = await hub.query<{ sale_id: string; n: number }>("SELECT payload->>'saleId' AS sale_id, count(*)::int AS n FROM commands WHERE kind = 'sale.record' AND status = 'applied' GROUP BY 1");
  const compared = compareSales(mine, onHub);
  const duplicated = new Set([...compared.duplicates, ...commands.filter((row) => row.n > 1).map((row) => row.sale_id)]);
  let oversoldMg = 0;
  for (const [entryId, allowed] of agreed) {
    const sold = new Map<string, number>();
    for (const station of registers) {
      const rows = station.db
        .prepare(
          `SELECT u.limit_id, SUM(u.amount) AS amount FROM allotment_uses u JOIN sales s ON s.receipt_number = u.sale_no
            WHERE s.queue_entry_id = ? AND u.return_id IS NULL GROUP BY u.limit_id`,
        )
        .all(entryId) as Array<{ limit_id: string; amount: number }>;
      for (const row of rows) sold.set(row.limit_id, (sold.get(row.limit_id) ?? 0) + row.amount);
    }
    for (const [limitId, amount] of sold) oversoldMg += Math.max(0, amount - (allowed.get(limitId) ?? 0));
  }
  const flagged = await hub.query<{ n: number }>('SELECT count(*)::int AS n FROM sales WHERE flagged');
  return {
    sold: mine.length,
    medicalSold,
    medicalRefused,
    adultRefused,
    visits,
    lostSales: compared.lost.length,
    duplicateSales: duplicated.size,
    oversoldMg,
    flaggedOnHub: flagged[0]?.n ?? 0,
    elapsedMs: Date.now() - started,
    events,
  };
}
