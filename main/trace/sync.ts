/**
 * The sync engine: drains one location's outbox, in order, through a provider. It runs inside
 * the sync worker thread (worker.ts) on the worker's own connection; tests also run it directly.
 *
 * The write-ahead rule: a row is marked in_flight (attempts + 1, the attempt's nonce, and the
 * reconciliation watermark on the first attempt) and COMMITTED before its request leaves; its
 * outcome is committed when the answer arrives. A crash anywhere in between leaves the row
 * in_flight, and the next start turns it into unknown, which is reconciled with the provider
 * (nonce_replay, then the sales list matched by content from the watermark) before anything is
 * sent again. Only a reconciliation that shows the sale absent sends it again, with a fresh nonce
 * (unless the store keeps nonces). Two equal matches put the row to a person, never a resend.
 *
 * A rejection goes to a person (the Sync screen) and is never retried by itself. A void or
 * refund waits for its dispense's transaction id. An unknown row is reconciled on its own once
 * its delay has passed; it holds back only the void or refund that needs it, never other sales
 * (each is keyed by its own content and id, so their order does not matter to exactly-once).
 *
 * Every query here is an index seek (test/integration/trace/query-plans.test.ts): the status
 * reads counters the triggers keep, and settled rows move to the archive tables at idle.
 */
import type Database from 'better-sqlite3';
import { newId } from '../store/ids.js';
import {
  OUTBOX_COLUMNS,
  archiveSettled,
  backlogOf,
  findOutboxRow,
  remoteIdClaimed,
  syncCounts,
  writeFor,
  type OutboxRow,
  type SyncCounts,
} from './outbox.js';
import { sendWrite, type RemoteSale, type TraceProvider, type WriteOutcome } from './provider.js';

export const DEFAULT_RECONCILE_DELAY_MS = 120_000;
/** last_error_code of a row whose last request BioTrack refused as a repeated nonce. */
const REPEATED_NONCE = 'repeated_nonce';
export const DEFAULT_ARCHIVE_AFTER_MS = 60 * 60_000;

export type SendStep = 'in_flight_committed' | 'response_received' | 'result_committed';

export interface EngineStatus {
  online: boolean | null;
  lastContactAt: number | null;
  /** A problem a person must fix in Settings (credentials refused), or null. */
  problem: string | null;
  counts: SyncCounts;
  backlog: number;
}

export interface SyncEngineOptions {
  sqlite: Database.Database;
  provider: TraceProvider;
  location: string;
  clock?: () => number;
  /** Backoff after a failed contact: base doubles up to max, with jitter. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** An unknown row is reconciled no sooner than this after its request started. */
  reconcileDelayMs?: number;
  /** How often the connection is probed while there is nothing to send. */
  probeIntervalMs?: number;
  /** Jitter source (seeded in tests). */
  random?: () => number;
  /** `fresh` (default): a new nonce for every attempt after the first; `kept`: the row's nonce every time. */
  noncePolicy?: 'fresh' | 'kept';
  /** Settled rows move to the archive this long after their last change (default 1 hour). */
  archiveAfterMs?: number;
  /** Test hook: called at each step of a send (kill tests end the process here). */
  onStep?: (step: SendStep, row: OutboxRow) => void;
  onStatus?: (status: EngineStatus) => void;
}

export type StepResult = 'worked' | 'idle' | 'waiting';

export class SyncEngine {
  private readonly sqlite: Database.Database;
  private readonly provider: TraceProvider;
  private readonly location: string;
  private readonly clock: () => number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly reconcileDelayMs: number;
  private readonly probeIntervalMs: number;
  private readonly random: () => number;
  private readonly noncePolicy: 'fresh' | 'kept';
  private readonly archiveAfterMs: number;
  private lastArchiveAt = 0;
  private failures = 0;
  private online: boolean | null = null;
  private lastContactAt: number | null = null;
  private lastProbeAt = 0;
  private problem: string | null = null;
  /** No contact is tried before this time (global backoff after a failed contact). */
  private quietUntil = 0;
  /**
   * The provider refused the credentials: nothing more is sent on them (a wrong or revoked key
   * would be refused for every sale) until a probe gets through or Settings change.
   */
  private halted = false;
  private running = false;
  private wakeUp: (() => void) | null = null;
  private lastStatusKey = '';

