/**
 * Queue claims with leases, and allotment escrow (research/hub.md §4.2, §4.4).
 *
 * A claim is one conditional update on the hub's clock: the entry is free, its lease has run out,
 * or this device already holds it. For a medical patient the same transaction grants the claiming
 * device the patient's whole free allotment (escrow): only the holder sells medical to them. A
 * grant never lapses with the lease: it closes when its holder returns it (with what was used;
 * the rest goes back to the free balance) or when a manager revokes it (audited, flagged for
 * reconciliation: sales the holder made meanwhile arrive later as late sales, flagged).
 */
import { ulid } from 'ulid';
import type pg from 'pg';
import { allotmentHolder, LEASE_MS, type AllotmentAmount, type GrantData, type QueueEntryData } from './protocol.js';
import { checkHolder } from './caregivers.js';
import { appendHubAudit, inTransaction, writeChanges, type PendingChange } from './changes.js';
import { adjustBalances, balanceChanges, grantData, queueEntryData, subtractAmounts } from './rows.js';

export class HubRefusal extends Error {
  constructor(
    readonly code: 'not_found' | 'claimed_elsewhere' | 'lease_lost' | 'grant_not_held' | 'holder_not_linked',
    message: string,
    readonly heldBy?: string,
  ) {
    super(message);
  }
}

const MEDICAL = new Set(['medical', 'medical_recommendation', 'caregiver']);

export interface ClaimResult {
  entryId: string;
  leaseEpoch: number;
  leaseUntil: number;
  grant: GrantData | null;
  grantHeldBy: string | null;
}

/**
 * `holderId`: whose allotment the register will sell against when it is not the entry's customer:
 * a caregiver's patient (a patient customer linked to them, or one kept on their profile). Checked
 * (checkHolder): anyone else is refused with `holder_not_linked`. Then allotmentHolder() decides,
 * the same rule the check-in and the sale follow.
 */
