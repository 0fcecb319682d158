/**
 * The command log (push) and the change feed (pull).
 *
 * Push, per command, one transaction (research/hub.md §6.3):
 *  1. lock the device's row (one device's commands apply one at a time, in sequence);
 *  2. a (device, commandId) already logged is a duplicate: its stored answer is sent again;
 *  3. deviceSeq must be last + 1: otherwise the batch stops with where to resume ("resend from
 *     N" after a gap; "go on from N" to a station whose numbers fell behind the hub's, when it
 *     asked for seq_resume in hello; a station that did not gets the number refused as used);
 *  4. the payload is parsed and the kind's handler runs under a savepoint; a Rejection rolls the
 *     handler back and is stored as the command's answer;
 *  5. the command row, the device's last seq and the change rows (writeChanges: versions in
 *     commit order, doorbell at commit) go in the same transaction.
 */
import type pg from 'pg';
import { commandBody, ENTITY_CAPABILITY, MAX_PULL_LIMIT, type ChangeEntity, type ChangeRow, type CommandAck, type CommandEnvelope, type HubCapability } from './protocol.js';
import { inTransaction, writeChanges, type PendingChange } from './changes.js';
import { Rejection, type HandlerContext } from './context.js';
import { handlers } from './handlers.js';

export interface LogOptions {
  now?: () => number;
  /** The station asked for `seq_resume` in its hello: a number already used gets "go on from N". */
  seqResume?: boolean;
  onError?: (error: unknown, command: CommandEnvelope) => void;
}

/** Applies a batch in order; stops at the first gap. */
export async function pushCommands(pool: pg.Pool, deviceId: string, commands: CommandEnvelope[], options: LogOptions = {}): Promise<CommandAck[]> {
  const acks: CommandAck[] = [];
  for (const command of commands) {
    const ack = await retryConflicts(() => applyOne(pool, deviceId, command, options));
    acks.push(ack);
    if (ack.status === 'gap') break;
  }
  return acks;
}

async function applyOne(pool: pg.Pool, deviceId: string, command: CommandEnvelope, options: LogOptions): Promise<CommandAck> {
  const now = options.now ?? Date.now;
  const base = { commandId: command.commandId, deviceSeq: command.deviceSeq };
  if (command.deviceId !== deviceId) return { ...base, status: 'rejected', reason: 'This command was made by another station than the one sending it.' };
  return inTransaction(pool, async (client) => {
    const device = await client.query<{ last_seq: number }>('SELECT last_seq FROM devices WHERE device_id = $1 FOR UPDATE', [deviceId]);
    const lastSeq = device.rows[0]?.last_seq;
    if (lastSeq === undefined) throw new Error(`device ${deviceId} is not paired`);
    const seen = await client.query<{ status: 'applied' | 'rejected'; result: unknown; reason: string | null; device_seq: number }>(
      'SELECT status, result, reason, device_seq FROM commands WHERE device_id = $1 AND command_id = $2',
      [deviceId, command.commandId],
    );
    const previous = seen.rows[0];
    if (previous) {
      return { commandId: command.commandId, deviceSeq: previous.device_seq, status: 'duplicate', result: previous.result ?? undefined, ...(previous.reason ? { reason: previous.reason } : {}) };
    }
    // A number already used by another command (a register restored from an older backup numbers
    // its new commands again from there) or one past the next: either way the hub says where to
    // resume, and the station numbers this command and the ones after it from there. A station that
    // did not ask for that answer (seq_resume) gets protocol 1's first one for a used number.
    if (command.deviceSeq <= lastSeq && !options.seqResume) {
      return { ...base, status: 'rejected', reason: `Sequence number ${command.deviceSeq} was already used by another command from this station.` };
    }
    if (command.deviceSeq !== lastSeq + 1) return { ...base, status: 'gap', expectedSeq: lastSeq + 1 };

    const received = now();
    const changes: PendingChange[] = [];
    let status: 'applied' | 'rejected' = 'applied';
    let result: unknown = null;
    let reason: string | null = null;
    const parsed = commandBody.safeParse({ kind: command.kind, payload: command.payload });
    if (!parsed.success) {
      status = 'rejected';
      reason = handlerKnown(command.kind)
        ? `The hub could not read this ${command.kind} command: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`
        : `The hub does not know "${command.kind}" commands: update the hub.`;
    } else {
      const ctx: HandlerContext = { client, deviceId, commandId: command.commandId, at: command.at, now: received, changes };
      await client.query('SAVEPOINT handler');
      try {
        const body = parsed.data;
        const handler = handlers[body.kind] as (c: HandlerContext, p: typeof body.payload) => Promise<unknown>;
        result = (await handler(ctx, body.payload)) ?? null;
        await client.query('RELEASE SAVEPOINT handler');
      } catch (error) {
        if (!(error instanceof Rejection)) {
          options.onError?.(error, command);
          throw error;
        }
        await client.query('ROLLBACK TO SAVEPOINT handler');
        changes.length = 0;
        status = 'rejected';
        reason = error.message;
      }
    }
    await client.query(
      `INSERT INTO commands (device_id, command_id, device_seq, kind, payload, at, status, result, reason, received_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8::jsonb, $9, $10)`,
      [deviceId, command.commandId, command.deviceSeq, command.kind, JSON.stringify(command.payload ?? null), command.at, status, JSON.stringify(result), reason, received],
    );
    await client.query('UPDATE devices SET last_seq = $2 WHERE device_id = $1', [deviceId, command.deviceSeq]);
    await writeChanges(client, changes, { commandId: command.commandId, deviceId, at: received });
    return status === 'applied' ? { ...base, status, result } : { ...base, status, reason: reason ?? 'rejected' };
  });
}

