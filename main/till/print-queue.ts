/**
 * The print queue: receipts, drawer kicks, reports and test pages wait in print_jobs until the
 * printer takes them. The sale never waits on a printer: its receipt (and, on cash, its drawer
 * kick) are rows written in the sale's transaction; this worker sends them afterwards.
 *
 * Once, never twice: a job is marked `sending` (committed) before its bytes go out and `printed`
 * after; a job found `sending` at start may have printed before the register stopped, so it becomes
 * `uncertain` and waits for a person (reprint or dismiss), never for an automatic resend. A printer
 * that is off, out of paper or has its cover open is seen before the bytes go (DLE EOT where the
 * link reads back): the job stays `pending`, the status says why, and it is tried again with backoff.
 */
import type Database from 'better-sqlite3';
import type { Logger } from '../log/logger.js';
import { cachedStatement } from '../store/statements.js';
import { receiptPrinter, type PrinterConfig, type TillConfig } from './config.js';
import { receiptDocSchema, type ReceiptDoc } from './doc.js';
import { encodeDoc, encodeKick } from './encoder.js';
import { buildReceipt } from './receipt.js';
import { statusOf, type PrinterCondition } from './status.js';
import { linkFor, type PrinterLink } from './transports/index.js';

/**
 * The condition of the partial index print_jobs_waiting, written out in every query on a job's
 * state: SQLite uses a partial index only when the query names its condition, so without it each
 * status read (after every sale) would read every job ever printed.
 */
const WAITING = "state IN ('pending', 'sending', 'uncertain')";

export type JobKind = 'receipt' | 'reprint' | 'kick' | 'report' | 'test';

/** A drawer kick the printer could not take within this long after the sale is not sent later. */
export const KICK_TTL_MS = 120_000;