export async function claimEntry(pool: pg.Pool, deviceId: string, entryId: string, employeeId: string | null, now = Date.now(), leaseMs = LEASE_MS, holderId: string | null = null): Promise<ClaimResult> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ customer_id: string; checked_in_as: string; claimed_by: string | null; lease_until: number | null; lease_epoch: number; removed_at: number | null; caregiver_patient_id: string | null; patient_customer_id: string | null; holder: string | null }>(
      "SELECT q.customer_id, q.checked_in_as, q.claimed_by, q.lease_until, q.lease_epoch, q.removed_at, q.data ->> 'caregiverPatientId' AS caregiver_patient_id, q.data ->> 'patientCustomerId' AS patient_customer_id, d.name AS holder FROM queue_entries q LEFT JOIN devices d ON d.device_id = q.claimed_by WHERE q.id = $1 FOR UPDATE OF q",
      [entryId],
    );
    const entry = rows[0];
    if (!entry || entry.removed_at !== null) throw new HubRefusal('not_found', 'This customer is no longer in the queue.');
    // Whose allotment: the register's word is checked (the customer, or a patient linked to them), then the one rule.
    const checked = await checkHolder(client, { customerId: entry.customer_id, caregiverPatientId: entry.caregiver_patient_id, patientCustomerId: entry.patient_customer_id }, holderId);
    if (!checked.ok) throw new HubRefusal('holder_not_linked', checked.message);
    const patient = allotmentHolder({ customerId: entry.customer_id, caregiverPatientId: checked.caregiverPatientId, patientCustomerId: checked.patientCustomerId });
    if (entry.claimed_by && entry.claimed_by !== deviceId && (entry.lease_until ?? 0) > now) {
      const holder = entry.holder ?? 'another register';
      throw new HubRefusal('claimed_elsewhere', `${holder} is serving this customer.`, holder);
    }
    const leaseEpoch = entry.claimed_by === deviceId ? Math.max(1, entry.lease_epoch) : entry.lease_epoch + 1;
    const leaseUntil = now + leaseMs;
    await client.query('UPDATE queue_entries SET claimed_by = $2, lease_until = $3, lease_epoch = $4 WHERE id = $1', [entryId, deviceId, leaseUntil, leaseEpoch]);
    const changes: PendingChange[] = [];

    let grant: GrantData | null = null;
    let grantHeldBy: string | null = null;
    if (MEDICAL.has(entry.checked_in_as)) {
      const open = await client.query<{ grant_id: string; device_id: string; holder: string | null }>(
        "SELECT g.grant_id, g.device_id, d.name AS holder FROM allotment_grants g LEFT JOIN devices d ON d.device_id = g.device_id WHERE g.customer_id = $1 AND g.status = 'open' FOR UPDATE OF g",
        [patient],
      );
      const mine = open.rows.find((g) => g.device_id === deviceId);
      const theirs = open.rows.find((g) => g.device_id !== deviceId);
      if (mine) grant = (await grantData(client, mine.grant_id)) ?? null;
      else if (theirs) grantHeldBy = theirs.holder ?? 'another register';
      else {
        const balances = await client.query<{ limit_id: string; unit: AllotmentAmount['unit']; remaining: number }>(
          'SELECT limit_id, unit, remaining FROM allotment_balances WHERE customer_id = $1 ORDER BY limit_id FOR UPDATE',
          [patient],
        );
        if (balances.rows.length > 0) {
          const granted: AllotmentAmount[] = balances.rows.map((b) => ({ limitId: b.limit_id, unit: b.unit, amount: Math.max(0, b.remaining) }));
          const grantId = ulid();
          await client.query(
            `INSERT INTO allotment_grants (grant_id, customer_id, entry_id, device_id, status, granted, used, sold, granted_at)
             VALUES ($1, $2, $3, $4, 'open', $5::jsonb, '[]'::jsonb, '{}'::jsonb, $6)`,
            [grantId, patient, entryId, deviceId, JSON.stringify(granted), now],
          );
          changes.push(...balanceChanges(await adjustBalances(client, patient, granted.map((g) => ({ ...g, amount: -g.amount })))));
          grant = (await grantData(client, grantId)) ?? null;
          await appendHubAudit(client, { deviceId, employeeId, action: 'allotment.granted', details: { grantId, customerId: patient, entryId, granted }, at: now });
          // A new grant is news for every station; the holder's own grant, claimed again, is unchanged.
          if (grant) changes.push({ entity: 'allotment_grant', id: grant.grantId, op: 'upsert', data: grant });
        }
      }
    }
    // Stations learn who serves the customer: a new holder or a new lease epoch. The same holder
    // claiming again only moves its lease on, which nobody else needs to pull.
    if (entry.claimed_by !== deviceId || entry.lease_epoch !== leaseEpoch) {
      const data = await queueEntryData(client, entryId);
      if (data) changes.push({ entity: 'queue_entry', id: entryId, op: 'upsert', data });
    }
    await writeChanges(client, changes, { commandId: null, deviceId, at: now });
    return { entryId, leaseEpoch, leaseUntil, grant, grantHeldBy };
  });
}

async function fenced(client: pg.PoolClient, deviceId: string, entryId: string, leaseEpoch: number): Promise<void> {
  const { rows } = await client.query<{ claimed_by: string | null; lease_epoch: number; removed_at: number | null }>(
    'SELECT claimed_by, lease_epoch, removed_at FROM queue_entries WHERE id = $1 FOR UPDATE',
    [entryId],
  );
  const entry = rows[0];
  if (!entry) throw new HubRefusal('not_found', 'This customer is no longer in the queue.');
  if (entry.claimed_by === null && entry.lease_epoch === leaseEpoch) {
    // Nobody took it since: its lease ran out (expireLeases) while this register was not heard from.
    throw new HubRefusal('lease_lost', "This register's hold on this customer ran out while it could not reach the store hub: open the customer from the queue again.");
  }
  if (entry.claimed_by !== deviceId || entry.lease_epoch !== leaseEpoch) {
    throw new HubRefusal('lease_lost', 'Another register took this customer after this one stopped answering: ask a manager before selling to them.');
  }
}

/**
 * The holder keeps its claim while the customer is at its counter. Neither the holder nor the
 * lease epoch changes, so no change row is written: stations already show who serves, and a
 * renewal every 30 s per claim would make every station pull again each time.
 */
