/**
 * The hub-sync worker (research/hub.md §6.1, §6.3): keeps one pinned WebSocket to the paired hub,
 * pushes the hub outbox in device_seq order, pulls the change log on every doorbell (and every
 * 10 s, as a doorbell can be lost) and applies it to the local SQLite.
 *
 * The register never waits for it: a sale is written locally and the worker forwards it. When the
 * hub is gone the worker marks the station offline (the banner's "since") and retries; commands
 * stay in the outbox until the hub acknowledged them and a hub backup holds them (§6.4).
 *
 * A new hub epoch (a hub restored from its backup, or a new hub) means: pull everything again from
 * version 0, push again every command after the hub's last sequence number for this device, and
 * announce the allotment grants this register still holds.
 */
import type Database from 'better-sqlite3';
import type { SecretBox } from '../core/secret-box.js';
import type { Logger } from '../log/logger.js';
import { LEASE_RENEW_MS, MAX_PUSH_BATCH, PROTOCOL_VERSION, type AllotmentAmount, type CommandEnvelope, type ReplyOf } from '../../hub/protocol.js';

type HelloReply = ReplyOf<'hello'>;
import { applyChanges, type Applied } from './apply.js';
import { HubConnection, HubError } from './connection.js';
import { commandsFrom, markAcked, onHubCommand, pendingCount, renumberFrom } from './outbox.js';
import { markContact, markOffline, openToken, readHubState, setEpoch, type HubState } from './state.js';
import { cachedStatement } from '../store/statements.js';
import { closedGrants, entryHoldsGrant, entryServedHere, heldClaims, staleClaims } from './grants.js';
import { DocumentFiles } from './files.js';

export interface HubSyncStatus {
  paired: boolean;
  connected: boolean;
  address: string | null;
  deviceName: string | null;
  role: 'register' | 'intake' | null;
  /** Epoch ms the hub stopped answering (null while it answers). */
  offlineSince: number | null;
  lastContactAt: number | null;
  pending: number;
  lastVersion: number;
  /** Hub clock minus ours (ms). */
  clockOffsetMs: number;
  /** The last problem, in staff words (null when none). */
  problem: string | null;
}

export interface HubSyncDeps {
  sqlite(): Database.Database;
  secretBox: SecretBox;
  clock(): number;
  logger: Logger;
  /** After a page of changes landed (screens refresh what changed). */
  applied(applied: Applied): void;
  /** The status changed (connected, offline, pending count). */
  statusChanged(status: HubSyncStatus): void;
  /** Where customer-documents/ lives (document files go to and come from the hub: ./files.ts). */
  dataDir: string;
  /** Document files of these customers arrived from the hub (their profiles can open them now). */
  filesArrived(customerIds: string[]): void;
}

export interface HubSyncOptions {
  pullIntervalMs?: number;
  /** Waits between reconnects: grows from the first to the last. */
  retryMs?: number[];
  requestTimeoutMs?: number;
  pullLimit?: number;
  /** How often a claim held on a customer still being served is renewed (research §4.4: every 30 s). */
  leaseRenewMs?: number;
  /** Other stations' document files fetched per round (./files.ts). */
  filesPerRound?: number;
  /** First wait before a document file that did not come is tried again (doubles, up to 10 minutes). */
  fileRetryMs?: number;
}

const PAGE = 500;

export class HubSync {
  private connection: HubConnection | null = null;
  private connecting: Promise<HubConnection> | null = null;
  private hubEpoch: string | null = null;
  private running = false;
  private cycleRunning = false;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private problem: string | null = null;
  private lastStatus = '';
  private readonly options: Required<Omit<HubSyncOptions, 'filesPerRound' | 'fileRetryMs'>>;
  private flushWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  /** Customer documents' files: sent before the commands that add them, fetched after pulls. */
  readonly files: DocumentFiles;