/** In the sale's transaction: its receipt, and a drawer kick when cash was taken. */
export function enqueueSaleJobs(sqlite: Database.Database, saleId: string, cash: boolean, actorId: string, now: number): void {
  const insert = cachedStatement(
    sqlite,
    `INSERT INTO print_jobs (kind, sale_id, state, created_by, created_at, updated_at) VALUES (?, ?, 'pending', ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  if (cash) insert.run('kick', saleId, actorId, now, now);
  insert.run('receipt', saleId, actorId, now, now);
}

export function enqueueJob(
  sqlite: Database.Database,
  job: { kind: 'reprint' | 'kick' | 'report' | 'test'; saleId?: string; printerId?: string | null; doc?: ReceiptDoc; actorId: string },
  now: number,
): number {
  return Number(
    sqlite
      .prepare(`INSERT INTO print_jobs (kind, sale_id, printer_id, doc, state, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`)
      .run(job.kind, job.saleId ?? null, job.printerId ?? null, job.doc ? JSON.stringify(job.doc) : null, job.actorId, now, now).lastInsertRowid,
  );
}

interface JobRow {
  id: number;
  kind: JobKind;
  saleId: string | null;
  printerId: string | null;
  doc: string | null;
  createdAt: number;
}

export interface UncertainJob {
  jobId: number;
  kind: JobKind;
  saleId: string | null;
  receiptNumber: number | null;
  at: number;
}

export interface PrintQueueStatus {
  printer: { id: string; name: string; where: string } | null;
  condition: PrinterCondition;
  message: string;
  drawerSignal: boolean | null;
  /** The cash drawer as last reported (the printer's drawer.openSignal reads the signal); null when not known. */
  drawer: 'open' | 'closed' | null;
  paperLow: boolean;
  waiting: number;
  uncertain: UncertainJob[];
}

export interface PrintQueueDeps {
  sqlite: () => Database.Database;
  clock: () => number;
  config: () => TillConfig;
  logger?: Logger;
  /** Replaces how a printer is reached (tests). */
  link?: (printer: PrinterConfig) => PrinterLink;
  onChange?: (status: PrintQueueStatus) => void;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** While nothing waits, ask the receipt printer how it is this often (0: never), so the status bar shows paper out before the next sale. */
  idlePollMs?: number;
  /** After a drawer kick, and while the drawer reads open, ask the printer this often (the status bar shows it closing). */
  drawerPollMs?: number;
}

export const DRAWER_POLL_MS = 2_000;

/** The drawer's state from the printer's pin-3 signal, as this printer's drawer is wired. */
export function drawerState(signal: boolean | null, openSignal: 'not_wired' | 'high' | 'low'): 'open' | 'closed' | null {
  if (signal === null || openSignal === 'not_wired') return null;
  return signal === (openSignal === 'high') ? 'open' : 'closed';
}

export const IDLE_POLL_MS = 30_000;

export class PrintQueue {
  private poller: NodeJS.Timeout | null = null;
  private drawerTimer: NodeJS.Timeout | null = null;
  private polling = false;
  private running = false;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private backoff: number;
  private stopped = true;
  private last: { printerId: string | null; condition: PrinterCondition; message: string; drawerSignal: boolean | null; paperLow: boolean } = {
    printerId: null,
    condition: 'unknown',
    message: '',
    drawerSignal: null,
    paperLow: false,
  };
  private idle: Array<() => void> = [];

  constructor(private readonly deps: PrintQueueDeps) {
    this.backoff = deps.retryMinMs ?? 1000;
  }

  /** After the database opens: jobs caught mid-send become uncertain, then the queue runs. */
  start(): void {
    this.stopped = false;
    const db = this.deps.sqlite();
    const caught = db.prepare(`UPDATE print_jobs SET state = 'uncertain', updated_at = ? WHERE ${WAITING} AND state = 'sending'`).run(this.deps.clock()).changes;
    if (caught > 0) this.deps.logger?.log('warn', `${caught} print job(s) were being sent when the register stopped: staff choose to reprint or dismiss them`);
    this.wake();
    const every = this.deps.idlePollMs ?? IDLE_POLL_MS;
    if (every > 0) {
      this.poller = setInterval(() => void this.pollIdle(), every);
      this.poller.unref();
    }
  }

  /** Only when the queue is quiet: a status query never goes in the middle of a job. */
  private async pollIdle(): Promise<boolean> {
    if (this.stopped || this.running || this.timer || this.polling) return false;
    const printer = receiptPrinter(this.deps.config());
    if (!printer) return false;
    this.polling = true;
    try {
      const status = await this.linkOf(printer).status();
      if (!this.running && !this.stopped) this.remember(printer.id, status.condition === 'unknown' && this.last.condition === 'ready' ? { ...status, condition: 'ready' } : status);
    } catch (error) {
      this.deps.logger?.log('warn', `the receipt printer's status could not be read: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.polling = false;
    }
    return true;
  }

  stop(): void {
    this.stopped = true;
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
    if (this.drawerTimer) clearTimeout(this.drawerTimer);
    this.drawerTimer = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Something was queued (or the printer settings changed): run now. */
  wake(): void {
    if (this.stopped) return;
    this.backoff = this.deps.retryMinMs ?? 1000;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) {
      this.again = true;
      return;
    }
    setImmediate(() => void this.run());
  }

  /** Resolves when the queue has nothing it can send right now (tests). */
  whenIdle(): Promise<void> {
    if (!this.running && !this.timer && this.pending().length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  status(): PrintQueueStatus {
    const db = this.deps.sqlite();
    const config = this.deps.config();
    const printer = receiptPrinter(config);
    const waiting = (db.prepare(`SELECT COUNT(*) AS n FROM print_jobs WHERE ${WAITING} AND state = 'pending'`).get() as { n: number }).n;
    const uncertain = db
      .prepare(
        `SELECT j.id AS jobId, j.kind, j.sale_id AS saleId, s.receipt_number AS receiptNumber, j.updated_at AS at
           FROM print_jobs j LEFT JOIN sales s ON s.id = j.sale_id WHERE j.${WAITING} AND j.state = 'uncertain' ORDER BY j.id`,
      )
      .all() as UncertainJob[];
    const link = printer ? this.linkOf(printer) : null;
    const fresh = printer && this.last.printerId === printer.id;
    const condition: PrinterCondition = !printer ? 'not_configured' : fresh ? this.last.condition : 'unknown';
    return {
      printer: printer && link ? { id: printer.id, name: printer.name, where: link.where } : null,
      condition,
      message: !printer ? statusOf('not_configured', '').message : fresh ? this.last.message : '',
      drawerSignal: fresh ? this.last.drawerSignal : null,
      drawer: fresh && printer ? drawerState(this.last.drawerSignal, printer.drawer.openSignal) : null,
      paperLow: fresh ? this.last.paperLow : false,
      waiting,
      uncertain,
    };
  }

  /** Ask the receipt printer how it is (the Devices screen's check). */
  async check(printer: PrinterConfig): Promise<PrintQueueStatus> {
    const status = await this.linkOf(printer).status();
    if (printer.id === this.deps.config().receiptPrinterId) this.remember(printer.id, status);
    return this.status();
  }

  /** An uncertain job: print it again (a reprint, marked so) or let it go. */
  resolveUncertain(jobId: number, choice: 'reprint' | 'dismiss', actorId: string): void {
    const db = this.deps.sqlite();
    const now = this.deps.clock();
    db.transaction(() => {
      const job = db.prepare(`SELECT kind, sale_id AS saleId, printer_id AS printerId, doc FROM print_jobs WHERE id = ? AND state = 'uncertain'`).get(jobId) as
        | { kind: JobKind; saleId: string | null; printerId: string | null; doc: string | null }
        | undefined;
      if (!job) return;
      db.prepare(`UPDATE print_jobs SET state = 'dismissed', updated_at = ? WHERE id = ?`).run(now, jobId);
      if (choice === 'reprint' && job.kind !== 'kick') {
        const kind = job.saleId ? 'reprint' : job.kind === 'receipt' ? 'reprint' : job.kind;
        db.prepare(`INSERT INTO print_jobs (kind, sale_id, printer_id, doc, state, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`).run(
          kind,
          job.saleId,
          job.printerId,
          job.doc,
          actorId,
          now,
          now,
        );
      }
    })();
    this.wake();
    this.changed();
  }

  private pending(): JobRow[] {
    return cachedStatement(
      this.deps.sqlite(),
      `SELECT id, kind, sale_id AS saleId, printer_id AS printerId, doc, created_at AS createdAt FROM print_jobs WHERE ${WAITING} AND state = 'pending' ORDER BY id LIMIT 20`,
    ).all() as JobRow[];
  }

  private linkOf(printer: PrinterConfig): PrinterLink {
    return (this.deps.link ?? ((p: PrinterConfig) => linkFor(p.transport)))(printer);
  }

  private remember(printerId: string, status: { condition: PrinterCondition; message: string; drawerSignal: boolean | null; paperLow: boolean }): void {
    const before = this.last;
    // A printer that does not answer status but took the job is as good as ready.
    this.last = { printerId, condition: status.condition, message: status.message, drawerSignal: status.drawerSignal ?? before.drawerSignal, paperLow: status.paperLow };
    if (before.printerId !== printerId || before.condition !== status.condition || before.message !== status.message || before.drawerSignal !== this.last.drawerSignal) this.changed();
  }

  /**
   * After a kick, and as long as the drawer reads open, ask the printer again shortly: the status
   * bar shows the drawer open and then closed. Only for a printer whose drawer signal is set up;
   * at most `times` looks (a drawer left open for ten minutes is then seen by the idle poll).
   */
  private followDrawer(times = 300): void {
    const printer = receiptPrinter(this.deps.config());
    if (times <= 0 || this.stopped || this.drawerTimer || !printer || printer.drawer.openSignal === 'not_wired') return;
    this.drawerTimer = setTimeout(() => {
      this.drawerTimer = null;
      void this.pollIdle().then((asked) => {
        const now = receiptPrinter(this.deps.config());
        // Asked again while the queue was busy, or the drawer still reads open: look again shortly.
        if (now && (!asked || (this.last.printerId === now.id && drawerState(this.last.drawerSignal, now.drawer.openSignal) === 'open'))) this.followDrawer(times - 1);
      });
    }, this.deps.drawerPollMs ?? DRAWER_POLL_MS);
    this.drawerTimer.unref();
  }

  private changed(): void {
    try {
      this.deps.onChange?.(this.status());
    } catch (error) {
      this.deps.logger?.log('warn', `the printer status could not be sent to the screens: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async run(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    let retry = false;
    try {
      do {
        this.again = false;
        for (const job of this.pending()) {
          if (this.stopped) return;
          const outcome = await this.send(job);
          if (outcome === 'retry') {
            retry = true;
            break;
          }
        }
      } while (this.again && !retry && !this.stopped);
    } catch (error) {
      retry = true;
      this.deps.logger?.log('error', `the print queue stopped on an error and will try again: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    if (retry || this.again) {
      const delay = this.again ? 0 : this.backoff;
      this.backoff = Math.min(this.backoff * 2, this.deps.retryMaxMs ?? 15_000);
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.run();
      }, delay);
      return;
    }
    for (const resolve of this.idle.splice(0)) resolve();
  }

  /** One job (a receipt takes its sale's waiting kick along: one ESC p, in the same connection). */
  private async send(job: JobRow): Promise<'done' | 'retry'> {
    const db = this.deps.sqlite();
    const now = this.deps.clock();
    const config = this.deps.config();
    const printer = job.printerId ? (config.printers.find((p) => p.id === job.printerId) ?? null) : receiptPrinter(config);
    if (!printer) {
      if (this.last.condition !== 'not_configured') {
        this.last = { printerId: null, condition: 'not_configured', message: statusOf('not_configured', '').message, drawerSignal: null, paperLow: false };
        this.changed();
      }
      return 'retry';
    }
    // A kick that could not go out soon after its sale is not sent later: a drawer opening by itself is a risk.
    let kickJob: number | null = null;
    if (job.kind === 'kick') {
      if (now - job.createdAt > KICK_TTL_MS) {
        db.prepare(`UPDATE print_jobs SET state = 'expired', updated_at = ? WHERE id = ?`).run(now, job.id);
        return 'done';
      }
      // Sent with its sale's receipt when that is waiting too.
      const receipt = db.prepare(`SELECT id FROM print_jobs WHERE sale_id = ? AND kind = 'receipt' AND state = 'pending'`).get(job.saleId) as { id: number } | undefined;
      if (receipt) return 'done';
    }
    if (job.kind === 'receipt' && job.saleId) {
      const kick = db.prepare(`SELECT id, created_at AS createdAt FROM print_jobs WHERE sale_id = ? AND kind = 'kick' AND state = 'pending'`).get(job.saleId) as
        | { id: number; createdAt: number }
        | undefined;
      if (kick && now - kick.createdAt > KICK_TTL_MS) db.prepare(`UPDATE print_jobs SET state = 'expired', updated_at = ? WHERE id = ?`).run(now, kick.id);
      else if (kick) kickJob = kick.id;
    }
    let bytes: Uint8Array;
    try {
      bytes = this.render(job, printer, kickJob !== null);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.logger?.log('error', `print job ${job.id} could not be laid out and is set aside: ${message}`);
      db.prepare(`UPDATE print_jobs SET state = 'uncertain', last_error = ?, updated_at = ? WHERE id = ?`).run(message, now, job.id);
      this.changed();
      return 'done';
    }
    const ids = kickJob !== null ? [job.id, kickJob] : [job.id];
    const mark = db.prepare(`UPDATE print_jobs SET state = ?, attempts = attempts + ?, last_error = ?, updated_at = ? WHERE id = ?`);
    db.transaction(() => ids.forEach((id) => mark.run('sending', 1, null, now, id)))();
    const outcome = await this.linkOf(printer).print(bytes);
    const after = this.deps.clock();
    db.transaction(() => ids.forEach((id) => mark.run(outcome.printed ? 'printed' : 'pending', 0, outcome.printed ? null : outcome.status.message || outcome.status.condition, after, id)))();
    this.remember(printer.id, outcome.printed && outcome.status.condition === 'unknown' ? { ...outcome.status, condition: 'ready' } : outcome.status);
    if (!outcome.printed) return 'retry';
    this.backoff = this.deps.retryMinMs ?? 1000;
    this.changed();
    if (kickJob !== null || job.kind === 'kick') this.followDrawer();
    return 'done';
  }

  private render(job: JobRow, printer: PrinterConfig, kick: boolean): Uint8Array {
    const db = this.deps.sqlite();
    switch (job.kind) {
      case 'kick':
        return encodeKick(printer);
      case 'receipt':
      case 'reprint': {
        const doc = job.saleId ? buildReceipt(db, job.saleId, { reprint: job.kind === 'reprint' }) : null;
        if (!doc) throw new Error(`sale ${job.saleId ?? '?'} is not on this register`);
        return encodeDoc(doc, printer, { kick });
      }
      case 'report':
      case 'test':
        return encodeDoc(receiptDocSchema.parse(JSON.parse(job.doc ?? 'null')), printer);
    }
  }
}
