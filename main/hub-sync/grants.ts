/**
 * Queue claims and allotment grants on the register (research/hub.md §4.2, §4.4).
 *
 * Before a medical sale the register claims the queued customer on the hub: one synchronous call
 * with a short timeout that leases the entry to this register and grants it the patient's whole
 * remaining allotment (escrow). Only the grant's holder sells medical to the patient; the queue's
 * agreed allotment on this register is lowered to what was granted, so the register can never sell
 * more than the hub gave it, even if the hub vanishes right after.
 *
 * Without the hub, a register that holds no grant for the patient follows the store's outage
 * policy (the same choice as selling while the state system is down, Settings › Track & Trace):
 * allowed sales are flagged for a manager on the hub; otherwise the sale is refused with words that
 * say what to do.
 *
 * After the sale is pushed, the worker returns the grant with what was used (returnClosedGrants).
 */
import type Database from 'better-sqlite3';
import { CoreError } from '../core/errors.js';
import type { AllotmentAmount } from '../../hub/protocol.js';
import { cachedStatement } from '../store/statements.js';
import { openTicketServes } from '../checkout/ticket-store.js';
import { HubError } from './connection.js';
import type { HubSync } from './sync.js';
import { readHubState } from './state.js';

export type SalePolicy = 'none' | 'allow-and-flag';

type Decision = { kind: 'held' | 'none' | 'offline' } | { kind: 'elsewhere'; holder: string } | { kind: 'not_in_queue' } | { kind: 'refused'; message: string };

/** A claim waits this long for the hub before the outage policy applies (research §6.1: ≈1.5 s). */
export const CLAIM_TIMEOUT_MS = 1500;

export class HubGrants {
  private readonly decisions = new Map<string, Decision>();

  constructor(
    private readonly sync: HubSync,
    private readonly deps: { sqlite(): Database.Database; clock(): number },
  ) {}

  private openGrant(sqlite: Database.Database, customerId: string): { grant_id: string } | undefined {
    return cachedStatement(sqlite, "SELECT grant_id FROM hub_grants WHERE customer_id = ? AND status = 'open' LIMIT 1").get(customerId) as { grant_id: string } | undefined;
  }

  /** Before a medical sale: make sure this register holds the patient's grant, if the hub can be asked. */
  async prepareSale(customerId: string, entryId: string | null): Promise<void> {
    const sqlite = this.deps.sqlite();
    if (!readHubState(sqlite)) return;
    if (this.openGrant(sqlite, customerId)) {
      this.decisions.set(customerId, { kind: 'held' });
      return;
    }
    if (!entryId) {
      this.decisions.set(customerId, { kind: 'not_in_queue' });
      return;
    }
    const decision = await this.claim(customerId, entryId);
    // Cut off now, but the hub said before that another register holds this patient: that still stands.
    const earlier = this.decisions.get(customerId);
    this.decisions.set(customerId, decision.kind === 'offline' && earlier?.kind === 'elsewhere' ? earlier : decision);
  }

  /** Another register's open grant for this patient, as last pulled from the hub. */
  private heldElsewhere(sqlite: Database.Database, customerId: string): string | null {
    const rows = cachedStatement(sqlite, "SELECT data FROM hub_records WHERE entity = 'allotment_grant' AND data ->> '$.customerId' = ? AND data ->> '$.status' = 'open'").all(customerId) as Array<{ data: string }>;
    const state = readHubState(sqlite);
    for (const row of rows) {
      const data = JSON.parse(row.data) as { deviceId?: string; deviceName?: string };
      if (data.deviceId && data.deviceId !== state?.deviceId) return data.deviceName ?? 'another register';
    }
    return null;
  }