  constructor(
    private readonly deps: HubSyncDeps,
    options: HubSyncOptions = {},
  ) {
    this.options = {
      pullIntervalMs: options.pullIntervalMs ?? 10_000,
      retryMs: options.retryMs ?? [500, 1000, 2000, 5000],
      requestTimeoutMs: options.requestTimeoutMs ?? 5000,
      pullLimit: options.pullLimit ?? PAGE,
      leaseRenewMs: options.leaseRenewMs ?? LEASE_RENEW_MS,
    };
    this.files = new DocumentFiles(
      { sqlite: () => deps.sqlite(), secretBox: deps.secretBox, dataDir: deps.dataDir, logger: deps.logger, clock: () => deps.clock(), arrived: (customerIds) => deps.filesArrived(customerIds) },
      {
        timeoutMs: this.options.requestTimeoutMs,
        ...(options.filesPerRound !== undefined ? { perRound: options.filesPerRound } : {}),
        ...(options.fileRetryMs !== undefined ? { retryMs: options.fileRetryMs } : {}),
      },
    );
  }

  /** Start (or, after a restore reopened the database, carry on with the new connection). */
  start(): void {
    onHubCommand(this.deps.sqlite(), () => this.wake());
    this.running = true;
    this.files.resume();
    this.renewTimer ??= setInterval(() => void this.renewLeases(), this.options.leaseRenewMs);
    this.renewTimer.unref?.();
    this.wake();
  }

  private renewTimer: NodeJS.Timeout | null = null;
  private renewing = false;

  /**
   * Keeps the claims on customers being served here (a ticket is open for them): each lease is
   * renewed on the hub. A lease another register took meanwhile is dropped here; without the hub
   * the claim simply waits for the next round. Claims no ticket needs any more go back (release).
   */
  async renewLeases(): Promise<void> {
    if (!this.running || this.renewing) return;
    const connection = this.connection;
    const hubEpoch = this.hubEpoch;
    if (!connection?.open || !hubEpoch) return;
    this.renewing = true;
    try {
      const sqlite = this.deps.sqlite();
      if (staleClaims(sqlite).length > 0) this.claimsChanged();
      for (const claim of heldClaims(sqlite)) {
        try {
          const reply = await connection.request({ type: 'renew', hubEpoch, entryId: claim.entryId, leaseEpoch: claim.leaseEpoch }, this.options.requestTimeoutMs);
          cachedStatement(sqlite, 'UPDATE hub_queue_claims SET lease_until = ? WHERE entry_id = ? AND lease_epoch = ?').run(reply.leaseUntil, claim.entryId, claim.leaseEpoch);
        } catch (error) {
          if (error instanceof HubError && (error.code === 'lease_lost' || error.code === 'not_found')) {
            cachedStatement(sqlite, 'DELETE FROM hub_queue_claims WHERE entry_id = ? AND lease_epoch = ?').run(claim.entryId, claim.leaseEpoch);
            this.deps.logger.log('warn', 'a queue claim was lost on the store hub', { entryId: claim.entryId, code: error.code });
            continue;
          }
          return;
        }
      }
    } catch {
      // The database closed under us (shutdown).
    } finally {
      this.renewing = false;
    }
  }

  /** Claims to give back to the hub (entry → lease epoch): dropped here already, sent by the worker. */
  private readonly releases = new Map<string, number>();

  /**
   * Claims no ticket here needs any more (closed without a sale) are dropped at once, so this
   * register's queue no longer says it serves them, and the worker gives them back to the hub. If
   * the hub does not answer, it tries again on its next rounds; were this register to stop first,
   * the lease runs out on the hub's clock anyway.
   */
  claimsChanged(): void {
    try {
      this.dropStaleClaims(this.deps.sqlite());
    } catch {
      // The database closed under us (shutdown).
      return;
    }
    this.wake();
  }

  private dropStaleClaims(sqlite: Database.Database): void {
    for (const claim of staleClaims(sqlite)) {
      cachedStatement(sqlite, 'DELETE FROM hub_queue_claims WHERE entry_id = ? AND lease_epoch = ?').run(claim.entryId, claim.leaseEpoch);
      this.releases.set(claim.entryId, claim.leaseEpoch);
    }
  }