export async function renewLease(pool: pg.Pool, deviceId: string, entryId: string, leaseEpoch: number, now = Date.now(), leaseMs = LEASE_MS): Promise<{ entryId: string; leaseEpoch: number; leaseUntil: number }> {
  return inTransaction(pool, async (client) => {
    await fenced(client, deviceId, entryId, leaseEpoch);
    const leaseUntil = now + leaseMs;
    await client.query('UPDATE queue_entries SET lease_until = $2 WHERE id = $1', [entryId, leaseUntil]);
    return { entryId, leaseEpoch, leaseUntil };
  });
}

export async function releaseLease(pool: pg.Pool, deviceId: string, entryId: string, leaseEpoch: number, now = Date.now()): Promise<{ entryId: string }> {
  return inTransaction(pool, async (client) => {
    await fenced(client, deviceId, entryId, leaseEpoch);
    await client.query('UPDATE queue_entries SET claimed_by = NULL, lease_until = NULL WHERE id = $1', [entryId]);
    const data: QueueEntryData | undefined = await queueEntryData(client, entryId);
    await writeChanges(client, data ? [{ entity: 'queue_entry', id: entryId, op: 'upsert', data }] : [], { commandId: null, deviceId, at: now });
    return { entryId };
  });
}

/**
 * Claims whose lease ran out on the hub's clock (the holder stopped renewing: a register that died
 * or lost its link while serving) are cleared, and every station is told (a queue change row per
 * entry), so none keeps saying the customer is being served there. Renewals write no change rows,
 * so without this the last word stations had would stand for ever. The lease epoch stays: a late
 * renewal from the old holder is fenced off (lease_lost), and the next claim takes epoch + 1.
 * Rows locked by a claim or renewal in flight are skipped (SKIP LOCKED): the next sweep sees them.
 */
export async function expireLeases(pool: pg.Pool, now = Date.now()): Promise<string[]> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `WITH due AS (SELECT id FROM queue_entries WHERE claimed_by IS NOT NULL AND lease_until < $1 ORDER BY id FOR UPDATE SKIP LOCKED)
       UPDATE queue_entries q SET claimed_by = NULL, lease_until = NULL FROM due WHERE q.id = due.id RETURNING q.id`,
      [now],
    );
    const changes: PendingChange[] = [];
    for (const { id } of rows.sort((a, b) => a.id.localeCompare(b.id))) {
      const data = await queueEntryData(client, id);
      if (data) changes.push({ entity: 'queue_entry', id, op: 'upsert', data });
    }
    // writeChanges takes the change log's lock last, as every other writer does (changes.ts).
    await writeChanges(client, changes, { commandId: null, deviceId: null, at: now });
    return rows.map((r) => r.id);
  });
}

interface GrantLockRow {
  customer_id: string;
  device_id: string;
  status: string;
  granted: AllotmentAmount[];
  sold: Record<string, number>;
}

async function lockGrant(client: pg.PoolClient, grantId: string): Promise<GrantLockRow> {
  const { rows } = await client.query<GrantLockRow>('SELECT customer_id, device_id, status, granted, sold FROM allotment_grants WHERE grant_id = $1 FOR UPDATE', [grantId]);
  const grant = rows[0];
  if (!grant) throw new HubRefusal('not_found', 'The hub does not know this allotment grant.');
  return grant;
}

/** The holder gives the grant back with what it used; the rest is free again. A second return answers the first's outcome. */
export async function returnGrant(pool: pg.Pool, deviceId: string, grantId: string, used: AllotmentAmount[], now = Date.now()): Promise<GrantData> {
  return inTransaction(pool, async (client) => {
    const grant = await lockGrant(client, grantId);
    if (grant.device_id !== deviceId) throw new HubRefusal('grant_not_held', "This patient's allotment is held by another register.");
    if (grant.status === 'revoked') throw new HubRefusal('grant_not_held', "A manager took this patient's allotment back from this register: sales made since are flagged for review.");
    if (grant.status === 'returned') {
      const data = await grantData(client, grantId);
      if (!data) throw new Error('grant vanished');
      return data;
    }
    const usedOnly = used.filter((u) => grant.granted.some((g) => g.limitId === u.limitId));
    await client.query("UPDATE allotment_grants SET status = 'returned', used = $2::jsonb, closed_at = $3, closed_by = $4 WHERE grant_id = $1", [grantId, JSON.stringify(usedOnly), now, deviceId]);
    const freed = subtractAmounts(grant.granted, usedOnly);
    const changes = balanceChanges(await adjustBalances(client, grant.customer_id, freed));
    const data = await grantData(client, grantId);
    if (!data) throw new Error('grant vanished');
    changes.push({ entity: 'allotment_grant', id: grantId, op: 'upsert', data });
    await writeChanges(client, changes, { commandId: null, deviceId, at: now });
    return data;
  });
}