  private async claim(customerId: string, entryId: string): Promise<Decision> {
    const deadline = Date.now() + CLAIM_TIMEOUT_MS;
    try {
      // The entry may have been checked in here a moment ago: the hub must hold it first.
      await withTimeout(this.sync.flush(), CLAIM_TIMEOUT_MS);
      const { connection, hubEpoch } = await withTimeout(this.sync.link(), Math.max(1, deadline - Date.now()));
      // The allotment's holder may be a caregiver's patient rather than the entry's own customer.
      const reply = await connection.request({ type: 'claim', hubEpoch, entryId, employeeId: null, holderId: customerId }, Math.max(1, deadline - Date.now()));
      const sqlite = this.deps.sqlite();
      // The claim is this register's while it serves the customer: the worker renews its lease.
      noteClaim(sqlite, entryId, reply.leaseEpoch, reply.leaseUntil);
      if (reply.grantHeldBy) return { kind: 'elsewhere', holder: reply.grantHeldBy };
      if (!reply.grant) return { kind: 'none' };
      const grant = reply.grant;
      sqlite
        .transaction(() => {
          cachedStatement(
            sqlite,
            `INSERT INTO hub_grants (grant_id, customer_id, entry_id, status, granted, used, lease_epoch, granted_at, closed_at)
             VALUES (?, ?, ?, 'open', ?, '[]', ?, ?, NULL) ON CONFLICT (grant_id) DO UPDATE SET lease_epoch = excluded.lease_epoch`,
          ).run(grant.grantId, customerId, entryId, JSON.stringify(grant.granted), reply.leaseEpoch, grant.grantedAt);
          // The register sells within what it was granted: the visit's agreed allotment comes down to it.
          for (const amount of grant.granted) {
            cachedStatement(sqlite, 'UPDATE queue_allotments SET amount = MIN(amount, ?) WHERE entry_id = ? AND limit_id = ?').run(amount.amount, entryId, amount.limitId);
          }
        })
        .immediate();
      return { kind: 'held' };
    } catch (error) {
      if (error instanceof HubError && error.code === 'claimed_elsewhere') return { kind: 'elsewhere', holder: error.frame?.heldBy ?? 'another register' };
      if (error instanceof HubError && error.code === 'not_found') return { kind: 'not_in_queue' };
      // The hub does not take this patient as the caregiver's (not linked, or another patient's visit): its words say what to do.
      if (error instanceof HubError && error.code === 'holder_not_linked') return { kind: 'refused', message: error.message };
      return { kind: 'offline' };
    }
  }

  /**
   * A ticket was closed without a sale (the customer waits in the queue again): its claim and any
   * allotment grant go back to the hub now, so another register can serve them. Never waits for the
   * hub: the worker sends them, and tries again while the hub is away.
   */
  ticketClosed(): void {
    this.sync.claimsChanged();
  }

  /**
   * Inside the sale's transaction: may this register sell medical to the patient, and under which
   * policy? Throws a CoreError saying what to do when it may not.
   */
  decide(sqlite: Database.Database, customerId: string, customerName: string, outageAllowed: boolean): SalePolicy {
    if (!readHubState(sqlite)) return 'none';
    if (this.openGrant(sqlite, customerId)) return 'none';
    const decision = this.decisions.get(customerId) ?? { kind: 'offline' };
    switch (decision.kind) {
      case 'held':
      case 'none':
        return 'none';
      case 'elsewhere':
        throw new CoreError('conflict', `${decision.holder} is serving ${customerName} and holds their allotment: only that register can sell medical to them now. A manager can move it on the hub if ${decision.holder} is off.`);
      case 'refused':
        throw new CoreError('conflict', decision.message);
      case 'not_in_queue':
        throw new CoreError('conflict', `Check ${customerName} in first: the store hub gives a patient's allotment to the register that serves them from the queue.`);
      case 'offline': {
        const holder = this.heldElsewhere(sqlite, customerId);
        if (holder) {
          throw new CoreError('conflict', `${holder} holds ${customerName}'s allotment and the store hub does not answer: only that register can sell medical to them now.`);
        }
        if (outageAllowed) return 'allow-and-flag';
        throw new CoreError(
          'conflict',
          `The store hub does not answer and this register holds no allotment for ${customerName}: this store does not sell medical without it. Serve them at the register that called them, or try again when the hub is back.`,
        );
      }
    }
  }

}