/** A deadlock or serialization failure rolled the whole transaction back: run it again (a few times). */
export async function retryConflicts<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (i >= attempts || (code !== '40P01' && code !== '40001')) throw error;
      await new Promise((r) => setTimeout(r, 5 * i + Math.random() * 10));
    }
  }
}

function handlerKnown(kind: string): boolean {
  return Object.prototype.hasOwnProperty.call(handlers, kind);
}

export interface PullPage {
  changes: ChangeRow[];
  latestVersion: number;
  more: boolean;
}

interface ChangeDbRow {
  version: number;
  entity: ChangeEntity;
  entity_id: string;
  op: ChangeRow['op'];
  data: Record<string, unknown> | null;
  command_id: string | null;
  device_id: string | null;
  at: number;
}

/** The change entities a session is not sent: those added with a capability its hello did not name. */
export function hiddenEntities(capabilities: ReadonlySet<HubCapability>): ChangeEntity[] {
  return Object.entries(ENTITY_CAPABILITY)
    .filter(([, capability]) => capability !== undefined && !capabilities.has(capability))
    .map(([entity]) => entity as ChangeEntity);
}

/**
 * A page of change rows after `since`. `hide`: entities this session is not sent (hiddenEntities).
 * They are left out in the query, so a page is filled with rows the station can take and its cursor
 * moves on to the next of those: a run of hidden rows, however long, never holds it back.
 */
export async function pullChanges(pool: pg.Pool, since: number, limit = MAX_PULL_LIMIT, hide: readonly ChangeEntity[] = []): Promise<PullPage> {
  const take = Math.min(Math.max(1, limit), MAX_PULL_LIMIT);
  // Only committed versions are visible, and they were handed out in commit order: no later commit
  // can land below a version already seen.
  const { rows } = await pool.query<ChangeDbRow>('SELECT * FROM change_log WHERE version > $1 AND NOT (entity = ANY($3::text[])) ORDER BY version LIMIT $2', [since, take + 1, [...hide]]);
  const latest = await latestVersion(pool);
  const page = rows.slice(0, take);
  return {
    changes: page.map((r) => ({ version: r.version, entity: r.entity, id: r.entity_id, op: r.op, data: r.data, commandId: r.command_id, deviceId: r.device_id, at: r.at })),
    latestVersion: latest,
    more: rows.length > take,
  };
}

export async function latestVersion(pool: pg.Pool | pg.PoolClient): Promise<number> {
  const { rows } = await pool.query<{ last_version: number }>('SELECT last_version FROM hub_meta WHERE id = 1');
  return rows[0]?.last_version ?? 0;
}