  constructor(private readonly options: SyncEngineOptions) {
    this.sqlite = options.sqlite;
    this.provider = options.provider;
    this.location = options.location;
    this.clock = options.clock ?? Date.now;
    this.backoffBaseMs = options.backoffBaseMs ?? 2_000;
    this.backoffMaxMs = options.backoffMaxMs ?? 10 * 60_000;
    this.reconcileDelayMs = options.reconcileDelayMs ?? DEFAULT_RECONCILE_DELAY_MS;
    this.probeIntervalMs = options.probeIntervalMs ?? 30_000;
    this.random = options.random ?? Math.random;
    this.noncePolicy = options.noncePolicy ?? 'fresh';
    this.archiveAfterMs = options.archiveAfterMs ?? DEFAULT_ARCHIVE_AFTER_MS;
  }

  /** At start: a row left in flight by a crash may or may not have reached the state. */
  recoverInFlight(): number {
    const now = this.clock();
    return this.sqlite
      .prepare(
        `UPDATE trace_outbox SET state = 'unknown', updated_at = ?,
           last_error = 'The register stopped while this sale was being sent: checking with the state before sending again.',
           next_attempt_at = MAX(?, COALESCE(sent_at, 0) + ?)
         WHERE state = 'in_flight' AND location = ?`,
      )
      .run(now, now, this.reconcileDelayMs, this.location).changes;
  }

  /**
   * One unit of work: reconcile the oldest unknown row whose delay has passed, else send the
   * oldest pending row that can go (a void or refund waits for its dispense).
   */
  async step(): Promise<StepResult> {
    const now = this.clock();
    if (now < this.quietUntil || this.halted) return 'waiting';
    const unknown = this.sqlite
      .prepare(`SELECT ${OUTBOX_COLUMNS} FROM trace_outbox WHERE location = ? AND state = 'unknown' AND next_attempt_at <= ? ORDER BY id LIMIT 1`)
      .get(this.location, now) as OutboxRow | undefined;
    if (unknown) {
      await this.reconcile(unknown);
      return 'worked';
    }
    const page = this.sqlite.prepare(
      `SELECT ${OUTBOX_COLUMNS} FROM trace_outbox
        WHERE location = ? AND state = 'pending' AND id > ? AND next_attempt_at <= ? ORDER BY id LIMIT 20`,
    );
    // Keyset pages past rows that must wait for their dispense, so they never hold back the rest.
    let after = '';
    for (;;) {
      const candidates = page.all(this.location, after, now) as OutboxRow[];
      for (const row of candidates) {
        let dependencyRemoteId: string | null = null;
        if (row.dependsOn) {
          const dependency = findOutboxRow(this.sqlite, row.dependsOn);
          if (!dependency || dependency.state !== 'acknowledged' || !dependency.remoteTxnId) continue;
          dependencyRemoteId = dependency.remoteTxnId;
        }
        await this.send(row, dependencyRemoteId);
        return 'worked';
      }
      if (candidates.length < 20) break;
      after = candidates[candidates.length - 1]!.id;
    }
    const later =
      this.sqlite.prepare(`SELECT 1 FROM trace_outbox WHERE location = ? AND state = 'unknown' LIMIT 1`).get(this.location) ??
      this.sqlite.prepare(`SELECT 1 FROM trace_outbox WHERE location = ? AND state = 'pending' AND next_attempt_at > ? LIMIT 1`).get(this.location, now);
    return later ? 'waiting' : 'idle';
  }

