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
import { startTestHub, type TestHub } from './hub-server.js';
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

/** A hub with an intake desk and registers ("Register 1", "Register 2", …), every station paired and synced. */
export interface StoreOnHub {
  hub: TestHub;
  template: StoreTemplate;
  intake: Station;
  registers: Station[];
  /** The stations first, then the hub, then the template. */
  stop(): Promise<void>;
}

export async function startStore(
  options: { registers?: number; hub?: Parameters<typeof startTestHub>[0]; station?: (name: string) => Parameters<typeof startStation>[4] } = {},
): Promise<StoreOnHub> {
  const hub = await startTestHub(options.hub);
  const template = await makeTemplate();
  const stations: Station[] = [];
  const stop = async (): Promise<void> => {
    for (const station of stations) await station.stop();
    await stopHub(hub);
    template.cleanup();
  };
  try {
    const names = ['Intake', ...Array.from({ length: options.registers ?? 2 }, (_, i) => `Register ${i + 1}`)];
    for (const name of names) stations.push(await startStation(hub.hub, template, name, name === 'Intake' ? 'intake' : 'register', options.station?.(name)));
    for (const station of stations) await synced(station, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { hub, template, intake: stations[0]!, registers: stations.slice(1), stop };
}
