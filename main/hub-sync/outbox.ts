/**
 * The hub outbox: commands this station owes the hub, written in the transaction of the change
 * they describe (research/hub.md §6.2). It only inserts rows: it never opens a transaction of its
 * own and never talks to the network; the hub-sync worker sends them in device_seq order.
 *
 * A station that is not paired with a hub writes nothing here (pairing sends what it already has).
 */
import type Database from 'better-sqlite3';
import { cachedStatement } from '../store/statements.js';
import { newId } from '../store/ids.js';
import type { CommandKind, CommandPayload } from '../../hub/protocol.js';

export interface OutboxCommand {
  commandId: string;
  deviceSeq: number;
  kind: string;
  payload: unknown;
  state: 'pending' | 'applied' | 'rejected';
  createdAt: number;
}

const listeners = new WeakMap<Database.Database, () => void>();

/** Called (after the current task, so after the change's commit) whenever a command is added on this connection. */
export function onHubCommand(sqlite: Database.Database, listener: (() => void) | null): void {
  if (listener) listeners.set(sqlite, listener);
  else listeners.delete(sqlite);
}

/** True while this station is paired with a hub. */
export function hubPaired(sqlite: Database.Database): boolean {
  return (cachedStatement(sqlite, 'SELECT COUNT(*) AS n FROM hub_sync WHERE id = 1').get() as { n: number }).n > 0;
}

/**
 * Add one command for the hub. Call inside the change's own transaction. Returns its id, or null
 * when no hub is paired.
 */
export function enqueueHubCommand<K extends CommandKind>(sqlite: Database.Database, kind: K, payload: CommandPayload<K>, now: number): string | null {
  const seq = cachedStatement(sqlite, 'UPDATE hub_sync SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq').get() as { last_seq: number } | undefined;
  if (!seq) return null;
  const commandId = newId(now);
  cachedStatement(
    sqlite,
    "INSERT INTO hub_outbox (command_id, device_seq, kind, payload, state, created_at) VALUES (?, ?, ?, ?, 'pending', ?)",
  ).run(commandId, seq.last_seq, kind, JSON.stringify(payload), now);
  const listener = listeners.get(sqlite);
  if (listener) setImmediate(listener);
  return commandId;
}

interface OutboxRow {
  command_id: string;
  device_seq: number;
  kind: string;
  payload: string;
  state: 'pending' | 'applied' | 'rejected';
  created_at: number;
}

function toCommand(row: OutboxRow): OutboxCommand {
  return { commandId: row.command_id, deviceSeq: row.device_seq, kind: row.kind, payload: JSON.parse(row.payload) as unknown, state: row.state, createdAt: row.created_at };
}

/** Commands from `fromSeq` on, in order (pending or not: a restored hub needs acknowledged ones again). */
export function commandsFrom(sqlite: Database.Database, fromSeq: number, limit: number): OutboxCommand[] {
  const rows = cachedStatement(
    sqlite,
    'SELECT command_id, device_seq, kind, payload, state, created_at FROM hub_outbox WHERE device_seq >= ? ORDER BY device_seq LIMIT ?',
  ).all(fromSeq, limit) as OutboxRow[];
  return rows.map(toCommand);
}

/** The first command the hub has not acknowledged (its seq), or null when all are. */
export function firstPendingSeq(sqlite: Database.Database): number | null {
  return (cachedStatement(sqlite, "SELECT MIN(device_seq) AS seq FROM hub_outbox WHERE state = 'pending'").get() as { seq: number | null }).seq;
}

export function pendingCount(sqlite: Database.Database): number {
  return (cachedStatement(sqlite, "SELECT COUNT(*) AS n FROM hub_outbox WHERE state = 'pending'").get() as { n: number }).n;
}

/**
 * Moves the command numbered `from`, and every later one, to start at `to` (order kept), and the
 * next number after them: the hub said it already used `from` (this register was restored from an
 * older backup). One transaction; the unique number never collides midway.
 */
export function renumberFrom(sqlite: Database.Database, from: number, to: number): void {
  const shift = to - from;
  if (shift <= 0) return;
  sqlite
    .transaction(() => {
      cachedStatement(sqlite, 'UPDATE hub_outbox SET device_seq = -(device_seq + ?) WHERE device_seq >= ?').run(shift, from);
      cachedStatement(sqlite, 'UPDATE hub_outbox SET device_seq = -device_seq WHERE device_seq < 0').run();
      cachedStatement(sqlite, 'UPDATE hub_sync SET last_seq = MAX(last_seq + ?, ?) WHERE id = 1').run(shift, to);
    })
    .immediate();
}

/** Record the hub's answer for one command. */
export function markAcked(
  sqlite: Database.Database,
  commandId: string,
  status: 'applied' | 'rejected',
  result: unknown,
  hubEpoch: string,
  now: number,
): void {
  cachedStatement(
    sqlite,
    'UPDATE hub_outbox SET state = ?, result = ?, acked_epoch = ?, acked_at = ? WHERE command_id = ?',
  ).run(status, result === undefined ? null : JSON.stringify(result), hubEpoch, now, commandId);
}
