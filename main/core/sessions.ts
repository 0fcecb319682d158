/**
 * One session per connected screen: who is logged in there and when it locks for idleness.
 * Plain timers, no Electron: the hosts only relay `session.changed`.
 */
import type { Employee, Session } from '../../preload/api.js';

export class ScreenSession {
  private state: Session = { state: 'logged_out' };
  private idleTimer: NodeJS.Timeout | null = null;
  private idleLockAt: number | null = null;

  constructor(
    private readonly idleLockMs: number,
    private readonly onChange: (session: Session) => void,
    private readonly onIdleLock: (employee: Employee) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  get current(): Session {
    return this.state;
  }

  get employee(): Employee | null {
    return this.state.state === 'logged_out' ? null : this.state.employee;
  }

  activate(employee: Employee): Session {
    this.set({ state: 'active', employee, idleLockMs: this.idleLockMs });
    this.touch();
    return this.state;
  }

  lock(reason: 'idle' | 'manual'): Session {
    if (this.state.state === 'active') this.set({ state: 'locked', employee: this.state.employee, reason });
    this.clearIdleTimer();
    return this.state;
  }

  logout(): Session {
    this.set({ state: 'logged_out' });
    this.clearIdleTimer();
    return this.state;
  }

  /** Postpone the idle lock; returns when it will now happen (null when nothing is active). */
  touch(): number | null {
    if (this.state.state !== 'active') return null;
    this.clearIdleTimer();
    this.idleLockAt = this.clock() + this.idleLockMs;
    this.idleTimer = setTimeout(() => {
      if (this.state.state !== 'active') return;
      const employee = this.state.employee;
      this.lock('idle');
      this.onIdleLock(employee);
    }, this.idleLockMs);
    this.idleTimer.unref();
    return this.idleLockAt;
  }

  dispose(): void {
    this.clearIdleTimer();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.idleLockAt = null;
  }

  private set(next: Session): void {
    this.state = next;
    this.onChange(next);
  }
}
