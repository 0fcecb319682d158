/**
 * Who may restore a backup while the register is damaged.
 *
 * While damaged there is no working staff table to log in against, yet a restore replaces the
 * store's data (and its PINs) with an older copy. So a restore asks for the PIN of an active
 * manager or admin *of the backup being restored*: the person proves they run that store, and
 * someone who removed or damaged the database cannot bring back an old copy without such a PIN.
 * Wrong PINs are counted before the slow scrypt check, in memory (the database is not usable):
 * at most 5 are checked, then the restore locks for 30 s, doubling with each further lockout.
 */
import Database from 'better-sqlite3';
import { verifyPin } from '../staff/pins.js';
import { CoreError } from './errors.js';

const MAX_TRIES = 5;
const FIRST_LOCKOUT_MS = 30_000;

export interface RestoreApprover {
  id: string;
  name: string;
}

/** The active managers and admins recorded in a backup (read-only; never written). */
function approversIn(backupFile: string): Array<RestoreApprover & { pinHash: string }> {
  const sqlite = new Database(backupFile, { readonly: true, fileMustExist: true });
  try {
    return sqlite
      .prepare("SELECT id, name, pin_hash AS pinHash FROM employees WHERE active = 1 AND role IN ('manager', 'admin') ORDER BY name")
      .all() as Array<RestoreApprover & { pinHash: string }>;
  } finally {
    sqlite.close();
  }
}

export class RestoreGuard {
  private failures = 0;
  private lockouts = 0;
  private lockedUntil = 0;

  constructor(private readonly clock: () => number) {}

  /** Resolves with the approver whose PIN this is, or throws wrong_pin / locked_out. */
  async approve(backupFile: string, pin: string): Promise<RestoreApprover> {
    const now = this.clock();
    if (now < this.lockedUntil) {
      throw new CoreError('locked_out', 'Too many wrong PINs: wait, then a manager enters their PIN again.', {
        retryAfterMs: this.lockedUntil - now,
      });
    }
    // Counted before the slow check, so parallel guesses cannot get past the limit.
    this.failures += 1;
    if (this.failures >= MAX_TRIES) {
      this.lockouts += 1;
      this.failures = 0;
      this.lockedUntil = now + FIRST_LOCKOUT_MS * 2 ** (this.lockouts - 1);
    }
    let approvers: Array<RestoreApprover & { pinHash: string }>;
    try {
      approvers = approversIn(backupFile);
    } catch {
      throw new CoreError('not_found', 'This backup has no staff list to check the PIN against: choose another backup, or call support.');
    }
    for (const approver of approvers) {
      if (await verifyPin(pin, approver.pinHash)) {
        this.failures = 0;
        this.lockouts = 0;
        this.lockedUntil = 0;
        return { id: approver.id, name: approver.name };
      }
    }
    const triesLeft = this.lockedUntil > now ? 0 : MAX_TRIES - this.failures;
    throw new CoreError('wrong_pin', "That is not the PIN of a manager of this backup's store.", { triesLeft });
  }
}