  /** The highest BioTrack transaction id acknowledged so far here: a new row's reconciliation window starts there. */
  private currentMark(): string | null {
    const row = this.sqlite.prepare('SELECT remote_high AS mark FROM trace_sync_marks WHERE location = ?').get(this.location) as { mark: number } | undefined;
    return row && row.mark > 0 ? String(row.mark) : null;
  }

  private raiseMark(remoteTxnId: string): void {
    const mark = Number(remoteTxnId);
    if (!Number.isSafeInteger(mark) || mark <= 0) return;
    this.sqlite
      .prepare(
        `INSERT INTO trace_sync_marks (location, remote_high) VALUES (?, ?)
         ON CONFLICT (location) DO UPDATE SET remote_high = MAX(remote_high, excluded.remote_high)`,
      )
      .run(this.location, mark);
  }

  private async send(row: OutboxRow, dependencyRemoteId: string | null): Promise<void> {
    const startedAt = this.clock();
    // A fresh nonce for every attempt after the first, unless the store keeps nonces.
    // Kept nonces, but BioTrack refused this one as already used and then had no sale for it:
    // it burns nonces, so only a fresh one can ever get the sale through.
    const burned = row.lastErrorCode === REPEATED_NONCE;
    const nonce = (this.noncePolicy === 'fresh' || burned) && row.attempts > 0 ? newId(startedAt) : row.nonce;
    const watermark = row.watermark ?? this.currentMark();
    const marked = this.sqlite
      .prepare(
        `UPDATE trace_outbox SET state = 'in_flight', attempts = attempts + 1, sent_at = ?, updated_at = ?, nonce = ?, watermark = ?
          WHERE id = ? AND state = 'pending'`,
      )
      .run(startedAt, startedAt, nonce, watermark, row.id);
    if (marked.changes === 0) return; // a manager dismissed it meanwhile
    const sending: OutboxRow = { ...row, nonce, watermark, attempts: row.attempts + 1, sentAt: startedAt, state: 'in_flight' };
    this.options.onStep?.('in_flight_committed', sending);
    const began = performance.now();
    const outcome = await sendWrite(this.provider, writeFor(row, dependencyRemoteId), nonce, { outboxId: row.id });
    const durationMs = Math.round(performance.now() - began);
    this.options.onStep?.('response_received', sending);
    this.noteContact(outcome);
    this.applyOutcome(sending, outcome, durationMs);
    this.options.onStep?.('result_committed', sending);
    this.emitStatus();
  }

  private applyOutcome(row: OutboxRow, outcome: WriteOutcome, durationMs: number): void {
    const now = this.clock();
    const write = this.sqlite.transaction(() => {
      if (outcome.sentKey && outcome.sentKey !== row.nonce) {
        // The provider renewed its session and sent the request again under another nonce.
        this.sqlite.prepare('UPDATE trace_outbox SET nonce = ? WHERE id = ?').run(outcome.sentKey, row.id);
      }
      this.attemptNonce = outcome.sentKey ?? row.nonce;
      switch (outcome.kind) {
        case 'accepted':
          this.sqlite
            .prepare(
              `UPDATE trace_outbox SET state = 'acknowledged', remote_txn_id = ?, acknowledged_at = ?, last_error = NULL,
                 last_error_code = NULL, updated_at = ? WHERE id = ?`,
            )
            .run(outcome.remoteTxnId, now, now, row.id);
          this.raiseMark(outcome.remoteTxnId);
          this.logAttempt(row.id, 'send', 'accepted', `${this.provider.displayName === 'Metrc' ? 'receipt' : 'transaction'} ${outcome.remoteTxnId}`, durationMs);
          break;
        case 'rejected':
          this.sqlite
            .prepare(`UPDATE trace_outbox SET state = 'rejected', last_error = ?, last_error_code = ?, updated_at = ? WHERE id = ?`)
            .run(outcome.message, outcome.code, now, row.id);
          this.logAttempt(row.id, 'send', 'rejected', `${outcome.code ?? '-'}: ${outcome.message}`, durationMs);
          break;
        case 'unknown':
          this.sqlite
            .prepare(`UPDATE trace_outbox SET state = 'unknown', last_error = ?, last_error_code = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?`)
            .run(
              `Outcome unknown (${outcome.reason}): checking with the state before sending again.`,
              /already received/.test(outcome.reason) ? REPEATED_NONCE : null,
              now + this.reconcileDelayMs,
              now,
              row.id,
            );
          this.logAttempt(row.id, 'send', 'unknown', outcome.reason, durationMs);
          break;
        case 'not_sent':
        case 'auth_failed': {
          const message = outcome.kind === 'not_sent' ? `Not sent: ${outcome.reason}. It will be sent when the state answers again.` : outcome.message;
          this.sqlite
            .prepare(`UPDATE trace_outbox SET state = 'pending', last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?`)
            .run(message, now, now, row.id);
          this.logAttempt(row.id, 'send', outcome.kind, outcome.kind === 'not_sent' ? outcome.reason : outcome.message, durationMs);
          break;
        }
      }
    });
    try {
      write.immediate();
    } finally {
      this.attemptNonce = null;
    }
  }

