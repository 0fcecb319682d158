/**
 * The register core: plain Node, no Electron. Both hosts connect screens to it and pass it raw
 * messages; it validates each one against the contract (preload/api.ts) before anything runs.
 */
import type Database from 'better-sqlite3';
import type { coreCalls } from '../../preload/contract/core.js';
import type { AppStatus, DeviceStatus, EventEnvelope, EventName, EventPayload, ResponseEnvelope, TraceStatus } from '../../preload/api.js';
import { appendAudit } from '../audit/log.js';
import { isDemoSeeded, seedDemoStore } from '../demo/seed.js';
import { createFirstRunHandlers } from './first-run.js';
import { backupFileNamed, backupFolderIn, restoreBackup } from '../store/backup.js';
import { databaseFileIn, ensureDataFolder, openStore, type Store } from '../store/db.js';
import { StoreDamagedError } from '../store/errors.js';
import { databaseFileState, ensureStoreIdentity, previousStoreSigns } from '../store/identity.js';
import { startIntegrityCheck, type RunningIntegrityCheck } from '../store/integrity.js';
import { newId } from '../store/ids.js';
import { hashPin } from '../staff/pins.js';
import { StaffService } from '../staff/service.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { CoreError } from './errors.js';
import type { CapabilityModule, CoreServices, HandlersFor } from './handler.js';
import { createDispatcher, mergeHandlers, type ClientEntry } from './dispatch.js';
import { BackupKeeper } from './backups.js';
import { createStaffHandlers } from './staff-handlers.js';
import { capabilityFactories } from './modules.js';
import { ScreenSession } from './sessions.js';
import { readSetting } from './settings.js';
import { KeyFileSecretBox, type SecretBox } from './secret-box.js';
import { RestoreGuard } from './restore.js';

export interface RegisterOptions {
  dataDir: string;
  /**
   * Windows: the data folder is the installed app's one in ProgramData, shared by the PC's
   * accounts: it keeps the installer's ACL instead of being narrowed to the current user.
   */
  dataDirSharedByAllAccounts?: boolean;
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

const DEFAULT_IDLE_LOCK_MS = 5 * 60_000;
const DEFAULT_BACKUP_INTERVAL_MS = 30 * 60_000;

export async function createRegister(options: RegisterOptions): Promise<Register> {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? Date.now;
  const idleLockMs = options.idleLockMs ?? DEFAULT_IDLE_LOCK_MS;
  const backupKeep = options.backupKeep ?? 10;
  const databaseFile = databaseFileIn(options.dataDir);
  const backupDir = backupFolderIn(options.dataDir);
  const folderNote = ensureDataFolder(options.dataDir, { sharedByAllAccounts: options.dataDirSharedByAllAccounts });
  if (folderNote) logger.log('warn', `The data folder could not be made private to this user: ${folderNote}`);

  let store: Store | null = null;
  /** The database is open but holds no store yet: only the setup screen's calls work. */
  let needsSetup = false;
  const newStore: NewStore = options.newStore ?? { kind: 'setup' };
  let staff: StaffService | null = null;
  let damage: StoreDamagedError | null = null;
  let databaseCheck: Promise<void> = Promise.resolve();
  let runningCheck: RunningIntegrityCheck | null = null;
  let databaseCheckPassed = false;
  let storeIdentity: string | null = null;
  const restoreGuard = new RestoreGuard(clock);
  const clients = new Map<string, ClientEntry>();
  const backups = new BackupKeeper({
    databaseFile,
    backupDir,
    dataDir: options.dataDir,
    keep: backupKeep,
    logger,
    clock,
    hasStore: () => store !== null,
    storeIdentity: () => storeIdentity,
  });

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
      backups.stopTimer();
      await closeModules();
      store?.close();
      store = null;
      staff = null;
      broadcast('status.changed', status());
    });
    backups.startTimer(options.backupIntervalMs ?? DEFAULT_BACKUP_INTERVAL_MS);
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

  function requireStore(): { sqlite: Database.Database; staff: StaffService } {
    if (!store || !staff) {
      throw new CoreError('store_damaged', damage?.message ?? 'The database is not open: restart the register.');
    }
    return { sqlite: store.sqlite, staff };
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
        backups: backups.offered(damage),
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
      demoStore = { sqlite, demo: isDemoSeeded(sqlite) };
    }
    return demoStore.demo;
  }

  // Until a capability reports otherwise, the register says plainly what is not set up.
  let traceStatus: TraceStatus = { provider: 'BioTrack', state: 'not_configured', backlog: 0, lastContactAt: null };
  let deviceStatuses: DeviceStatus[] = [];

  function broadcast<N extends EventName>(event: N, payload: EventPayload<N>): void {
    for (const client of clients.values()) client.send({ event, payload });
  }

  const appHandlers: HandlersFor<'app.status' | 'store.restoreBackup'> = {
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
  const staffHandlers = createStaffHandlers({ clock, requireStore });
  const coreHandlers: HandlersFor<keyof typeof coreCalls | 'session.setOwnPin'> = { ...appHandlers, ...staffHandlers };
  const handlers = mergeHandlers([coreHandlers, firstRunHandlers, ...modules.map((m) => m.handlers)]);
  const handle = createDispatcher({
    handlers,
    logger,
    clock,
    damage: () => damage,
    needsSetup: () => needsSetup,
    requireStore,
  });

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
      backups.stopTimer();
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
        // A timer backup still running finishes or is stopped within the same 2 s budget.
        await backups.backupAtClose();
        store.close();
        store = null;
      }
    },
  };
}
