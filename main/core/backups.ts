/**
 * The register's online backups: one at a time, in a worker, on a timer and at close (bounded so
 * that closing never waits long), and the list offered to a person when the store is damaged.
 */
import type { AppStatus } from '../../preload/api.js';
import { createBackup, listBackups, type BackupInfo } from '../store/backup.js';
import { readIdentityMarker } from '../store/identity.js';
import type { Logger } from '../log/logger.js';

export type OfferedBackup = Extract<AppStatus, { state: 'damaged' }>['backups'][number];

/** Closing never waits longer than this for a backup: a big store relies on the timer's backups. */
export const CLOSE_BACKUP_BUDGET_MS = 2000;

export interface BackupKeeperOptions {
  databaseFile: string;
  backupDir: string;
  dataDir: string;
  keep: number;
  logger: Logger;
  clock: () => number;
  /** Whether there is an open store to back up. */
  hasStore(): boolean;
  storeIdentity(): string | null;
}

export class BackupKeeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private abort: AbortController | null = null;
  // Checking every backup reads each whole file: do it once per damage, not on every status call.
  private seenFor: unknown = null;
  private forDamage: BackupInfo[] = [];

  constructor(private readonly options: BackupKeeperOptions) {}

  startTimer(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => void this.backupNow('timer'), intervalMs);
    this.timer.unref();
  }

  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One backup at a time, in a worker; `deadline` (Date.now clock) bounds a backup at close. */
  backupNow(why: string, deadline?: number): Promise<void> {
    if (!this.options.hasStore() || this.running) return this.running ?? Promise.resolve();
    const { databaseFile, backupDir, keep, logger, clock } = this.options;
    const abort = new AbortController();
    this.abort = abort;
    const run = (async () => {
      try {
        const file = await createBackup(databaseFile, backupDir, {
          keep,
          now: clock(),
          storeIdentity: this.options.storeIdentity(),
          signal: abort.signal,
          ...(deadline === undefined ? {} : { deadline }),
        });
        if (file) logger.log('info', 'backup written', { file, why });
        else logger.log('warn', 'A backup was stopped so that closing takes at most 2 s: the earlier backups are kept.', { why });
      } catch (error) {
        logger.log('warn', `The backup could not be written (${error instanceof Error ? error.message : String(error)}): the register keeps working; check free disk space.`);
      } finally {
        this.running = null;
        this.abort = null;
      }
    })();
    this.running = run;
    return run;
  }

  /** At close: a timer backup still running finishes or is stopped, then a last one, all within the budget. */
  async backupAtClose(): Promise<void> {
    const closeDeadline = Date.now() + CLOSE_BACKUP_BUDGET_MS;
    if (this.running) {
      const stopAt = setTimeout(() => this.abort?.abort(), Math.max(0, closeDeadline - Date.now()));
      await this.running;
      clearTimeout(stopAt);
    }
    if (Date.now() < closeDeadline) await this.backupNow('close', closeDeadline);
  }

  /** The backups a person may restore over this damage; the one to choose is marked. */
  offered(damage: unknown): OfferedBackup[] {
    if (this.seenFor !== damage) {
      this.forDamage = listBackups(this.options.backupDir);
      this.seenFor = damage;
    }
    // The newest intact backup of the store this folder held (its marker), else the newest intact one.
    const marker = readIdentityMarker(this.options.dataDir);
    const intact = this.forDamage.filter((backup) => backup.intact);
    const recommended = intact.find((backup) => marker !== null && backup.storeIdentity === marker) ?? intact[0];
    return this.forDamage.map((backup) => ({
      name: backup.name,
      createdAt: backup.createdAt,
      sizeBytes: backup.sizeBytes,
      intact: backup.intact,
      storeIdentity: backup.storeIdentity,
      recommended: backup === recommended,
    }));
  }
}
