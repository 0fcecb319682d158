/**
 * The audit capability's part of the core: the archive job. Old audit events move to
 * audit_events_archive (main/audit/archive.ts) on a timer the core starts with the store, so every
 * store archives on schedule, whether or not it reports to a track-and-trace system. It owns no
 * calls: the audit screens' calls are the core's (core/staff-handlers.ts).
 *
 * One run moves one bounded batch (one short write transaction on the core's connection, on the
 * core's thread): a full batch means there is more, and the next run follows a moment later
 * instead of at the interval, so a store catching up on years of events never holds up a screen.
 */
import type Database from 'better-sqlite3';
import type { CapabilityModule, CoreServices } from '../core/handler.js';
import type { Logger } from '../log/logger.js';
import { archiveAuditEvents, DEFAULT_AUDIT_ARCHIVE_AFTER_MS } from './archive.js';

const DEFAULT_BATCH = 1000;

export interface AuditArchiveOptions {
  /** The first run comes this long after the store opens (default 60 s: never during start-up). */
  startDelayMs?: number;
  /** Between runs that found less than a full batch (default 5 minutes). */
  intervalMs?: number;
  /** Between runs while full batches are moving (default 250 ms: screens' calls run in between). */
  catchUpMs?: number;
  /** Events move once this old (default 90 days). */
  archiveAfterMs?: number;
  /** Rows per run (default 1000: about 20 ms of the core's thread on this 2-core machine; 5000 took 136 ms). */
  batch?: number;
}

export class AuditArchiveJob {
  private timer: NodeJS.Timeout | null = null;
  private nextAt: number | null = null;

  constructor(
    private readonly deps: { sqlite: () => Database.Database; clock: () => number; logger: Logger },
    private readonly options: AuditArchiveOptions = {},
  ) {}

  /** Schedules the first run (the core calls this when the store opens). */
  start(): void {
    this.stop();
    this.schedule(this.options.startDelayMs ?? 60_000);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.nextAt = null;
  }

  /** When the next run is due by the core's clock, or null while the job is stopped. */
  nextRunAt(): number | null {
    return this.nextAt;
  }

  /**
   * One run of the job, as the timer makes it: moves one bounded batch of events older than the
   * archive age (by the core's clock) and returns how many moved. A run that fails (the database
   * busy or damaged) moves nothing; the next one tries again.
   */
  runNow(): number {
    const batch = this.options.batch ?? DEFAULT_BATCH;
    return archiveAuditEvents(this.deps.sqlite(), { before: this.deps.clock() - (this.options.archiveAfterMs ?? DEFAULT_AUDIT_ARCHIVE_AFTER_MS), limit: batch });
  }

  private schedule(delayMs: number): void {
    this.nextAt = this.deps.clock() + delayMs;
    this.timer = setTimeout(() => this.tick(), delayMs);
    this.timer.unref();
  }

  private tick(): void {
    this.timer = null;
    let moved = 0;
    try {
      moved = this.runNow();
      if (moved > 0) this.deps.logger.log('info', 'old audit events moved to the archive', { moved });
    } catch (error) {
      this.deps.logger.log('warn', `Old audit events could not be archived this time (${error instanceof Error ? error.message : String(error)}): the register tries again in a few minutes.`);
    }
    const full = moved >= (this.options.batch ?? DEFAULT_BATCH);
    this.schedule(full ? (this.options.catchUpMs ?? 250) : (this.options.intervalMs ?? 5 * 60_000));
  }
}

export interface AuditModule extends CapabilityModule {
  readonly archive: AuditArchiveJob;
}

export function createAuditModule(services: CoreServices, options: AuditArchiveOptions = {}): AuditModule {
  const archive = new AuditArchiveJob({ sqlite: () => services.sqlite(), clock: () => services.clock(), logger: services.logger }, options);
  return {
    handlers: {},
    archive,
    onOpen: () => archive.start(),
    onClose: () => archive.stop(),
  };
}
