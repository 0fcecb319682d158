/**
 * Writing the change log and the hub's audit inside a transaction.
 *
 * Version order must equal commit order, or a register that pulls `version > V` can skip a row
 * for ever (research/hub.md §0.2: sequence values are taken before commit). So versions are not
 * a sequence: each writing transaction collects its change rows and, last thing before COMMIT,
 * raises hub_meta.last_version by their count. That UPDATE takes the single row's lock, held to
 * the end of the transaction, so the next writer gets its versions only after this one has
 * committed: versions are handed out in commit order, without gaps. The NOTIFY sent in the same
 * transaction is delivered at commit (the doorbell).
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { ChangeEntity } from './protocol.js';

export interface PendingChange {
  entity: ChangeEntity;
  id: string;
  op: 'upsert' | 'delete';
  data: Record<string, unknown> | null;
}

export interface ChangeContext {
  commandId: string | null;
  deviceId: string | null;
  at: number;
}

export const DOORBELL_CHANNEL = 'hub_changes';

/** Inserts the collected rows with the next versions and rings the doorbell; returns the last version (0: none written). */
export async function writeChanges(client: pg.PoolClient, changes: PendingChange[], context: ChangeContext): Promise<number> {
  if (changes.length === 0) return 0;
  const { rows } = await client.query<{ last_version: number }>(
    'UPDATE hub_meta SET last_version = last_version + $1 WHERE id = 1 RETURNING last_version',
    [changes.length],
  );
  const last = rows[0]?.last_version;
  if (last === undefined) throw new Error('hub_meta is missing: the hub was not set up');
  const first = last - changes.length + 1;
  const values: unknown[] = [];
  const tuples = changes.map((change, i) => {
    const base = i * 8;
    values.push(first + i, change.entity, change.id, change.op, change.data === null ? null : JSON.stringify(change.data), context.commandId, context.deviceId, context.at);
    return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}::jsonb, $${base + 6}, $${base + 7}, $${base + 8})`;
  });
  await client.query(`INSERT INTO change_log (version, entity, entity_id, op, data, command_id, device_id, at) VALUES ${tuples.join(', ')}`, values);
  await client.query('SELECT pg_notify($1, $2)', [DOORBELL_CHANNEL, String(last)]);
  return last;
}

export interface AuditInput {
  deviceId: string | null;
  employeeId: string | null;
  action: string;
  details: Record<string, unknown>;
  at: number;
}

/** Appends to the hub's hash-chained audit (serialised by a transaction-level advisory lock). */
export async function appendHubAudit(client: pg.PoolClient, entry: AuditInput): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(7301)');
  const { rows } = await client.query<{ hash: string }>('SELECT hash FROM hub_audit ORDER BY seq DESC LIMIT 1');
  const prevHash = rows[0]?.hash ?? '0'.repeat(64);
  const details = JSON.stringify(entry.details);
  const hash = createHash('sha256').update([prevHash, entry.at, entry.deviceId ?? '', entry.employeeId ?? '', entry.action, details].join('|')).digest('hex');
  await client.query(
    'INSERT INTO hub_audit (at, device_id, employee_id, action, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)',
    [entry.at, entry.deviceId, entry.employeeId, entry.action, details, prevHash, hash],
  );
}

/** Runs `work` in one transaction on a pooled client. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