  /** The nonce the attempt being logged carried (set while its outcome is written). */
  private attemptNonce: string | null = null;

  private async reconcile(row: OutboxRow): Promise<void> {
    const dependencyRemoteId = row.dependsOn ? (findOutboxRow(this.sqlite, row.dependsOn)?.remoteTxnId ?? null) : null;
    const attemptTimes = (
      this.sqlite
        .prepare(`SELECT at - COALESCE(duration_ms, 0) AS startedAt FROM trace_attempts WHERE outbox_id = ? AND step = 'send' ORDER BY at DESC LIMIT 50`)
        .all(row.id) as Array<{ startedAt: number }>
    ).map((attempt) => attempt.startedAt);
    if (row.sentAt !== null) attemptTimes.push(row.sentAt);
    const claimedKind = row.kind === 'refund' ? 'refund' : 'dispense';
    const began = performance.now();
    const outcome = await this.provider.reconcile({
      write: writeFor(row, dependencyRemoteId),
      idempotencyKey: row.nonce,
      sentAt: row.sentAt ?? row.createdAt,
      attemptTimes,
      isClaimed: (remoteTxnId) => remoteIdClaimed(this.sqlite, remoteTxnId, claimedKind, row.id),
      watermark: row.watermark,
      outboxId: row.id,
    });
    const durationMs = Math.round(performance.now() - began);
    const now = this.clock();
    const update = this.sqlite.transaction(() => {
      // Only a row still unknown is changed: a manager may have dismissed it meanwhile.
      switch (outcome.kind) {
        case 'found':
          this.sqlite
            .prepare(
              `UPDATE trace_outbox SET state = 'acknowledged', remote_txn_id = ?, acknowledged_at = ?, last_error = NULL, updated_at = ?
                WHERE id = ? AND state = 'unknown'`,
            )
            .run(outcome.remoteTxnId, now, now, row.id);
          this.raiseMark(outcome.remoteTxnId);
          this.logAttempt(row.id, outcome.how === 'nonce_replay' ? 'replay' : 'find', 'found', `${this.provider.displayName === 'Metrc' ? 'receipt' : 'transaction'} ${outcome.remoteTxnId}`, durationMs);
          break;
        case 'rejected':
          this.sqlite
            .prepare(`UPDATE trace_outbox SET state = 'rejected', last_error = ?, last_error_code = ?, updated_at = ? WHERE id = ? AND state = 'unknown'`)
            .run(outcome.message, outcome.code, now, row.id);
          this.logAttempt(row.id, 'replay', 'rejected', `${outcome.code ?? '-'}: ${outcome.message}`, durationMs);
          break;
        case 'ambiguous': {
          // Never a resend: a person compares the candidates on the Sync screen and picks one.
          const described = outcome.candidates.map(describeCandidate);
          this.sqlite
            .prepare(
              `UPDATE trace_outbox SET state = 'needs_person', candidates = ?, updated_at = ?,
                 last_error = ? WHERE id = ? AND state = 'unknown'`,
            )
            .run(
              JSON.stringify(described),
              now,
              `${this.provider.displayName} lists ${described.length} sales that match this one equally: a manager must say which one it is.`,
              row.id,
            );
          this.logAttempt(row.id, 'find', 'ambiguous', `candidates ${described.map((candidate) => candidate.remoteTxnId).join(', ')}`, durationMs);
          break;
        }
        case 'absent':
          // Confirmed not applied: send again (the next attempt carries a fresh nonce unless nonces are kept).
          this.sqlite
            .prepare(
              `UPDATE trace_outbox SET state = 'pending', next_attempt_at = ?, updated_at = ?,
                 last_error = 'The state has no record of the last attempt: sending again.' WHERE id = ? AND state = 'unknown'`,
            )
            .run(now, now, row.id);
          this.logAttempt(row.id, 'find', 'absent', outcome.how, durationMs);
          break;
        case 'undecided': {
          const delay = outcome.retryAfterMs ?? this.backoffDelay(this.failures + 1);
          this.sqlite
            .prepare(`UPDATE trace_outbox SET next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ? AND state = 'unknown'`)
            .run(now + delay, `Could not confirm with the state yet (${outcome.reason}); still checking.`, now, row.id);
          this.logAttempt(row.id, 'find', 'undecided', outcome.reason, durationMs);
          break;
        }
      }
    });
    update.immediate();
    if (outcome.kind === 'undecided' && outcome.retryAfterMs !== undefined) this.rateLimited(outcome.retryAfterMs);
    else if (outcome.kind === 'undecided') {
      if (outcome.authFailed) {
        this.problem = `${outcome.reason} Correct the ${this.provider.displayName} credentials in Settings › Track & Trace.`;
        this.halted = true;
      }
      this.contactFailed(outcome.reason);
    } else this.contactOk();
    this.emitStatus();
  }

