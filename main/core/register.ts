/**
 * The register core: plain Node, no Electron. Both hosts connect screens to it and pass it raw
 * messages; it validates each one against the contract (preload/api.ts) before anything runs.
 */
import type Database from 'better-sqlite3';
import { ZodError, type z } from 'zod';
import { coreCalls } from '../../preload/contract/core.js';
import {
  calls,
  isCallName,
  requestEnvelopeSchema,
  type AppStatus,
  type CallName,
  type CallRequestParsed,
  type Employee,
  type EventEnvelope,
  type EventName,
  type EventPayload,
  type DeviceStatus,
  type ResponseEnvelope,
  type TraceStatus,
} from '../../preload/api.js';
import { appendAudit, verifyAuditChain } from '../audit/log.js';
import { seedDemoStore } from '../demo/seed.js';
import { createFirstRunHandlers } from './first-run.js';
import { backupFileNamed, backupFolderIn, createBackup, listBackups, restoreBackup, type BackupInfo } from '../store/backup.js';
import { databaseFileIn, ensureDataFolder, openStore, type Store } from '../store/db.js';
import { cannotSaveMessage, StoreDamagedError } from '../store/errors.js';
import { databaseFileState, ensureStoreIdentity, previousStoreSigns, readIdentityMarker } from '../store/identity.js';
import { startIntegrityCheck, type RunningIntegrityCheck } from '../store/integrity.js';
import { newId } from '../store/ids.js';
import { hashPin } from '../staff/pins.js';
import { StaffService } from '../staff/service.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { CoreError } from './errors.js';
import type { CallContext, CapabilityModule, CoreServices, Handler, HandlersFor } from './handler.js';
import { capabilityFactories } from './modules.js';
import { ScreenSession } from './sessions.js';
import { readSetting } from './settings.js';
import { KeyFileSecretBox, type SecretBox } from './secret-box.js';
import { RestoreGuard } from './restore.js';

export interface RegisterOptions {
  dataDir: string;
  resourcesDir: string;
  migrationsFolder: string;
  host: 'electron' | 'browser';
  version?: string;
  /** Lock a screen after this long without activity. Default 5 minutes. */
  idleLockMs?: number;
  /** Online backup interval; default 30 minutes. 0 turns the timer off (backups still run at close). */
  backupIntervalMs?: number;
  /** How many backups to keep. Default 10. */
  backupKeep?: number;
  /**
   * Start-up runs quick_check only on a store up to this size (database + WAL), so that start-up
   * does not grow with the store; the full check runs after, in a worker. Default 64 MiB.
   */
  startupCheckMaxBytes?: number;
  /** Rest factor of the background integrity check (see store/integrity.ts). Default 1. */
  integrityRestFactor?: number;
  /**
   * What a new register (no store in its database yet) becomes: the setup screen (default), or
   * the demo store of a jurisdiction at once (`npm start -- --demo IL`, tests and trials).
   */
  newStore?: NewStore;
  logger?: Logger;
  clock?: () => number;
  /** Seals secrets at rest (Electron passes safeStorage); default: a key file in the data folder. */
  secretBox?: SecretBox;
  /** Where the reception tablet's server listens while it is on; default every interface, port 47843. */
  tabletListen?: { host: string; port: number };
}

export type NewStore = { kind: 'setup' } | { kind: 'demo'; jurisdiction: string };

export interface RegisterClient {
  readonly id: string;
  dispatch(message: unknown): Promise<ResponseEnvelope>;
  close(): void;
}

export interface Register {
  readonly dataDir: string;
  /** Resolves once the background integrity check of this start has finished. */
  whenDatabaseChecked(): Promise<void>;
  connect(send: (event: EventEnvelope) => void): RegisterClient;
  close(): Promise<void>;
}

type Handlers = { [N in CallName]: Handler<N> };
type OfferedBackup = Extract<AppStatus, { state: 'damaged' }>['backups'][number];

interface ClientEntry {
  session: ScreenSession;
  send: (event: EventEnvelope) => void;
}

const DEFAULT_IDLE_LOCK_MS = 5 * 60_000;
const DEFAULT_BACKUP_INTERVAL_MS = 30 * 60_000;
/** Closing never waits longer than this for a backup: a big store relies on the timer's backups. */
const CLOSE_BACKUP_BUDGET_MS = 2000;

