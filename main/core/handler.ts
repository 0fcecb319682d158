/**
 * How a capability plugs into the core: handlers for its part of the contract, typed by call
 * name, plus what it needs from the core (the open database, the clock, events to broadcast).
 */
import type Database from 'better-sqlite3';
import type {
  CallName,
  CallRequestParsed,
  CallResponse,
  DeviceStatus,
  Employee,
  EventName,
  EventPayload,
  Permission,
  TraceStatus,
} from '../../preload/api.js';
import type { Logger } from '../log/logger.js';
import type { StaffService } from '../staff/service.js';
import type { ScreenSession } from './sessions.js';
import type { SecretBox } from './secret-box.js';

/** Who may make a call: anyone (login, status), any logged-in employee, or one with a permission. */
export type Access = 'anyone' | 'logged_in' | Permission;

export interface CallContext {
  session: ScreenSession;
  employee: Employee | null;
  /** The employee, present for every call whose access is not 'anyone'. */
  actor: Employee;
}

export interface Handler<N extends CallName> {
  access: Access;
  /** Calls that work while the database is damaged (status and restore). */
  whileDamaged?: boolean;
  /** Calls that work on a new register before its store is set up (the setup screen's). */
  duringSetup?: boolean;
  run(ctx: CallContext, request: CallRequestParsed<N>): Promise<CallResponse<N>> | CallResponse<N>;
}

export type HandlersFor<K extends CallName> = { [N in K]: Handler<N> };

export interface CoreServices {
  readonly dataDir: string;
  readonly resourcesDir: string;
  readonly host: 'electron' | 'browser';
  /** Where the reception tablet's server listens while it is on (default: every interface, port 47843). */
  readonly tabletListen?: { host: string; port: number } | undefined;
  readonly logger: Logger;
  clock(): number;
  /** The open database; throws a store_damaged CoreError while it is damaged. */
  sqlite(): Database.Database;
  readonly databaseFile: string;
  /** Seals secrets kept in settings (safeStorage in Electron, a 0600 key file otherwise). */
  readonly secretBox: SecretBox;
  staff(): StaffService;
  broadcast<N extends EventName>(event: N, payload: EventPayload<N>): void;
  setTraceStatus(status: TraceStatus): void;
  setDeviceStatuses(devices: DeviceStatus[]): void;
  /** The store's name or time zone changed: screens get the new app status. */
  statusChanged(): void;
}

/**
 * A capability's part of the core. `handlers` holds the calls it owns (any subset of the
 * contract: a module's own `HandlersFor<'x.a' | 'x.b'>` fits without a cast); the core checks at
 * start that every call in the contract has exactly one handler.
 */
export interface CapabilityModule<K extends CallName = CallName> {
  handlers: Partial<HandlersFor<K>>;
  /** After the database opens (at start, and again after a backup is restored). */
  onOpen?(): void | Promise<void>;
  /** Before the database closes. */
  onClose?(): void | Promise<void>;
}

export type CapabilityFactory = (services: CoreServices) => CapabilityModule;