/** Keeps this register's own claim (the hub's lease) so the worker renews it and the queue shows who serves. */
export function noteClaim(sqlite: Database.Database, entryId: string, leaseEpoch: number, leaseUntil: number): void {
  const state = readHubState(sqlite);
  if (!state) return;
  cachedStatement(
    sqlite,
    `INSERT INTO hub_queue_claims (entry_id, device_id, device_name, lease_until, lease_epoch) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (entry_id) DO UPDATE SET device_id = excluded.device_id, device_name = excluded.device_name, lease_until = excluded.lease_until, lease_epoch = excluded.lease_epoch`,
  ).run(entryId, state.deviceId, state.deviceName, leaseUntil, leaseEpoch);
}

/**
 * This register's claims on customers it is serving: still in its queue, with a ticket open here
 * for them. Their leases are renewed.
 */
export function heldClaims(sqlite: Database.Database): Array<{ entryId: string; leaseEpoch: number }> {
  const state = readHubState(sqlite);
  if (!state) return [];
  return cachedStatement(
    sqlite,
    `SELECT c.entry_id AS entryId, c.lease_epoch AS leaseEpoch FROM hub_queue_claims c JOIN queue_entries q ON q.id = c.entry_id
      WHERE c.device_id = ? AND q.removed_at IS NULL AND ${openTicketServes('c.entry_id')} ORDER BY c.entry_id`,
  ).all(state.deviceId) as Array<{ entryId: string; leaseEpoch: number }>;
}

/**
 * This register's claims on customers it no longer serves: still in the queue, but no ticket is
 * open here for them (the budtender closed it without a sale; the customer waits again). They go
 * back to the hub (release), so another register can call the customer.
 */
export function staleClaims(sqlite: Database.Database): Array<{ entryId: string; leaseEpoch: number }> {
  const state = readHubState(sqlite);
  if (!state) return [];
  return cachedStatement(
    sqlite,
    `SELECT c.entry_id AS entryId, c.lease_epoch AS leaseEpoch FROM hub_queue_claims c JOIN queue_entries q ON q.id = c.entry_id
      WHERE c.device_id = ? AND q.removed_at IS NULL AND NOT ${openTicketServes('c.entry_id')} ORDER BY c.entry_id`,
  ).all(state.deviceId) as Array<{ entryId: string; leaseEpoch: number }>;
}

/** A ticket open here serves the entry (a claim on it is still needed). */
export function entryServedHere(sqlite: Database.Database, entryId: string): boolean {
  const row = cachedStatement(sqlite, `SELECT ${openTicketServes('?')} AS served`).get(entryId) as { served: number };
  return row.served === 1;
}

/** An allotment grant this register still holds for the entry's visit (it goes back before the claim does). */
export function entryHoldsGrant(sqlite: Database.Database, entryId: string): boolean {
  return cachedStatement(sqlite, "SELECT 1 FROM hub_grants WHERE entry_id = ? AND status = 'open' LIMIT 1").get(entryId) !== undefined;
}

/**
 * Grants whose visit is over here, with what was sold under them: for the worker to return. Over
 * means the queue entry left (served, removed), or it waits in the queue with no ticket open here
 * for it (closed without a sale: nothing was used, and another register may claim the patient).
 */
export function closedGrants(sqlite: Database.Database): Array<{ grantId: string; used: AllotmentAmount[] }> {
  const rows = cachedStatement(
    sqlite,
    `SELECT g.grant_id, g.used FROM hub_grants g LEFT JOIN queue_entries q ON q.id = g.entry_id
      WHERE g.status = 'open' AND (q.id IS NULL OR q.removed_at IS NOT NULL OR NOT ${openTicketServes('g.entry_id')})`,
  ).all() as Array<{ grant_id: string; used: string }>;
  return rows.map((row) => ({ grantId: row.grant_id, used: JSON.parse(row.used) as AllotmentAmount[] }));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new HubError('timeout', 'The store hub did not answer in time.')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