/**
 * A manager takes a grant back from a register that does not answer. What the hub has seen sold
 * under it counts as used; the grant is flagged, so its holder's later sales (and the difference)
 * are reviewed. Recorded in the hub's audit.
 */
export async function revokeGrant(pool: pg.Pool, by: { deviceId: string | null; employeeId: string | null }, grantId: string, reason: string, now = Date.now()): Promise<GrantData> {
  return inTransaction(pool, async (client) => {
    const grant = await lockGrant(client, grantId);
    if (grant.status !== 'open') {
      const data = await grantData(client, grantId);
      if (!data) throw new Error('grant vanished');
      return data;
    }
    const used: AllotmentAmount[] = grant.granted.map((g) => ({ ...g, amount: grant.sold[g.limitId] ?? 0 }));
    await client.query(
      "UPDATE allotment_grants SET status = 'revoked', used = $2::jsonb, closed_at = $3, closed_by = $4, reason = $5, flagged = true WHERE grant_id = $1",
      [grantId, JSON.stringify(used), now, by.employeeId ?? by.deviceId ?? 'hub', reason],
    );
    const changes = balanceChanges(await adjustBalances(client, grant.customer_id, subtractAmounts(grant.granted, used)));
    await appendHubAudit(client, { deviceId: by.deviceId, employeeId: by.employeeId, action: 'allotment.revoked', details: { grantId, holder: grant.device_id, customerId: grant.customer_id, reason, used }, at: now });
    const data = await grantData(client, grantId);
    if (!data) throw new Error('grant vanished');
    changes.push({ entity: 'allotment_grant', id: grantId, op: 'upsert', data });
    await writeChanges(client, changes, { commandId: null, deviceId: by.deviceId, at: now });
    return data;
  });
}

/** After an epoch change a register announces the grants it still holds: the hub takes back the ones it lost. */
export async function reconcileGrants(
  pool: pg.Pool,
  deviceId: string,
  grants: Array<{ grantId: string; customerId: string; entryId: string | null; granted: AllotmentAmount[]; used: AllotmentAmount[]; grantedAt: number }>,
  now = Date.now(),
): Promise<string[]> {
  return inTransaction(pool, async (client) => {
    const accepted: string[] = [];
    const changes: PendingChange[] = [];
    for (const g of grants) {
      const known = await client.query<{ device_id: string }>('SELECT device_id FROM allotment_grants WHERE grant_id = $1', [g.grantId]);
      if (known.rows[0]) {
        if (known.rows[0].device_id === deviceId) accepted.push(g.grantId);
        continue;
      }
      await client.query(
        `INSERT INTO allotment_grants (grant_id, customer_id, entry_id, device_id, status, granted, used, sold, granted_at)
         VALUES ($1, $2, $3, $4, 'open', $5::jsonb, '[]'::jsonb, '{}'::jsonb, $6)`,
        [g.grantId, g.customerId, g.entryId, deviceId, JSON.stringify(g.granted), g.grantedAt],
      );
      changes.push(...balanceChanges(await adjustBalances(client, g.customerId, g.granted.map((x) => ({ ...x, amount: -x.amount })))));
      const data = await grantData(client, g.grantId);
      if (data) changes.push({ entity: 'allotment_grant', id: g.grantId, op: 'upsert', data });
      await appendHubAudit(client, { deviceId, employeeId: null, action: 'allotment.reconciled', details: { grantId: g.grantId, customerId: g.customerId }, at: now });
      accepted.push(g.grantId);
    }
    await writeChanges(client, changes, { commandId: null, deviceId, at: now });
    return accepted;
  });
}
