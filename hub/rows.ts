/** Reading hub rows into the shapes registers receive (change row data), shared by handlers and claims. */
import type pg from 'pg';
import type { AllotmentAmount, GrantData, QueueEntryData } from './protocol.js';
import type { PendingChange } from './changes.js';

interface QueueRow {
  id: string;
  customer_id: string;
  checked_in_as: QueueEntryData['checkedInAs'];
  parent_entry_id: string | null;
  position: number;
  checked_in_at: number;
  data: { checkedInBy: string | null; allotmentSource: string; cardId: string | null; caregiverCardId: string | null; caregiverPatientId?: string | null; patientCustomerId?: string | null; allotments: QueueEntryData['allotments'] };
  claimed_by: string | null;
  claimed_by_name: string | null;
  lease_until: number | null;
  lease_epoch: number;
  removed_at: number | null;
  removed_reason: string | null;
}

export async function queueEntryData(client: pg.PoolClient, id: string): Promise<QueueEntryData | undefined> {
  const { rows } = await client.query<QueueRow>(
    'SELECT q.*, d.name AS claimed_by_name FROM queue_entries q LEFT JOIN devices d ON d.device_id = q.claimed_by WHERE q.id = $1',
    [id],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    customerId: row.customer_id,
    checkedInAs: row.checked_in_as,
    parentEntryId: row.parent_entry_id,
    position: row.position,
    checkedInAt: row.checked_in_at,
    checkedInBy: row.data.checkedInBy,
    allotmentSource: row.data.allotmentSource,
    cardId: row.data.cardId,
    caregiverCardId: row.data.caregiverCardId,
    caregiverPatientId: row.data.caregiverPatientId ?? null,
    patientCustomerId: row.data.patientCustomerId ?? null,
    allotments: row.data.allotments,
    claimedBy: row.claimed_by,
    claimedByName: row.claimed_by_name,
    leaseUntil: row.lease_until,
    leaseEpoch: row.lease_epoch,
    removedAt: row.removed_at,
    removedReason: row.removed_reason,
  };
}

interface GrantRow {
  grant_id: string;
  customer_id: string;
  entry_id: string | null;
  device_id: string;
  device_name: string | null;
  status: GrantData['status'];
  granted: AllotmentAmount[];
  used: AllotmentAmount[];
  granted_at: number;
  closed_at: number | null;
  flagged: boolean;
}

export async function grantData(client: pg.PoolClient, grantId: string): Promise<GrantData | undefined> {
  const { rows } = await client.query<GrantRow>(
    'SELECT g.*, d.name AS device_name FROM allotment_grants g LEFT JOIN devices d ON d.device_id = g.device_id WHERE g.grant_id = $1',
    [grantId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    grantId: row.grant_id,
    customerId: row.customer_id,
    entryId: row.entry_id,
    deviceId: row.device_id,
    deviceName: row.device_name ?? 'a register',
    status: row.status,
    granted: row.granted,
    used: row.used,
    grantedAt: row.granted_at,
    closedAt: row.closed_at,
    flagged: row.flagged,
  };
}

/** An allotment_balances row (without its customer). */
export interface BalanceRow {
  limit_id: string;
  unit: string;
  remaining: number;
  source: string;
  snapshot_at: number;
}

/** A patient's free allotment for one limit, as registers see it. */
export function balanceData(customerId: string, row: BalanceRow): Record<string, unknown> {
  return { customerId, limitId: row.limit_id, unit: row.unit, remaining: row.remaining, source: row.source, snapshotAt: row.snapshot_at };
}

/** Change rows publishing balances (balanceData's shape). */
export function balanceChanges(rows: Array<Record<string, unknown>>): PendingChange[] {
  return rows.map((row) => ({ entity: 'allotment_balance', id: `${String(row.customerId)}:${String(row.limitId)}`, op: 'upsert', data: row }));
}

/** Adds `delta` (signed) to a patient's free allotment per limit; returns the balance rows as registers see them. */
export async function adjustBalances(client: pg.PoolClient, customerId: string, deltas: AllotmentAmount[]): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for (const d of deltas) {
    if (d.amount === 0) continue;
    const { rows } = await client.query<BalanceRow>(
      'UPDATE allotment_balances SET remaining = remaining + $3 WHERE customer_id = $1 AND limit_id = $2 RETURNING limit_id, unit, remaining, source, snapshot_at',
      [customerId, d.limitId, d.amount],
    );
    const row = rows[0];
    if (row) out.push(balanceData(customerId, row));
  }
  return out;
}

/** Per-limit a − b (limits only in b count as negative). */
export function subtractAmounts(a: AllotmentAmount[], b: AllotmentAmount[]): AllotmentAmount[] {
  const out = new Map<string, AllotmentAmount>();
  for (const x of a) out.set(x.limitId, { ...x });
  for (const y of b) {
    const x = out.get(y.limitId);
    if (x) x.amount -= y.amount;
    else out.set(y.limitId, { ...y, amount: -y.amount });
  }
  return [...out.values()];
}

export function addAmounts(a: AllotmentAmount[], b: AllotmentAmount[]): AllotmentAmount[] {
  return subtractAmounts(a, b.map((y) => ({ ...y, amount: -y.amount })));
}
