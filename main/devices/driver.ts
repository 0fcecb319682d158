/**
 * The driver interface every device implements (start, stop, status, data, error), and the
 * supervisor that gives each device its own search/connect/reconnect loop:
 *
 *   searching → connecting → connected → (unplugged, read error, gone from the port list)
 *   → searching again after a backoff (1 s doubling to 30 s; reset once a connection held).
 *
 * A transport only knows how to find, open and read its kind of device; the supervisor owns
 * the states, so every transport reconnects the same way and every change is reported.
 */
import { EventEmitter } from 'node:events';
import { explainDeviceProblem } from './explain.js';

export type DeviceState = 'searching' | 'connecting' | 'connected' | 'error' | 'disabled';

export interface DriverStatus {
  state: DeviceState;
  /** Why: "not plugged in", "read error: …", the port in use. */
  reason?: string;
  since: number;
}

/** One frame from a device: a whole scan's bytes (and its symbology when the device sends one). */
export interface RawScan {
  bytes: Uint8Array;
  symbology?: string | null;
  /** Epoch ms when its last byte arrived. */
  at: number;
}

export interface DeviceDriver {
  readonly id: string;
  start(): void;
  stop(): Promise<void>;
  status(): DriverStatus;
  on(event: 'data', listener: (scan: RawScan) => void): this;
  on(event: 'status', listener: (status: DriverStatus) => void): this;
  /** A problem worth logging that did not stop the device (a malformed report). */
  on(event: 'error', listener: (error: Error) => void): this;
}

/** What the transport found: enough to open it, and a label for the status. */
export interface Found {
  /** Same key on the next search = the same device still there. */
  key: string;
  label: string;
}

export interface TransportSink {
  data(scan: RawScan): void;
  /** The device is gone (read error, close): the supervisor goes back to searching. */
  lost(reason: string): void;
  /** A bad frame; the device stays connected. */
  problem(error: Error): void;
}

export interface Connection {
  close(): Promise<void>;
}

export interface Transport<F extends Found = Found> {
  /** Looks for the configured device; null when it is not there. Must not throw for "absent". */
  find(): Promise<F | null>;
  open(found: F, sink: TransportSink): Promise<Connection>;
  /**
   * Re-check presence while connected this often (serial: `close` is not reliable, so the port
   * list is polled). null: the transport's read errors are the only signal (HID).
   */
  readonly presenceIntervalMs: number | null;
}

export interface SupervisorTiming {
  /** How often to look again while the device is missing. */
  searchIntervalMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
}

export const defaultTiming: SupervisorTiming = { searchIntervalMs: 2000, backoffInitialMs: 1000, backoffMaxMs: 30_000 };

export class DeviceSupervisor<F extends Found = Found> extends EventEmitter implements DeviceDriver {
  private current: DriverStatus;
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private presenceTimer: NodeJS.Timeout | null = null;
  private connection: Connection | null = null;
  private connectedKey: string | null = null;
  private backoffMs: number;
  /** Bumped on every stop/loss so late callbacks from an old connection are ignored. */
  private generation = 0;

  constructor(
    readonly id: string,
    private readonly transport: Transport<F>,
    private readonly timing: SupervisorTiming = defaultTiming,
    private readonly clock: () => number = Date.now,
  ) {
    super();
    this.backoffMs = timing.backoffInitialMs;
    this.current = { state: 'disabled', since: clock() };
  }

  status(): DriverStatus {
    return this.current;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.generation++;
    this.setStatus('searching', 'looking for the device');
    void this.search(this.generation);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.generation++;
    this.clearTimers();
    await this.closeConnection();
    this.setStatus('disabled', 'turned off');
  }

  private setStatus(state: DeviceState, reason?: string): void {
    if (this.current.state === state && this.current.reason === reason) return;
    this.current = { state, reason, since: this.clock() };
    this.emit('status', this.current);
  }

  /**
   * An error state in staff words; the system's own message goes to 'error' listeners (the
   * manager logs it), once per change, not on every retry.
   */
  private setProblem(activity: 'find' | 'open', error: unknown, label?: string): void {
    const explained = explainDeviceProblem(activity, error);
    const reason = label ? `${label}: ${explained.text}` : explained.text;
    if (this.current.state === 'error' && this.current.reason === reason) return;
    this.setStatus('error', reason);
    if (this.listenerCount('error') > 0) this.emit('error', new Error(`${reason} (${explained.detail})`));
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    this.timer = null;
    this.presenceTimer = null;
  }

  private schedule(ms: number, generation: number, next: () => Promise<void>): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (generation === this.generation) void next();
    }, ms);
    this.timer.unref?.();
  }

  private async search(generation: number): Promise<void> {
    if (!this.running || generation !== this.generation) return;
    let found: F | null = null;
    try {
      found = await this.transport.find();
    } catch (error) {
      this.setProblem('find', error);
      this.schedule(this.timing.searchIntervalMs, generation, () => this.search(generation));
      return;
    }
    if (generation !== this.generation) return;
    if (!found) {
      this.setStatus('searching', 'not plugged in (or switched off)');
      this.schedule(this.timing.searchIntervalMs, generation, () => this.search(generation));
      return;
    }
    this.setStatus('connecting', found.label);
    const sink: TransportSink = {
      data: (scan) => {
        if (generation === this.generation) this.emit('data', scan);
      },
      lost: (reason) => {
        if (generation === this.generation) void this.lose(reason);
      },
      problem: (error) => {
        if (generation === this.generation && this.listenerCount('error') > 0) this.emit('error', error);
      },
    };
    try {
      const connection = await this.transport.open(found, sink);
      if (generation !== this.generation) {
        await connection.close().catch(() => undefined);
        return;
      }
      this.connection = connection;
      this.connectedKey = found.key;
      this.backoffMs = this.timing.backoffInitialMs;
      this.setStatus('connected', found.label);
      this.watchPresence(generation);
    } catch (error) {
      if (generation !== this.generation) return;
      this.setProblem('open', error, found.label);
      this.retryAfterBackoff(generation);
    }
  }

  private watchPresence(generation: number): void {
    const interval = this.transport.presenceIntervalMs;
    if (interval === null) return;
    const check = async (): Promise<void> => {
      if (generation !== this.generation) return;
      let found: F | null = null;
      try {
        found = await this.transport.find();
      } catch {
        found = null;
      }
      if (generation !== this.generation) return;
      if (!found || found.key !== this.connectedKey) {
        await this.lose('unplugged');
        return;
      }
      this.presenceTimer = setTimeout(() => void check(), interval);
      this.presenceTimer.unref?.();
    };
    this.presenceTimer = setTimeout(() => void check(), interval);
    this.presenceTimer.unref?.();
  }

  private async lose(reason: string): Promise<void> {
    this.generation++;
    const generation = this.generation;
    this.clearTimers();
    await this.closeConnection();
    if (!this.running || generation !== this.generation) return;
    this.setStatus('searching', `lost: ${reason}; looking again`);
    this.retryAfterBackoff(generation);
  }

  private retryAfterBackoff(generation: number): void {
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.timing.backoffMaxMs);
    this.schedule(delay, generation, () => this.search(generation));
  }

  private async closeConnection(): Promise<void> {
    const connection = this.connection;
    this.connection = null;
    this.connectedKey = null;
    if (connection) await connection.close().catch(() => undefined);
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