  /** Gives back the claims dropped here (after their grants went back: returnGrants runs first). */
  private async releaseClaims(): Promise<void> {
    const connection = this.connection;
    const hubEpoch = this.hubEpoch;
    if (!connection || !hubEpoch) return;
    const sqlite = this.deps.sqlite();
    this.dropStaleClaims(sqlite);
    for (const [entryId, leaseEpoch] of [...this.releases]) {
      if (entryServedHere(sqlite, entryId)) {
        // Called back to this register before the claim went: it stands, and is renewed again.
        this.releases.delete(entryId);
        cachedStatement(sqlite, 'INSERT INTO hub_queue_claims (entry_id, device_id, device_name, lease_until, lease_epoch) SELECT ?, device_id, device_name, 0, ? FROM hub_sync WHERE id = 1 ON CONFLICT (entry_id) DO NOTHING').run(entryId, leaseEpoch);
        continue;
      }
      // The allotment goes back first: a register that claims the patient next must find it free.
      if (entryHoldsGrant(sqlite, entryId)) continue;
      try {
        await connection.request({ type: 'release', hubEpoch, entryId, leaseEpoch }, this.options.requestTimeoutMs);
      } catch (error) {
        // Someone else holds it now, or the customer left: nothing to give back.
        if (!(error instanceof HubError) || (error.code !== 'lease_lost' && error.code !== 'not_found')) throw error;
      }
      this.releases.delete(entryId);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
    try {
      onHubCommand(this.deps.sqlite(), null);
    } catch {
      // The database is already closed.
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.connection?.close();
    this.connection = null;
    // A file round (up to filesPerRound requests) ends between files; the request in flight is cut off.
    const files = this.files.stop();
    while (this.cycleRunning) await new Promise((resolve) => setTimeout(resolve, 10));
    await files;
  }

  /** Push and pull now (a local change, a doorbell, a new pairing). */
  wake(): void {
    if (!this.running) return;
    if (this.cycleRunning) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    void this.cycle();
  }

  /** Push now, and resolve once the hub holds what this station did (or reject with why the hub could not be reached); the round goes on to pull. */
  flush(): Promise<void> {
    if (!this.running) return Promise.reject(new HubError('unreachable', 'The store hub link is not running.'));
    return new Promise((resolve, reject) => {
      this.flushWaiters.push({ resolve, reject });
      this.wake();
    });
  }

  /** Drop the connection (the station was paired again, or unpaired). */
  reset(): void {
    this.connection?.close();
    this.connection = null;
    this.hubEpoch = null;
    // Claims waiting to go back belonged to the hub this station was paired with.
    this.releases.clear();
    this.wake();
  }

  status(): HubSyncStatus {
    const sqlite = this.deps.sqlite();
    const state = readHubState(sqlite);
    return {
      paired: state !== null,
      connected: this.connection?.open === true,
      address: state?.address ?? null,
      deviceName: state?.deviceName ?? null,
      role: state?.role ?? null,
      offlineSince: state?.offlineSince ?? null,
      lastContactAt: state?.lastContactAt ?? null,
      pending: state ? pendingCount(sqlite) : 0,
      lastVersion: state?.lastVersion ?? 0,
      clockOffsetMs: state?.clockOffsetMs ?? 0,
      problem: this.problem,
    };
  }

  /** An open, greeted connection for a synchronous call (a claim), or a HubError. */
  async link(): Promise<{ connection: HubConnection; hubEpoch: string }> {
    const connection = await this.connect();
    return { connection, hubEpoch: this.hubEpoch! };
  }

  private emitStatus(): void {
    const status = this.status();
    const key = JSON.stringify(status);
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.deps.statusChanged(status);
  }

  private async cycle(): Promise<void> {
    this.cycleRunning = true;
    let delay = this.options.pullIntervalMs;
    let failure: Error | null = null;
    // Flushes asked for before this pass's push: settled once it is done (or failed). One asked for
    // during a pass set `again`, so the next pass takes it: it never waits for the next round's timer.
    let waiters: typeof this.flushWaiters = [];
    const settle = (): void => {
      const batch = waiters;
      waiters = [];
      for (const waiter of batch) {
        if (failure) waiter.reject(failure);
        else waiter.resolve();
      }
    };
    try {
      do {
        this.again = false;
        waiters.push(...this.flushWaiters.splice(0));
        const state = readHubState(this.deps.sqlite());
        if (!state) {
          this.problem = null;
          break;
        }
        await this.connect();
        await this.push();
        // The hub holds everything this station did: a claim waiting on flush() goes on now, not
        // after the grants, releases, pull and files of the rest of the round.
        settle();
        await this.returnGrants();
        await this.releaseClaims();
        await this.pull();
        // Other stations' document files, and files the hub lost, in the background (a large file never holds up the queue).
        if (this.files.hasWork()) this.files.fetchSoon();
        // An own-files check after an epoch change that the hub's going away cut short goes on.
        this.files.recheckIfDue();
        this.failures = 0;
        this.problem = null;
        markContact(this.deps.sqlite(), this.deps.clock(), null);
      } while (this.again && this.running);
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      this.failures += 1;
      delay = this.options.retryMs[Math.min(this.failures - 1, this.options.retryMs.length - 1)]!;
      this.problem = error instanceof HubError || error instanceof Error ? error.message : String(error);
      if (!(error instanceof HubError)) this.deps.logger.log('error', 'hub sync failed', { error: this.problem });
      this.connection?.close();
      this.connection = null;
      try {
        if (!(error instanceof HubError) || error.code === 'unreachable' || error.code === 'timeout') markOffline(this.deps.sqlite(), this.deps.clock());
      } catch {
        // The database closed under us (shutdown).
      }
    } finally {
      this.cycleRunning = false;
      settle();
    }
    if (!this.running) return;
    try {
      this.emitStatus();
    } catch {
      return;
    }
    if (this.again) {
      this.wake();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake();
    }, delay);
    this.timer.unref?.();
  }

  private async connect(): Promise<HubConnection> {
    if (this.connection?.open && this.hubEpoch) return this.connection;
    this.connecting ??= this.openAndGreet().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async openAndGreet(): Promise<HubConnection> {
    const sqlite = this.deps.sqlite();
    const state = readHubState(sqlite);
    if (!state) throw new HubError('unauthorised', 'This register is not paired with a store hub.');
    const connection = await HubConnection.open(
      state.address,
      state.fingerprint,
      {
        doorbell: (version, epoch) => {
          const known = readHubState(this.deps.sqlite());
          if (!known || epoch !== this.hubEpoch || version > known.lastVersion) this.wake();
        },
        closed: () => {
          if (this.connection === connection) {
            this.connection = null;
            this.hubEpoch = null;
            if (this.running) this.wake();
          }
        },
      },
      this.options.requestTimeoutMs,
    );
    const sent = this.deps.clock();
    let reply: HelloReply;
    try {
      reply = await connection.request(
        // seq_resume: this register renumbers commands the hub says were numbered behind it (push).
        // caregiver_links: it takes customer_caregiver change rows (pull).
        { type: 'hello', token: openToken(state, this.deps.secretBox), protocolVersion: PROTOCOL_VERSION, knownEpoch: state.hubEpoch, clockMs: sent, capabilities: ['seq_resume', 'caregiver_links'] },
        this.options.requestTimeoutMs,
      );
    } catch (error) {
      connection.close();
      throw error;
    }
    const received = this.deps.clock();
    // The hub's clock minus ours, at the middle of the round trip (research §5.5).
    const offset = Math.round(reply.hubTimeMs - (sent + received) / 2);
    this.afterHello(state, reply);
    markContact(sqlite, received, offset);
    this.hubEpoch = reply.hubEpoch;
    this.connection = connection;
    return connection;
  }

  /** Epoch, re-push point and pruning, from the hub's greeting. */
  private afterHello(state: HubState, reply: HelloReply): void {
    const sqlite = this.deps.sqlite();
    sqlite
      .transaction(() => {
        if (reply.hubEpoch !== state.hubEpoch || reply.resync) {
          this.deps.logger.log('warn', 'the store hub has a new epoch: pulling everything again and pushing what it lacks', { from: state.hubEpoch, to: reply.hubEpoch });
          setEpoch(sqlite, reply.hubEpoch);
          this.files.forgetHub();
        }
        // Everything after the hub's last sequence number is sent (again): a restored hub lacks it.
        cachedStatement(sqlite, "UPDATE hub_outbox SET state = 'pending' WHERE device_seq > ? AND state = 'applied'").run(reply.lastSeq);
        // Pending commands at or below it are sent too, never assumed held: the hub answers the ones
        // it has as duplicates, and a register restored from an older backup may have numbered new
        // commands with numbers the hub already used (push renumbers those where the hub says).
        // Prune only what a hub backup holds (research §6.4: acked AND backed up).
        const backedUp = (reply as { backedUpSeq?: number }).backedUpSeq;
        if (typeof backedUp === 'number' && backedUp > 0) {
          cachedStatement(sqlite, "DELETE FROM hub_outbox WHERE device_seq <= ? AND state <> 'pending'").run(Math.min(backedUp, reply.lastSeq));
        }
      })
      .immediate();
    if (reply.hubEpoch !== state.hubEpoch || reply.resync) {
      this.reconcileGrantsSoon = true;
      // A restored hub may lack files whose commands it already had: every own file is checked.
      this.files.recheckOwnSoon();
    }
  }

  private reconcileGrantsSoon = false;

  private async push(): Promise<void> {
    const connection = this.connection;
    const hubEpoch = this.hubEpoch;
    if (!connection || !hubEpoch) throw new HubError('unreachable', 'The store hub does not answer.');
    const sqlite = this.deps.sqlite();
    if (this.reconcileGrantsSoon) await this.reconcileGrants(connection, hubEpoch);
    const state = readHubState(sqlite)!;
    for (let guard = 0; guard < 10_000; guard++) {
      const first = cachedStatement(sqlite, "SELECT MIN(device_seq) AS seq FROM hub_outbox WHERE state = 'pending'").get() as { seq: number | null };
      if (first.seq === null) return;
      const batch = commandsFrom(sqlite, first.seq, MAX_PUSH_BATCH);
      const commands: CommandEnvelope[] = batch.map((command) => ({
        commandId: command.commandId,
        deviceId: state.deviceId,
        deviceSeq: command.deviceSeq,
        // Stamped with the hub's clock as this station knows it (a fast register does not win every edit).
        at: Math.max(0, command.createdAt + state.clockOffsetMs),
        kind: command.kind,
        payload: command.payload,
      }));
      // The files of documents these commands add reach the hub first (or the push waits and goes again).
      await this.files.uploadFor(batch);
      const reply = await connection.request({ type: 'push', hubEpoch, commands }, this.options.requestTimeoutMs * 2);
      const now = this.deps.clock();
      let gap: number | null = null;
      let behind: { from: number; to: number } | null = null;
      sqlite
        .transaction(() => {
          for (const ack of reply.acks) {
            if (ack.status === 'gap' && ack.expectedSeq !== undefined && ack.expectedSeq > ack.deviceSeq) {
              behind = { from: ack.deviceSeq, to: ack.expectedSeq };
              break;
            }
            if (ack.status === 'gap') {
              gap = ack.expectedSeq ?? null;
              break;
            }
            markAcked(sqlite, ack.commandId, ack.status === 'rejected' ? 'rejected' : 'applied', ack.status === 'rejected' ? (ack.reason ?? ack.result) : ack.result, hubEpoch, now);
          }
        })
        .immediate();
      if (behind !== null) {
        // The hub already used this number: this register was restored from a backup older than
        // what it had sent. Its command and every later one go on after the hub's last number.
        const { from, to } = behind as { from: number; to: number };
        renumberFrom(sqlite, from, to);
        this.deps.logger.log('warn', "this register's command numbers were behind the store hub's (restored from an older backup): numbering again from the hub's", { from, to });
        continue;
      }
      if (gap !== null) {
        // The hub wants an earlier command again (it lost it): from there on everything is pending.
        cachedStatement(sqlite, "UPDATE hub_outbox SET state = 'pending' WHERE device_seq >= ? AND state = 'applied'").run(gap);
        const any = cachedStatement(sqlite, 'SELECT 1 FROM hub_outbox WHERE device_seq = ?').get(gap);
        if (!any) throw new HubError('bad_reply', `The hub asks for command ${gap}, which this register no longer has: a manager must look at Settings › Store hub.`);
      }
      if (reply.acks.length === 0) return;
    }
  }

  /** Grants whose visit ended here go back with what was sold under them (after those sales were pushed). */
  private async returnGrants(): Promise<void> {
    const connection = this.connection;
    const hubEpoch = this.hubEpoch;
    if (!connection || !hubEpoch) return;
    const sqlite = this.deps.sqlite();
    for (const grant of closedGrants(sqlite)) {
      let status: 'returned' | 'revoked' = 'returned';
      try {
        const reply = await connection.request({ type: 'grant_return', hubEpoch, grantId: grant.grantId, used: grant.used }, this.options.requestTimeoutMs);
        status = reply.grant.status === 'revoked' ? 'revoked' : 'returned';
      } catch (error) {
        if (!(error instanceof HubError) || error.code !== 'grant_not_held') throw error;
        status = 'revoked';
      }
      cachedStatement(sqlite, 'UPDATE hub_grants SET status = ?, closed_at = ? WHERE grant_id = ?').run(status, this.deps.clock(), grant.grantId);
    }
  }

  private async reconcileGrants(connection: HubConnection, hubEpoch: string): Promise<void> {
    const sqlite = this.deps.sqlite();
    const open = cachedStatement(sqlite, "SELECT grant_id, customer_id, entry_id, granted, used, granted_at FROM hub_grants WHERE status = 'open'").all() as Array<{
      grant_id: string;
      customer_id: string;
      entry_id: string | null;
      granted: string;
      used: string;
      granted_at: number;
    }>;
    if (open.length > 0) {
      await connection.request(
        {
          type: 'grant_reconcile',
          hubEpoch,
          grants: open.map((g) => ({
            grantId: g.grant_id,
            customerId: g.customer_id,
            entryId: g.entry_id,
            granted: JSON.parse(g.granted) as AllotmentAmount[],
            used: JSON.parse(g.used) as AllotmentAmount[],
            grantedAt: g.granted_at,
          })),
        },
        this.options.requestTimeoutMs,
      );
    }
    this.reconcileGrantsSoon = false;
  }

  private async pull(): Promise<void> {
    const connection = this.connection;
    const hubEpoch = this.hubEpoch;
    if (!connection || !hubEpoch) throw new HubError('unreachable', 'The store hub does not answer.');
    const sqlite = this.deps.sqlite();
    for (let guard = 0; guard < 100_000; guard++) {
      const state = readHubState(sqlite)!;
      const reply = await connection.request({ type: 'pull', hubEpoch, since: state.lastVersion, limit: this.options.pullLimit }, this.options.requestTimeoutMs * 2);
      if (reply.changes.length === 0) return;
      const last = reply.changes[reply.changes.length - 1]!.version;
      const applied = applyChanges(sqlite, state.deviceId, reply.changes, last);
      if (applied.failed > 0) this.deps.logger.log('warn', 'hub changes this register could not take were kept for a person', { failed: applied.failed });
      if (applied.unknown.size > 0) this.deps.logger.log('warn', 'the store hub sent changes of a kind this register does not know (a newer hub): kept and skipped; update this register', { entities: [...applied.unknown] });
      this.deps.applied(applied);
      if (!reply.more) return;
      // A claim is waiting for a push (a budtender at the counter): it goes first, the pull goes on after it.
      if (this.flushWaiters.length > 0) {
        this.again = true;
        return;
      }
    }
  }
}