  private logAttempt(outboxId: string, step: 'send' | 'replay' | 'find', outcome: string, detail: string, durationMs: number): void {
    this.sqlite
      .prepare('INSERT INTO trace_attempts (id, outbox_id, at, step, outcome, detail, duration_ms, nonce) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(newId(this.clock()), outboxId, this.clock(), step, outcome, detail.slice(0, 500), durationMs, this.attemptNonce);
  }

  /** Move settled rows older than the archive delay out of the hot tables (one batch). */
  archive(limit = 500): number {
    this.lastArchiveAt = this.clock();
    return archiveSettled(this.sqlite, { location: this.location, before: this.clock() - this.archiveAfterMs, limit });
  }

  private noteContact(outcome: WriteOutcome): void {
    if (outcome.kind === 'accepted' || outcome.kind === 'rejected') this.contactOk();
    else if (outcome.kind === 'not_sent' && outcome.retryAfterMs !== undefined) this.rateLimited(outcome.retryAfterMs);
    else if (outcome.kind === 'auth_failed') {
      this.problem = `${outcome.message} Correct the ${this.provider.displayName} credentials in Settings › Track & Trace.`;
      this.halted = true;
      this.contactFailed(outcome.message);
    } else this.contactFailed(outcome.reason);
  }

  /** The provider answered "too many requests": wait as long as it said, without counting a failure. */
  private rateLimited(retryAfterMs: number): void {
    this.online = true;
    this.lastContactAt = this.clock();
    this.quietUntil = Math.max(this.quietUntil, this.clock() + retryAfterMs);
  }

  private contactOk(): void {
    this.halted = false;
    this.failures = 0;
    this.online = true;
    this.problem = null;
    this.lastContactAt = this.clock();
    this.quietUntil = 0;
  }

  private contactFailed(_reason: string): void {
    this.failures += 1;
    this.online = false;
    this.quietUntil = this.clock() + this.backoffDelay(this.failures);
  }

  /** Exponential backoff with "equal jitter": half fixed, half random, so registers spread out. */
  private backoffDelay(failures: number): number {
    const ceiling = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** Math.min(20, Math.max(0, failures - 1)));
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  /** Ask the provider whether it answers (when idle, or while offline). */
  async probe(): Promise<boolean> {
    this.lastProbeAt = this.clock();
    const result = await this.provider.ping();
    if (result.ok) this.contactOk();
    else {
      if (/refused the (login|credentials)/i.test(result.message)) this.problem = `${result.message} Correct it in Settings › Track & Trace.`;
      this.contactFailed(result.message);
    }
    this.emitStatus(true);
    return result.ok;
  }

  status(): EngineStatus {
    const counts = syncCounts(this.sqlite, this.location);
    return { online: this.online, lastContactAt: this.lastContactAt, problem: this.problem, counts, backlog: backlogOf(counts) };
  }

  emitStatus(force = false): void {
    if (!this.options.onStatus) return;
    const status = this.status();
    const key = JSON.stringify([status.online, status.problem, status.counts]);
    if (!force && key === this.lastStatusKey) return;
    this.lastStatusKey = key;
    this.options.onStatus(status);
  }

  /** Work until nothing is left that can be done now (tests and benchmarks). */
  async drain(maxSteps = Number.POSITIVE_INFINITY): Promise<number> {
    let steps = 0;
    while (steps < maxSteps) {
      const result = await this.step();
      if (result !== 'worked') break;
      steps += 1;
    }
    return steps;
  }

  wake(): void {
    this.quietUntil = Math.min(this.quietUntil, this.clock());
    this.wakeUp?.();
  }

  /** The worker's loop: work while there is work, probe while idle, back off while offline. */
  async run(idlePollMs = 500): Promise<void> {
    this.running = true;
    this.recoverInFlight();
    this.emitStatus(true);
    while (this.running) {
      let result: StepResult;
      try {
        result = await this.step();
      } catch (error) {
        // A database error (busy, disk): wait and try again; the row's state is unchanged.
        this.contactFailed(error instanceof Error ? error.message : String(error));
        result = 'waiting';
      }
      if (result === 'worked') continue;
      const now = this.clock();
      if (now - this.lastArchiveAt >= 5_000) {
        try {
          // A full batch means there is more: come back at the next idle moment, not in 5 s.
          if (this.archive(200) === 200) this.lastArchiveAt = 0;
        } catch {
          // Busy database: the next idle moment tries again.
        }
      }
      if (now >= this.quietUntil && (this.online !== true || now - this.lastProbeAt >= this.probeIntervalMs) && now - this.lastProbeAt >= Math.min(this.probeIntervalMs, this.backoffBaseMs)) {
        await this.probe().catch(() => undefined);
        continue;
      }
      this.emitStatus();
      const wait = Math.max(10, Math.min(idlePollMs, this.quietUntil > now ? this.quietUntil - now : idlePollMs));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }

  stop(): void {
    this.running = false;
    this.wakeUp?.();
  }
}

/** What the Sync screen shows of each candidate sale BioTrack lists. */
export interface CandidateView {
  remoteTxnId: string;
  time: number | null;
  terminalId: string | null;
  cardId: string | null;
  lines: RemoteSale['lines'];
}

function describeCandidate(sale: RemoteSale): CandidateView {
  return { remoteTxnId: sale.remoteTxnId, time: sale.time, terminalId: sale.terminalId, cardId: sale.cardId, lines: sale.lines };
}