export async function createRegister(options: RegisterOptions): Promise<Register> {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? Date.now;
  const idleLockMs = options.idleLockMs ?? DEFAULT_IDLE_LOCK_MS;
  const backupKeep = options.backupKeep ?? 10;
  const databaseFile = databaseFileIn(options.dataDir);
  const backupDir = backupFolderIn(options.dataDir);
  const folderNote = ensureDataFolder(options.dataDir);
  if (folderNote) logger.log('warn', `The data folder could not be made private to this user: ${folderNote}`);

  let store: Store | null = null;
  /** The database is open but holds no store yet: only the setup screen's calls work. */
  let needsSetup = false;
  const newStore: NewStore = options.newStore ?? { kind: 'setup' };
  let staff: StaffService | null = null;
  let damage: StoreDamagedError | null = null;
  let backupTimer: NodeJS.Timeout | null = null;
  let databaseCheck: Promise<void> = Promise.resolve();
  let runningCheck: RunningIntegrityCheck | null = null;
  let databaseCheckPassed = false;
  let storeIdentity: string | null = null;
  let backupRunning: Promise<void> | null = null;
  let backupAbort: AbortController | null = null;
  const restoreGuard = new RestoreGuard(clock);
  const clients = new Map<string, ClientEntry>();

  async function open(): Promise<void> {
    // A missing or empty database in a folder that held a store is a lost file, not a new register:
    // never let it become a fresh demo store with demo PINs.
    const fileState = databaseFileState(databaseFile);
    if (fileState !== 'present') {
      const signs = previousStoreSigns(databaseFile, backupDir);
      if (signs.length > 0) {
        damage = new StoreDamagedError(
          databaseFile,
          `the database file is ${fileState}, but this data folder held a store before (${signs.join(', ')})`,
        );
        logger.log('error', damage.message, { file: databaseFile });
        return;
      }
    }
    try {
      // quick_check now only while it is cheap; the full check follows in a worker, in slices.
      store = openStore({
        file: databaseFile,
        migrationsFolder: options.migrationsFolder,
        integrityCheck: 'cheap',
        ...(options.startupCheckMaxBytes === undefined ? {} : { cheapCheckMaxBytes: options.startupCheckMaxBytes }),
      });
      damage = null;
    } catch (error) {
      if (!(error instanceof StoreDamagedError)) throw error;
      damage = error;
      logger.log('error', error.message, { file: databaseFile });
      return;
    }
    const sqlite = store.sqlite;
    const isEmpty = sqlite.prepare('SELECT 1 FROM employees LIMIT 1').get() === undefined;
    needsSetup = false;
    if (isEmpty) {
      if (newStore.kind === 'demo') {
        await seedDemoStore(sqlite, options.resourcesDir, hashPin, clock(), newStore.jurisdiction);
        logger.log('info', 'created the demo store', { dataDir: options.dataDir, jurisdiction: newStore.jurisdiction });
      } else {
        // Nothing else starts (identity, backups, capabilities) until there is a store to keep.
        needsSetup = true;
        staff = new StaffService(sqlite, clock);
        logger.log('info', 'a new register: showing the setup screen', { dataDir: options.dataDir });
        return;
      }
    }
    await openStoreParts();
  }

  /** Everything that runs on a store: its identity, staff, the integrity check, backups, capabilities. */
  async function openStoreParts(): Promise<void> {
    if (!store) return;
    const sqlite = store.sqlite;
    storeIdentity = ensureStoreIdentity(sqlite, options.dataDir, clock());
    staff = new StaffService(sqlite, clock);
    appendAudit(sqlite, { employeeId: null, action: 'register.start', details: { host: options.host } }, clock());
    databaseCheckPassed = false;
    const check = startIntegrityCheck(databaseFile, options.integrityRestFactor === undefined ? {} : { restFactor: options.integrityRestFactor });
    runningCheck = check;
    databaseCheck = check.result.then(async (problem) => {
      if (runningCheck === check) runningCheck = null;
      if (problem === 'stopped') return;
      if (!problem) {
        databaseCheckPassed = true;
        logger.log('info', 'database integrity check passed');
        broadcast('status.changed', status());
        return;
      }
      // Stop using the file at once: a person decides what happens next.
      damage = new StoreDamagedError(databaseFile, `integrity check failed (${problem})`);
      logger.log('error', damage.message);
      if (backupTimer) clearInterval(backupTimer);
      backupTimer = null;
      await closeModules();
      store?.close();
      store = null;
      staff = null;
      broadcast('status.changed', status());
    });
    const intervalMs = options.backupIntervalMs ?? DEFAULT_BACKUP_INTERVAL_MS;
    if (intervalMs > 0) {
      backupTimer = setInterval(() => void backupNow('timer'), intervalMs);
      backupTimer.unref();
    }
    for (const module of modules) await module.onOpen?.();
  }

  async function closeModules(): Promise<void> {
    for (const module of modules) {
      try {
        await module.onClose?.();
      } catch (error) {
        logger.log('warn', `a capability did not close cleanly: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** One backup at a time, in a worker; `deadline` (Date.now clock) bounds a backup at close. */
  function backupNow(why: string, deadline?: number): Promise<void> {
    if (!store || backupRunning) return backupRunning ?? Promise.resolve();
    const abort = new AbortController();
    backupAbort = abort;
    const run = (async () => {
      try {
        const file = await createBackup(databaseFile, backupDir, {
          keep: backupKeep,
          now: clock(),
          storeIdentity,
          signal: abort.signal,
          ...(deadline === undefined ? {} : { deadline }),
        });
        if (file) logger.log('info', 'backup written', { file, why });
        else logger.log('warn', 'A backup was stopped so that closing takes at most 2 s: the earlier backups are kept.', { why });
      } catch (error) {
        logger.log('warn', `The backup could not be written (${error instanceof Error ? error.message : String(error)}): the register keeps working; check free disk space.`);
      } finally {
        backupRunning = null;
        backupAbort = null;
      }
    })();
    backupRunning = run;
    return run;
  }

  function requireStore(): { sqlite: Database.Database; staff: StaffService } {
    if (!store || !staff) {
      throw new CoreError('store_damaged', damage?.message ?? 'The database is not open: restart the register.');
    }
    return { sqlite: store.sqlite, staff };
  }

  // Checking every backup reads each whole file: do it once per damage, not on every status call.
  let backupsSeenFor: StoreDamagedError | null = null;
  let backupsForDamage: BackupInfo[] = [];
  function backupsOnOffer(): OfferedBackup[] {
    if (backupsSeenFor !== damage) {
      backupsForDamage = listBackups(backupDir);
      backupsSeenFor = damage;
    }
    // The newest intact backup of the store this folder held (its marker), else the newest intact one.
    const marker = readIdentityMarker(options.dataDir);
    const intact = backupsForDamage.filter((backup) => backup.intact);
    const recommended = intact.find((backup) => marker !== null && backup.storeIdentity === marker) ?? intact[0];
    return backupsForDamage.map((backup) => ({
      name: backup.name,
      createdAt: backup.createdAt,
      sizeBytes: backup.sizeBytes,
      intact: backup.intact,
      storeIdentity: backup.storeIdentity,
      recommended: backup === recommended,
    }));
  }

  function status(): AppStatus {
    if (needsSetup && store && !damage) {
      return { state: 'setup', version: options.version ?? '0.0.0', host: options.host };
    }
    if (damage || !store) {
      return {
        state: 'damaged',
        message: damage?.message ?? 'The database is not open.',
        databaseFile,
        backups: backupsOnOffer(),
      };
    }
    const { sqlite } = requireStore();
    return {
      state: 'ready',
      storeName: readSetting(sqlite, 'store.name') ?? 'Dispensary Register',
      jurisdiction: readSetting(sqlite, 'store.jurisdiction') ?? 'IL',
      timeZone: readSetting(sqlite, 'store.timeZone') ?? 'America/Chicago',
      version: options.version ?? '0.0.0',
      host: options.host,
      databaseCheck: databaseCheckPassed ? 'passed' : 'checking',
      devices: deviceStatuses,
      trace: traceStatus,
      demo: isDemoStore(sqlite),
    };
  }

  let demoStore: { sqlite: Database.Database; demo: boolean } | null = null;
  function isDemoStore(sqlite: Database.Database): boolean {
    if (demoStore?.sqlite !== sqlite) {
      demoStore = { sqlite, demo: sqlite.prepare(`SELECT 1 FROM audit_events WHERE action = 'demo.seed' LIMIT 1`).get() !== undefined };
    }
    return demoStore.demo;
  }

  // Until a capability reports otherwise, the register says plainly what is not set up.
  let traceStatus: TraceStatus = { provider: 'BioTrack', state: 'not_configured', backlog: 0, lastContactAt: null };
  let deviceStatuses: DeviceStatus[] = [];

  function broadcast<N extends EventName>(event: N, payload: EventPayload<N>): void {
    for (const client of clients.values()) client.send({ event, payload });
  }

  const coreHandlers: HandlersFor<keyof typeof coreCalls | 'session.setOwnPin'> = {
    'app.status': { access: 'anyone', whileDamaged: true, duringSetup: true, run: () => status() },
    'store.restoreBackup': {
      // No screen can log in while damaged: a manager's PIN from the chosen backup approves it (restore.ts).
      access: 'anyone',
      whileDamaged: true,
      async run(_ctx, request) {
        if (!damage) {
          throw new CoreError('conflict', 'The database is sound: there is nothing to restore.');
        }
        let backupFile: string;
        try {
          backupFile = backupFileNamed(backupDir, request.name);
        } catch (error) {
          throw new CoreError('not_found', error instanceof Error ? error.message : String(error));
        }
        const approver = await restoreGuard.approve(backupFile, request.pin);
        let result: { restoredFrom: string; damagedFileKeptAs: string | null };
        try {
          result = await restoreBackup(databaseFile, backupDir, request.name, clock());
        } catch (error) {
          throw new CoreError('not_found', error instanceof Error ? error.message : String(error));
        }
        await open();
        if (store) {
          appendAudit(store.sqlite, { employeeId: approver.id, action: 'store.restore_backup', details: result }, clock());
        }
        logger.log('warn', 'restored a backup over a damaged database', result);
        broadcast('status.changed', status());
        return result;
      },
    },

    'session.get': { access: 'anyone', duringSetup: true, run: (ctx) => ctx.session.current },
    'session.setOwnPin': {
      access: 'anyone',
      async run(ctx, request) {
        const employee = await requireStore().staff.setOwnPin(request.currentPin, request.newPin);
        return ctx.session.activate(employee);
      },
    },
    'session.login': {
      access: 'anyone',
      async run(ctx, request) {
        const employee = await requireStore().staff.authenticate(request.pin, 'login');
        return ctx.session.activate(employee);
      },
    },
    'session.unlock': {
      access: 'anyone',
      async run(ctx, request) {
        if (ctx.session.current.state !== 'locked') {
          throw new CoreError('conflict', 'This screen is not locked.');
        }
        const employee = await requireStore().staff.authenticate(request.pin, 'unlock', ctx.session.employee?.id ?? null);
        // Any employee may unlock; the screen then belongs to whoever's PIN it was.
        return ctx.session.activate(employee);
      },
    },
    'session.lock': {
      access: 'logged_in',
      run(ctx) {
        appendAudit(requireStore().sqlite, { employeeId: ctx.actor.id, action: 'staff.lock' }, clock());
        return ctx.session.lock('manual');
      },
    },
    'session.logout': {
      access: 'anyone',
      run(ctx) {
        const employee = ctx.session.employee;
        if (employee) appendAudit(requireStore().sqlite, { employeeId: employee.id, action: 'staff.logout' }, clock());
        return ctx.session.logout();
      },
    },
    'session.touch': { access: 'anyone', run: (ctx) => ({ idleLockAt: ctx.session.touch() }) },

    'staff.list': { access: 'logged_in', run: () => requireStore().staff.list() },
    'staff.approvers': { access: 'logged_in', run: (_ctx, request) => requireStore().staff.approvers(request.permission) },
    'staff.create': {
      access: 'manage_staff',
      run: (ctx, request) => requireStore().staff.create({ ...request, actorId: ctx.actor.id }),
    },
    'staff.changePin': {
      access: 'manage_staff',
      async run(ctx, request) {
        await requireStore().staff.changePin({ ...request, actorId: ctx.actor.id });
        return { changed: true as const };
      },
    },
    'staff.override': {
      access: 'logged_in',
      async run(ctx, request) {
        const grant = await requireStore().staff.override({ ...request, requestedBy: ctx.actor.id });
        return { grantId: grant.grantId, approverId: grant.approverId, approverName: grant.approverName, expiresAt: grant.expiresAt };
      },
    },

    'audit.recent': {
      access: 'view_audit',
      run(_ctx, request) {
        const rows = requireStore()
          .sqlite.prepare(
            `SELECT a.seq, a.id, a.at, a.employee_id AS employeeId, e.name AS employeeName, a.action,
                    a.customer_id AS customerId, a.sale_id AS saleId, a.details
               FROM audit_events a LEFT JOIN employees e ON e.id = a.employee_id
              ORDER BY a.seq DESC LIMIT ?`,
          )
          .all(request.limit) as Array<{
          seq: number;
          id: string;
          at: number;
          employeeId: string | null;
          employeeName: string | null;
          action: string;
          customerId: string | null;
          saleId: string | null;
          details: string;
        }>;
        return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
      },
    },
    'audit.verify': { access: 'view_audit', run: () => verifyAuditChain(requireStore().sqlite) },
  };

  const services: CoreServices = {
    dataDir: options.dataDir,
    resourcesDir: options.resourcesDir,
    host: options.host,
    tabletListen: options.tabletListen,
    logger,
    clock,
    databaseFile,
    secretBox: options.secretBox ?? new KeyFileSecretBox(options.dataDir),
    sqlite: () => requireStore().sqlite,
    staff: () => requireStore().staff,
    broadcast,
    setTraceStatus(next) {
      traceStatus = next;
      broadcast('trace.changed', next);
    },
    setDeviceStatuses(next) {
      deviceStatuses = next;
      broadcast('devices.changed', next);
    },
    statusChanged() {
      broadcast('status.changed', status());
    },
  };
  const firstRunHandlers = createFirstRunHandlers({
    resourcesDir: options.resourcesDir,
    logger,
    clock,
    needsSetup: () => needsSetup && !damage && store !== null,
    sqlite: () => requireStore().sqlite,
    async completeSetup() {
      needsSetup = false;
      await openStoreParts();
      broadcast('status.changed', status());
    },
  });
  const modules: CapabilityModule[] = capabilityFactories.map((factory) => factory(services));
  const handlers = mergeHandlers([coreHandlers, firstRunHandlers, ...modules.map((m) => m.handlers)]);

  async function handle(entry: ClientEntry, message: unknown): Promise<ResponseEnvelope> {
    const envelope = requestEnvelopeSchema.safeParse(message);
    if (!envelope.success) {
      return fail(null, 'invalid_message', `The message is not a register request: ${summarise(envelope.error)}`);
    }
    const { id, call, payload, overrideGrantId } = envelope.data;
    if (!isCallName(call)) return fail(id, 'unknown_call', `There is no call named "${call}".`);
    return dispatchCall(entry, id, call, payload, overrideGrantId);
  }

  async function dispatchCall<N extends CallName>(
    entry: ClientEntry,
    id: number,
    call: N,
    payload: unknown,
    overrideGrantId?: string,
  ): Promise<ResponseEnvelope> {
    const contract = calls[call];
    const parsed = (contract.request as z.ZodType).safeParse(payload ?? {});
    if (!parsed.success) {
      logger.log('warn', `rejected an invalid ${call} request`, { issues: summarise(parsed.error) });
      return fail(id, 'invalid_message', `The ${call} request is not valid: ${summarise(parsed.error)}`);
    }
    const handler = handlers[call] as Handler<N>;
    try {
      if (damage && !handler.whileDamaged) {
        throw new CoreError('store_damaged', damage.message);
      }
      if (needsSetup && !handler.duringSetup) {
        throw new CoreError('conflict', 'This register has no store yet: set it up (or open the demo store) on the setup screen first.');
      }
      const employee = entry.session.employee;
      if (handler.access !== 'anyone') {
        const current = entry.session.current;
        if (current.state === 'logged_out') throw new CoreError('not_logged_in', 'Log in with your PIN first.');
        if (current.state === 'locked') throw new CoreError('locked', 'The register is locked: enter your PIN to unlock it.');
        if (handler.access !== 'logged_in' && !current.employee.permissions.includes(handler.access)) {
          if (!overrideGrantId) {
            throw new CoreError('forbidden', `${current.employee.name} is not allowed to do this: ask a manager to approve it.`, {
              permission: handler.access,
            });
          }
          // Another employee's PIN approved this one call: the grant is consumed and recorded.
          const grant = requireStore().staff.consumeGrant(overrideGrantId, handler.access, call);
          appendAudit(
            requireStore().sqlite,
            { employeeId: current.employee.id, action: 'staff.override_used', details: { call, approverId: grant.approverId, grantId: grant.grantId } },
            clock(),
          );
        }
        entry.session.touch();
      }
      const ctx: CallContext = { session: entry.session, employee, actor: employee as Employee };
      const value = await handler.run(ctx, parsed.data as CallRequestParsed<N>);
      return { id, ok: true, value };
    } catch (error) {
      if (error instanceof CoreError) {
        return { id, ok: false, error: { code: error.code, message: error.message, ...(error.detail ? { detail: error.detail } : {}) } };
      }
      const cannotSave = cannotSaveMessage('this', error);
      if (cannotSave) {
        logger.log('error', `${call} could not be written to the disk`, { code: (error as { code?: string }).code });
        return { id, ok: false, error: { code: 'cannot_save', message: cannotSave } };
      }
      logger.log('error', `${call} failed`, { error: error instanceof Error ? error.stack : String(error) });
      return fail(id, 'internal', 'Something went wrong inside the register. It was logged; try again, and call support if it repeats.');
    }
  }

  await open();

  return {
    dataDir: options.dataDir,
    whenDatabaseChecked: () => databaseCheck,
    connect(send) {
      const id = newId(clock());
      const entry: ClientEntry = {
        send,
        session: new ScreenSession(
          idleLockMs,
          (session) => send({ event: 'session.changed', payload: session }),
          (employee) => {
            if (store) appendAudit(store.sqlite, { employeeId: employee.id, action: 'staff.idle_lock' }, clock());
          },
          clock,
        ),
      };
      clients.set(id, entry);
      return {
        id,
        dispatch: (message) => handle(entry, message),
        close() {
          entry.session.dispose();
          clients.delete(id);
        },
      };
    },
    async close() {
      if (backupTimer) clearInterval(backupTimer);
      // The full check starts again at the next start: it stops at the end of its current slice
      // (or its process is ended after 0.2 s), so closing never waits for the whole check.
      await runningCheck?.stop(200);
      await databaseCheck;
      for (const entry of clients.values()) entry.session.dispose();
      clients.clear();
      if (store && needsSetup) {
        // Set up nothing: no capability opened, nothing worth a backup.
        store.close();
        store = null;
      } else if (store) {
        await closeModules();
        appendAudit(store.sqlite, { employeeId: null, action: 'register.stop' }, clock());
        const closeDeadline = Date.now() + CLOSE_BACKUP_BUDGET_MS;
        // A timer backup still running finishes or is stopped within the same 2 s budget.
        if (backupRunning) {
          const stopAt = setTimeout(() => backupAbort?.abort(), Math.max(0, closeDeadline - Date.now()));
          await backupRunning;
          clearTimeout(stopAt);
        }
        if (Date.now() < closeDeadline) await backupNow('close', closeDeadline);
        store.close();
        store = null;
      }
    },
  };
}

/** One handler per call in the contract: a missing or doubled handler is a programming error, caught at start. */
function mergeHandlers(parts: Array<Partial<Handlers>>): Handlers {
  const merged: Partial<Record<CallName, unknown>> = {};
  for (const part of parts) {
    for (const [name, handler] of Object.entries(part)) {
      if (name in merged) throw new Error(`Two capabilities handle the call "${name}".`);
      merged[name as CallName] = handler;
    }
  }
  const missing = (Object.keys(calls) as CallName[]).filter((name) => !(name in merged));
  if (missing.length > 0) throw new Error(`No capability handles: ${missing.join(', ')}.`);
  return merged as Handlers;
}

function fail(id: number | null, code: 'invalid_message' | 'unknown_call' | 'internal', message: string): ResponseEnvelope {
  return { id, ok: false, error: { code, message } };
}

function summarise(error: ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'message'}: ${issue.message}`)
    .join('; ');
}
